"""The bot's HTTP (bot/http.py): failures reach python-telegram-bot and the api client
as the errors they already handle, and a shut-down bot can start again."""

from __future__ import annotations

import asyncio
import contextlib
import io

import pytest
from PIL import Image
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.client import ApiClient, ApiUnavailable
from bot.http import telegram_request
from demo.telegram import StandIn, TgUser


@contextlib.asynccontextmanager
async def silent_server():
    """Accepts connections and reads, but never answers."""
    held = []

    async def hold(reader, writer):
        held.append(writer)
        with contextlib.suppress(ConnectionError):
            await reader.read()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_bot_api_that_is_down_is_a_network_error():
    bot = Bot("1:x", base_url="http://127.0.0.1:1/bot", request=telegram_request(4))
    with pytest.raises(NetworkError):
        await bot.get_me()
    await bot.shutdown()


async def test_a_bot_api_that_never_answers_is_a_timeout():
    async with silent_server() as base:
        request = telegram_request(4, read_timeout=0.2)
        bot = Bot("1:x", base_url=f"{base}/bot", request=request)
        with pytest.raises(TimedOut):
            await bot.get_me()
        await bot.shutdown()


async def test_an_api_that_never_answers_is_unavailable(monkeypatch):
    monkeypatch.setattr("bot.client.TIMEOUT_SECONDS", 0.2)
    async with silent_server() as base:
        client = ApiClient(base, "bsk_none")
        try:
            with pytest.raises(ApiUnavailable):
                await client.categories(locale="id")
        finally:
            await client.aclose()


async def test_a_bot_shut_down_and_initialized_again_talks_to_telegram_again():
    standin = StandIn()
    async with standin.serving() as base:
        bot = Bot(standin.token, base_url=f"{base}/bot", request=telegram_request(4))
        await bot.initialize()
        await bot.shutdown()
        await bot.initialize()
        assert (await bot.get_me()).username == "bansos_standin_bot"
        await bot.shutdown()
    await standin.aclose()


async def test_a_photo_goes_up_and_comes_back_down_whole():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, format="JPEG")
    jpeg = buffer.getvalue()
    standin = StandIn(enforce_rate_limits=False)
    standin.add_user(TgUser(1001, "Siti"))
    async with standin.serving() as base:
        bot = Bot(
            standin.token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=telegram_request(4),
        )
        async with bot:
            sent = await bot.send_photo(1001, photo=jpeg, caption="Bukti <b>transfer</b>")
            file = await bot.get_file(sent.photo[-1].file_id)
            downloaded = bytes(await file.download_as_bytearray())
    await standin.aclose()

    [shown] = standin.sent(1001)
    assert shown.plain_text == "Bukti <b>transfer</b>"  # no parse mode: shown as typed
    assert standin.file_bytes(shown.file_id) == jpeg
    assert downloaded == jpeg
