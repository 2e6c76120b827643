"""The staff API: each member sees and acts on their own scope; anonymity holds; reads audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from api.domain.complaints.outbox import relay_once
from api.domain.staff import create_staff
from api.domain.vocabulary import Role
from api.models import Staff, StaffAccessAudit

PASSWORD = "kata-sandi-yang-panjang"
COMPLAINT = {
    "reporter": {"channel_user": "tg:4242", "contact": "0812-3456-7890"},
    "category": "BANTUAN_TIDAK_DITERIMA",
    "description": "Bantuan tahap 3 belum diterima.",
    "subject_nik": "3510014107900001",
    "region_code": "351001",
}


@pytest.fixture
async def staff(services):
    """A handler at Banyuwangi's Dinas Sosial, one at Kota Metro's, WK4's coordinator, the
    ministry and an administrator."""
    accounts = {
        "banyuwangi": (Role.HANDLER, "DINSOS-3510"),
        "metro": (Role.HANDLER, "DINSOS-1872"),
        "wk4": (Role.COORDINATOR, "WK4"),
        "kemensos": (Role.MINISTRY, "NASIONAL"),
        "admin": (Role.ADMIN, None),
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
    return accounts


async def login(client, username: str) -> dict:
    response = await client.post(
        "/api/v1/staff/sessions", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def file(client, **changes) -> str:
    response = await client.post("/api/v1/complaints", json={**COMPLAINT, **changes})
    assert response.status_code == 201
    return response.json()["tracking_id"]


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, staff):
    wrong = await client.post(
        "/api/v1/staff/sessions", json={"username": "banyuwangi", "password": "salah-salah-salah"}
    )
    unknown = await client.post(
        "/api/v1/staff/sessions", json={"username": "siapa", "password": PASSWORD}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content


async def test_a_handler_sees_the_complaints_of_their_office_only(client, staff):
    tracking_id = await file(client)
    banyuwangi, metro = await login(client, "banyuwangi"), await login(client, "metro")

    own = await client.get("/api/v1/staff/complaints", headers=banyuwangi)
    other = await client.get("/api/v1/staff/complaints", headers=metro)
    peek = await client.get(f"/api/v1/staff/complaints/{tracking_id}", headers=metro)

    assert [item["tracking_id"] for item in own.json()] == [tracking_id]
    assert other.json() == []
    assert peek.status_code == 404


async def test_a_handler_works_a_complaint_through_to_resolution(client, services, staff):
    tracking_id = await file(client)
    headers = await login(client, "banyuwangi")
    steps = [
        {"action": "verify"},
        {"action": "start"},
        {"action": "reply", "note": "Kami cek ke Bank BRI."},
        {"action": "resolve", "note": "Dana sudah masuk rekening tanggal 20."},
    ]
    statuses = []
    for step in steps:
        response = await client.post(
            f"/api/v1/staff/complaints/{tracking_id}/actions", json=step, headers=headers
        )
        statuses.append(response.json()["status"])

    assert statuses == ["VERIFIED", "IN_PROGRESS", "IN_PROGRESS", "RESOLVED"]
    citizen = await client.get(
        f"/api/v1/complaints/{tracking_id}", params={"channel_user": "tg:4242"}
    )
    assert citizen.json()["status"] == "RESOLVED"
    assert citizen.json()["citizen_actions"] == ["rate"]
    await relay_once(engine=services.engine, redis=services.redis)
    kinds = [f[b"kind"] for _, f in await services.redis.xrange("notifications:telegram-bot")]
    assert kinds == [
        b"complaint.received",
        b"complaint.status_changed",
        b"complaint.status_changed",
        b"complaint.reply",
        b"complaint.answered",
    ]


async def test_an_invalid_transition_answers_409_with_the_reason(client, staff):
    tracking_id = await file(client)
    headers = await login(client, "banyuwangi")

    response = await client.post(
        f"/api/v1/staff/complaints/{tracking_id}/actions",
        json={"action": "resolve", "note": "Selesai"},
        headers=headers,
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


async def test_the_reporter_is_shown_to_the_handler_and_the_reading_audited(
    client, services, staff
):
    tracking_id = await file(client)
    headers = await login(client, "banyuwangi")

    detail = (await client.get(f"/api/v1/staff/complaints/{tracking_id}", headers=headers)).json()

    assert detail["reporter"] == {
        "channel": "telegram-bot",
        "user": "tg:4242",
        "contact": "0812-3456-7890",
    }
    assert detail["subject_nik"] == "3510014107900001"
    async with services.engine.connect() as conn:
        audited = (await conn.execute(select(StaffAccessAudit.__table__.c.what))).scalars().all()
    assert sorted(audited) == ["view", "view_reporter", "view_subject"]


async def test_an_anonymous_reporter_is_never_shown_to_any_handler(client, staff):
    tracking_id = await file(client, privacy="ANONIM")

    for username in ("banyuwangi", "wk4", "kemensos"):
        response = await client.get(
            f"/api/v1/staff/complaints/{tracking_id}", headers=await login(client, username)
        )
        assert response.status_code == 200
        assert response.json()["reporter"] is None
        assert "tg:4242" not in response.text and "0812" not in response.text


async def test_the_coordinator_acts_only_once_a_complaint_is_escalated(client, services, staff):
    tracking_id = await file(client)
    headers = await login(client, "wk4")

    sees = await client.get(f"/api/v1/staff/complaints/{tracking_id}", headers=headers)
    refused = await client.post(
        f"/api/v1/staff/complaints/{tracking_id}/actions",
        json={"action": "verify"},
        headers=headers,
    )

    assert sees.status_code == 200 and sees.json()["actions"] == []
    assert refused.status_code == 403


async def test_a_forward_moves_the_complaint_to_the_other_office(client, staff):
    tracking_id = await file(client)
    banyuwangi, metro = await login(client, "banyuwangi"), await login(client, "metro")

    response = await client.post(
        f"/api/v1/staff/complaints/{tracking_id}/actions",
        json={"action": "forward", "to_office": "DINSOS-1872", "note": "Domisili di Kota Metro"},
        headers=banyuwangi,
    )

    assert response.json()["office_code"] == "DINSOS-1872"
    assert (await client.get("/api/v1/staff/complaints", headers=banyuwangi)).json() == []
    assert len((await client.get("/api/v1/staff/complaints", headers=metro)).json()) == 1


async def test_an_administrator_sees_no_complaints(client, staff):
    await file(client)

    response = await client.get("/api/v1/staff/complaints", headers=await login(client, "admin"))

    assert response.json() == []


async def test_a_logged_out_token_stops_working(client, staff):
    headers = await login(client, "banyuwangi")

    await client.delete("/api/v1/staff/sessions/current", headers=headers)
    response = await client.get("/api/v1/staff/complaints", headers=headers)

    assert response.status_code == 401


async def test_the_handler_downloads_evidence_as_an_attachment(client, staff):
    import hashlib
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="JPEG")
    tracking_id = await file(client)
    uploaded = await client.post(
        f"/api/v1/complaints/{tracking_id}/attachments",
        data={"channel_user": "tg:4242"},
        files={"file": ("bukti transfer.jpg", buffer.getvalue(), "image/jpeg")},
    )
    headers = await login(client, "banyuwangi")

    response = await client.get(
        f"/api/v1/staff/complaints/{tracking_id}/attachments/{uploaded.json()['id']}",
        headers=headers,
    )

    assert response.status_code == 200
    # What is kept is the photo re-encoded without its metadata: the same picture, and the
    # very bytes the upload's answer described.
    assert hashlib.sha256(response.content).hexdigest() == uploaded.json()["sha256"]
    with Image.open(io.BytesIO(response.content)) as image:
        assert (image.format, image.size) == ("JPEG", (4, 4))
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-disposition"].startswith("attachment;")


class Clock:
    """The sign-in throttle's clock (epoch seconds), moved by hand: no sleeping in tests."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # 2027-01-15 08:00 UTC

    def __call__(self) -> float:
        return self.now


