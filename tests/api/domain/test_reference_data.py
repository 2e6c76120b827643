"""Loading the region codes and the pilot configuration into the database."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from api.domain.pilot_config import load_pilot_config
from api.domain.reference_data import load_reference_data
from api.models import District, Office, PilotRegency


async def counts(services):
    async with services.sessions() as session:
        return tuple(
            [
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (District, PilotRegency, Office)
            ]
        )


async def test_loading_twice_changes_nothing(services):
    before = await counts(services)
    async with services.engine.begin() as conn:
        await load_reference_data(conn, regions=services.regions, pilot=load_pilot_config())
    assert await counts(services) == before == (7285, 40, 206)


async def test_an_office_dropped_from_the_file_is_deactivated_not_deleted(services):
    pilot = load_pilot_config()
    kept = tuple(o for o in pilot.offices if o.code != "INSPEKTORAT-3510")
    try:
        async with services.engine.begin() as conn:
            await load_reference_data(
                conn, regions=services.regions, pilot=dataclasses.replace(pilot, offices=kept)
            )
        async with services.sessions() as session:
            office = await session.get(Office, "INSPEKTORAT-3510")
        assert office is not None and office.active is False
    finally:
        async with services.engine.begin() as conn:
            await load_reference_data(conn, regions=services.regions, pilot=pilot)
