"""Staff accounts: passwords, sessions and who a bearer token belongs to.

Passwords are hashed with scrypt (standard library; memory-hard) with a random salt and
the parameters stored beside the hash, so they can be raised later without a migration.
A session is a random bearer token of which only a SHA-256 is stored.

scrypt takes tens of milliseconds of CPU and 16 MiB per hash. It runs in a small pool of
threads of its own (``HASHING_THREADS``; scrypt releases the GIL), never on the event loop,
so sign-ins, however many, cannot stall other requests: they queue for the pool instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.vocabulary import Role
from api.models import Office, Staff, StaffSession

SESSION_HOURS = 12
MIN_PASSWORD = 12
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    display_name: str
    role: Role
    office_code: str | None
    # The coordination region of the member's office (a region desk, or a pilot office).
    region_code: str | None


class StaffError(ValueError):
    pass


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    n, r, p = _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, bytes.fromhex(digest))


# Spent on unknown usernames too, so a login's timing does not tell which usernames exist.
_DUMMY_HASH = hash_password(secrets.token_hex(8))

# Hashes at once per process: half the machine's cores (at least one, at most four), so the
# other half stays for requests, and at most 64 MiB goes to scrypt however many sign-ins
# arrive.
HASHING_THREADS = min(4, max(1, (os.cpu_count() or 2) // 2))
_hashing = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="scrypt")


async def password_matches(password: str, stored: str) -> bool:
    """``verify_password`` in the hashing pool, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(
        _hashing, verify_password, password, stored
    )


async def new_password_hash(password: str) -> str:
    """``hash_password`` in the hashing pool, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_hashing, hash_password, password)


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
        )


async def add_staff(
    conn: AsyncConnection,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    office_code: str | None,
) -> int:
    """A new active account in the caller's transaction; StaffError says what is wrong."""
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"the password needs at least {MIN_PASSWORD} characters")
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
            )
            .returning(Staff.__table__.c.id)
        )
    ).scalar_one()


async def log_in(engine: AsyncEngine, *, username: str, password: str) -> tuple[str, datetime]:
    """A new bearer token and its expiry, or StaffError (the same for any wrong detail)."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(Staff.id, Staff.password_hash, Staff.active).where(
                    Staff.username == username
                )
            )
        ).first()
    valid = await password_matches(password, row.password_hash if row else _DUMMY_HASH)
    if row is None or not valid or not row.active:
        raise StaffError("unknown username or wrong password")
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = now + timedelta(hours=SESSION_HOURS)
    async with engine.begin() as conn:
        await conn.execute(
            insert(StaffSession.__table__).values(
                token_hash=_token_hash(token), staff_id=row.id, created_at=now, expires_at=expires
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


async def staff_for_token(engine: AsyncEngine, token: str) -> StaffMember | None:
    """The active staff member whose unexpired, unrevoked session this is; None otherwise."""
    sessions, staff, offices = StaffSession.__table__, Staff.__table__, Office.__table__
    now = datetime.now(UTC)
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    staff.c.id,
                    staff.c.username,
                    staff.c.display_name,
                    staff.c.role,
                    staff.c.office_code,
                    offices.c.coordination_region_code,
                    offices.c.regency_code,
                )
                .select_from(
                    sessions.join(staff, staff.c.id == sessions.c.staff_id).outerjoin(
                        offices, offices.c.code == staff.c.office_code
                    )
                )
                .where(
                    sessions.c.token_hash == _token_hash(token),
                    sessions.c.revoked_at.is_(None),
                    sessions.c.expires_at > now,
                    staff.c.active.is_(True),
                )
            )
        ).first()
    if row is None:
        return None
    return StaffMember(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        office_code=row.office_code,
        region_code=row.coordination_region_code,
    )
