"""The bot reads the notifications of its own key's channel, asked of the api at start-up:
a key created under any name works, and while the api does not answer the bot waits for it
rather than guess. The real bot Application, against the Bot API stand-in."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.db import session_scope
from api.domain.api_keys import create_api_key, prefix_of, revoke_api_key
from api.domain.complaints.intake import Reporter
from api.domain.complaints.outbox import relay_once, stream_for
from api.domain.vocabulary import Action
from bot import channel as bot_channel
from bot.channel import KeyRefused, learn_channel
from bot.client import ApiClient
from demo.telegram import StandIn, TgUser
from demo.telegram.serving import serve_asgi
from tests.bot.conftest import CHAT, Citizen, in_process_api, running_bot
from tests.complaints_support import act, channel_of, file_directly

ROOT = Path(__file__).resolve().parents[2]
BANSOS = Path(sys.executable).parent / "bansos"


def display(tracking_id: str) -> str:
    return f"{tracking_id[:3]}-{tracking_id[3:6]}-{tracking_id[6:]}"


async def key_for(services, channel: str) -> str:
    async with session_scope(services.sessions) as session:
        return await create_api_key(session, channel=channel)


async def relay_all(services) -> None:
    while (await relay_once(engine=services.engine, redis=services.redis)).relayed:
        pass


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    standin = StandIn(enforce_rate_limits=False)
    standin.add_user(TgUser(CHAT, "Siti", language_code="id"))
    yield standin
    await standin.aclose()


async def verified_complaint_for_the_chat(services, key: str) -> str:
    """A complaint filed through ``key`` for the test chat, then verified by its office: the
    api queues the verification's notification under the key's channel."""
    filed = await file_directly(
        services,
        await channel_of(services, key),
        reporter=Reporter(channel_user=f"tg:{CHAT}", locale="id"),
    )
    await act(services, filed.id, Action.VERIFY)
    await relay_all(services)
    return filed.tracking_id


async def test_a_key_created_under_telegram_gets_its_notifications_delivered(standin, services):
    key = await key_for(services, "telegram")  # not the usual "telegram-bot"

    async with running_bot(standin, services, key):
        tracking_id = await verified_complaint_for_the_chat(services, key)
        citizen = Citizen(standin)
        sent = await citizen.answers(2)

    verified = [m.plain_text for m in sent if "Terverifikasi" in m.plain_text]
    assert len(verified) == 1 and display(tracking_id) in verified[0]
    assert not await services.redis.exists(stream_for("telegram-bot"))  # nothing read there


async def test_while_the_api_does_not_answer_the_bot_waits_says_so_and_never_guesses(
    standin, services, monkeypatch, caplog
):
    monkeypatch.setattr(bot_channel, "FIRST_RETRY_SECONDS", 0.05)
    key = await key_for(services, "telegram")
    app = create_app(services.settings, services=services)
    asgi = httpx.ASGITransport(app=app)
    refused_connections = []

    async def down_twice(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/channel" and len(refused_connections) < 2:
            refused_connections.append(request)
            raise httpx.ConnectError("connection refused", request=request)
        return await asgi.handle_async_request(request)

    def api_down_at_first(services, api_key):
        return ApiClient("http://api.test", api_key, transport=httpx.MockTransport(down_twice))

    monkeypatch.setattr("tests.bot.conftest.in_process_api", api_down_at_first)
    with caplog.at_level(logging.WARNING, logger="bot.channel"):
        async with running_bot(standin, services, key):
            tracking_id = await verified_complaint_for_the_chat(services, key)
            sent = await Citizen(standin).answers(2)

    said = [r.getMessage() for r in caplog.records if r.name == "bot.channel"]
    assert len(said) == 2 and all("http://api.test does not answer" in line for line in said)
    assert "asks it again in 0.05 s" in said[0] and "in 0.1 s" in said[1]
    assert "reads no notifications until it knows" in said[0]
    assert any(display(tracking_id) in m.plain_text for m in sent)
    assert not await services.redis.exists(stream_for("telegram-bot"))


async def test_a_key_the_api_refuses_stops_the_start_naming_the_setting(services):
    key = await key_for(services, "telegram")
    async with session_scope(services.sessions) as session:
        await revoke_api_key(session, prefix=prefix_of(key))
    api = in_process_api(services, key)

    with pytest.raises(KeyRefused, match="refused BANSOS_API_KEY \\(invalid_api_key\\)"):
        await learn_channel(api)
    await api.aclose()


async def test_bansos_bot_with_a_refused_key_exits_2_naming_the_setting(standin, services):
    key = await key_for(services, "telegram")
    async with session_scope(services.sessions) as session:
        await revoke_api_key(session, prefix=prefix_of(key))
    outside = {k: v for k, v in os.environ.items() if not k.startswith(("BANSOS_", "REDIS"))}
    api = create_app(services.settings, services=services)

    async with standin.serving() as telegram, serve_asgi(api) as api_url:
        bot = await asyncio.create_subprocess_exec(
            str(BANSOS),
            "bot",
            env={
                **outside,
                "PYTHONPATH": str(ROOT),
                "BANSOS_ENV": "test",
                "REDIS_URL": "memory://",
                "TELEGRAM_BOT_TOKEN": standin.token,
                "TELEGRAM_API_BASE_URL": telegram,
                "BANSOS_API_URL": api_url,
                "BANSOS_API_KEY": key,
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, stderr = await asyncio.wait_for(bot.communicate(), timeout=60)
        finally:
            if bot.returncode is None:  # it did not stop: the test fails, the bot goes
                bot.kill()
                await bot.wait()

    said = stderr.decode()
    assert bot.returncode == 2, said
    assert f"Refusing to start: The api at {api_url} refused BANSOS_API_KEY (invalid_api_key)" in (
        " ".join(said.split())
    )
    assert "Traceback" not in said
