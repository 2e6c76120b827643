"""Every complaint a demo persona can file lands at an office someone in the demo can sign
in as, and the personas table names that account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.domain.pilot_config import load_pilot_config
from api.domain.vocabulary import Role
from api.models import Complaint
from demo.seed import seed_demo_population
from demo.staff import DEMO_ACCOUNTS, ensure_demo_accounts, handler_at, handlers_of

URL = "/api/v1/complaints"


@pytest.fixture
async def personas(services):
    outcome = await seed_demo_population(
        services.engine,
        protector=services.protector,
        regions=services.regions,
        rules=services.rules,
        pilot=load_pilot_config(),
        families=0,
        seed=2026,
    )
    await ensure_demo_accounts(services)
    return outcome.personas


async def file(client, persona, category: str, **where) -> str:
    response = await client.post(
        URL,
        json={
            "reporter": {"channel_user": f"demo:{persona.key}", "locale": "id"},
            "category": category,
            "description": "Keluhan untuk memeriksa ke mana pengaduan ini diteruskan.",
            "subject_nik": persona.nik,
            **where,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["tracking_id"]


async def office_of(services, tracking_id: str) -> str:
    table = Complaint.__table__
    async with services.engine.connect() as conn:
        return (
            await conn.execute(
                select(table.c.office_code).where(table.c.tracking_id == tracking_id)
            )
        ).scalar_one()


async def test_every_category_a_persona_files_at_home_reaches_an_account_the_table_names(
    services, client, personas
):
    directory = await services.directory.get()
    categories = [c.code for c in directory.active_categories()]
    assert len(personas) == 9 and len(categories) >= 8
    for persona in personas:
        named = handlers_of(directory, persona.family.district_code)
        for category in categories:
            tracking_id = await file(
                client, persona, category, region_code=persona.family.district_code
            )
            office = await office_of(services, tracking_id)
            account = handler_at(office)
            assert account is not None, (persona.key, category, office)
            assert account.role == Role.HANDLER
            assert account.username in named, (persona.key, category, account.username)
        # Four offices in each persona's kab/kota, one account at each.
        assert len(named) == 4, named


async def test_a_persona_complaint_without_a_domicile_waits_where_an_account_can_act(
    services, client, personas
):
    """At the national triage desk (the ministry's account), or at the region's desk when the
    address names the persona's kab/kota (the coordinator's)."""
    persona = personas[0]
    nowhere = await office_of(services, await file(client, persona, "BANTUAN_TIDAK_DITERIMA"))
    named = await office_of(
        services,
        await file(client, persona, "BANTUAN_TIDAK_DITERIMA", address="dekat pasar, Kota Metro"),
    )
    by_office = {a.office_code: a.role for a in DEMO_ACCOUNTS}
    assert by_office[nowhere] == Role.MINISTRY
    assert by_office[named] == Role.COORDINATOR
