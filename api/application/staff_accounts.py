"""Administrators manage staff accounts: create one with a temporary password, deactivate
and reactivate it, reset its password, change its role and office.

Each change and its administration audit row (who, when, the account before and after —
never a password) commit together. A temporary password is returned once, to be shown once
and handed over; the account must replace it at its next console sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.application.administration import actor_of, require_admin
from api.application.errors import AppError, Refusal
from api.domain import staff_accounts
from api.domain.administration_audit import record_change
from api.domain.staff import StaffMember
from api.domain.staff_accounts import AccountError, AccountProblem, AccountRecord
from api.services import Services


@dataclass(frozen=True)
class TemporaryPassword:
    """An account and the temporary password it was just given: shown once, never stored."""

    account: AccountRecord
    password: str


def _refused(error: AccountError) -> AppError:
    refusal = {
        AccountProblem.ACCOUNT_NOT_FOUND: Refusal.NOT_FOUND,
        AccountProblem.USERNAME_TAKEN: Refusal.CONFLICT,
        AccountProblem.OWN_ACCOUNT: Refusal.CONFLICT,
    }.get(error.problem, Refusal.INVALID)
    return AppError(
        refusal,
        error.problem.value,
        f"console_admin.{error.problem.value}",
        params=error.params,
        field=error.field,
    )


async def accounts(services: Services, member: StaffMember) -> list[AccountRecord]:
    require_admin(member)
    return await staff_accounts.accounts(services.engine)


async def account(services: Services, member: StaffMember, staff_id: int) -> AccountRecord:
    require_admin(member)
    found = await staff_accounts.account(services.engine, staff_id)
    if found is None:
        raise _refused(AccountError(AccountProblem.ACCOUNT_NOT_FOUND, id=str(staff_id)))
    return found


async def _audited(services, member, kind, change_of):
    require_admin(member)
    try:
        async with services.engine.begin() as conn:
            result = await change_of(conn)
            change = result[0] if isinstance(result, tuple) else result
            await record_change(
                conn,
                **actor_of(member),
                change=kind,
                subject=change.after.username,
                before=change.before,
                after=change.after,
            )
    except AccountError as error:
        raise _refused(error) from None
    return result


async def create_account(
    services: Services,
    member: StaffMember,
    *,
    username: str,
    display_name: str,
    role: str,
    office_code: str | None,
) -> TemporaryPassword:
    """A new account with a server-chosen temporary password, returned once."""
    change, password = await _audited(
        services,
        member,
        "staff_created",
        lambda conn: staff_accounts.add_account(
            conn, username=username, display_name=display_name, role=role, office_code=office_code
        ),
    )
    return TemporaryPassword(change.after, password)


async def set_active(
    services: Services, member: StaffMember, staff_id: int, *, active: bool
) -> AccountRecord:
    """Deactivate (its sessions end at once) or reactivate an account."""
    change = await _audited(
        services,
        member,
        "staff_reactivated" if active else "staff_deactivated",
        lambda conn: staff_accounts.set_active(
            conn, staff_id, active=active, by_staff_id=member.id
        ),
    )
    return change.after


async def reset_password(
    services: Services, member: StaffMember, staff_id: int
) -> TemporaryPassword:
    """A new temporary password (returned once); the account's sessions end and it must
    choose its own password at the next sign-in."""
    change, password = await _audited(
        services,
        member,
        "staff_password_reset",
        lambda conn: staff_accounts.reset_password(conn, staff_id),
    )
    return TemporaryPassword(change.after, password)


async def set_role_and_office(
    services: Services, member: StaffMember, staff_id: int, *, role: str, office_code: str | None
) -> AccountRecord:
    change = await _audited(
        services,
        member,
        "staff_role_changed",
        lambda conn: staff_accounts.set_role_and_office(
            conn, staff_id, role=role, office_code=office_code, by_staff_id=member.id
        ),
    )
    return change.after
