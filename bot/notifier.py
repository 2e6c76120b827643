"""The bot's notification sender: the api's stream to the citizens' chats, within Telegram's limits.

Runs inside the bot process (``bot.app.attach_notifier``). It reads ``notifications:<channel>``
through the consumer group of :mod:`bot.notifications` and hands every entry to
``NotificationConsumer._handle``, which keeps the exactly-once rules in one place: an entry is
acknowledged, and its outbox id marked, only after :meth:`Notifier._deliver` returned; a
delivery that raised stays pending. What this module adds is concurrency and pacing: each chat
has its own queue and worker, so a chat with three messages waiting gets them one window apart
while the other chats go on, and every chat's messages keep their order.

Pacing (Telegram: about 30 messages per second overall, 1 per second in a private chat;
python-telegram-bot's AIORateLimiter does not space private chats, and this sender does not
use it):

- overall, a token bucket of ``overall_limit`` tokens: a send takes one and gives it back one
  window after *Telegram's answer* to it arrived. Telegram accepts a message before it answers,
  so two sends that share a token are accepted more than a window apart, whatever the latency:
  no window of Telegram's clock sees more than ``overall_limit`` of them. The price is the
  round trip: throughput is ``overall_limit / (window + latency)``. Waiting chats get tokens in
  the order they asked (FIFO), so no chat starves.
- per chat, the next message waits until one window after the answer to the previous one.
- a chat's worker has its turn and a token before it touches Redis or Telegram, so however
  many chats are waiting, only about ``overall_limit`` of them are on their way at a time.

Errors:

- 429 (``RetryAfter``): every send pauses ``retry_after`` seconds, then the same message is
  sent again; it stays pending in Redis until it is sent.
- 403 (``Forbidden``: the citizen blocked the bot, or deleted their account): the chat is
  marked ``bot:blocked:<chat id>`` (no expiry) and the entry acknowledged; later entries for
  that chat are acknowledged without a send, until ``/start`` clears the mark.
- anything else (other Telegram errors, the network, Redis): the entry stays pending and the
  chat's worker tries it again after 1, 2, 4 ... up to 300 seconds, holding back that chat's
  later messages so they keep their order.

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
import html
import logging
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter
from telegram.ext import ContextTypes

import messages
from bot.notifications import CLAIM_IDLE_MS, GROUP, Notification, NotificationConsumer
from bot.texts import plain

log = logging.getLogger(__name__)

#: ``bot:blocked:<chat id>``: the citizen blocked the bot; nothing is sent until /start.
BLOCKED_PREFIX = "bot:blocked:"
#: Where ``attach_notifier`` keeps the running sender in ``application.bot_data``.
BOT_DATA_KEY = "notifier"
#: Telegram's limit on a message's text after entity parsing.
MAX_TEXT = 4096
TOPIC = "bot_notifications"
#: Notification kind -> macro of messages/<locale>/bot_notifications.j2.
KINDS = {
    "complaint.received": "received",
    "complaint.status_changed": "status_changed",
    "complaint.answered": "answered",
    "complaint.info_requested": "info_requested",
    "complaint.reply": "reply",
    "complaint.forwarded": "forwarded",
    "complaint.reopened": "reopened",
    "complaint.closed": "closed",
}
#: Kinds that carry the office's (citizen-visible) note.
_WITH_NOTE = frozenset(KINDS.values()) - {"received"}
#: How often held entries are re-claimed and dead consumers' entries taken over.
UPKEEP_SECONDS = CLAIM_IDLE_MS / 3 / 1000
#: How long a stop waits for sends already on their way.
STOP_GRACE_SECONDS = 10.0

_TAG = re.compile(r"<[^>]*>")


# --- what the citizen reads ---------------------------------------------------------------


class _Once(str):
    """A value unique to one message: kept out of ``messages.render``'s cache (it only caches
    plain ``str``/``int`` values), which would otherwise fill up with staff notes."""


def display_tracking_id(tracking_id: str) -> str:
    """``7K3M9QX2P`` -> ``7K3-M9Q-X2P`` (groups of three)."""
    compact = re.sub(r"[\s-]", "", tracking_id).upper()
    return "-".join(compact[i : i + 3] for i in range(0, len(compact), 3))


def visible_length(text: str) -> int:
    """What Telegram counts of an HTML message: the text without tags, entities decoded.

    Counted in UTF-16 code units, which is never less than the code points either way of
    counting gives, so a text within this length fits however Telegram counts.
    """
    return _utf16_length(html.unescape(_TAG.sub("", text)))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _status_label(locale: str, status: str) -> str:
    try:
        return plain(messages.render(locale, f"complaints.status_{status}"))
    except messages.UnknownMessage:
        return status


def render_notification(notification: Notification) -> str:
    """The message for a notification, in the citizen's language, at most 4096 characters."""
    payload: dict[str, Any] = notification.payload if isinstance(notification.payload, dict) else {}
    locale = notification.locale
    if notification.kind == "disbursement.updated":
        return _disbursement_message(locale, payload)
    kind = KINDS.get(notification.kind, "updated")
    status = str(payload.get("status") or "")
    params: dict[str, object] = {
        "tracking_id": _Once(display_tracking_id(str(payload.get("tracking_id") or "")))
    }
    if kind in ("status_changed", "updated"):
        params["status"] = _status_label(locale, status)
    if kind == "answered":
        params["resolved"] = status != "REJECTED" and payload.get("action") != "reject"
    if kind not in _WITH_NOTE:
        return messages.render(locale, f"{TOPIC}.{kind}", **params)
    note = payload.get("note")
    note = note.strip() if isinstance(note, str) else ""
    return _fitted(locale, kind, params, note)


