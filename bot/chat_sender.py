"""The notifier's sending side: one queue and one worker per chat, paced, in order.

Each chat has its own queue and worker, so a chat with three messages waiting gets them one
window apart (:mod:`bot.pacing`) while the other chats go on, and every chat's messages keep
their order. A worker has its turn and a token before it touches Redis or Telegram, so however
many chats are waiting, only about ``overall_limit`` of them are on their way at a time.

Every entry goes through ``NotificationConsumer._handle``, which keeps the exactly-once rules
in one place: an entry is acknowledged, and its outbox id marked, only after
:meth:`ChatSender._deliver` returned; a delivery that raised stays pending.

Errors:

- 429 (``RetryAfter``): every send pauses ``retry_after`` seconds, then the same message is
  sent again; it stays pending in Redis until it is sent.
- 403 (``Forbidden``: the citizen blocked the bot, or deleted their account): the chat is
  marked ``bot:blocked:<chat id>`` (no expiry) and the entry acknowledged; later entries for
  that chat are acknowledged without a send, until ``/start`` clears the mark.
- anything else (other Telegram errors, the network, Redis): the entry stays pending and the
  chat's worker tries it again after 1, 2, 4 ... up to 300 seconds, holding back that chat's
  later messages so they keep their order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter

from bot.filing_confirmations import confirmed_in_chat
from bot.notifications import Notification, NotificationConsumer
from bot.pacing import Pacing, SendWindow
from bot.rendering.notification import render_notification

# One logger for the whole notifier, reading and sending alike.
log = logging.getLogger("bot.notifier")

#: ``bot:blocked:<chat id>``: the citizen blocked the bot; nothing is sent until /start.
BLOCKED_PREFIX = "bot:blocked:"


def blocked_key(chat_id: int) -> str:
    return f"{BLOCKED_PREFIX}{chat_id}"


def chat_of(channel_user: str) -> int | None:
    """``tg:<chat id>`` (see ``bot.handlers.common.user_key``) -> the chat id."""
    prefix, _, ident = channel_user.partition(":")
    if prefix != "tg":
        return None
    try:
        return int(ident)
    except ValueError:
        return None


async def sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake up at once when ``stopping`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


def _retry_after_seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)  # a timedelta; the public one warns in v22
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class ChatSender:
    """Delivers the entries :meth:`enqueue` is given, through ``consumer``, chat by chat.

    ``stopping`` is the notifier's: once set, no new send starts (a send on its way may
    finish). ``held`` is every entry id in memory, queued or on its way; ``room`` is set
    whenever one leaves it.
    """

    def __init__(
        self,
        bot: Bot,
        redis: Redis,
        *,
        channel: str,
        consumer: str,
        pacing: Pacing,
        stopping: asyncio.Event,
    ) -> None:
        self.bot, self.redis, self.pacing = bot, redis, pacing
        self.consumer = NotificationConsumer(
            redis, channel=channel, consumer=consumer, deliver=self._deliver
        )
        self._stopping = stopping
        self._window = SendWindow(pacing.overall_limit, pacing.window_seconds)
        #: Per chat: entries waiting, oldest first (the head is the one being delivered).
        self._queues: dict[int, deque[tuple[str, Any]]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self.held: set[str] = set()
        self.room = asyncio.Event()
        #: Chats whose message is on its way: a stop waits for these instead of cancelling.
        self._sending: set[int] = set()
        #: Chats holding a token not yet spent on a send.
        self._unspent: set[int] = set()
        self._next_turn: dict[int, float] = {}
        self._paused_until = 0.0
        # What _deliver did, per entry, for the worker that called the consumer.
        self._started: set[str] = set()
        self._done: set[str] = set()
        #: Sent, but the acknowledgement failed (Redis): not to be sent again.
        self._sent_unacked: set[str] = set()
        #: sent, blocked (403 answers), skipped_blocked, skipped_confirmed (a complaint the
        #: chat confirmed itself: bot.filing_confirmations), retry_after (429 answers), failed.
        self.stats: Counter[str] = Counter()

    def enqueue(self, chat_id: int, entry_id: str, fields: Any) -> None:
        """Queue an entry behind the chat's earlier ones; its worker starts if none runs."""
        self.held.add(entry_id)
        self._queues.setdefault(chat_id, deque()).append((entry_id, fields))
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.create_task(self._work(chat_id))

    def forget_old_turns(self) -> None:
        now = asyncio.get_running_loop().time()
        for chat_id in [c for c, turn in self._next_turn.items() if turn < now]:
            del self._next_turn[chat_id]

    async def wind_down(self, grace_seconds: float) -> None:
        """Cancel the workers that wait; give the sends on their way ``grace_seconds``."""
        workers = list(self._workers.values())
        for chat_id, task in list(self._workers.items()):
            if chat_id not in self._sending:
                task.cancel()
        if workers:
            _, late = await asyncio.wait(workers, timeout=grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        self._queues.clear()
        self.held.clear()

    async def _work(self, chat_id: int) -> None:
        """One chat's messages, in order; a failed one is tried again before the next."""
        queue = self._queues[chat_id]
        attempts = 0
        try:
            while queue and not self._stopping.is_set():
                entry_id, fields = queue[0]
                # The turn and a token first: only that many chats go on to Redis and
                # Telegram at a time, however many are waiting.
                await self._turn(chat_id)
                if await self._handle(chat_id, entry_id, fields):
                    attempts = 0
                    queue.popleft()
                    self.held.discard(entry_id)
                    self.room.set()
                else:
                    attempts += 1
                    await sleep_unless(self._stopping, self.pacing.backoff(attempts))
        finally:
            self._workers.pop(chat_id, None)
            if not queue:
                self._queues.pop(chat_id, None)

    async def _handle(self, chat_id: int, entry_id: str, fields: Any) -> bool:
        """Deliver and acknowledge one entry through the consumer; True when it is done."""
        try:
            await self.consumer._handle(entry_id, fields)
            # Not started: delivered before (its mark was set), and now acknowledged.
            done = entry_id not in self._started or entry_id in self._done
        except (RedisError, OSError) as exc:  # checking the mark or acknowledging
            log.warning("notifier: entry %s not acknowledged (%s)", entry_id, type(exc).__name__)
            done = False
        finally:
            self._started.discard(entry_id)
            self._done.discard(entry_id)
            self._sending.discard(chat_id)
            if chat_id in self._unspent:  # nothing was sent: the token goes back at once
                self._unspent.discard(chat_id)
                self._window.release()
        if done:
            self._sent_unacked.discard(entry_id)
        return done

    async def _deliver(self, notification: Notification) -> None:
        """The consumer's ``deliver``: returns once sent (or for good not sendable)."""
        entry_id = notification.entry_id
        self._started.add(entry_id)
        try:
            await self._send(notification)
        except Exception as exc:
            self.stats["failed"] += 1
            log.warning(
                "notifier: outbox %s not sent (%s); will retry",
                notification.outbox_id,
                type(exc).__name__,
            )
            raise
        self._done.add(entry_id)

    async def _send(self, notification: Notification) -> None:
        chat_id = chat_of(notification.channel_user)
        entry_id = notification.entry_id
        if chat_id is None or entry_id in self._sent_unacked:
            return  # (checked by the notifier) / sent already, only the acknowledgement failed
        if await self.redis.exists(blocked_key(chat_id)):
            self.stats["skipped_blocked"] += 1
            return
        if await confirmed_in_chat(self.redis, notification.kind, notification.payload):
            self.stats["skipped_confirmed"] += 1
            return
        text = render_notification(notification)
        while True:
            if chat_id not in self._unspent:
                await self._turn(chat_id)  # again, after a 429
            self._unspent.discard(chat_id)
            self._sending.add(chat_id)
            try:
                await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
            except RetryAfter as exc:
                self._sending.discard(chat_id)
                self.stats["retry_after"] += 1
                loop = asyncio.get_running_loop()
                self._paused_until = max(
                    self._paused_until, loop.time() + _retry_after_seconds(exc)
                )
                continue
            except Forbidden:
                self._sending.discard(chat_id)
                await self.redis.set(blocked_key(chat_id), 1)
                self.stats["blocked"] += 1
                log.info("notifier: outbox %s: the chat blocked the bot", notification.outbox_id)
                return
            except BaseException:
                self._sending.discard(chat_id)
                raise
            finally:
                self._answered(chat_id)
            self._sent_unacked.add(entry_id)
            self.stats["sent"] += 1
            return

    async def _turn(self, chat_id: int) -> None:
        """Wait for this chat's next turn, a token, and the end of any 429 pause; the token
        is then held (``_unspent``) until a send spends it or ``_handle`` gives it back."""
        loop = asyncio.get_running_loop()
        while True:
            if self._stopping.is_set():
                raise asyncio.CancelledError  # not sent: stays pending for the next start
            delay = max(self._next_turn.get(chat_id, 0.0), self._paused_until) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            await self._window.acquire()
            if self._paused_until > loop.time() or self._stopping.is_set():
                self._window.release()  # a 429 arrived (or a stop) while it queued
                continue
            self._unspent.add(chat_id)
            return

    def _answered(self, chat_id: int) -> None:
        self._window.release_after_window()
        self._next_turn[chat_id] = asyncio.get_running_loop().time() + self.pacing.window_seconds
