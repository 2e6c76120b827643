"""A NIK typed where none was asked leaves the chat, as at the NIK steps, and the citizen
hears why; at the NIK steps, a text too long to be one is answered in the citizen's words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.models import Complaint
from tests.bot.test_complaint_dialog import _to_the_story_step, choose
from tests.registry_support import SITI

TOLD = "Pesan Anda berisi NIK, jadi sudah kami hapus dari obrolan"


async def at_the_name_step(citizen):
    citizen.command("/cek")
    await citizen.next_answers()
    citizen.say("3510014107900009")
    await citizen.next_answers()


async def at_the_menu(citizen):
    citizen.command("/start")
    await citizen.next_answers(3)  # welcome, privacy notice, menu


@pytest.mark.parametrize(
    ("reach", "typed", "then"),
    [
        (at_the_name_step, SITI, "bukan NIK"),
        (at_the_name_step, "Siti Aminah 3510 0141 0790 0001", "bukan NIK"),
        (at_the_menu, f"tolong cek {SITI}", "Apa yang ingin Anda lakukan?"),
        (_to_the_story_step, f"Agen memotong bantuan ibu saya (NIK {SITI}).", "tetap kami catat"),
    ],
    ids=["name", "name-and-nik", "menu", "story"],
)
async def test_a_nik_typed_at_any_step_leaves_the_chat_and_the_citizen_is_told_why(
    citizen, services, registry, reach, typed, then
):
    await reach(citizen)
    message = citizen.say(typed)
    told, follow_up = await citizen.next_answers(2)

    assert message.message_id in citizen.standin.deleted(citizen.chat_id)
    assert TOLD in told.plain_text
    assert then in follow_up.plain_text


async def test_a_story_with_a_nik_is_still_filed_whole(citizen, services):
    await _to_the_story_step(citizen)
    citizen.say(f"Agen memotong bantuan ibu saya (NIK {SITI}).")
    _told, _kept, evidence = await citizen.next_answers(3)
    citizen.press(evidence, "Lanjut")
    await choose(citizen, "Rahasia")
    [summary] = await citizen.next_answers()
    citizen.press(summary, "Kirim")
    await citizen.next_answers(3)

    async with services.engine.connect() as conn:
        [description] = (await conn.execute(select(Complaint.description))).scalars().all()
    assert description.endswith(f"(NIK {SITI}).")


async def test_a_phone_number_or_an_amount_stays_in_the_chat(citizen, services):
    await _to_the_story_step(citizen)
    message = citizen.say("Hubungi saya di 0812 3456 7890 1234; dipotong Rp600.000.")
    [evidence] = await citizen.next_answers()

    assert message.message_id not in citizen.standin.deleted(citizen.chat_id)
    assert "foto atau PDF" in evidence.plain_text


@pytest.mark.parametrize("command", ["/cek", "/adu"])
async def test_a_long_text_at_a_nik_step_is_answered_in_the_citizens_language(
    citizen, registry, command
):
    citizen.command(command)
    if command == "/adu":
        await choose(citizen, "Bantuan belum diterima")
    await citizen.next_answers()
    message = citizen.say("NIK saya " + "3510014107900001 " * 5)  # 94 characters
    [answer] = await citizen.next_answers()

    assert message.message_id in citizen.standin.deleted(citizen.chat_id)
    assert "terlalu panjang untuk sebuah NIK" in answer.plain_text
    assert "String should" not in answer.plain_text and "nik:" not in answer.plain_text
