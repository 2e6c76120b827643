"""The status check dialog: NIK (deleted once read), name, then eligibility and money."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.models import DisbursementSubscription
from demo.telegram import TgUser
from tests.registry_support import KK, SITI, RegistryRows


@pytest.fixture
def registry_rows() -> RegistryRows:
    return RegistryRows(
        beneficiaries=(f"{SITI},{KK},Siti Aminah,351001,3,PKH;SEMBAKO,",),
        disbursements=(f"{SITI},PKH,2026,3,SI,SUKSES,BRI,750000,2026-08-20",),
    )


async def test_a_citizen_checks_their_status_and_the_nik_leaves_the_chat(citizen, registry):
    citizen.command("/cek")
    [ask_nik] = await citizen.next_answers()
    nik_message = citizen.say("3510 0141 0790 0001")
    [ask_name] = await citizen.next_answers()
    citizen.say("Siti Aminah")
    [answer] = await citizen.next_answers()

    assert "NIK" in ask_nik.plain_text
    assert nik_message.message_id in citizen.standin.deleted(citizen.chat_id)
    assert "3510********0001" in ask_name.plain_text and SITI not in ask_name.plain_text
    assert "S**I A****H" in answer.plain_text
    assert "PKH (Program Keluarga Harapan): Terdaftar sebagai penerima" in answer.plain_text
    assert "Rp750.000" in answer.plain_text and "BRI" in answer.plain_text
    assert SITI not in answer.plain_text


async def test_messages_sent_in_one_instant_are_answered_in_order(citizen, registry):
    # /cek, the NIK and the name in one go, as a fast typist or a flaky network delivers them:
    # each is read at its own step, never the name where the NIK is asked.
    citizen.command("/cek")
    citizen.say("3510014107900001")
    citizen.say("Siti Aminah")
    ask_nik, ask_name, answer = await citizen.next_answers(3)

    assert "Kirim NIK" in ask_nik.plain_text
    assert "nama lengkap" in ask_name.plain_text
    assert "S**I A****H" in answer.plain_text


async def test_a_malformed_nik_is_explained_and_the_step_is_kept(citizen, registry):
    citizen.command("/cek")
    await citizen.next_answers()
    short = citizen.say("351001410790000")
    [explained] = await citizen.next_answers()
    citizen.say(SITI)
    [ask_name] = await citizen.next_answers()

    assert "NIK harus 16 angka; yang Anda kirim 15 angka" in explained.plain_text
    assert short.message_id in citizen.standin.deleted(citizen.chat_id)
    assert "nama lengkap" in ask_name.plain_text


async def test_a_wrong_name_gets_the_same_answer_as_an_unknown_nik(citizen, registry):
    answers = []
    for nik, name in ((SITI, "Siti Rahayu"), ("3510014107900002", "Siti Aminah")):
        citizen.command("/cek")
        await citizen.next_answers()
        citizen.say(nik)
        await citizen.next_answers()
        citizen.say(name)
        answers.append((await citizen.next_answers())[0].plain_text)

    assert answers[0] == answers[1]
    assert "tidak ditemukan" in answers[0]


@pytest.mark.parametrize(
    ("act", "expected"),
    [
        (lambda c: c.standin.send_sticker(c.chat_id), "Mohon kirim dalam bentuk teks"),
        (lambda c: c.standin.send_voice(c.chat_id), "Mohon kirim dalam bentuk teks"),
        (lambda c: c.standin.send_photo(c.chat_id, b"\x89PNG"), "Mohon kirim dalam bentuk teks"),
        (lambda c: c.say("9" * 5000), "terlalu panjang"),
        (
            lambda c: c.standin.send_text(c.chat_id, SITI, forward_from=TgUser(7, "Orang Lain")),
            "Pesan terusan",
        ),
    ],
)
async def test_bad_input_gets_a_kind_specific_reply_and_keeps_the_step(
    citizen, registry, act, expected
):
    citizen.command("/cek")
    await citizen.next_answers()
    act(citizen)
    [refusal] = await citizen.next_answers()
    citizen.say(SITI)
    [ask_name] = await citizen.next_answers()

    assert expected in refusal.plain_text
    assert "nama lengkap" in ask_name.plain_text


async def test_cancel_forgets_the_nik_and_returns_to_the_menu(citizen, registry):
    citizen.command("/cek")
    await citizen.next_answers()
    citizen.say(SITI)
    await citizen.next_answers()
    citizen.command("/batal")
    cancelled, menu = await citizen.next_answers(2)
    citizen.say("Siti Aminah")
    [not_understood, _] = await citizen.next_answers(2)

    assert cancelled.plain_text == "Dibatalkan. Tidak ada yang dikirim."
    assert "belum mengerti" in not_understood.plain_text


async def test_tell_me_when_my_aid_moves_subscribes_this_chat(citizen, services, registry):
    answer = await status_answer(citizen)
    citizen.press(answer, "Kabari saya")
    [confirmed] = await citizen.next_answers()

    assert "kami akan mengabari" in confirmed.plain_text
    async with services.engine.connect() as conn:
        subscribers = (
            (await conn.execute(select(DisbursementSubscription.__table__.c.channel_user)))
            .scalars()
            .all()
        )
    assert subscribers == [f"tg:{citizen.chat_id}"]


async def status_answer(citizen, nik=SITI, name="Siti Aminah"):
    """The whole check, straight through: /cek, the NIK, the name; the bot's answer."""
    citizen.command("/cek")
    await citizen.next_answers()
    citizen.say(nik)
    await citizen.next_answers()
    citizen.say(name)
    [answer] = await citizen.next_answers()
    return answer


def labels(message) -> list[str]:
    return [button["text"] for row in message.reply_markup["inline_keyboard"] for button in row]


async def test_the_answer_leads_on_to_an_usul_or_a_sanggah_already_chosen(citizen, registry):
    answer = await status_answer(citizen)
    # Siti receives PKH and Sembako but not PBI-JK or BLT: an usul is worth offering.
    assert any("usul" in label for label in labels(answer))
    citizen.press(answer, "Sanggah")
    chosen, ask_nik = await citizen.next_answers(2)

    assert "Pengaduan: Sanggah penerima (tidak layak)" in chosen.plain_text
    assert "NIK orang yang bersangkutan" in ask_nik.plain_text
    citizen.say("3510014107900009")  # the subject's NIK: the draft goes on from there
    kept, where = await citizen.next_answers(2)
    assert "3510********0009" in kept.plain_text
    assert "tinggal" in where.plain_text


async def test_an_unknown_person_is_offered_an_usul(citizen, registry):
    answer = await status_answer(citizen, nik="3510014107900009", name="Orang Lain")
    citizen.press(answer, "usul")
    chosen, _ = await citizen.next_answers(2)

    assert "Pengaduan: Usul penerima (belum terdaftar)" in chosen.plain_text
