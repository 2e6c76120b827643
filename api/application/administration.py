"""What administrators (and the operator at the command line) manage: the categories'
routing rules, offices, staff accounts and the channels' API keys.

Each change and its row in the administration audit (who, when, before and after) commit
together. Routing changes take effect at once in this process and within the directory
cache's lifetime in the others. Administrators see no complaint content; only they change
these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.application.errors import AppError, Refusal
from api.application.principals import Operator
from api.db import session_scope
from api.domain import access, api_keys, organisation
from api.domain.administration_audit import AuditEntry, change_kinds, recent_changes, record_change
from api.domain.organisation import (
    CategoryRule,
    Change,
    NewOffice,
    OfficeRecord,
    OrganisationError,
)
from api.domain.staff import StaffError, StaffMember, add_staff
from api.domain.vocabulary import Role
from api.models import CoordinationRegion
from api.services import Services


def require_admin(member: StaffMember) -> None:
    if not access.may_manage_configuration(member):
        raise AppError(Refusal.FORBIDDEN, "admin_only", "staff.admin_only")


def actor_of(by: Operator | StaffMember) -> dict:
    if isinstance(by, StaffMember):
        return {"actor": by.username, "actor_staff_id": by.id}
    return {"actor": f"operator:{by.name}", "actor_staff_id": None}


def _refused(error: OrganisationError) -> AppError:
    problem = error.problem
    if problem in (
        organisation.OrganisationProblem.CATEGORY_NOT_FOUND,
        organisation.OrganisationProblem.OFFICE_NOT_FOUND,
    ):
        refusal = Refusal.NOT_FOUND
    elif problem == organisation.OrganisationProblem.OFFICE_EXISTS:
        refusal = Refusal.CONFLICT
    else:
        refusal = Refusal.INVALID
    return AppError(
        refusal,
        problem.value,
        f"staff.{problem.value}",
        params=error.params,
        field=organisation.FIELD_OF.get(problem) or error.params.get("needs"),
    )


async def _change_routing(
    services: Services,
    member: StaffMember,
    kind: str,
    subject: str,
    make_change: Callable[[AsyncConnection], Awaitable[Change]],
):
    """An administrator's change of routing data and its audit row, in one transaction;
    the directory is refreshed once it has committed."""
    require_admin(member)
    try:
        async with services.engine.begin() as conn:
            change = await make_change(conn)
            await record_change(
                conn,
                **actor_of(member),
                change=kind,
                subject=subject,
                before=change.before,
                after=change.after,
            )
    except OrganisationError as error:
        raise _refused(error) from None
    services.directory.invalidate()
    return change.after


async def category_rules(services: Services, member: StaffMember) -> list[CategoryRule]:
    require_admin(member)
    return await organisation.category_rules(services.engine)


async def change_category_rule(
    services: Services,
    member: StaffMember,
    code: str,
    *,
    office_type: str | None = None,
    active: bool | None = None,
) -> CategoryRule:
    """Route a category to another office type, or take it out of (or back into) service."""
    return await _change_routing(
        services,
        member,
        "category_rule_changed",
        code,
        lambda conn: organisation.change_category_rule(
            conn, code, office_type=office_type, active=active
        ),
    )


async def offices(services: Services, member: StaffMember) -> list[OfficeRecord]:
    require_admin(member)
    return await organisation.offices(services.engine)


async def office(services: Services, member: StaffMember, code: str) -> OfficeRecord:
    require_admin(member)
    for record in await organisation.offices(services.engine):
        if record.code == code:
            return record
    raise _refused(OrganisationError(organisation.OrganisationProblem.OFFICE_NOT_FOUND, code=code))


async def add_office(services: Services, member: StaffMember, office: NewOffice) -> OfficeRecord:
    """Add an office; its type says where it sits (a kab/kota, a province, a region desk)."""
    return await _change_routing(
        services,
        member,
        "office_added",
        office.code,
        lambda conn: organisation.add_office(conn, office, regions=services.regions),
    )


async def change_office(
    services: Services,
    member: StaffMember,
    code: str,
    *,
    name: str | None = None,
    email: str | None = None,
    active: bool | None = None,
) -> OfficeRecord:
    """Rename, change the e-mail, or (de)activate an office. Routing follows immediately."""
    return await _change_routing(
        services,
        member,
        "office_changed",
        code,
        lambda conn: organisation.change_office(conn, code, name=name, email=email, active=active),
    )


async def create_staff_account(
    services: Services,
    by: Operator | StaffMember,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    office_code: str | None,
) -> int:
    """A new staff account (the first administrator comes from the operator)."""
    if isinstance(by, StaffMember):
        require_admin(by)
    try:
        async with services.engine.begin() as conn:
            staff_id = await add_staff(
                conn,
                username=username,
                display_name=display_name,
                password=password,
                role=role,
                office_code=office_code,
            )
            await record_change(
                conn,
                **actor_of(by),
                change="staff_created",
                subject=username,
                after={"username": username, "role": role.value, "office_code": office_code},
            )
            return staff_id
    except StaffError as error:
        raise AppError(
            Refusal.INVALID, "staff_refused", "staff.account_refused", params={"reason": str(error)}
        ) from None


async def create_api_key(
    services: Services,
    by: Operator | StaffMember,
    *,
    channel: str,
    kind: api_keys.KeyKind = api_keys.KeyKind.CHANNEL,
    region_code: str | None = None,
) -> str:
    """A new key for ``channel``, returned once: only its hash is kept. A statistics key
    (``kind``) reads statistics only: one coordination region's (``region_code``) or, with
    none, the whole country's."""
    if isinstance(by, StaffMember):
        require_admin(by)
    if not channel.strip() or len(channel) > 64:
        raise AppError(
            Refusal.INVALID, "channel_name_invalid", "staff.channel_name_invalid", field="channel"
        )
    region_code = (region_code or "").strip().upper() or None
    if kind is api_keys.KeyKind.CHANNEL:
        region_code = None  # a channel files for every region
    elif region_code is not None and region_code not in await _region_codes(services):
        raise AppError(
            Refusal.INVALID, "unknown_region", "staff.key_region_unknown", field="region"
        )
    async with session_scope(services.sessions) as session:
        key = await api_keys.create_api_key(
            session, channel=channel, kind=kind, region_code=region_code
        )
        after = {"channel": channel.strip(), "prefix": api_keys.prefix_of(key)}
        if kind is api_keys.KeyKind.STATISTICS:
            after |= {"kind": kind.value, "region": region_code or "national"}
        await record_change(
            await session.connection(),
            **actor_of(by),
            change="api_key_created",
            subject=api_keys.prefix_of(key),
            after=after,
        )
        return key


