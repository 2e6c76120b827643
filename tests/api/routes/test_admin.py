"""The admin API: routing rules and offices change without a release."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from api.domain.pilot_config import load_pilot_config
from api.domain.reference_data import load_reference_data
from api.domain.staff import create_staff
from api.domain.vocabulary import Role
from api.models import Office

PASSWORD = "kata-sandi-yang-panjang"
PUNGLI = {
    "reporter": {"channel_user": "tg:1"},
    "category": "PUNGLI",
    "description": "Agen meminta potongan Rp20.000.",
    "region_code": "351001",
}


@pytest.fixture
async def admin(client, services):
    for username, role, office in (
        ("admin", Role.ADMIN, None),
        ("banyuwangi", Role.HANDLER, "DINSOS-3510"),
    ):
        await create_staff(
            services.engine,
            username=username,
            display_name=username,
            password=PASSWORD,
            role=role,
            office_code=office,
        )
    response = await client.post(
        "/api/v1/staff/sessions", json={"username": "admin", "password": PASSWORD}
    )
    yield {"Authorization": f"Bearer {response.json()['token']}"}
    # The reference data outlives a test: put the file's routing and offices back.
    async with services.engine.begin() as conn:
        await conn.execute(delete(Office.__table__).where(Office.__table__.c.managed_by == "admin"))
        await load_reference_data(
            conn, regions=services.regions, pilot=load_pilot_config(), reset_routing=True
        )


async def test_a_changed_routing_rule_applies_to_the_next_complaint(client, admin):
    before = await client.post("/api/v1/complaints", json=PUNGLI)
    changed = await client.patch(
        "/api/v1/admin/categories/PUNGLI", json={"office_type": "DINSOS"}, headers=admin
    )
    after = await client.post("/api/v1/complaints", json=PUNGLI)

    assert changed.json()["office_type"] == "DINSOS"
    assert before.json()["office"]["code"] == "INSPEKTORAT-3510"
    assert after.json()["office"]["code"] == "DINSOS-3510"


async def test_a_deactivated_office_no_longer_receives_complaints(client, admin):
    await client.patch(
        "/api/v1/admin/offices/INSPEKTORAT-3510", json={"active": False}, headers=admin
    )

    response = await client.post("/api/v1/complaints", json=PUNGLI)

    assert response.json()["office"]["code"] == "DINSOS-3510"
    assert response.json()["routing_reason"] == "pilot_default_dinsos"


async def test_an_office_added_by_an_admin_survives_reloading_the_pilot_file(
    client, services, admin
):
    created = await client.post(
        "/api/v1/admin/offices",
        json={
            "code": "DINSOS-3525",
            "name": "Dinas Sosial Kabupaten Gresik",
            "type": "PROVINSI",
            "province_code": "35",
        },
        headers=admin,
    )
    async with services.engine.begin() as conn:
        await load_reference_data(conn, regions=services.regions, pilot=load_pilot_config())
    offices = (await client.get("/api/v1/admin/offices", headers=admin)).json()

    assert created.status_code == 201
    assert next(o for o in offices if o["code"] == "DINSOS-3525")["active"] is True


async def test_an_office_needs_its_place(client, admin):
    response = await client.post(
        "/api/v1/admin/offices",
        json={"code": "DINSOS-X", "name": "Dinas tanpa wilayah", "type": "DINSOS"},
        headers=admin,
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "office_place_missing"


@pytest.mark.parametrize(
    ("place", "problem"),
    [
        ({"type": "WILAYAH", "coordination_region_code": "%"}, "region_unknown"),
        ({"type": "PROVINSI", "province_code": "99"}, "province_unknown"),
        ({"type": "NASIONAL", "coordination_region_code": "WK99"}, "region_unknown"),
    ],
)
async def test_an_office_in_an_unknown_place_is_refused_not_a_server_error(
    client, admin, place, problem
):
    # Found by the fuzz run (tools/fuzz_api.py): the insert failed on a foreign key, a 500.
    response = await client.post(
        "/api/v1/admin/offices",
        json={"code": "DESK-X", "name": "Meja pengaduan", **place},
        headers=admin,
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == problem


async def test_only_administrators_change_routing(client, admin):
    handler = await client.post(
        "/api/v1/staff/sessions", json={"username": "banyuwangi", "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {handler.json()['token']}"}

    response = await client.patch(
        "/api/v1/admin/categories/PUNGLI", json={"office_type": "DINSOS"}, headers=headers
    )

    assert response.status_code == 403
