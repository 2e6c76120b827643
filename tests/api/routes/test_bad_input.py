"""Bad characters and out-of-range numbers are refused precisely, before anything is stored.

Every text field refuses a NUL, other control characters and lone surrogates (tab and line
breaks only where a text has several lines) with a 422 naming the field, in the person's
language; nothing is stored half-way, and one person's bad request never fails another's.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

from api.domain.staff import create_staff
from api.domain.vocabulary import Role
from api.models import (
    Complaint,
    ComplaintEvent,
    LookupAudit,
    Office,
    Staff,
    StaffSession,
)

PASSWORD = "kata-sandi-yang-panjang"
COMPLAINT = {
    "reporter": {"channel_user": "tg:4242"},
    "category": "BANTUAN_TIDAK_DITERIMA",
    "description": "Bantuan tahap 3 belum diterima.",
    "subject_nik": "3510014107900001",
    "region_code": "351001",
}
OPEN311 = {
    "service_code": "PUNGLI",
    "description": "Pendamping meminta Rp50.000 saat pencairan.",
    "attribute[region_code]": "351001",
}
# What only the Indonesian and only the English sentences say.
SAID_IN = {"id": "Kolom", "en": "The field"}
NUL, BELL, LONE_SURROGATE = "\x00", "\x07", "\ud800"


@dataclass
class World:
    client: object
    api_key: str
    handler: dict
    admin: dict
    tracking_id: str


@pytest.fixture
async def world(client, services, api_key) -> World:
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
    tokens = {}
    for username in ("admin", "banyuwangi"):
        response = await client.post(
            "/api/v1/staff/sessions", json={"username": username, "password": PASSWORD}
        )
        tokens[username] = {"Authorization": f"Bearer {response.json()['token']}"}
    filed = await client.post("/api/v1/complaints", json=COMPLAINT)
    assert filed.status_code == 201
    tracking_id = filed.json()["tracking_id"]
    return World(client, api_key, tokens["banyuwangi"], tokens["admin"], tracking_id)


def _with(body: dict, path: str, value: str) -> dict:
    """``body`` with the field at ``path`` ("reporter.channel_user") set to ``value``."""
    changed = {key: dict(val) if isinstance(val, dict) else val for key, val in body.items()}
    *parents, name = path.split(".")
    target = changed
    for parent in parents:
        target = target[parent]
    target[name] = value
    return changed


Send = Callable[[World, str, dict], Awaitable]


def as_json(body: dict) -> dict:
    """The request arguments sending ``body`` as JSON with every non-ASCII character escaped,
    as a client that escapes does: a lone surrogate travels as ``\\ud800``."""
    return {"content": json.dumps(body), "headers": {"Content-Type": "application/json"}}


def status_check(field: str) -> Send:
    def send(world: World, value: str, headers: dict):
        body = {"nik": "3510014107900009", "name": "Siti Aminah", "channel_user": "tg:1"}
        request = as_json(_with(body, field, value))
        request["headers"].update(headers)
        return world.client.post("/api/v1/status-checks", **request)

    return send


def complaint(field: str) -> Send:
    def send(world: World, value: str, headers: dict):
        request = as_json(_with(COMPLAINT, field, value))
        request["headers"].update(headers)
        return world.client.post("/api/v1/complaints", **request)

    return send


def staff_note(world: World, value: str, headers: dict):
    return world.client.post(
        f"/api/v1/staff/complaints/{world.tracking_id}/actions",
        json={"action": "verify", "note": f"Sudah dicek{value}"},
        headers={**world.handler, **headers},
    )


def sign_in(world: World, value: str, headers: dict):
    return world.client.post(
        "/api/v1/staff/sessions",
        json={"username": f"banyuwangi{value}", "password": PASSWORD},
        headers=headers,
    )


def queue_filter(world: World, value: str, headers: dict):
    return world.client.get(
        "/api/v1/staff/complaints",
        params={"status": f"RECEIVED{value}"},
        headers={**world.handler, **headers},
    )


def office_name(world: World, value: str, headers: dict):
    return world.client.patch(
        "/api/v1/admin/offices/DINSOS-3510",
        json={"name": f"Dinas Sosial{value} Banyuwangi"},
        headers={**world.admin, **headers},
    )


def new_office_name(world: World, value: str, headers: dict):
    return world.client.post(
        "/api/v1/admin/offices",
        json={
            "code": "DINSOS-9999",
            "name": f"Dinas{value} Baru",
            "type": "DINSOS",
            "regency_code": "3510",
        },
        headers={**world.admin, **headers},
    )


# (what is sent, the field the error names, the value with the bad character)
CHANNEL_API_CASES = {
    "status check channel_user": (status_check("channel_user"), "channel_user", f"tg:{NUL}1"),
    "status check name": (status_check("name"), "name", f"Siti{NUL}"),
    "complaint description": (complaint("description"), "description", f"Uang{NUL} dipotong"),
    "complaint address": (complaint("address"), "address", f"Jl. Merdeka{NUL} 5"),
    "complaint channel_user": (
        complaint("reporter.channel_user"),
        "reporter.channel_user",
        f"tg:{NUL}42",
    ),
    "complaint contact": (complaint("reporter.contact"), "reporter.contact", f"0812{BELL}"),
    "description with a lone surrogate": (
        complaint("description"),
        "description",
        f"Uang {LONE_SURROGATE} dipotong",
    ),
    "status check name with a lone surrogate": (
        status_check("name"),
        "name",
        f"Siti {LONE_SURROGATE}",
    ),
    "staff note": (staff_note, "note", NUL),
    "sign-in username": (sign_in, "username", NUL),
    "queue status filter": (queue_filter, "status", NUL),
    "admin office name": (office_name, "name", NUL),
    "new office name": (new_office_name, "name", BELL),
}


async def _stored(services) -> dict[str, int]:
    counts = {}
    async with services.engine.connect() as conn:
        for model in (Complaint, ComplaintEvent, LookupAudit, Office, StaffSession):
            table = model.__table__
            counts[table.name] = (
                await conn.execute(select(func.count()).select_from(table))
            ).scalar_one()
        offices = await conn.execute(select(Office.__table__.c.name))
        counts["office names"] = hash(tuple(sorted(offices.scalars())))
    return counts


@pytest.mark.parametrize("case", CHANNEL_API_CASES)
@pytest.mark.parametrize("language", ["id", "en"])
async def test_a_bad_character_is_a_422_naming_the_field_in_the_persons_language(
    world, services, case, language
):
    send, field, value = CHANNEL_API_CASES[case]
    # A signed-in member reads their own language (a citizen, Accept-Language's).
    async with services.engine.begin() as conn:
        await conn.execute(update(Staff.__table__).values(locale=language))
    before = await _stored(services)
    response = await send(world, value, {"Accept-Language": language})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert field in error["message"]
    assert SAID_IN[language] in error["message"]
    assert value not in error["message"]  # never what was typed
    assert await _stored(services) == before


async def test_the_refusal_is_said_in_the_locale_the_body_states(world):
    # The bot states the citizen's language in the body, not in Accept-Language.
    checked = await world.client.post(
        "/api/v1/status-checks",
        json={
            "nik": "3510014107900009",
            "name": "Siti\x00",
            "channel_user": "tg:1",
            "locale": "en",
        },
        headers={"Accept-Language": "id"},
    )
    reporter = {"channel_user": "tg:\x0042", "locale": "en"}
    filed = await world.client.post("/api/v1/complaints", json={**COMPLAINT, "reporter": reporter})
    for response in (checked, filed):
        assert response.status_code == 422
        assert response.json()["error"]["message"].startswith(SAID_IN["en"])


async def test_a_single_line_field_refuses_a_tab_and_a_multi_line_one_keeps_it(world):
    refused = await world.client.post(
        "/api/v1/complaints", json=_with(COMPLAINT, "reporter.channel_user", "tg:\t42")
    )
    assert refused.status_code == 422
    assert "satu baris" in refused.json()["error"]["message"]
    kept = await world.client.post(
        "/api/v1/complaints",
        json=_with(COMPLAINT, "description", "Baris satu.\r\n\tBaris dua, menjorok."),
    )
    assert kept.status_code == 201, kept.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("description", f"Uang{NUL} dipotong"), ("email", f"siti{NUL}@example.id")],
)
@pytest.mark.parametrize("language", ["id", "en"])
async def test_open311_refuses_a_bad_character_in_its_own_error_shape(
    world, services, field, value, language
):
    before = await _stored(services)
    response = await world.client.post(
        "/open311/v2/requests.json",
        data={**OPEN311, "api_key": world.api_key, field: value},
        params={"locale": language},
    )
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400
    assert field in error["description"] and SAID_IN[language] in error["description"]
    assert await _stored(services) == before


async def test_an_attachment_id_beyond_the_databases_range_is_refused_not_a_crash(world):
    url = f"/api/v1/staff/complaints/{world.tracking_id}/attachments"
    for attachment_id in (2**63, 2**64 + 1):
        response = await world.client.get(f"{url}/{attachment_id}", headers=world.handler)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "attachment_id"
    largest = await world.client.get(f"{url}/{2**63 - 1}", headers=world.handler)
    assert largest.status_code == 404


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31T23:59:59-10:00", "1969-12-31"])
async def test_an_open311_date_out_of_range_is_a_400_in_the_spec_shape(client, date):
    response = await client.get("/open311/v2/requests.json", params={"start_date": date})
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400
    assert "start_date" in error["description"] and "1970" in error["description"]
    end = await client.get("/open311/v2/requests.xml", params={"end_date": date})
    assert end.status_code == 400
    assert b"<errors>" in end.content


async def test_bad_characters_in_a_few_status_checks_do_not_fail_the_others(client, services):
    # Status checks are audited in shared batches; three bad ones among sixty once failed
    # up to thirty of the others with a 500. Now they are refused before any batch.
    ordinary = [
        {"nik": f"35100141079{i:05d}", "name": "Nobody", "channel_user": f"tg:{i}"}
        for i in range(100, 160)
    ]
    bad = [
        {"nik": "3510014107900009", "name": "Nobody", "channel_user": f"tg:{NUL}{i}"}
        for i in range(3)
    ]
    asked = ordinary[:20] + bad[:1] + ordinary[20:40] + bad[1:2] + ordinary[40:] + bad[2:]
    answers = await asyncio.gather(
        *(client.post("/api/v1/status-checks", json=body) for body in asked),
        return_exceptions=True,
    )
    statuses = [getattr(answer, "status_code", answer) for answer in answers]
    expected = [422 if "\x00" in body["channel_user"] else 200 for body in asked]
    assert statuses == expected
    async with services.engine.connect() as conn:
        audited = (
            await conn.execute(select(func.count()).select_from(LookupAudit.__table__))
        ).scalar_one()
    assert audited == 60
