"""What the bot remembers of a chat survives a restart (bot/persistence.py, in Redis)."""

from __future__ import annotations

import pytest

from demo.telegram import StandIn, TgUser
from tests.bot.conftest import CHAT, Citizen, running_bot
from tests.conftest import BOTH_REDIS

pytestmark = BOTH_REDIS


@pytest.fixture
async def standin():
    standin = StandIn(enforce_rate_limits=False)
    standin.add_user(TgUser(CHAT, "Siti", language_code="id"))
    yield standin
    await standin.aclose()


async def choose_language(citizen: Citizen, label: str) -> str:
    citizen.command("/bahasa")
    [prompt] = await citizen.next_answers()
    citizen.press(prompt, label)
    confirmed, _menu = await citizen.next_answers(2)
    return confirmed.plain_text


async def test_a_half_filed_complaint_and_the_language_survive_a_restart(
    standin, services, api_key
):
    citizen = Citizen(standin)
    async with running_bot(standin, services, api_key):
        await choose_language(citizen, "English")
        citizen.command("/adu")
        [categories] = await citizen.next_answers()
        citizen.press(categories, "Aid not received")
        [ask_nik] = await citizen.next_answers()
    async with running_bot(standin, services, api_key):
        citizen.say("3510014107900001")
        kept, _where = await citizen.next_answers(2)

    assert "NIK of the person concerned" in ask_nik.plain_text
    # The step (the subject's NIK), the language and the draft's category were kept.
    assert "NIK 3510********0001 noted" in kept.plain_text


async def test_the_language_last_chosen_is_the_one_remembered(standin, services, api_key):
    citizen = Citizen(standin)
    async with running_bot(standin, services, api_key):
        await choose_language(citizen, "English")
    async with running_bot(standin, services, api_key):
        back = await choose_language(citizen, "Bahasa Indonesia")
    async with running_bot(standin, services, api_key):
        citizen.command("/start")
        welcome, _privacy, _menu = await citizen.next_answers(3)

    assert back == "Bahasa diganti ke Bahasa Indonesia."
    assert welcome.plain_text.startswith("Halo, Siti!")