def _disbursement_message(locale: str, stage: dict[str, Any]) -> str:
    """ "Your aid moved": one stage of one tahap, labelled in the citizen's language."""

    def label(key: str, **params: object) -> str:
        return plain(messages.render(locale, key, **params))

    return messages.render(
        locale,
        f"{TOPIC}.disbursement_updated",
        programme=label("eligibility.programme_name", code=str(stage.get("programme", ""))),
        tahap=label(
            "disbursement.tahap",
            number=int(stage.get("tahap") or 0),
            year=int(stage.get("year") or 0),
        ),
        stage=label("disbursement.stage", code=str(stage.get("stage", ""))),
        status=label("disbursement.status", code=str(stage.get("status", ""))),
        channel=label("disbursement.channel", code=str(stage.get("channel", ""))),
        amount=int(stage.get("amount") or 0),
        date=str(stage.get("date", "")),
    )


def _fitted(locale: str, kind: str, params: dict[str, object], note: str) -> str:
    """Render with the note, shortened with "…" until the message fits."""
    text = messages.render(locale, f"{TOPIC}.{kind}", **params, note=_Once(note) or None)
    for _ in range(8):
        excess = visible_length(text) - MAX_TEXT
        if excess <= 0 or len(note) <= 1:
            break
        keep = max(0, _utf16_length(note) - excess - 1)  # and one for the "…"
        note = note.encode("utf-16-le")[: 2 * keep].decode("utf-16-le", "ignore").rstrip() + "…"
        text = messages.render(locale, f"{TOPIC}.{kind}", **params, note=_Once(note))
    return text


# --- pacing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pacing:
    #: Messages per window over all chats; each chat gets one message per window.
    overall_limit: int = 30
    window_seconds: float = 1.0
    #: Backoff of a chat whose message failed (not 429, not 403): doubled up to the maximum.
    retry_first_seconds: float = 1.0
    retry_max_seconds: float = 300.0

    def backoff(self, attempts: int) -> float:
        return min(self.retry_max_seconds, self.retry_first_seconds * 2 ** max(0, attempts - 1))


class SendWindow:
    """At most ``limit`` sends per ``window``, counted from Telegram's answers.

    A token bucket: :meth:`acquire` takes a token (waiting, first come first served, while
    there is none) and :meth:`release_after_window` gives it back one window later; call it
    once the answer to the send has arrived.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._free = limit
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a token just as it was cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release_after_window(self) -> None:
        asyncio.get_running_loop().call_later(self.window, self.release)

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


# --- the sender -----------------------------------------------------------------------------


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


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _retry_after_seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)  # a timedelta; the public one warns in v22
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


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
        self.consumer = NotificationConsumer(
            redis, channel=channel, consumer=consumer, deliver=self._deliver
        )
        self.stream, self.name = self.consumer.stream, consumer
        self.block_ms, self.batch, self.max_held = block_ms, batch, max_held
        self._alive = alive or (lambda: True)
        self._window = SendWindow(pacing.overall_limit, pacing.window_seconds)
        #: Per chat: entries waiting, oldest first (the head is the one being delivered).
        self._queues: dict[int, deque[tuple[str, Any]]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        #: Every entry id held in memory (queued or on its way).
        self._held: set[str] = set()
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
        self._room = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._reading = self._read_cancelled = False
        #: sent, blocked (403 answers), skipped_blocked, retry_after (429 answers), failed.
        self.stats: Counter[str] = Counter()

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
                await self._sleep(self.pacing.backoff(attempts))
        return False

    async def _wind_down(self) -> None:
        self._stopping.set()
        workers = list(self._workers.values())
        for chat_id, task in list(self._workers.items()):
            if chat_id not in self._sending:
                task.cancel()
        if workers:
            _, late = await asyncio.wait(workers, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        self._queues.clear()
        self._held.clear()
        with contextlib.suppress(Exception):
            await self.bot.shutdown()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up at once when the sender stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

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
                if len(self._held) >= self.max_held:
                    self._room.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._room.wait(), self.block_ms / 1000)
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
                await self._sleep(min(self.pacing.backoff(failures), 30.0))

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
        held = list(self._held)
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
        now = asyncio.get_running_loop().time()
        for chat_id in [c for c, turn in self._next_turn.items() if turn < now]:
            del self._next_turn[chat_id]

    async def _dispatch_all(self, entries: Iterable) -> None:
        for entry_id, fields in entries:
            await self._dispatch(_text(entry_id), fields)

    async def _dispatch(self, entry_id: str, fields: Any) -> None:
        if entry_id in self._held:
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
        self._held.add(entry_id)
        self._queues.setdefault(chat_id, deque()).append((entry_id, fields))
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.create_task(self._work(chat_id))

    # --- sending ------------------------------------------------------------------------------

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
                    self._held.discard(entry_id)
                    self._room.set()
                else:
                    attempts += 1
                    await self._sleep(self.pacing.backoff(attempts))
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
            return  # (checked by _dispatch) / sent already, only the acknowledgement failed
        if await self.redis.exists(blocked_key(chat_id)):
            self.stats["skipped_blocked"] += 1
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


async def unblock_notifications(context: ContextTypes.DEFAULT_TYPE, chat_id: int | None) -> None:
    """For /start: a citizen who had blocked the bot gets notifications again."""
    notifier = context.bot_data.get(BOT_DATA_KEY)
    if notifier is not None and chat_id is not None:
        await notifier.unblock(chat_id)
