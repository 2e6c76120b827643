"""POST /api/v1/status-checks: what a channel (and so a citizen) sees."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest
from sqlalchemy import select

from api.models import LookupAudit
from tests.conftest import BOTH_REDIS
from tests.limited_api import api_with
from tests.registry_support import KK, SITI, RegistryRows

RINI = "3510014508920003"
ANAK = "3510016504150002"  # Siti's daughter, same family card
KK2 = "3510010101100002"
URL = "/api/v1/status-checks"


@pytest.fixture
def registry_rows() -> RegistryRows:
    return RegistryRows(
        beneficiaries=(
            f"{SITI},{KK},Siti Aminah,351001,3,PKH;SEMBAKO;PBI_JK,",
            f"{RINI},{KK2},Rini Lestari,351001,7,,",
            f"{ANAK},{KK},Dewi Aminah,351001,3,PBI_JK,",
        ),
        disbursements=(
            f"{SITI},SEMBAKO,2025,4,TRANSAKSI,SUKSES,BRI,600000,2025-11-20",
            f"{SITI},SEMBAKO,2026,3,TRANSAKSI,SUKSES,BRI,600000,2026-08-20",
            f"{SITI},SEMBAKO,2026,4,SI,SUKSES,BRI,600000,2026-10-10",
            f"{SITI},SEMBAKO,2026,4,TOPUP,GAGAL,BRI,600000,2026-10-20",
            f"{SITI},SEMBAKO,2026,4,TOPUP,PROSES,POS,600000,2026-11-02",
            f"{SITI},PKH,2026,4,TRANSAKSI,SUKSES,BRI,750000,2026-11-10",
        ),
        today=date(2026, 11, 23),
    )


def ask(nik=SITI, name="Siti Aminah", user="tg:1001", **extra):
    return {"nik": nik, "name": name, "channel_user": user, **extra}


async def test_a_recipient_sees_each_programme_with_its_reason_and_latest_stage(client, registry):
    response = await client.post(URL, json=ask(nik="3510 0141 0790 0001", name="siti  aminah"))
    assert response.status_code == 200
    person = response.json()["person"]
    assert person["name_masked"] == "S**I A****H"
    assert person["domicile"]["regency"] == "Kabupaten Banyuwangi"
    programmes = {p["code"]: p for p in person["programmes"]}
    assert programmes["PKH"]["standing"] == "recipient"
    assert "desil 3" in programmes["PKH"]["reason"]
    assert programmes["BLT"]["standing"] == "not_designated"
    sembako = programmes["SEMBAKO"]["disbursements"]
    # Only the latest year; per tahap the furthest stage (the PT Pos re-route), after the
    # failure it moved on from (the bank's top-up).
    assert [(d["year"], d["tahap"], d["stage"], d["channel"], d["status"]) for d in sembako] == [
        (2026, 3, "TRANSAKSI", "BRI", "SUKSES"),
        (2026, 4, "TOPUP", "BRI", "GAGAL"),
        (2026, 4, "TOPUP", "POS", "PROSES"),
    ]
    assert sembako[2]["tahap_label"] == "Tahap IV 2026"
    assert programmes["PBI_JK"]["disbursements"] == []


async def test_a_family_member_sees_the_family_programme_and_its_disbursements(client, registry):
    response = await client.post(URL, json=ask(nik=ANAK, name="Dewi Aminah", user="tg:1003"))
    programmes = {p["code"]: p for p in response.json()["person"]["programmes"]}
    assert programmes["SEMBAKO"]["reason_code"] == "recipient_family"
    assert "pengurus keluarga" in programmes["SEMBAKO"]["reason"]
    assert [d["tahap"] for d in programmes["SEMBAKO"]["disbursements"]] == [3, 4, 4]
    assert programmes["PBI_JK"]["reason_code"] == "recipient"


async def test_concurrent_checks_each_get_their_own_family_and_answer(client, registry):
    # Under load the reads of concurrent checks share a statement (FamilyReader); each
    # citizen must still see exactly their own answer, siblings and repeats included.
    asked = [
        ask(),
        ask(nik=ANAK, name="Dewi Aminah", user="tg:1003"),
        ask(nik=RINI, name="Rini Lestari", user="tg:1002"),
        ask(name="Someone Else", user="tg:1004"),
        ask(nik="3510014107900009", name="Nobody", user="tg:1005"),
        ask(user="tg:1006"),
    ]
    answers = await asyncio.gather(*(client.post(URL, json=body) for body in asked))
    bodies = [answer.json() for answer in answers]
    assert [b["found"] for b in bodies] == [True, True, True, False, False, True]
    assert [b["person"]["name_masked"] for b in bodies if b["found"]] == [
        "S**I A****H",
        "D**I A****H",
        "R**I L*****I",
        "S**I A****H",
    ]
    reasons = [
        {p["code"]: p["reason_code"] for p in b["person"]["programmes"]}["SEMBAKO"]
        for b in bodies
        if b["found"]
    ]
    assert reasons == ["recipient", "recipient_family", "desil_above_limit", "recipient"]


async def test_found_and_not_found_answers_match_the_published_schema(client, registry):
    from api.schemas.status import StatusCheckResponse

    found = await client.post(URL, json=ask())
    missing = await client.post(URL, json=ask(name="Someone Else"))
    for response in (found, missing):
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        # The answers are built without the models: validated and dumped again by them, an
        # answer must come out unchanged (no key missing, none extra, every type right).
        assert StatusCheckResponse.model_validate(body).model_dump(mode="json") == body


async def test_answers_come_in_english_when_asked(client, registry):
    response = await client.post(URL, json=ask(nik=RINI, name="Rini Lestari", locale="en"))
    pkh = next(p for p in response.json()["person"]["programmes"] if p["code"] == "PKH")
    assert pkh["reason"].startswith("Your family is in decile 7")
    response = await client.post(
        URL, json=ask(nik=RINI, name="Rini Lestari"), headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert response.json()["locale"] == "en"


async def test_unknown_nik_and_wrong_name_get_exactly_the_same_answer(client, registry):
    unknown = await client.post(URL, json=ask(nik="3510011203850009", name="Siti Aminah"))
    wrong_name = await client.post(URL, json=ask(name="Siti Rahayu", user="tg:1002"))
    assert unknown.status_code == wrong_name.status_code == 200
    assert unknown.content == wrong_name.content
    assert unknown.json()["found"] is False and "usul" in unknown.json()["message"]


@pytest.mark.parametrize(
    "nik, code, words",
    [
        ("351001410790001", "nik_wrong_length", "15"),
        ("3510014107900O01", "nik_not_digits", ""),
        ("3510010113900001", "nik_bad_month", "13"),
        ("3510013107900000", "nik_zero_serial", ""),
    ],
)
async def test_a_malformed_nik_is_explained_without_being_echoed(
    client, registry, nik, code, words
):
    response = await client.post(URL, json=ask(nik=nik))
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, "nik")
    assert words in error["message"]
    assert nik not in response.text


async def test_a_validation_error_never_echoes_the_submitted_body(client):
    response = await client.post(URL, json={"nik": SITI, "name": "x" * 300, "channel_user": "u"})
    assert response.status_code == 422
    assert SITI not in response.text and "x" * 50 not in response.text


async def test_the_nik_is_never_in_the_response_or_the_logs(client, registry, caplog):
    caplog.set_level(logging.DEBUG)
    response = await client.post(URL, json=ask())
    assert SITI not in response.text and KK not in response.text
    assert SITI not in caplog.text


async def test_every_lookup_is_audited_with_channel_user_and_hashed_nik(client, registry, services):
    await client.post(URL, json=ask())
    await client.post(URL, json=ask(name="Wrong Name"))
    await client.post(URL, json=ask(nik="3510011203850009"))
    await client.post(URL, json=ask(nik="12345"))
    async with services.sessions() as session:
        rows = (await session.execute(select(LookupAudit).order_by(LookupAudit.id))).scalars().all()
    assert [r.outcome for r in rows] == ["found", "name_mismatch", "unknown_nik", "invalid_nik"]
    assert {r.channel for r in rows} == {"telegram-bot"} and rows[0].channel_user == "tg:1001"
    assert rows[0].nik_hash == services.protector.nik_hash(SITI)
    assert rows[3].nik_hash is None


async def test_requests_without_a_valid_api_key_are_refused(client, registry):
    missing = await client.post(URL, json=ask(), headers={"X-API-Key": ""})
    wrong = await client.post(URL, json=ask(), headers={"X-API-Key": "bsk_nope_nope"})
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_api_key"


@BOTH_REDIS
async def test_one_user_trying_many_niks_is_slowed_down_with_retry_after(services, registry):
    async with api_with(services, LOOKUP_LIMIT_PER_USER=3) as client_for:
        http = await client_for("telegram-bot")
        answers = [
            await http.post(URL, json=ask(nik=f"351001120385{i:04d}", name="X"))
            for i in range(1, 5)
        ]
        other_user = await http.post(URL, json=ask(user="tg:2002"))
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[3].headers["Retry-After"]) <= 600
    assert "menit" in answers[3].json()["error"]["message"]
    assert other_user.status_code == 200 and other_user.json()["found"] is True


@BOTH_REDIS
async def test_many_users_guessing_names_for_one_nik_are_stopped(client, registry):
    answers = [
        await client.post(URL, json=ask(name=f"Guess {i}", user=f"tg:{i}")) for i in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    # Even the right name is refused (a refusal that depended on the name would tell it) for
    # a user of this channel who never checked this NIK, until the NIK's window ends.
    assert (await client.post(URL, json=ask(user="tg:99"))).status_code == 429


@BOTH_REDIS
async def test_strangers_guessing_names_do_not_lock_out_a_user_who_checked_the_nik_right(
    client, registry
):
    owner = await client.post(URL, json=ask(user="tg:owner"))
    assert owner.json()["found"] is True

    guesses = [
        await client.post(URL, json=ask(name=f"Guess {i}", user=f"tg:stranger{i}"))
        for i in range(20)
    ]
    again = await client.post(URL, json=ask(user="tg:owner"))

    assert [g.status_code for g in guesses].count(429) >= 15  # the strangers are stopped
    assert again.status_code == 200 and again.json()["found"] is True


@BOTH_REDIS
async def test_strangers_on_one_channel_do_not_lock_the_nik_on_another(services, registry):
    async with api_with(services) as client_for:
        bot, partner = await client_for("telegram-bot"), await client_for("partner")
        guesses = [
            await bot.post(URL, json=ask(name=f"Guess {i}", user=f"tg:{i}")) for i in range(10)
        ]
        citizen = await partner.post(URL, json=ask(user="partner:7"))
    assert guesses[-1].status_code == 429
    assert citizen.status_code == 200 and citizen.json()["found"] is True


@BOTH_REDIS
async def test_guessing_names_on_one_nik_is_no_faster_than_before_per_user_and_per_key(
    services, registry
):
    # Before: at most 5 attempts on one NIK per window, whoever asked (LOOKUP_LIMIT_PER_NIK).
    async with api_with(services) as client_for:
        bot = await client_for("telegram-bot")
        one_user = [
            await bot.post(URL, json=ask(name=f"Guess {i}", user="tg:guesser")) for i in range(8)
        ]
        partner = await client_for("partner")
        many_users = [
            await partner.post(URL, json=ask(name=f"Guess {i}", user=f"p:{i}")) for i in range(8)
        ]
    answered = [a for a in one_user if a.status_code == 200]
    assert len(answered) == 5 and all(not a.json()["found"] for a in answered)
    assert sum(a.status_code == 200 for a in many_users) == 5


@BOTH_REDIS
async def test_renaming_the_channel_user_does_not_escape_the_limit_of_the_api_key(
    services, registry
):
    async with api_with(services, LOOKUP_LIMIT_PER_KEY=7) as client_for:
        partner = await client_for("partner")
        answers = [
            await partner.post(URL, json=ask(nik=f"351001120385{i:04d}", user=f"renamed-{i}"))
            for i in range(1, 10)
        ]
        other_channel = await (await client_for("telegram-bot")).post(URL, json=ask())
    assert [a.status_code for a in answers] == [200] * 7 + [429] * 2
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 600
    assert other_channel.status_code == 200


async def test_a_nik_format_check_says_exactly_what_is_wrong_and_reads_no_registry(client):
    short = await client.post("/api/v1/nik-checks", json={"nik": "351001410790000", "locale": "id"})
    good = await client.post("/api/v1/nik-checks", json={"nik": "3510 0141 0790 0001"})

    assert short.status_code == 422
    assert short.json()["error"]["code"] == "nik_wrong_length"
    assert "15 angka" in short.json()["error"]["message"]
    assert good.status_code == 200
    assert "3510014107900001" not in good.text
    assert good.json()["region_verified"] is True
