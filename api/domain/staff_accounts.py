"""Staff accounts as administrators manage them: listing, creating with a temporary
password, deactivating, resetting, changing role and office.

A temporary password is generated here (``secrets``) and handed to the administrator once;
only its hash is kept, and the account must choose its own at the next console sign-in.
Deactivating an account or resetting its password ends every session of it at once: someone
who held the old password, or a session on a lost phone, is out. Each change runs in the
caller's transaction and returns the account before and after, for the audit — never a
password or its hash.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain import staff
from api.domain.organisation import Change
from api.domain.vocabulary import Role
from api.models import Office, Staff, StaffSession

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MAX_NAME = 128
# Roles that work the complaints of an office, and so need one.
_OFFICE_ROLES = (Role.HANDLER, Role.COORDINATOR)
# 18 random bytes: 24 URL-safe characters, read out or typed once, then replaced.
_TEMPORARY_BYTES = 18


class AccountProblem(StrEnum):
    USERNAME_INVALID = "username_invalid"
    USERNAME_TAKEN = "username_taken"
    NAME_INVALID = "name_invalid"
    ROLE_INVALID = "role_invalid"
    OFFICE_REQUIRED = "office_required"
    OFFICE_UNKNOWN = "office_unknown"
    ACCOUNT_NOT_FOUND = "account_not_found"
    OWN_ACCOUNT = "own_account"


class AccountError(ValueError):
    def __init__(self, problem: AccountProblem, field: str | None = None, **params: str) -> None:
        super().__init__(problem.value)
        self.problem, self.field, self.params = problem, field, params


@dataclass(frozen=True)
class AccountRecord:
    id: int
    username: str
    display_name: str
    role: str
    office_code: str | None
    active: bool
    must_change_password: bool


def temporary_password() -> str:
    return secrets.token_urlsafe(_TEMPORARY_BYTES)


def _account(row) -> AccountRecord:
    return AccountRecord(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        office_code=row.office_code,
        active=row.active,
        must_change_password=row.must_change_password,
    )


_STAFF = Staff.__table__


async def accounts(engine: AsyncEngine) -> list[AccountRecord]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(_STAFF).order_by(_STAFF.c.username))).all()
    return [_account(row) for row in rows]


async def account(engine: AsyncEngine, staff_id: int) -> AccountRecord | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(_STAFF).where(_STAFF.c.id == staff_id))).first()
    return _account(row) if row else None


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountError(AccountProblem.ROLE_INVALID, "role") from None


async def _check_office(conn: AsyncConnection, role: Role, office_code: str | None) -> None:
    if role in _OFFICE_ROLES and not office_code:
        raise AccountError(AccountProblem.OFFICE_REQUIRED, "office_code")
    if office_code is not None and not await conn.scalar(
        select(Office.code).where(Office.code == office_code)
    ):
        raise AccountError(AccountProblem.OFFICE_UNKNOWN, "office_code", code=office_code)


async def add_account(
    conn: AsyncConnection,
    *,
    username: str,
    display_name: str,
    role: str,
    office_code: str | None,
) -> tuple[Change[AccountRecord], str]:
    """A new active account with a temporary password; returns it and that password."""
    if not USERNAME.fullmatch(username):
        raise AccountError(AccountProblem.USERNAME_INVALID, "username")
    if not display_name.strip() or len(display_name) > MAX_NAME:
        raise AccountError(AccountProblem.NAME_INVALID, "display_name", maximum=str(MAX_NAME))
    chosen = _role(role)
    await _check_office(conn, chosen, office_code)
    if await conn.scalar(select(_STAFF.c.id).where(_STAFF.c.username == username)):
        raise AccountError(AccountProblem.USERNAME_TAKEN, "username", username=username)
    password = temporary_password()
    staff_id = await staff.add_staff(
        conn,
        username=username,
        display_name=display_name.strip(),
        password=password,
        role=chosen,
        office_code=office_code,
        temporary=True,
    )
    row = (await conn.execute(select(_STAFF).where(_STAFF.c.id == staff_id))).one()
    return Change(None, _account(row)), password


async def _before(conn: AsyncConnection, staff_id: int):
    row = (await conn.execute(select(_STAFF).where(_STAFF.c.id == staff_id))).first()
    if row is None:
        raise AccountError(AccountProblem.ACCOUNT_NOT_FOUND, None, id=str(staff_id))
    return row


async def _after(conn: AsyncConnection, before) -> Change[AccountRecord]:
    row = (await conn.execute(select(_STAFF).where(_STAFF.c.id == before.id))).one()
    return Change(_account(before), _account(row))


async def end_sessions(conn: AsyncConnection, staff_id: int) -> None:
    sessions = StaffSession.__table__
    await conn.execute(
        update(sessions)
        .where(sessions.c.staff_id == staff_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


async def set_active(
    conn: AsyncConnection, staff_id: int, *, active: bool, by_staff_id: int | None
) -> Change[AccountRecord]:
    """Deactivate (every session ends) or reactivate an account; not one's own, so an
    administrator cannot lock themselves out."""
    if staff_id == by_staff_id:
        raise AccountError(AccountProblem.OWN_ACCOUNT, "active")
    before = await _before(conn, staff_id)
    await conn.execute(update(_STAFF).where(_STAFF.c.id == staff_id).values(active=active))
    if not active:
        await end_sessions(conn, staff_id)
    return await _after(conn, before)


async def reset_password(conn: AsyncConnection, staff_id: int) -> tuple[Change[AccountRecord], str]:
    """A new temporary password for the account, which must change it at the next sign-in;
    every session of it ends. Returns the account and the password."""
    before = await _before(conn, staff_id)
    password = temporary_password()
    await conn.execute(
        update(_STAFF)
        .where(_STAFF.c.id == staff_id)
        .values(password_hash=await staff.new_password_hash(password), must_change_password=True)
    )
    await end_sessions(conn, staff_id)
    return await _after(conn, before), password


async def set_role_and_office(
    conn: AsyncConnection,
    staff_id: int,
    *,
    role: str,
    office_code: str | None,
    by_staff_id: int | None,
) -> Change[AccountRecord]:
    """Give an account another role or office (handlers and coordinators need one). An
    administrator keeps their own role: demoting oneself could leave no administrator."""
    chosen = _role(role)
    before = await _before(conn, staff_id)
    if staff_id == by_staff_id and chosen.value != before.role:
        raise AccountError(AccountProblem.OWN_ACCOUNT, "role")
    await _check_office(conn, chosen, office_code)
    await conn.execute(
        update(_STAFF)
        .where(_STAFF.c.id == staff_id)
        .values(role=chosen.value, office_code=office_code)
    )
    return await _after(conn, before)
