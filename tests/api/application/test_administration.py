"""Administration: only administrators (or the operator) change configuration, and every
change is in the audit with who, when, before and after — never a key or a password."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from api.application import administration
from api.application.errors import AppError, Refusal
from api.application.principals import Operator
from api.domain.organisation import NewOffice
from api.domain.pilot_config import OfficeType, load_pilot_config
from api.domain.reference_data import load_reference_data
from api.domain.staff import StaffMember
from api.domain.vocabulary import Role
from api.models import AdministrationAudit, Office

ADMIN = StaffMember(1, "admin", "Admin", Role.ADMIN, None, None)
HANDLER = StaffMember(2, "banyuwangi", "Banyuwangi", Role.HANDLER, "DINSOS-3510", "WK4")
PASSWORD = "kata-sandi-yang-panjang"


@pytest.fixture
async def admin(services) -> StaffMember:
    staff_id = await administration.create_staff_account(
        services,
        Operator(),
        username="admin",
        display_name="Admin",
        password=PASSWORD,
        role=Role.ADMIN,
        office_code=None,
    )
    yield StaffMember(staff_id, "admin", "Admin", Role.ADMIN, None, None)
    async with services.engine.begin() as conn:
        await conn.execute(delete(Office.__table__).where(Office.__table__.c.managed_by == "admin"))
        await load_reference_data(
            conn, regions=services.regions, pilot=load_pilot_config(), reset_routing=True
        )


async def audit_rows(services) -> list:
    table = AdministrationAudit.__table__
    async with services.engine.connect() as conn:
        return (await conn.execute(select(table).order_by(table.c.id))).all()


async def test_a_routing_change_is_audited_with_who_and_before_and_after(services, admin):
    await administration.change_category_rule(services, admin, "PUNGLI", office_type="DINSOS")

    row = (await audit_rows(services))[-1]
    assert (row.actor, row.actor_staff_id, row.change, row.subject) == (
        "admin",
        admin.id,
        "category_rule_changed",
        "PUNGLI",
    )
    assert json.loads(row.before)["office_type"] == "INSPEKTORAT"
    assert json.loads(row.after)["office_type"] == "DINSOS"


async def test_the_first_administrator_comes_from_the_operator_and_says_so(services, admin):
    created = (await audit_rows(services))[0]

    assert (created.actor, created.actor_staff_id, created.change) == (
        "operator:operator",
        None,
        "staff_created",
    )
    assert PASSWORD not in (created.after or "")


async def test_an_api_key_is_audited_by_its_prefix_never_the_key(services):
    key = await administration.create_api_key(services, Operator("cli"), channel="telegram-bot")
    prefix = key.removeprefix("bsk_").partition("_")[0]
    assert await administration.revoke_api_key(services, Operator("cli"), prefix=prefix)

    rows = await audit_rows(services)
    assert [(r.change, r.subject) for r in rows] == [
        ("api_key_created", prefix),
        ("api_key_revoked", prefix),
    ]
    assert all(key not in (r.after or "") for r in rows)


async def test_a_refused_change_leaves_no_audit_row(services, admin):
    before = len(await audit_rows(services))
    with pytest.raises(AppError) as refused:
        await administration.add_office(
            services,
            admin,
            NewOffice(
                code="DINSOS-3510", name="Duplikat", type=OfficeType.DINSOS, regency_code="3510"
            ),
        )

    assert refused.value.refusal == Refusal.CONFLICT
    assert len(await audit_rows(services)) == before


@pytest.mark.parametrize(
    "call",
    [
        lambda s, m: administration.category_rules(s, m),
        lambda s, m: administration.offices(s, m),
        lambda s, m: administration.change_office(s, m, "DINSOS-3510", name="Nama baru"),
        lambda s, m: administration.create_api_key(s, m, channel="partner"),
    ],
)
async def test_nobody_but_an_administrator_manages_configuration(services, call):
    with pytest.raises(AppError) as refused:
        await call(services, HANDLER)

    assert (refused.value.refusal, refused.value.code) == (Refusal.FORBIDDEN, "admin_only")
    assert await audit_rows(services) == []
