"""`bansos chat`: the real bot in a terminal, through the in-process stand-in."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from api.app import create_app
from api.domain.registry_import import import_beneficiaries
from bot.client import ApiClient
from demo.chat import run_chat
from tests.conftest import write_csv

SITI = "3510014107900001"


@pytest.fixture
async def registry(services, tmp_path):
    await import_beneficiaries(
        services.engine,
        write_csv(
            tmp_path / "b.csv",
            "nik,no_kk,nama,kode_wilayah,desil,program,keterangan",
            f"{SITI},3510010101100001,Siti Aminah,351001,3,PKH,",
        ),
        protector=services.protector,
        regions=services.regions,
        rules=services.rules,
    )


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

    api = ApiClient(
        "http://api.test",
        api_key,
        transport=httpx.ASGITransport(app=create_app(services.settings, services=services)),
    )
    try:
        await run_chat(api=api, redis=services.redis, lines=typed(), write=write)
    finally:
        await api.aclose()

    transcript = "".join(output)
    assert "[1] 🔎 Cek status bansos" in transcript
    assert "PKH (Program Keluarga Harapan): Terdaftar sebagai penerima" in transcript
    assert SITI not in transcript  # the bot never repeats the NIK
