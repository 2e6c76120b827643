"""Staff accounts: passwords, sessions and who a session token belongs to.

Passwords are hashed by :mod:`api.domain.passwords` (argon2id; legacy scrypt hashes are
upgraded at the owner's next sign-in). A session is a random token of which only a SHA-256
is stored. An API session (a bearer token) lasts ``SESSION_HOURS``; a console session (a
cookie) lasts as long at most, and ends sooner after ``CONSOLE_IDLE_MINUTES`` without use.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain import passwords
from api.domain.vocabulary import Role
from api.models import Office, Staff, StaffSession

SESSION_HOURS = 12
CONSOLE_IDLE_MINUTES = 30
# A console session's last use is written at most this often: a page and its partial
# updates would otherwise each write a row.
_TOUCH_EVERY = timedelta(seconds=60)
MIN_PASSWORD = 12


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    display_name: str
    role: Role
    office_code: str | None
    # The coordination region of the member's office (a region desk, or a pilot office).
    region_code: str | None
    # The member's language in the console ("id" or "en").
    locale: str = "id"
    # An account created or reset with a temporary password: the console asks for a new one.
    must_change_password: bool = False


class StaffError(ValueError):
    pass


# Read through the module, so a test can put a slow or failing check in its place.
verify_password = passwords.verify_password


async def password_matches(password: str, stored: str) -> bool:
    """The password check in the hashing pool, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(
        passwords._hashing, verify_password, password, stored
    )


new_password_hash = passwords.new_password_hash


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def create_staff(
    engine: AsyncEngine,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    office_code: str | None,
    temporary: bool = False,
) -> int:
    """:func:`add_staff` in a transaction of its own."""
    async with engine.begin() as conn:
        return await add_staff(
            conn,
            username=username,
            display_name=display_name,
            password=password,
            role=role,
            office_code=office_code,
            temporary=temporary,
        )


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"the password needs at least {MIN_PASSWORD} characters")


async def add_staff(
    conn: AsyncConnection,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    office_code: str | None,
    temporary: bool = False,
) -> int:
    """A new active account in the caller's transaction; StaffError says what is wrong.
    ``temporary``: the password was handed over by someone else, and the owner must choose
    their own at the first sign-in to the console."""
    check_new_password(password)
    if role in (Role.HANDLER, Role.COORDINATOR) and not office_code:
        raise StaffError(f"a {role.value.lower()} belongs to an office: give --office")
    if office_code is not None:
        exists = await conn.scalar(select(Office.code).where(Office.code == office_code))
        if exists is None:
            raise StaffError(f"no office {office_code!r}")
    taken = await conn.scalar(select(Staff.id).where(Staff.username == username))
    if taken is not None:
        raise StaffError(f"the username {username!r} is taken")
    return (
        await conn.execute(
            insert(Staff.__table__)
            .values(
                username=username,
                display_name=display_name,
                password_hash=await new_password_hash(password),
                role=role.value,
                office_code=office_code,
                active=True,
                created_at=datetime.now(UTC),
                must_change_password=temporary,
            )
            .returning(Staff.__table__.c.id)
        )
    ).scalar_one()


async def log_in(
    engine: AsyncEngine, *, username: str, password: str, console: bool = False
) -> tuple[str, datetime]:
    """A new session token and its absolute expiry, or StaffError (the same for any wrong
    detail). ``console``: a cookie session, which also ends after a time without use. A
    password stored under a weaker scheme is re-hashed with today's."""
    staff = Staff.__table__
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(staff.c.id, staff.c.password_hash, staff.c.active).where(
                    staff.c.username == username
                )
            )
        ).first()
    stored = row.password_hash if row else passwords.DUMMY_HASH
    valid = await password_matches(password, stored)
    if row is None or not valid or not row.active:
        raise StaffError("unknown username or wrong password")
    upgraded = await new_password_hash(password) if passwords.needs_upgrade(stored) else None
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = now + timedelta(hours=SESSION_HOURS)
    async with engine.begin() as conn:
        if upgraded is not None:
            # Only over the hash that was checked: a password changed meanwhile stays.
            await conn.execute(
                update(staff)
                .where(staff.c.id == row.id, staff.c.password_hash == stored)
                .values(password_hash=upgraded)
            )
        await conn.execute(
            insert(StaffSession.__table__).values(
                token_hash=_token_hash(token),
                staff_id=row.id,
                created_at=now,
                expires_at=expires,
                console=console,
                last_seen_at=now if console else None,
            )
        )
    return token, expires