async def sign_in(client, password: str, username: str = "banyuwangi", locale: str = "id"):
    return await client.post(
        "/api/v1/staff/sessions",
        json={"username": username, "password": password},
        headers={"Accept-Language": locale},
    )


async def test_a_burst_of_wrong_passwords_meets_growing_delays_then_a_lock_naming_the_time(
    client, services, staff
):
    clock = Clock()
    services.sign_in_throttle.clock = clock
    waits: list[int] = []
    for _ in range(200):
        answer = await sign_in(client, "salah-salah-salah")
        if answer.status_code == 429:
            waits.append(int(answer.headers["Retry-After"]))
            if answer.json()["error"]["code"] == "sign_in_locked":
                break
            assert "detik" in answer.json()["error"]["message"]
            clock.now += waits[-1]  # the guesser waits exactly as told
        else:
            assert answer.status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 900]

    # Locked: the right password is refused too, and the refusal says until when.
    locked = await sign_in(client, PASSWORD)
    error = locked.json()["error"]
    assert locked.status_code == 429 and error["code"] == "sign_in_locked"
    # 08:xx UTC, told as the national clock reads it, with its zone's name.
    assert "15 menit" in error["message"] and "pukul 15." in error["message"]
    assert error["message"].count("WIB") == 1 and "UTC" not in error["message"]
    assert error["retry_at"].startswith("2027-01-15T08:") and error["retry_at"].endswith("Z")
    english = await sign_in(client, PASSWORD, locale="en")
    assert "try again in 15 minutes" in english.json()["error"]["message"]


