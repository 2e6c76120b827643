"""/start, the menu, help and the language choice, through the real bot."""

from __future__ import annotations


async def test_start_greets_shows_the_privacy_notice_and_the_menu(citizen):
    citizen.command("/start")

    welcome, privacy, menu = await citizen.answers(3)

    assert welcome.plain_text.startswith("Halo, Siti!")
    assert "NIK yang Anda kirim hanya dipakai" in privacy.plain_text
    assert "Petugas tidak pernah meminta uang" in privacy.plain_text
    labels = [b["text"] for row in menu.reply_markup["inline_keyboard"] for b in row]
    assert "🔎 Cek status bansos" in labels and "🌐 Bahasa / Language" in labels


async def test_choosing_english_switches_every_later_message(citizen):
    citizen.command("/start")
    *_, menu = await citizen.answers(3)

    citizen.press(menu, "Language")
    [languages] = await citizen.next_answers()
    citizen.press(languages, "English")
    confirmed, english_menu = await citizen.next_answers(2)

    assert confirmed.plain_text == "Language changed to English."
    assert english_menu.plain_text == "What would you like to do?"
    citizen.command("/help")
    [help_text] = await citizen.next_answers()
    assert help_text.plain_text.startswith("Help")


async def test_the_commands_are_registered_in_both_languages(citizen):
    citizen.command("/start")
    await citizen.answers(1)

    indonesian = {c["command"]: c["description"] for c in citizen.standin.commands("id")}
    english = {c["command"]: c["description"] for c in citizen.standin.commands("en")}

    assert indonesian["cek"] == "Cek status bansos dengan NIK"
    assert english["cek"] == "Check aid status with your NIK"
    assert citizen.standin.commands("") == citizen.standin.commands("id")


async def test_a_sticker_outside_any_step_gets_a_kind_word_and_the_menu(citizen):
    citizen.standin.send_sticker(citizen.chat_id)

    sorry, menu = await citizen.answers(2)

    assert "belum mengerti" in sorry.plain_text
    assert menu.reply_markup is not None