async def log_out(engine: AsyncEngine, token: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(StaffSession.__table__)
            .where(StaffSession.__table__.c.token_hash == _token_hash(token))
            .values(revoked_at=datetime.now(UTC))
        )


async def staff_for_token(
    engine: AsyncEngine, token: str, *, console: bool = False, touch: bool = True
) -> StaffMember | None:
    """The active staff member whose live session this is; None otherwise. ``console``: the
    token must be a console session, used within the last ``CONSOLE_IDLE_MINUTES`` (this
    use counts as one, unless ``touch`` is False: a page polling for changes is not someone
    at the keyboard, and must not keep an unattended session open)."""
    sessions, staff, offices = StaffSession.__table__, Staff.__table__, Office.__table__
    now = datetime.now(UTC)
    conditions = [
        sessions.c.token_hash == _token_hash(token),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > now,
        staff.c.active.is_(True),
    ]
    if console:
        conditions += [
            sessions.c.console.is_(True),
            sessions.c.last_seen_at > now - timedelta(minutes=CONSOLE_IDLE_MINUTES),
        ]
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    sessions.c.id.label("session_id"),
                    sessions.c.last_seen_at,
                    staff.c.id,
                    staff.c.username,
                    staff.c.display_name,
                    staff.c.role,
                    staff.c.office_code,
                    staff.c.locale,
                    staff.c.must_change_password,
                    offices.c.coordination_region_code,
                )
                .select_from(
                    sessions.join(staff, staff.c.id == sessions.c.staff_id).outerjoin(
                        offices, offices.c.code == staff.c.office_code
                    )
                )
                .where(*conditions)
            )
        ).first()
    if row is None:
        return None
    if console and touch and row.last_seen_at <= now - _TOUCH_EVERY:
        async with engine.begin() as conn:
            await conn.execute(
                update(sessions).where(sessions.c.id == row.session_id).values(last_seen_at=now)
            )
    return StaffMember(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        office_code=row.office_code,
        region_code=row.coordination_region_code,
        locale=row.locale,
        must_change_password=row.must_change_password,
    )


async def change_password(
    engine: AsyncEngine, member: StaffMember, *, current: str, new: str, keep_token: str
) -> None:
    """Replace the member's password after checking the current one; every other session of
    theirs ends (someone who knew the old password is signed out). StaffError says why not."""
    staff, sessions = Staff.__table__, StaffSession.__table__
    async with engine.connect() as conn:
        stored = await conn.scalar(select(staff.c.password_hash).where(staff.c.id == member.id))
    if stored is None or not await password_matches(current, stored):
        raise StaffError("current_password_wrong")
    if new == current:
        raise StaffError("new_password_same")
    check_new_password(new)
    new_hash = await new_password_hash(new)
    async with engine.begin() as conn:
        await conn.execute(
            update(staff)
            .where(staff.c.id == member.id)
            .values(password_hash=new_hash, must_change_password=False)
        )
        await conn.execute(
            update(sessions)
            .where(
                sessions.c.staff_id == member.id,
                sessions.c.revoked_at.is_(None),
                sessions.c.token_hash != _token_hash(keep_token),
            )
            .values(revoked_at=datetime.now(UTC))
        )


async def set_locale(engine: AsyncEngine, member: StaffMember, locale: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(Staff.__table__).where(Staff.__table__.c.id == member.id).values(locale=locale)
        )