async def test_the_owner_is_told_of_failed_attempts_at_the_next_sign_in_only(
    client, services, staff
):
    clock = Clock()
    services.sign_in_throttle.clock = clock
    for _ in range(5):  # four wrong passwords, then one refused while waiting
        await sign_in(client, "salah-salah-salah")
    clock.now += 60

    first = await sign_in(client, PASSWORD)
    second = await sign_in(client, PASSWORD)

    assert first.status_code == 201 and first.json()["failed_attempts"] == 5
    assert "5 percobaan masuk" in first.json()["notice"]
    assert second.json()["failed_attempts"] == 0 and second.json()["notice"] is None


async def test_the_notice_of_failed_attempts_is_in_the_members_own_language(
    client, services, staff
):
    services.sign_in_throttle.clock = Clock()
    async with services.engine.begin() as conn:
        await conn.execute(
            update(Staff.__table__)
            .where(Staff.__table__.c.username == "banyuwangi")
            .values(locale="en")
        )
    await sign_in(client, "salah-salah-salah")

    signed_in = await sign_in(client, PASSWORD, locale="id")

    assert signed_in.json()["notice"].startswith("1 sign-in attempt on your account failed")


async def test_an_unknown_username_is_throttled_exactly_like_a_known_one(client, services, staff):
    services.sign_in_throttle.clock = Clock()
    known = [(await sign_in(client, "salah-salah-salah")).status_code for _ in range(6)]
    unknown = [(await sign_in(client, PASSWORD, username="siapa")).status_code for _ in range(6)]
    assert known == unknown == [401] * 4 + [429] * 2


async def test_an_attachment_id_beyond_64_bits_is_malformed_not_a_server_error(client, staff):
    # Found by the fuzz run (tools/fuzz_api.py): the database overflowed on the look-up.
    tracking_id = await file(client)
    headers = await login(client, "banyuwangi")

    response = await client.get(
        f"/api/v1/staff/complaints/{tracking_id}/attachments/{2**64}", headers=headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "attachment_id"


async def test_the_queue_filters_by_deadline_state_and_refuses_an_unknown_one(client, staff):
    tracking_id = await file(client)
    banyuwangi = await login(client, "banyuwangi")

    async def listed(query: str):
        return await client.get(f"/api/v1/staff/complaints?{query}", headers=banyuwangi)

    # Just filed: verification is due days from now, nothing is late yet.
    assert [i["tracking_id"] for i in (await listed("deadline=overdue_now")).json()] == []
    assert (await listed("deadline=breached_ever")).json() == []
    assert (await listed("overdue_only=true")).json() == []
    assert [i["tracking_id"] for i in (await listed("open_only=true")).json()] == [tracking_id]
    assert (await listed("deadline=soon")).status_code == 422