async def _region_codes(services: Services) -> set[str]:
    async with services.engine.connect() as conn:
        rows = await conn.execute(select(CoordinationRegion.__table__.c.code))
        return {code for (code,) in rows}


async def region_choices(services: Services, member: StaffMember) -> list[tuple[str, str]]:
    """The coordination regions a statistics key may be limited to: (code, name)."""
    require_admin(member)
    table = CoordinationRegion.__table__
    async with services.engine.connect() as conn:
        rows = await conn.execute(select(table.c.code, table.c.name).order_by(table.c.code))
        return [(code, name) for code, name in rows]


async def revoke_api_key(services: Services, by: Operator | StaffMember, *, prefix: str) -> bool:
    """Revoke the key with this prefix; False when there is no such active key."""
    if isinstance(by, StaffMember):
        require_admin(by)
    async with session_scope(services.sessions) as session:
        revoked = await api_keys.revoke_api_key(session, prefix=prefix)
        if revoked:
            await session.flush()
            await record_change(
                await session.connection(),
                **actor_of(by),
                change="api_key_revoked",
                subject=prefix,
            )
        return revoked


async def api_key_list(services: Services, member: StaffMember) -> list[api_keys.KeyRecord]:
    """Every key (channel and statistics) by its prefix, its kind and region, when it was
    made and revoked; never the key."""
    require_admin(member)
    async with session_scope(services.sessions) as session:
        return await api_keys.keys(session)


async def audit_trail(
    services: Services, member: StaffMember, *, change: str | None = None, limit: int = 50
) -> tuple[list[AuditEntry], list[str]]:
    """The latest configuration changes (of one kind, or all), and every kind there is."""
    require_admin(member)
    return (
        await recent_changes(services.engine, change=change, limit=limit),
        await change_kinds(services.engine),
    )
