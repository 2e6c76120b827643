"""The notification sender, end to end: outbox rows, the api's relay, the Redis stream, the real
bot Application, and the Bot API stand-in with its flood control on.

The flood window is shrunk to WINDOW seconds on both sides (the stand-in's and the sender's),
so "1 message per second per chat, 30 per second overall" becomes 1 and 30 per WINDOW. Tests
that use Redis run on the in-process stand-in and on the real server.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import insert
from telegram.error import NetworkError
from telegram.ext import Application

from api.app import create_app
from api.db import session_scope
from api.domain.api_keys import create_api_key
from api.domain.complaints.outbox import outbox_row, relay_once, stream_for
from api.models import OutboxMessage
from bot.app import build_application
from bot.chat_sender import blocked_key
from bot.client import ApiClient
from bot.notifications import GROUP, Notification
from bot.notifier import BOT_DATA_KEY, Notifier
from bot.pacing import Pacing
from bot.rendering.complaint import display_tracking_id
from bot.rendering.fitting import MAX_MESSAGE as MAX_TEXT
from bot.rendering.notification import render_notification
from bot.settings import BotSettings
from demo.telegram import StandIn, parse_html
from tests.conftest import BOTH_REDIS

WINDOW = 0.2
CHANNEL = "telegram-bot"
STREAM = stream_for(CHANNEL)
SITI, JOHN, ANI, BUDI, DEWI = 1001, 1002, 1003, 1004, 1005


# --- helpers ----------------------------------------------------------------------------------


def item(chat: int, kind: str, locale: str = "id", **payload) -> tuple:
    payload = {"tracking_id": "7K3M9QX2P", "office_code": "DINSOS-3510", **payload}
    return chat, locale, f"complaint.{kind}", payload


async def notify(services, *items: tuple) -> None:
    """Write outbox rows as the api does, then relay them to the stream as its worker does."""
    async with services.engine.begin() as conn:
        for chat, locale, kind, payload in items:
            await conn.execute(
                insert(OutboxMessage.__table__).values(
                    outbox_row(
                        channel=CHANNEL,
                        channel_user=f"tg:{chat}",
                        locale=locale,
                        kind=kind,
                        payload=payload,
                        now=datetime.now(UTC),
                    )
                )
            )
    while (await relay_once(engine=services.engine, redis=services.redis)).relayed:
        pass


async def pending(redis) -> int:
    return (await redis.xpending(STREAM, GROUP))["pending"]


async def eventually(check, *, timeout: float = 5.0, what: str = "condition") -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        await asyncio.sleep(0.02)


async def all_acknowledged(redis, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    async def done() -> bool:
        return await pending(redis) == 0

    await eventually(done, timeout=timeout, what="every entry acknowledged")


def send_attempts(standin: StandIn, chat: int) -> int:
    return sum(str(c.params.get("chat_id")) == str(chat) for c in standin.calls("sendMessage"))


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    standin = StandIn(enforce_rate_limits=True, rate_window_seconds=WINDOW)
    async with standin.serving():
        yield standin


@contextlib.asynccontextmanager
async def bot_running(
    standin: StandIn, services, *, consumer: str = "bot-test", hooks: bool = True
) -> AsyncIterator[Application]:
    """The real bot against the stand-in, started and stopped as run_polling does (``hooks``)
    or as tests/bot/conftest.py does (post_init only)."""
    settings = BotSettings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=standin.token,
        TELEGRAM_API_BASE_URL=standin.base_url,
        BOT_CONSUMER_NAME=consumer,
        BOT_NOTIFY_WINDOW_SECONDS=WINDOW,
    )
    async with session_scope(services.sessions) as session:
        key = await create_api_key(session, channel=CHANNEL)  # the bot asks for its channel
    api = ApiClient(
        "http://api.test",
        key,
        transport=httpx.ASGITransport(app=create_app(services.settings, services=services)),
    )
    application = build_application(settings, api=api, redis=services.redis)
    async with application:
        await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            if hooks:
                await application.post_stop(application)
    if hooks:
        await application.post_shutdown(application)
    await api.aclose()


# --- what the citizen reads ---------------------------------------------------------------------


def notification(kind: str, locale: str = "id", **payload) -> Notification:
    return Notification(
        entry_id="0-1",
        outbox_id=1,
        kind=kind,
        channel_user="tg:1",
        locale=locale,
        payload={"tracking_id": "7K3M9QX2P", **payload},
    )


KINDS = [
    "complaint.received",
    "complaint.status_changed",
    "complaint.answered",
    "complaint.info_requested",
    "complaint.reply",
    "complaint.forwarded",
    "complaint.reopened",
    "complaint.closed",
    "complaint.something_new",
]


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_valid_telegram_html_in_both_languages(kind, locale):
    text = render_notification(
        notification(kind, locale, status="VERIFIED", action="verify", note="Sudah dicek.")
    )

    visible, _ = parse_html(text)  # raises as Telegram would on broken markup
    assert "7K3-M9Q-X2P" in visible
    if kind not in ("complaint.received", "complaint.something_new"):
        assert "Sudah dicek." in visible


def test_the_words_fit_each_kind_and_language():
    def read(kind, locale="id", **payload):
        return parse_html(render_notification(notification(kind, locale, **payload)))[0]

    assert "Terverifikasi" in read("complaint.status_changed", status="VERIFIED")
    assert "Being handled" in read("complaint.status_changed", "en", status="IN_PROGRESS")
    resolved = read("complaint.answered", "en", status="RESOLVED", note="Paid on 3 May.")
    assert "has been resolved" in resolved and "Paid on 3 May." in resolved
    assert "/lacak 7K3-M9Q-X2P" in resolved and "1 to 5" in resolved
    rejected = read("complaint.answered", status="REJECTED", action="reject", note="Bukan PKH.")
    assert "ditolak" in rejected and "Bukan PKH." in rejected and "1 sampai 5" in rejected
    question = read("complaint.info_requested", note="Kirim foto KKS Anda.")
    assert "Kirim foto KKS Anda." in question and "/lacak 7K3-M9Q-X2P" in question
    assert "Ada perkembangan" in read("complaint.something_new", status="NO_SUCH_STATUS")
    assert read("complaint.reply", "en").endswith("about complaint 7K3-M9Q-X2P:")


def test_the_office_note_is_escaped_and_cut_to_fit_4096_characters():
    note = "<b>Dana</b> & <script>x</script> 🎉 " * 400  # 14,000 characters, some outside the BMP

    text = render_notification(notification("complaint.reply", note=note))

    visible, _ = parse_html(text)
    units = len(visible.encode("utf-16-le")) // 2  # 🎉 counts twice: fits either way of counting
    assert MAX_TEXT - 10 < units <= MAX_TEXT
    assert visible.endswith("…")
    assert visible.count("<b>Dana</b> & <script>x</script>") > 100  # shown as typed, not markup
    assert "<b>Dana" not in text


def test_tracking_ids_are_shown_in_groups_of_three():
    assert display_tracking_id("7k3m9qx2p") == "7K3-M9Q-X2P"
    assert display_tracking_id("7K3-M9Q-X2P") == "7K3-M9Q-X2P"


# --- delivery ---------------------------------------------------------------------------------


@BOTH_REDIS
async def test_each_citizen_gets_their_notification_in_their_language(services, standin):
    async with bot_running(standin, services):
        await notify(
            services,
            item(SITI, "received", status="RECEIVED", category="PUNGLI"),
            item(JOHN, "answered", "en", status="RESOLVED", action="resolve", note="Paid <b>&"),
            item(SITI, "status_changed", status="IN_PROGRESS", action="start", note=None),
        )
        received, progress = await standin.wait_for_messages(SITI, 2)
        [answered] = await standin.wait_for_messages(JOHN, 1)
        await all_acknowledged(services.redis)

    assert received.parse_mode == "HTML"
    assert "Pengaduan Anda sudah diterima" in received.plain_text
    assert "7K3-M9Q-X2P" in received.plain_text
    assert "sekarang: Sedang ditindaklanjuti." in progress.plain_text
    assert "has been resolved" in answered.plain_text
    assert "Paid <b>&" in answered.plain_text  # the staff's text as typed, never markup
    assert standin.rate_limited_count == 0


@BOTH_REDIS
async def test_a_chat_with_three_messages_gets_them_a_window_apart_while_others_proceed(
    services, standin
):
    async with bot_running(standin, services):
        await notify(
            services,
            item(SITI, "status_changed", status="VERIFIED"),
            item(SITI, "status_changed", status="IN_PROGRESS"),
            item(SITI, "status_changed", status="RESOLVED"),
            item(JOHN, "received", "en"),
            item(ANI, "received"),
            item(BUDI, "received"),
        )
        siti = await standin.wait_for_messages(SITI, 3)
        others = [(await standin.wait_for_messages(c, 1))[0] for c in (JOHN, ANI, BUDI)]
        await all_acknowledged(services.redis)

    assert [m.plain_text.rsplit(": ", 1)[1] for m in siti] == [
        "Terverifikasi.",
        "Sedang ditindaklanjuti.",
        "Selesai ditindaklanjuti.",
    ]
    gaps = [later.sent_at - earlier.sent_at for earlier, later in itertools.pairwise(siti)]
    assert all(gap >= WINDOW for gap in gaps), gaps
    # The others did not wait behind Siti's queue.
    assert all(message.sent_at < siti[1].sent_at for message in others)
    assert standin.rate_limited_count == 0


@BOTH_REDIS
async def test_a_429_is_waited_out_and_the_message_arrives_once(services, standin):
    async with bot_running(standin, services):
        standin.fail_next_sends(1, retry_after=1)
        started = asyncio.get_running_loop().time()
        await notify(services, item(SITI, "received"))
        [message] = await standin.wait_for_messages(SITI, 1, timeout=5)
        await all_acknowledged(services.redis)
        await asyncio.sleep(2 * WINDOW)

    assert message.sent_at - started >= 1.0
    assert len(standin.sent(SITI)) == 1
    assert send_attempts(standin, SITI) == 2
    assert standin.rate_limited_count == 1  # the one on demand, none from the pacing


@BOTH_REDIS
async def test_a_blocked_chat_is_marked_not_retried_and_cleared_by_start(services, standin):
    redis = services.redis
    standin.block(SITI)
    async with bot_running(standin, services):
        await notify(services, item(SITI, "received"))
        await eventually(lambda: redis.exists(blocked_key(SITI)), what="chat marked")
        await all_acknowledged(redis)
        assert send_attempts(standin, SITI) == 1
        assert await redis.ttl(blocked_key(SITI)) == -1  # no expiry

        # Later notifications to the blocked chat: acknowledged, never attempted.
        await notify(services, item(SITI, "status_changed", status="VERIFIED"))
        await all_acknowledged(redis)
        await asyncio.sleep(2 * WINDOW)
        assert send_attempts(standin, SITI) == 1
        assert standin.sent(SITI) == []

        # The citizen unblocks the bot and sends /start: notifications flow again.
        standin.unblock(SITI)
        standin.enforce_rate_limits = False  # /start's own three replies come at once
        standin.send_command(SITI, "/start")
        await standin.wait_for_messages(SITI, 3)
        assert not await redis.exists(blocked_key(SITI))
        await asyncio.sleep(WINDOW)
        standin.enforce_rate_limits = True
        await notify(services, item(SITI, "status_changed", status="IN_PROGRESS"))
        *_, news = await standin.wait_for_messages(SITI, 4)

    assert "Sedang ditindaklanjuti" in news.plain_text
    assert standin.rate_limited_count == 0


@BOTH_REDIS
async def test_a_restart_mid_burst_delivers_every_notification_exactly_once(services, standin):
    chats = [2001, 2002, 2003, 2004, 2005, 2006]
    statuses = ["VERIFIED", "IN_PROGRESS", "RESOLVED"]
    burst = [
        item(chat, "status_changed", "id" if chat % 2 else "en", status=status)
        for chat in chats
        for status in statuses
    ]

    def delivered() -> int:
        return sum(len(standin.sent(chat)) for chat in chats)

    async with bot_running(standin, services, consumer="bot-restart"):
        await notify(services, *burst)
        await standin.wait_until(lambda: delivered() >= len(chats))
    before_restart = delivered()
    assert len(chats) <= before_restart < len(burst)  # stopped mid-burst
    assert await pending(services.redis) == len(burst) - before_restart

    await asyncio.sleep(WINDOW)  # a restart takes at least that long
    async with bot_running(standin, services, consumer="bot-restart"):
        await standin.wait_until(lambda: delivered() >= len(burst), timeout=5)
        await all_acknowledged(services.redis)
        await asyncio.sleep(3 * WINDOW)  # anything sent twice would arrive by now

    labels = {"id": ["Terverifikasi", "Sedang ditindaklanjuti", "Selesai ditindaklanjuti"]}
    labels["en"] = ["Verified", "Being handled", "Resolved"]
    for chat in chats:
        texts = [m.plain_text for m in standin.sent(chat)]
        expected = labels["id" if chat % 2 else "en"]
        assert len(texts) == 3, (chat, texts)
        assert all(label in text for label, text in zip(expected, texts, strict=True)), texts
    assert standin.rate_limited_count == 0


@BOTH_REDIS
async def test_the_sender_stops_with_an_application_stopped_without_its_hooks(services, standin):
    # tests/bot/conftest.py stops the bot this way: no post_stop, no post_shutdown.
    async with bot_running(standin, services, hooks=False) as application:
        notifier: Notifier = application.bot_data[BOT_DATA_KEY]
        await eventually(lambda: notifier.running, what="sender started")

    await eventually(lambda: not notifier.running, timeout=3, what="sender stopped")
    await notify(services, item(SITI, "received"))
    await asyncio.sleep(3 * WINDOW)
    assert standin.sent(SITI) == []


class FlakyBot:
    """Fails every send, as a network outage would, until ``down`` is set to False."""

    def __init__(self) -> None:
        self.down, self.attempts, self.sent = True, [], []

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def send_message(self, chat_id, text, **kwargs) -> None:
        self.attempts.append(asyncio.get_running_loop().time())
        if self.down:
            raise NetworkError("httpx.ConnectError: connection refused")
        self.sent.append(chat_id)


@BOTH_REDIS
async def test_a_failed_send_stays_pending_and_is_retried_with_backoff(services):
    bot = FlakyBot()
    notifier = Notifier(
        bot,
        services.redis,
        channel=CHANNEL,
        consumer="bot-flaky",
        pacing=Pacing(window_seconds=WINDOW, retry_first_seconds=0.1),
        block_ms=100,
    )
    await notifier.start()
    try:
        await notify(services, item(SITI, "received"))
        await eventually(lambda: len(bot.attempts) >= 3, what="three failed attempts")
        assert await pending(services.redis) == 1
        bot.down = False
        await eventually(lambda: bot.sent == [SITI], what="sent once the network is back")
        await all_acknowledged(services.redis)
    finally:
        await notifier.stop()

    first, second = (later - earlier for earlier, later in itertools.pairwise(bot.attempts[:3]))
    assert first >= 0.1 and second >= 0.2  # backing off: 0.1 s, 0.2 s, 0.4 s ...
    assert notifier.stats["sent"] == 1 and notifier.stats["failed"] == len(bot.attempts) - 1


def test_a_disbursement_update_is_told_in_the_citizens_words():
    from bot.notifications import Notification
    from bot.rendering.notification import render_notification

    stage = {
        "programme": "PKH",
        "year": 2026,
        "tahap": 4,
        "stage": "SI",
        "status": "SUKSES",
        "channel": "BRI",
        "amount": 750000,
        "date": "2026-11-03",
    }
    english = render_notification(
        Notification("0-1", 1, "disbursement.updated", "tg:1", "en", stage)
    )

    assert english.startswith("💸 <b>Your aid moved</b>")
    assert "Rp750.000" in english and "2026-11-03" in english
