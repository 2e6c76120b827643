"""One way to write a time: every instant of every JSON answer is UTC with ``Z``.

A deadline used to be ``2026-12-10T00:00:00+07:00`` when a complaint was filed and
``2026-12-09T17:00:00Z`` when it was read back. A whole session of the JSON API (file, read,
list, sign in, the queue, a staff read, act, read again) is walked here, every string that
looks like a time checked against the one form. Open311 keeps its specification's own form
(tests/api/routes/test_open311.py); a person reads local time with its zone's name.
"""

from __future__ import annotations

import re

import pytest

from api.app import create_app
from api.domain.complaints.outbox import relay_once
from api.domain.instants import INSTANT_PATTERN
from api.domain.staff import create_staff
from api.domain.vocabulary import Role

PASSWORD = "kata-sandi-yang-panjang"
COMPLAINT = {
    "reporter": {"channel_user": "tg:4242", "locale": "id"},
    "category": "BANTUAN_TIDAK_DITERIMA",
    "description": "Bantuan tahap 3 belum diterima.",
    "subject_nik": "3510014107900001",
    "region_code": "351001",
}
# Anything a client would take for a time: a date followed by a clock.
LOOKS_LIKE_A_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def instants(body: object, path: str = "") -> list[tuple[str, str]]:
    """Every (path, string) in a JSON body that looks like a time."""
    if isinstance(body, dict):
        return [found for key, value in body.items() for found in instants(value, f"{path}.{key}")]
    if isinstance(body, list):
        return [found for i, value in enumerate(body) for found in instants(value, f"{path}[{i}]")]
    if isinstance(body, str) and LOOKS_LIKE_A_TIME.search(body):
        return [(path, body)]
    return []


@pytest.fixture
async def handler(services) -> None:
    await create_staff(
        services.engine,
        username="banyuwangi",
        display_name="Banyuwangi",
        password=PASSWORD,
        role=Role.HANDLER,
        office_code="DINSOS-3510",
    )


async def test_every_time_in_every_json_answer_of_a_session_is_written_one_way(client, handler):
    answers = []

    async def call(method: str, path: str, **arguments) -> dict | list:
        response = await client.request(method, path, **arguments)
        assert response.status_code < 300, response.text
        answers.append((f"{method} {path}", response.json()))
        return response.json()

    filed = await call("POST", "/api/v1/complaints", json=COMPLAINT)
    tracking_id = filed["tracking_id"]
    citizen = {"params": {"channel_user": "tg:4242"}}
    await call("GET", f"/api/v1/complaints/{tracking_id}", **citizen)
    await call("GET", "/api/v1/complaints", **citizen)
    session = await call(
        "POST", "/api/v1/staff/sessions", json={"username": "banyuwangi", "password": PASSWORD}
    )
    staff = {"headers": {"Authorization": f"Bearer {session['token']}"}}
    await call("GET", "/api/v1/staff/complaints", **staff)
    await call("GET", f"/api/v1/staff/complaints/{tracking_id}", **staff)
    for step in ({"action": "verify"}, {"action": "reply", "note": "Kami cek ke bank."}):
        await call("POST", f"/api/v1/staff/complaints/{tracking_id}/actions", json=step, **staff)
    read_back = await call("GET", f"/api/v1/complaints/{tracking_id}", **citizen)
    await call("GET", f"/api/v1/staff/complaints/{tracking_id}", **staff)

    found = [(request, *instant) for request, body in answers for instant in instants(body)]
    off_form = [entry for entry in found if not re.fullmatch(INSTANT_PATTERN, entry[2])]
    assert off_form == []
    # Filing, both reads, the list, the session, the queue, each timeline entry: dozens.
    assert len(found) >= 30
    assert {request for request, *_ in found} >= {
        "POST /api/v1/complaints",
        f"GET /api/v1/complaints/{tracking_id}",
        "GET /api/v1/complaints",
        "POST /api/v1/staff/sessions",
        "GET /api/v1/staff/complaints",
        f"GET /api/v1/staff/complaints/{tracking_id}",
    }
    # The issue's own example: a deadline reads back exactly as it was written at filing.
    assert read_back["deadlines"] == filed["deadlines"]


async def test_the_openapi_states_the_one_form_for_every_time_of_the_json_api(services):
    schemas = create_app(services.settings, services=services).openapi()["components"]["schemas"]

    times = [
        (name, field, spec)
        for name, schema in schemas.items()
        for field, spec in schema.get("properties", {}).items()
        if spec.get("format") == "date-time"
    ]

    assert len(times) >= 15
    assert [
        (name, field) for name, field, spec in times if spec.get("pattern") != INSTANT_PATTERN
    ] == []


@pytest.mark.parametrize(
    ("region_code", "zone"),
    [("351001", "WIB"), ("527101", "WITA")],  # Kab. Banyuwangi; Kota Mataram (NTB)
)
async def test_a_complaint_says_in_which_zone_its_times_are_shown_to_a_person(
    client, region_code, zone
):
    filed = await client.post("/api/v1/complaints", json={**COMPLAINT, "region_code": region_code})
    tracking_id = filed.json()["tracking_id"]

    read = await client.get(f"/api/v1/complaints/{tracking_id}", params={"channel_user": "tg:4242"})

    assert read.json()["time_zone"] == zone


async def test_a_notification_on_a_channels_stream_is_dated_the_same_way(client, services):
    await client.post("/api/v1/complaints", json=COMPLAINT)

    await relay_once(engine=services.engine, redis=services.redis)

    [(_, fields)] = await services.redis.xrange("notifications:telegram-bot")
    assert re.fullmatch(INSTANT_PATTERN, fields[b"created_at"].decode())
