"""Two bot processes in webhook mode behind one URL, Telegram's updates alternated between
them by a round-robin balancer, with the Bot API stand-in as Telegram and a real api process:
each chat is answered in the order it wrote, on one conversation state, and every
notification reaches its chat once, also when the second process joins while the first holds
notifications it has not sent yet."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

import httpx
import pytest

from api.domain.complaints.outbox import relay_once
from demo.telegram import StandIn, TgUser
from demo.telegram.serving import serve_asgi
from tests.multiprocess.processes import (
    REAL_SERVICES,
    Process,
    api_environment,
    free_port,
    serve,
    started,
    wait_ready,
)
from tests.registry_support import KK, SITI, RegistryRows

pytestmark = REAL_SERVICES

CHATS = (610001, 610002, 610003, 610004)
NOTIFICATIONS_PER_CHAT = 3
SECRET = "replica-webhook-secret-0123456789"


@pytest.fixture
def registry_rows() -> RegistryRows:
    return RegistryRows(
        beneficiaries=(f"{SITI},{KK},Siti Aminah,351001,3,PKH;SEMBAKO,",),
        disbursements=(f"{SITI},PKH,2026,3,SI,SUKSES,BRI,750000,2026-08-20",),
    )


def shown(message) -> str:
    """What the citizen reads, tracking IDs without the dashes they are shown with."""
    return (message.plain_text or "").replace("-", "")


def round_robin_balancer(backends: list[str]):
    """A tiny ASGI load balancer: each request to the next backend, answered as it answered."""
    turn = itertools.cycle(backends)
    http = httpx.AsyncClient(timeout=10)

    async def app(scope, receive, send):
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {
            k.decode(): v.decode()
            for k, v in scope["headers"]
            if k.lower() not in (b"host", b"content-length")
        }
        try:
            answer = await http.post(next(turn) + scope["path"], content=body, headers=headers)
            status, content = answer.status_code, answer.content
        except httpx.TransportError:
            status, content = 502, b""
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": content})

    return app, http


def bot_process(services, tmp_path, name, *, api_url, api_key, telegram, webhook_url, port):
    environment = api_environment(
        services,
        TELEGRAM_BOT_TOKEN=StandIn().token,
        TELEGRAM_API_BASE_URL=telegram,
        BANSOS_API_URL=api_url,
        BANSOS_API_KEY=api_key,
        BOT_WEBHOOK_URL=webhook_url,
        BOT_WEBHOOK_SECRET=SECRET,
        BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(port),
    )
    environment.pop("BOT_CONSUMER_NAME", None)  # each process its default name, on one host
    return Process(name, ["bansos", "bot", "--webhook"], environment, tmp_path / f"{name}.log")


async def relay_everything(services) -> None:
    while (await relay_once(engine=services.engine, redis=services.redis)).relayed:
        pass


async def test_two_webhook_processes_answer_each_chat_in_order_and_notify_once(
    services, api_key, registry, tmp_path
):
    standin = StandIn(enforce_rate_limits=False)
    for chat in CHATS:
        standin.add_user(TgUser(chat, f"Warga {chat}", language_code="id"))
    api, api_url = serve(services, tmp_path, "api")
    ports = free_port(), free_port()
    app, balancer_http = round_robin_balancer([f"http://127.0.0.1:{port}" for port in ports])
    async with standin.serving() as telegram, serve_asgi(app) as balancer_url:
        webhook_url = f"{balancer_url}/telegram"
        first, second = (
            bot_process(
                services,
                tmp_path,
                f"bot-{letter}",
                api_url=api_url,
                api_key=api_key,
                telegram=telegram,
                webhook_url=webhook_url,
                port=port,
            )
            for letter, port in zip("ab", ports, strict=True)
        )
        with started(api, first):
            await asyncio.to_thread(wait_ready, api, api_url)
            await standin.wait_until(lambda: standin.webhook_url == webhook_url, timeout=30)
            # Notifications for every chat; the first process starts sending them (one per
            # chat per second), and holds the others, read and not acknowledged yet.
            tracking = {chat: [] for chat in CHATS}
            async with httpx.AsyncClient(
                base_url=api_url, headers={"X-API-Key": api_key}, timeout=10
            ) as http:
                for chat, n in itertools.product(CHATS, range(NOTIFICATIONS_PER_CHAT)):
                    filed = await http.post(
                        "/api/v1/complaints",
                        json={
                            "reporter": {"channel_user": f"tg:{chat}"},
                            "category": "PUNGLI",
                            "description": f"Pungutan liar nomor {n} di chat {chat}.",
                            "region_code": "351001",
                        },
                    )
                    assert filed.status_code == 201, filed.text
                    tracking[chat].append(filed.json()["tracking_id"])
            await relay_everything(services)
            await standin.wait_until(lambda: any(standin.sent(chat) for chat in CHATS), timeout=30)
            # A second process joins behind the same URL while the first still holds some.
            with started(second):
                await asyncio.sleep(4)  # its start-up: reading the stream's pending entries
                assert second.alive(), second.output()
                # Each chat asks for a complaint by /lacak, sends its tracking ID and then
                # /cek, in one go; the balancer hands the updates to the two processes in turn.
                for chat in CHATS:
                    standin.send_command(chat, "/lacak")
                    standin.send_text(chat, tracking[chat][0])
                    standin.send_command(chat, "/cek")
                for chat in CHATS:
                    await standin.wait_until(
                        lambda chat=chat: any(
                            "Kirim NIK" in (m.plain_text or "") for m in standin.sent(chat)
                        ),
                        timeout=30,
                    )
                with contextlib.suppress(TimeoutError):  # the asserts below say what is missing
                    await standin.wait_until(
                        lambda: all(
                            sum(t in shown(m) for m in standin.sent(chat) for t in ids)
                            >= NOTIFICATIONS_PER_CHAT
                            for chat, ids in tracking.items()
                        ),
                        timeout=30,
                    )
                await asyncio.sleep(2)  # any second sending would have happened by now
                outputs = first.output() + second.output()
    await balancer_http.aclose()
    await standin.aclose()

    for chat in CHATS:
        texts = [shown(m) for m in standin.sent(chat)]
        # Answered in the order the citizen wrote: /cek, sent last, was handled last (the
        # tracking ID handled after it would have been read as a malformed NIK).
        dialog = [t for t in texts if "sudah diterima" not in t]
        asked = [i for i, t in enumerate(dialog) if "Kirim NIK" in t]
        assert asked == [len(dialog) - 1], (texts, outputs)
        # Each notification once.
        for tracking_id in tracking[chat]:
            received = [t for t in texts if tracking_id in t and "sudah diterima" in t]
            assert len(received) == 1, (tracking_id, texts)
