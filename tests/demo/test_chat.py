"""`bansos chat`: the real bot in a terminal, through the in-process stand-in."""

from __future__ import annotations

import asyncio

from demo.chat import run_chat
from tests.bot.conftest import in_process_api
from tests.registry_support import SITI


async def test_a_status_check_in_the_terminal_with_a_numbered_button(services, api_key, registry):
    output: list[str] = []
    screen = asyncio.Event()

    def write(text: str) -> None:
        output.append(text)
        screen.set()

    async def shown(words: str) -> None:
        while not any(words in chunk for chunk in output):
            screen.clear()
            await asyncio.wait_for(screen.wait(), timeout=10)

    async def typed():
        await shown("Apa yang ingin Anda lakukan?")
        yield "1\n"  # the first button of the menu: check status
        await shown("Kirim <b>NIK</b>".replace("<b>", "").replace("</b>", ""))
        yield f"{SITI}\n"
        await shown("nama lengkap")
        yield "Siti Aminah\n"
        await shown("S**I A****H")
        yield "/keluar\n"

    api = in_process_api(services, api_key)
    try:
        await run_chat(api=api, redis=services.redis, lines=typed(), write=write)
    finally:
        await api.aclose()

    transcript = "".join(output)
    assert "[1] 🔎 Cek status bansos" in transcript
    assert "PKH (Program Keluarga Harapan): Terdaftar sebagai penerima" in transcript
    assert SITI not in transcript  # the bot never repeats the NIK
