"""The triage desk, seen from outside: intake is no NIK oracle, and what it cannot route waits
for a desk officer, who sets the domicile (security issue 12, finding 1)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.domain.complaints.intake import ComplaintDraft
from api.domain.staff import create_staff
from api.domain.vocabulary import Role
from api.models import Complaint, ComplaintEvent, OutboxMessage, StaffAccessAudit
from tests.complaints_support import channel_of, file_directly
from tests.limited_api import api_with
from tests.registry_support import SITI

URL = "/api/v1/complaints"
OPEN311 = "/open311/v2/requests.json"
UNREGISTERED = "3510014107900002"
PASSWORD = "kata-sandi-yang-panjang"


def complaint(**overrides) -> dict:
    body = {
        "reporter": {"channel_user": "tg:1001", "locale": "id"},
        "category": "BANTUAN_TIDAK_DITERIMA",
        "description": "Bantuan PKH tahap 3 belum saya terima sampai sekarang.",
        "subject_nik": SITI,
    }
    body.update(overrides)
    return body


def probe_nik(serial: int) -> str:
    """A well-formed NIK from Pesanggaran (women born 1 July 1990) nobody registered."""
    return f"351001410790{serial + 2:04d}"


def without_generated_values(text: str, tracking_id: str) -> str:
    """The answer with what every filing generates afresh (its tracking ID, its filing
    instant) blanked out; everything else must be byte for byte the same."""
    display = f"{tracking_id[:3]}-{tracking_id[3:6]}-{tracking_id[6:]}"
    text = text.replace(display, "<ID>").replace(tracking_id, "<ID>")
    return re.sub(r'"created_at":"[^"]+"', '"created_at":"<T>"', text)


async def stored(services, complaint_id: int | None = None):
    table = Complaint.__table__
    query = select(table)
    if complaint_id is not None:
        query = query.where(table.c.id == complaint_id)
    async with services.engine.connect() as conn:
        return (await conn.execute(query)).all()


# --- no oracle ------------------------------------------------------------------------------


@pytest.mark.parametrize("region_code", [None, "351001"], ids=["no domicile", "stated domicile"])
async def test_a_known_and_an_unknown_subject_nik_get_the_same_answer_but_for_its_ids(
    client, registry, region_code
):
    known = await client.post(URL, json=complaint(subject_nik=SITI, region_code=region_code))
    unknown = await client.post(
        URL, json=complaint(subject_nik=UNREGISTERED, region_code=region_code)
    )

    assert known.status_code == unknown.status_code == 201
    assert without_generated_values(
        known.text, known.json()["tracking_id"]
    ) == without_generated_values(unknown.text, unknown.json()["tracking_id"])


async def test_a_subject_nik_without_a_domicile_never_names_the_registered_persons_office(
    client, services, registry
):
    response = await client.post(URL, json=complaint())

    body = response.json()
    assert response.status_code == 201
    assert (body["office"]["code"], body["in_triage"]) == ("NASIONAL", True)
    assert body["routing_reason"] == "triage_national_desk"
    assert "Banyuwangi" not in response.text
    assert "menentukan kantor" in body["message"]
    [row] = await stored(services)
    assert (row.in_triage, row.district_code, row.regency_code, row.province_code) == (
        True,
        None,
        None,
        None,
    )


async def test_an_open311_request_with_a_subject_nik_answers_known_and_unknown_alike(
    client, api_key, registry
):
    def form(nik: str) -> dict:
        return {
            "api_key": api_key,
            "service_code": "BANTUAN_TIDAK_DITERIMA",
            "description": "Bantuan belum diterima.",
            "attribute[subject_nik]": nik,
        }

    known = await client.post(OPEN311, data=form(SITI))
    unknown = await client.post(OPEN311, data=form(UNREGISTERED))

    assert known.status_code == unknown.status_code == 201
    [k], [u] = known.json(), unknown.json()
    assert k["service_notice"].replace(k["service_request_id"], "<ID>") == u[
        "service_notice"
    ].replace(u["service_request_id"], "<ID>")
    assert "Banyuwangi" not in known.text


# --- rate limits ----------------------------------------------------------------------------


async def test_two_hundred_probes_from_one_user_are_refused_after_the_users_limit(client, services):
    limit = services.settings.intake_limit_per_user

    answers = [await client.post(URL, json=complaint(subject_nik=probe_nik(n))) for n in range(200)]

    statuses = [answer.status_code for answer in answers]
    assert statuses == [201] * limit + [429] * (200 - limit)
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "Terlalu banyak pengaduan" in refused.json()["error"]["message"]
    assert len(await stored(services)) == limit


async def test_two_hundred_probes_of_one_nik_are_refused_after_the_niks_limit(client, services):
    limit = services.settings.intake_limit_per_nik

    statuses = [
        (
            await client.post(
                URL, json=complaint(reporter={"channel_user": f"tg:{n}", "locale": "id"})
            )
        ).status_code
        for n in range(200)
    ]

    assert statuses == [201] * limit + [429] * (200 - limit)


async def test_renaming_the_channel_user_does_not_escape_the_limit_of_the_api_key(services):
    async with api_with(services, INTAKE_LIMIT_PER_KEY=7) as client_for:
        partner = await client_for("partner")
        statuses = [
            (
                await partner.post(
                    URL,
                    json=complaint(
                        reporter={"channel_user": f"renamed-{n}", "locale": "id"},
                        subject_nik=probe_nik(n),
                    ),
                )
            ).status_code
            for n in range(9)
        ]
        other_channel = await (await client_for("telegram-bot")).post(URL, json=complaint())

    assert statuses == [201] * 7 + [429] * 2
    assert other_channel.status_code == 201


async def test_open311_filings_are_limited_per_account(client, services, api_key):
    limit = services.settings.intake_limit_per_user
    form = {
        "api_key": api_key,
        "service_code": "PUNGLI",
        "description": "Pendamping meminta uang.",
        "account_id": "mitra-7",
    }

    statuses = [(await client.post(OPEN311, data=form)).status_code for _ in range(limit + 1)]

    assert statuses == [201] * limit + [429]


# --- what intake cannot route waits at a triage desk -----------------------------------------


async def test_an_open311_point_and_address_without_attributes_is_accepted_for_triage(
    client, services, api_key
):
    response = await client.post(
        OPEN311,
        data={
            "api_key": api_key,
            "service_code": "PUNGLI",
            "description": "Pendamping meminta Rp50.000 saat pencairan.",
            "lat": "-5.113",
            "long": "105.307",
            "address_string": "Dusun Krajan RT 01",
        },
    )

    assert response.status_code == 201
    [row] = await stored(services)
    assert (row.in_triage, row.office_code, row.latitude) == (True, "NASIONAL", -5.113)


@pytest.mark.parametrize(
    ("address", "desk"),
    [
        ("Jl. Jend. Sudirman 12, Metro Pusat, Kota Metro, Lampung", "WK1"),
        ("Jl. Ijen 5, Kota Malang", "WK4"),
        ("Desa Sumberagung, Kab. Banyuwangi", "WK4"),
        ("Jl. Merdeka 5, Jakarta", "NASIONAL"),
    ],
)
async def test_an_address_naming_a_pilot_kab_kota_waits_at_its_regions_desk(
    client, services, api_key, address, desk
):
    response = await client.post(
        OPEN311,
        data={
            "api_key": api_key,
            "service_code": "PUNGLI",
            "description": "Pendamping meminta uang.",
            "lat": "-5.1",
            "long": "105.3",
            "address_string": address,
        },
    )

    assert response.status_code == 201
    [row] = await stored(services)
    assert (row.in_triage, row.office_code) == (True, desk)
    assert row.coordination_region_code == (None if desk == "NASIONAL" else desk)


@pytest.mark.parametrize(
    ("region_code", "desk"), [("351099", "WK4"), ("3510", "WK4"), ("359999", "NASIONAL")]
)
async def test_a_region_code_the_service_cannot_route_is_accepted_for_triage(
    client, services, region_code, desk
):
    response = await client.post(
        URL, json=complaint(category="PUNGLI", subject_nik=None, region_code=region_code)
    )

    assert response.status_code == 201
    assert (response.json()["office"]["code"], response.json()["in_triage"]) == (desk, True)


async def test_the_citizen_reads_that_their_complaint_is_being_triaged_in_their_language(
    client, registry
):
    filed = await client.post(
        URL, json=complaint(reporter={"channel_user": "tg:1001", "locale": "en"})
    )
    tracking_id = filed.json()["tracking_id"]

    followed = await client.get(
        f"{URL}/{tracking_id}", params={"channel_user": "tg:1001", "locale": "en"}
    )
    listed = await client.get(URL, params={"channel_user": "tg:1001", "locale": "id"})

    assert followed.json()["in_triage"] is True
    assert followed.json()["status_label"].startswith("Being triaged")
    assert listed.json()[0]["status_label"].startswith("Sedang ditelaah")
    assert "351001" not in followed.text and "Banyuwangi" not in followed.text


# --- the desk officer ----------------------------------------------------------------------


@pytest.fixture
async def staff(services):
    """The national desk's officer, handlers of Banyuwangi and Kota Metro, the WK4 and WK1
    coordinators, the ministry."""
    accounts = {
        "nasional": (Role.HANDLER, "NASIONAL"),
        "banyuwangi": (Role.HANDLER, "DINSOS-3510"),
        "metro": (Role.HANDLER, "DINSOS-1872"),
        "wk4": (Role.COORDINATOR, "WK4"),
        "wk1": (Role.COORDINATOR, "WK1"),
        "kemensos": (Role.MINISTRY, "NASIONAL"),
    }
    for username, (role, office) in accounts.items():
        await create_staff(
            services.engine,
            username=username,
            display_name=username.title(),
            password=PASSWORD,
            role=role,
            office_code=office,
        )


async def login(client, username: str) -> dict:
    response = await client.post(
        "/api/v1/staff/sessions", json={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def triage_queue(client, username: str) -> list[str]:
    response = await client.get(
        "/api/v1/staff/complaints",
        params={"triage_only": "true"},
        headers=await login(client, username),
    )
    return [item["tracking_id"] for item in response.json()]


async def test_the_triage_queue_is_the_desks_and_no_unrelated_offices(client, staff):
    national = (await client.post(URL, json=complaint())).json()["tracking_id"]
    in_malang = (
        await client.post(
            URL, json=complaint(subject_nik=None, category="PUNGLI", region_code="3573")
        )
    ).json()["tracking_id"]
    routed = (await client.post(URL, json=complaint(region_code="351001"))).json()["tracking_id"]
    banyuwangi = await login(client, "banyuwangi")

    assert await triage_queue(client, "nasional") == [national]
    assert await triage_queue(client, "wk4") == [in_malang]
    assert await triage_queue(client, "wk1") == []
    assert await triage_queue(client, "banyuwangi") == []
    assert sorted(await triage_queue(client, "kemensos")) == sorted([national, in_malang])
    peek = await client.get(f"/api/v1/staff/complaints/{national}", headers=banyuwangi)
    assert peek.status_code == 404
    own = await client.get("/api/v1/staff/complaints", headers=banyuwangi)
    assert [item["tracking_id"] for item in own.json()] == [routed]


async def test_setting_the_domicile_routes_it_as_usual_and_keeps_the_filing_deadlines(
    client, services, api_key, staff
):
    filed_at = datetime(2026, 7, 6, 3, tzinfo=UTC)
    filed = await file_directly(
        services,
        await channel_of(services, api_key),
        ComplaintDraft(category="PUNGLI", description="Pendamping meminta uang."),
        now=filed_at,
    )
    officer = await login(client, "nasional")

    response = await client.post(
        f"/api/v1/staff/complaints/{filed.tracking_id}/domicile",
        json={"region_code": "35.10.01.2001"},
        headers=officer,
    )

    assert response.status_code == 200
    assert response.json()["office_code"] == "INSPEKTORAT-3510"
    [row] = await stored(services, filed.id)
    assert (row.in_triage, row.district_code, row.village_code, row.regency_code) == (
        False,
        "351001",
        "3510012001",
        "3510",
    )
    assert (row.province_code, row.coordination_region_code) == ("35", "WK4")
    assert (row.verify_due, row.follow_up_due, row.resolve_due) == (
        filed.verify_due,
        filed.follow_up_due,
        filed.resolve_due,
    )
    assert row.created_at == filed_at
    async with services.engine.connect() as conn:
        events = (await conn.execute(select(ComplaintEvent.__table__.c.kind))).scalars().all()
        outbox = (await conn.execute(select(OutboxMessage.__table__.c.kind))).scalars().all()
        audit = (await conn.execute(select(StaffAccessAudit.__table__.c.what))).scalars().all()
    assert events == ["received", "triaged"]
    assert outbox == ["complaint.received", "complaint.forwarded"]
    assert "set_domicile" in audit
    again = await client.post(
        f"/api/v1/staff/complaints/{filed.tracking_id}/domicile",
        json={"region_code": "351001"},
        headers=await login(client, "kemensos"),
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_in_triage"


async def test_only_the_desk_sets_the_domicile_and_only_to_a_known_kecamatan(client, staff):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    url = f"/api/v1/staff/complaints/{tracking_id}/domicile"

    stranger = await client.post(
        url, json={"region_code": "351001"}, headers=await login(client, "wk4")
    )
    unknown = await client.post(
        url, json={"region_code": "351099"}, headers=await login(client, "nasional")
    )

    assert stranger.status_code == 404
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "domicile_unknown")


async def test_in_triage_the_desk_may_ask_the_citizen_but_not_work_the_complaint(client, staff):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    officer = await login(client, "nasional")
    url = f"/api/v1/staff/complaints/{tracking_id}/actions"

    verify = await client.post(url, json={"action": "verify"}, headers=officer)
    ask = await client.post(
        url, json={"action": "request_info", "note": "Di kecamatan mana?"}, headers=officer
    )

    assert (verify.status_code, verify.json()["error"]["code"]) == (409, "in_triage")
    assert ask.status_code == 200


async def test_the_registry_suggestion_is_for_the_desk_officer_only_and_audited(
    client, services, registry, staff
):
    known = (await client.post(URL, json=complaint())).json()["tracking_id"]
    unknown = (await client.post(URL, json=complaint(subject_nik=UNREGISTERED))).json()[
        "tracking_id"
    ]
    officer = await login(client, "nasional")

    suggested = await client.get(
        f"/api/v1/staff/complaints/{known}/domicile-suggestion", headers=officer
    )
    none = await client.get(
        f"/api/v1/staff/complaints/{unknown}/domicile-suggestion", headers=officer
    )
    stranger = await client.get(
        f"/api/v1/staff/complaints/{known}/domicile-suggestion",
        headers=await login(client, "banyuwangi"),
    )
    citizen = await client.get(f"{URL}/{known}", params={"channel_user": "tg:1001"})

    assert suggested.json() == {"district_code": "351001", "village_code": None}
    assert none.json() == {"district_code": None, "village_code": None}
    assert stranger.status_code == 404
    assert "351001" not in citizen.text
    async with services.engine.connect() as conn:
        audit = (await conn.execute(select(StaffAccessAudit.__table__.c.what))).scalars().all()
    assert audit.count("view_registry_domicile") == 2
