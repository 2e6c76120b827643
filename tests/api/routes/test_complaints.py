"""The channel complaint API: what a channel (and so a citizen) sees when filing and following."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from api.domain.complaints.tracking_id import check_symbol, parse_tracking_id
from api.domain.vocabulary import Action
from api.models import Complaint, ComplaintAttachment, OutboxMessage
from tests.api.domain.complaints.test_image_reencoding import GPS_IFD, phone_photo
from tests.api.domain.complaints.test_pdf_attachments import pdf_with_javascript_open_action
from tests.complaints_support import act
from tests.registry_support import KK, SITI, RegistryRows

URL = "/api/v1/complaints"


def complaint(**overrides) -> dict:
    body = {
        "reporter": {"channel_user": "tg:1001", "locale": "id"},
        "category": "BANTUAN_TIDAK_DITERIMA",
        "description": "Bantuan PKH tahap 3 belum saya terima sampai sekarang.",
        "subject_nik": SITI,
        # Pesanggaran, Banyuwangi: the reporter states it (the registry never supplies it).
        "region_code": "3510012001",
        "programme": "PKH",
        "tahap": 3,
    }
    body.update(overrides)
    return body


@pytest.fixture
def registry_rows() -> RegistryRows:
    """Siti, registered in Pesanggaran, Banyuwangi (a pilot kab/kota, WK4)."""
    return RegistryRows(beneficiaries=(f"{SITI},{KK},Siti Aminah,3510012001,3,PKH;SEMBAKO,",))


async def count(services, model) -> int:
    async with services.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_complaint_about_a_registered_person_goes_to_their_kab_kota_dinas_sosial(
    client, registry
):
    response = await client.post(URL, json=complaint())

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "RECEIVED"
    assert body["office"] == {"code": "DINSOS-3510", "name": "Dinas Sosial Kabupaten Banyuwangi"}
    assert body["routing_reason"] == "pilot_office"
    assert parse_tracking_id(body["tracking_id_display"]) == body["tracking_id"]
    assert body["tracking_id_display"] in body["message"]
    assert "Dinas Sosial Kabupaten Banyuwangi" in body["message"]
    created = datetime.fromisoformat(body["created_at"])
    verify = datetime.fromisoformat(body["deadlines"]["verify"])
    resolve = datetime.fromisoformat(body["deadlines"]["resolve"])
    assert created < verify < datetime.fromisoformat(body["deadlines"]["follow_up"]) < resolve
    # 14 working days are at least 18 calendar days (two weekends or more).
    assert (resolve - created).days >= 18


async def test_the_stated_domicile_is_stored_and_the_registry_only_noted_for_staff(
    client, services, registry
):
    response = await client.post(URL, json=complaint())

    async with services.engine.connect() as conn:
        row = (await conn.execute(select(Complaint.__table__))).one()
    assert response.status_code == 201
    assert (row.district_code, row.village_code) == ("351001", "3510012001")
    assert not row.in_triage
    assert row.subject_in_registry
    assert row.coordination_region_code == "WK4"


@pytest.mark.parametrize(
    ("category", "office"),
    [
        ("PUNGLI", "INSPEKTORAT-3510"),
        ("DATA_SALAH", "DUKCAPIL-3510"),
        ("KARTU_REKENING", "PENYALUR-3510"),
        ("USUL", "DINSOS-3510"),
    ],
)
async def test_each_category_reaches_its_office_type(client, registry, category, office):
    response = await client.post(URL, json=complaint(category=category, subject_nik=SITI))

    assert response.status_code == 201
    assert response.json()["office"]["code"] == office


async def test_a_region_outside_the_pilot_goes_to_the_provincial_dinas_sosial(client):
    # Bakongan, Aceh Selatan: Aceh has a pilot kota, but not this kabupaten.
    response = await client.post(
        URL, json=complaint(category="PUNGLI", subject_nik=None, region_code="11.01.01")
    )

    assert response.status_code == 201
    assert response.json()["office"]["code"] == "DINSOS-PROV-11"
    assert response.json()["routing_reason"] == "province_outside_pilot"


async def test_a_registered_person_without_a_stated_domicile_goes_to_triage_not_to_their_office(
    client, services, registry
):
    response = await client.post(URL, json=complaint(region_code=None))

    assert response.status_code == 201
    assert response.json()["office"]["code"] == "NASIONAL"
    assert response.json()["in_triage"] is True
    assert "Banyuwangi" not in response.text
    async with services.engine.connect() as conn:
        row = (await conn.execute(select(Complaint.__table__))).one()
    assert (row.in_triage, row.district_code, row.regency_code) == (True, None, None)


@pytest.mark.parametrize(
    ("changes", "code", "field", "words"),
    [
        ({"category": "PARKIR"}, "unknown_category", "category", "Jenis pengaduan"),
        ({"privacy": "PUBLIK"}, "unknown_privacy", "privacy", "RAHASIA"),
        ({"description": "   "}, "description_empty", "description", "Tuliskan"),
        ({"description": "x" * 4001}, "description_too_long", "description", "4001"),
        ({"subject_nik": None}, "subject_nik_required", "subject_nik", "NIK"),
        ({"subject_nik": "35100141079000"}, "subject_nik_wrong_length", "subject_nik", "14"),
        ({"region_code": "35-10-01"}, "domicile_invalid", "region_code", "6 angka"),
        ({"programme": "BANSOS_X"}, "programme_unknown", "programme", "PKH"),
        ({"tahap": 5}, "tahap_invalid", "tahap", "1 sampai 4"),
        (
            {"location": {"latitude": 95.0, "longitude": 110.0}},
            "location_invalid",
            "location",
            "lintang",
        ),
    ],
)
async def test_every_bad_input_is_refused_with_a_specific_message_and_stores_nothing(
    client, services, registry, changes, code, field, words
):
    response = await client.post(URL, json=complaint(**changes))

    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert words in error["message"]
    assert SITI not in response.text
    assert await count(services, Complaint) == 0
    assert await count(services, OutboxMessage) == 0


async def test_errors_speak_english_when_the_citizen_does(client, registry):
    response = await client.post(
        URL, json=complaint(description="", reporter={"channel_user": "u1", "locale": "en"})
    )

    assert response.json()["error"]["message"] == "Please describe your complaint."


async def test_a_retry_with_the_same_idempotency_key_returns_the_same_complaint(
    client, services, registry
):
    headers = {"Idempotency-Key": "bot-msg-4242"}
    first = await client.post(URL, json=complaint(), headers=headers)
    again = await client.post(URL, json=complaint(), headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["tracking_id"] == first.json()["tracking_id"]
    assert await count(services, Complaint) == 1


async def test_an_idempotency_key_reused_for_a_different_complaint_is_refused(
    client, services, registry
):
    headers = {"Idempotency-Key": "bot-msg-4243"}
    await client.post(URL, json=complaint(), headers=headers)
    other = await client.post(URL, json=complaint(description="Lain lagi"), headers=headers)

    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert await count(services, Complaint) == 1


async def test_accepting_a_complaint_queues_the_reporters_confirmation(client, services, registry):
    response = await client.post(URL, json=complaint())

    async with services.engine.connect() as conn:
        row = (await conn.execute(select(OutboxMessage.__table__))).one()
    assert (row.channel, row.channel_user, row.kind) == (
        "telegram-bot",
        "tg:1001",
        "complaint.received",
    )
    assert response.json()["tracking_id"] in row.payload


async def test_no_column_of_a_stored_complaint_holds_the_subject_nik_or_the_reporter(
    client, services, registry
):
    await client.post(URL, json=complaint(reporter={"channel_user": "tg:777", "contact": "0812"}))

    async with services.engine.connect() as conn:
        row = (await conn.execute(select(Complaint.__table__))).one()
    stored = repr(tuple(row))
    for secret in (SITI, "tg:777", "0812", SITI.encode(), b"tg:777"):
        assert str(secret) not in stored


async def test_the_reporter_follows_their_complaint_and_its_public_timeline(
    client, services, registry
):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id_display"]
    complaint_id = await _complaint_id(services)
    await _staff(services, complaint_id, Action.VERIFY)
    await _staff(services, complaint_id, Action.REPLY, note="Kami cek ke bank penyalur.")

    response = await client.get(
        f"{URL}/{tracking_id.lower()}", params={"channel_user": "tg:1001", "locale": "en"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_label"]) == ("VERIFIED", "Verified")
    assert body["category_label"] == "Aid not received"
    assert [entry["kind"] for entry in body["timeline"]] == ["received", "verify", "reply"]
    assert body["timeline"][-1]["note"] == "Kami cek ke bank penyalur."
    assert body["citizen_actions"] == []


async def test_someone_elses_tracking_id_looks_exactly_like_an_unknown_one(client, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    unknown = "00000000" + check_symbol("00000000")

    theirs = await client.get(f"{URL}/{tracking_id}", params={"channel_user": "tg:9999"})
    missing = await client.get(f"{URL}/{unknown}", params={"channel_user": "tg:9999"})

    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


async def test_a_mistyped_tracking_id_is_reported_as_a_typo(client, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    typo = tracking_id[:3] + ("X" if tracking_id[3] != "X" else "Y") + tracking_id[4:]

    response = await client.get(f"{URL}/{typo}", params={"channel_user": "tg:1001"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "tracking_id_check"
    assert "salah ketik" in response.json()["error"]["message"]


async def test_answering_a_request_for_information_resumes_the_complaint(
    client, services, registry
):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    complaint_id = await _complaint_id(services)
    await _staff(services, complaint_id, Action.VERIFY)
    await _staff(services, complaint_id, Action.REQUEST_INFO, note="Kirim foto buku tabungan.")

    response = await client.post(
        f"{URL}/{tracking_id}/information",
        json={"channel_user": "tg:1001", "message": "Sudah saya kirim fotonya."},
    )

    assert response.status_code == 200
    assert response.json()["status"] == "VERIFIED"


async def test_information_nobody_asked_for_is_refused_with_409(client, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]

    response = await client.post(
        f"{URL}/{tracking_id}/information", json={"channel_user": "tg:1001", "message": "Halo"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert "Diterima" in response.json()["error"]["message"]


async def test_a_poor_first_rating_reopens_the_complaint_at_the_coordination_region(
    client, services, registry
):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    complaint_id = await _complaint_id(services)
    await _staff(services, complaint_id, Action.VERIFY)
    await _staff(services, complaint_id, Action.RESOLVE, note="Sudah cair tanggal 3.")

    response = await client.post(
        f"{URL}/{tracking_id}/rating", json={"channel_user": "tg:1001", "rating": 1}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "IN_PROGRESS"
    assert response.json()["office"]["code"] == "WK4"


async def test_a_good_rating_closes_the_complaint(client, services, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    complaint_id = await _complaint_id(services)
    await _staff(services, complaint_id, Action.VERIFY)
    await _staff(services, complaint_id, Action.RESOLVE, note="Sudah cair tanggal 3.")

    response = await client.post(
        f"{URL}/{tracking_id}/rating", json={"channel_user": "tg:1001", "rating": 5}
    )
    again = await client.post(
        f"{URL}/{tracking_id}/rating", json={"channel_user": "tg:1001", "rating": 1}
    )

    assert response.json()["status"] == "CLOSED"
    assert again.status_code == 409


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_a_photo_is_attached_and_shows_in_the_timeline(client, services, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]

    response = await client.post(
        f"{URL}/{tracking_id}/attachments",
        data={"channel_user": "tg:1001"},
        files={"file": ("bukti.png", _png(), "image/png")},
    )
    view = await client.get(f"{URL}/{tracking_id}", params={"channel_user": "tg:1001"})

    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
    assert view.json()["attachments"] == 1
    assert view.json()["timeline"][-1]["kind"] == "attachment_added"
    stored = await services.storage.get(await _attachment_key(services))
    assert stored == _png()


async def test_a_photo_is_stored_without_its_gps_position(client, services, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    photo = phone_photo("JPEG")

    response = await client.post(
        f"{URL}/{tracking_id}/attachments",
        data={"channel_user": "tg:1001"},
        files={"file": ("bukti.jpg", photo, "image/jpeg")},
    )

    assert response.status_code == 201
    stored = await services.storage.get(await _attachment_key(services))
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(GPS_IFD)
    assert response.json()["size"] == len(stored)


async def test_a_pdf_with_javascript_is_refused_in_the_citizens_language(
    client, services, registry
):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]

    response = await client.post(
        f"{URL}/{tracking_id}/attachments",
        data={"channel_user": "tg:1001", "locale": "en"},
        files={"file": ("surat.pdf", pdf_with_javascript_open_action(), "application/pdf")},
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "attachment_pdf_active_content"
    assert "JavaScript" in response.json()["error"]["message"]
    assert await count(services, ComplaintAttachment) == 0


async def test_a_disguised_file_is_refused_and_nothing_is_kept(client, services, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]

    response = await client.post(
        f"{URL}/{tracking_id}/attachments",
        data={"channel_user": "tg:1001"},
        files={"file": ("foto.jpg", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "image/jpeg")},
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "attachment_disguised"
    assert "tidak sesuai" in response.json()["error"]["message"]
    assert await count(services, ComplaintAttachment) == 0


async def test_an_oversized_file_is_refused_with_413(client, services, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]

    response = await client.post(
        f"{URL}/{tracking_id}/attachments",
        data={"channel_user": "tg:1001"},
        files={"file": ("big.png", _png() + b"\0" * (10 * 1024 * 1024), "image/png")},
    )

    assert response.status_code == 413
    assert "10 MB" in response.json()["error"]["message"]
    assert await count(services, ComplaintAttachment) == 0


async def test_a_sixth_attachment_is_refused(client, services, registry):
    tracking_id = (await client.post(URL, json=complaint())).json()["tracking_id"]
    upload = {"data": {"channel_user": "tg:1001"}, "files": {"file": ("a.png", _png())}}
    statuses = [
        (await client.post(f"{URL}/{tracking_id}/attachments", **upload)).status_code
        for _ in range(6)
    ]

    assert statuses == [201] * 5 + [422]
    assert await count(services, ComplaintAttachment) == 5


async def test_categories_are_listed_in_the_citizens_language(client):
    response = await client.get("/api/v1/complaint-categories", params={"locale": "en"})

    codes = [category["code"] for category in response.json()]
    assert codes[:2] == ["USUL", "SANGGAH"]
    assert len(codes) == 8
    assert response.json()[0]["label"] == "Propose a recipient (not registered)"


async def test_each_category_says_whether_its_descriptions_are_published(client):
    response = await client.get("/api/v1/complaint-categories")

    public = {c["code"]: c["description_public"] for c in response.json()}
    assert public == {
        "USUL": False,
        "SANGGAH": False,
        "BANTUAN_TIDAK_DITERIMA": True,
        "NOMINAL_TIDAK_SESUAI": True,
        "PUNGLI": False,
        "DATA_SALAH": False,
        "KARTU_REKENING": False,
        "LAINNYA": True,
    }


async def test_complaint_limits_are_the_ones_the_domain_checks(client):
    response = await client.get("/api/v1/complaint-limits")

    assert response.status_code == 200
    assert response.json() == {
        "description_max_chars": 4000,
        "note_max_chars": 4000,
        "attachments_max_count": 5,
        "attachment_max_bytes": 10 * 1024 * 1024,
        "attachment_types": ["application/pdf", "image/jpeg", "image/png", "image/webp"],
    }


async def test_complaint_limits_follow_the_domain_when_it_changes(client, monkeypatch):
    monkeypatch.setattr("api.domain.complaints.attachments.MAX_ATTACHMENTS", 2)

    response = await client.get("/api/v1/complaint-limits")

    assert response.json()["attachments_max_count"] == 2


async def test_complaint_limits_are_described_in_the_openapi_document(client):
    schema = (await client.get("/openapi.json")).json()

    answer = schema["paths"]["/api/v1/complaint-limits"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("ComplaintLimitsOut")
    assert "attachment_types" in schema["components"]["schemas"]["ComplaintLimitsOut"]["properties"]


async def test_complaint_limits_need_an_api_key(client):
    response = await client.get("/api/v1/complaint-limits", headers={"X-API-Key": "bsk_wrong"})

    assert response.status_code == 401


async def test_the_complaint_api_needs_an_api_key(client):
    response = await client.post(URL, json=complaint(), headers={"X-API-Key": "bsk_wrong"})

    assert response.status_code == 401


async def _complaint_id(services) -> int:
    async with services.engine.connect() as conn:
        return (await conn.execute(select(Complaint.__table__.c.id))).scalar_one()


async def _attachment_key(services) -> str:
    async with services.engine.connect() as conn:
        return (
            await conn.execute(select(ComplaintAttachment.__table__.c.storage_key))
        ).scalar_one()


async def _staff(services, complaint_id: int, action: Action, **options):
    return await act(services, complaint_id, action, **options)


async def test_a_reporter_lists_their_own_complaints_only_newest_first(client, registry):
    first = (await client.post(URL, json=complaint())).json()["tracking_id"]
    second = (await client.post(URL, json=complaint(category="PUNGLI"))).json()["tracking_id"]
    await client.post(URL, json=complaint(reporter={"channel_user": "tg:2002"}))

    response = await client.get(URL, params={"channel_user": "tg:1001", "locale": "en"})

    assert [item["tracking_id"] for item in response.json()] == [second, first]
    assert response.json()[0]["category_label"] == "Illegal levy or abuse by an official or agent"
    assert response.json()[0]["status_label"] == "Received"
