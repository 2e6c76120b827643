"""The bot's notification sender: the api's stream to the citizens' chats, within Telegram's limits.

Runs inside the bot process (``bot.app.attach_notifier``). It reads ``notifications:<channel>``
through the consumer group of :mod:`bot.notifications` and hands every entry to a
:class:`~bot.chat_sender.ChatSender`, which delivers each chat's entries in order, paced
(:mod:`bot.pacing`), and acknowledges an entry only once it was sent (or for good not
sendable). This module keeps the reading and the sender's life: start, upkeep, stop.

Restarts: on start the consumer's own pending entries (read, not acknowledged, by the process
that had the same ``BOT_CONSUMER_NAME`` before) are queued first, then new ones. Entries of
another name idle for ``CLAIM_IDLE_MS`` are taken over; entries held here are re-claimed every
20 s so that they never look idle to another process. A stop lets sends already on their way
finish and be acknowledged, and leaves everything else pending for the next start. A crash
between a send and its acknowledgement sends that one message again (at-least-once, narrowed
to one round trip); a send whose answer never came (timeout) is tried again too.

Pacing is per process: run one bot process per token (polling allows only one anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from telegram import Bot
from telegram.ext import ContextTypes

from bot.chat_sender import ChatSender, blocked_key, chat_of, sleep_unless
from bot.notifications import CLAIM_IDLE_MS, GROUP
from bot.pacing import Pacing

log = logging.getLogger(__name__)

#: Where ``attach_notifier`` keeps the running sender in ``application.bot_data``.
BOT_DATA_KEY = "notifier"
#: How often held entries are re-claimed and dead consumers' entries taken over.
UPKEEP_SECONDS = CLAIM_IDLE_MS / 3 / 1000
#: How long a stop waits for sends already on their way.
STOP_GRACE_SECONDS = 10.0


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Notifier:
    """Sends the notifications of ``notifications:<channel>`` to Telegram chats.

    ``bot`` is a plain :class:`telegram.Bot` of its own (no rate limiter in between);
    ``alive`` is asked between reads: once it answers False the sender stops by itself.
    """

    def __init__(
        self,
        bot: Bot,
        redis: Redis,
        *,
        channel: str,
        consumer: str,
        pacing: Pacing = Pacing(),
        block_ms: int = 1000,
        batch: int = 100,
        max_held: int = 5000,
        alive: Callable[[], bool] | None = None,
    ) -> None:
        self.bot, self.redis, self.pacing = bot, redis, pacing
        self._stopping = asyncio.Event()
        self.sender = ChatSender(
            bot, redis, channel=channel, consumer=consumer, pacing=pacing, stopping=self._stopping
        )
        self.consumer = self.sender.consumer
        self.stream, self.name = self.consumer.stream, consumer
        self.block_ms, self.batch, self.max_held = block_ms, batch, max_held
        self._alive = alive or (lambda: True)
        self._task: asyncio.Task[None] | None = None
        self._reading = self._read_cancelled = False
        #: sent, blocked, skipped_blocked, skipped_confirmed, retry_after, failed (ChatSender).
        self.stats = self.sender.stats

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"notifier:{self.name}")

    async def stop(self) -> None:
        """Stop reading; let sends on their way finish; leave the rest pending. Idempotent."""
        self._stopping.set()
        if self._reading and self._task is not None and not self._read_cancelled:
            self._read_cancelled = True
            self._task.cancel()
        if self._task is not None:
            await asyncio.wait({self._task})
            if not self._task.cancelled() and self._task.exception() is not None:
                log.error("notifier: stopped by an error", exc_info=self._task.exception())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def unblock(self, chat_id: int) -> None:
        """The citizen is back (/start): their notifications are sent again."""
        await self.redis.delete(blocked_key(chat_id))

    def _running(self) -> bool:
        return not self._stopping.is_set() and self._alive()

    async def _run(self) -> None:
        try:
            if await self._initialize():
                await self._consume()
        finally:
            await self._wind_down()

    async def _initialize(self) -> bool:
        attempts = 0
        while self._running():
            try:
                await self.bot.initialize()
                return True
            except Exception as exc:  # Telegram unreachable at start: keep trying
                attempts += 1
                log.warning("notifier: cannot reach Telegram (%s); retrying", type(exc).__name__)
                await sleep_unless(self._stopping, self.pacing.backoff(attempts))
        return False

    async def _wind_down(self) -> None:
        self._stopping.set()
        await self.sender.wind_down(STOP_GRACE_SECONDS)
        with contextlib.suppress(Exception):
            await self.bot.shutdown()

    # --- reading ------------------------------------------------------------------------------

    async def _consume(self) -> None:
        loop = asyncio.get_running_loop()
        recovered = False
        next_upkeep = 0.0
        failures = 0
        while self._running():
            try:
                if not recovered:
                    await self.consumer.ensure_group()
                    await self._take_own_pending()
                    recovered = True
                    next_upkeep = loop.time() + UPKEEP_SECONDS
                if len(self.sender.held) >= self.max_held:
                    self.sender.room.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.sender.room.wait(), self.block_ms / 1000)
                    continue
                entries = await self._read_new()
                if not self._running():
                    break  # read after the stop: they stay pending for the next start
                await self._dispatch_all(entries)
                if loop.time() >= next_upkeep:
                    await self._upkeep()
                    next_upkeep = loop.time() + UPKEEP_SECONDS
                failures = 0
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if self._read_cancelled and task is not None and task.cancelling() == 1:
                    task.uncancel()
                    break  # stop() cancelled the blocking read (entries it got stay pending)
                raise
            except (RedisError, OSError) as exc:
                if "NOGROUP" in str(exc):
                    recovered = False  # the stream or its group was deleted: create them again
                failures += 1
                log.warning("notifier: reading the stream failed (%s)", type(exc).__name__)
                await sleep_unless(self._stopping, min(self.pacing.backoff(failures), 30.0))

    async def _read_new(self) -> list:
        self._reading = True  # stop() cancels this read instead of waiting for it
        try:
            response = await self.redis.xreadgroup(
                GROUP, self.name, {self.stream: ">"}, count=self.batch, block=self.block_ms
            )
        finally:
            self._reading = False
        return response[0][1] if response else []

    async def _take_own_pending(self) -> None:
        """Entries this consumer name read before (a previous process) and never acknowledged."""
        start = "0"
        while self._running():
            response = await self.redis.xreadgroup(
                GROUP, self.name, {self.stream: start}, count=self.batch
            )
            entries = response[0][1] if response else []
            if not entries:
                return
            await self._dispatch_all(entries)
            start = _text(entries[-1][0])

    async def _upkeep(self) -> None:
        """Keep held entries ours; take over those of consumers that died; forget old turns."""
        held = list(self.sender.held)
        for i in range(0, len(held), 500):
            await self.redis.xclaim(
                self.stream,
                GROUP,
                self.name,
                min_idle_time=0,
                message_ids=held[i : i + 500],
                justid=True,
            )
        start: object = "0-0"
        for _ in range(10):
            claimed = await self.redis.xautoclaim(
                self.stream,
                GROUP,
                self.name,
                min_idle_time=CLAIM_IDLE_MS,
                start_id=start,
                count=self.batch,
            )
            await self._dispatch_all(claimed[1])
            start = claimed[0]
            if _text(start) == "0-0":
                break
        self.sender.forget_old_turns()

    async def _dispatch_all(self, entries: Iterable) -> None:
        for entry_id, fields in entries:
            await self._dispatch(_text(entry_id), fields)

    async def _dispatch(self, entry_id: str, fields: Any) -> None:
        if entry_id in self.sender.held:
            return
        if not fields:  # trimmed from the stream: nothing left to send
            await self.redis.xack(self.stream, GROUP, entry_id)
            return
        data = {_text(key): value for key, value in fields.items()}
        chat_id = chat_of(_text(data.get("channel_user", "")))
        if chat_id is None:
            log.error("notifier: entry %s is not for a Telegram chat; dropped", entry_id)
            await self.redis.xack(self.stream, GROUP, entry_id)
            return
        self.sender.enqueue(chat_id, entry_id, fields)


async def unblock_notifications(context: ContextTypes.DEFAULT_TYPE, chat_id: int | None) -> None:
    """For /start: a citizen who had blocked the bot gets notifications again."""
    notifier = context.bot_data.get(BOT_DATA_KEY)
    if notifier is not None and chat_id is not None:
        await notifier.unblock(chat_id)
