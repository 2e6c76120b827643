"""Consuming the api's notification stream: deliver each message once, acknowledge after.

The api's outbox relay adds one entry per notification to ``notifications:<channel>``
(fields: outbox_id, kind, channel_user, locale, payload as JSON, created_at). This consumer
reads them through a consumer group and acknowledges an entry only after ``deliver`` has
returned, so a consumer that dies mid-way leaves the entry pending and the next start
delivers it. To not send twice what was delivered just before such a crash, the consumer
marks each delivered outbox id in Redis *with* the acknowledgement, and skips marked ids.
(The one window left is a crash between ``deliver`` returning and that mark: at-least-once,
narrowed to a few microseconds.)

The bot's own sender (issue 4) passes a ``deliver`` that talks to Telegram; this module
knows nothing about Telegram.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

log = logging.getLogger(__name__)

STREAM_PREFIX = "notifications:"
GROUP = "delivery"
DELIVERED_TTL_SECONDS = 7 * 24 * 3600
#: A pending entry idle this long belonged to a consumer that died; another takes it over.
CLAIM_IDLE_MS = 60_000


def delivered_marker(stream: str, outbox_id: int) -> str:
    """The key marking an outbox id delivered. It is set in one MULTI with the stream's
    XACK, and Redis Cluster runs a MULTI only on keys of one hash slot: the stream's name as
    the hash tag puts the marker in the stream's slot (a key without braces, such as the
    stream's, hashes whole, so ``{notifications:x}`` and ``notifications:x`` agree)."""
    return f"delivered:{{{stream}}}:{outbox_id}"


@dataclass(frozen=True)
class Notification:
    entry_id: str
    outbox_id: int
    kind: str
    channel_user: str
    locale: str
    payload: dict[str, Any]


Deliver = Callable[[Notification], Awaitable[None]]


class NotificationConsumer:
    def __init__(self, redis: Redis, *, channel: str, consumer: str, deliver: Deliver) -> None:
        self.redis, self.deliver = redis, deliver
        self.stream = f"{STREAM_PREFIX}{channel}"
        self.consumer = consumer

    async def ensure_group(self) -> None:
        try:
            # From the very beginning: entries relayed before the first consumer started
            # must be delivered too.
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run_once(self, *, block_ms: int | None = None, count: int = 50) -> int:
        """Deliver what is pending for this consumer, then what is new; returns how many."""
        await self.ensure_group()
        delivered = 0
        # Our own pending entries first (delivered before a crash, or not yet), then those
        # of consumers that died, then new ones.
        for start in ("0", None):
            entries = await self._read(start, block_ms=None if start else block_ms, count=count)
            for entry_id, fields in entries:
                delivered += await self._handle(entry_id, fields)
        claimed = await self.redis.xautoclaim(
            self.stream, GROUP, self.consumer, min_idle_time=CLAIM_IDLE_MS, count=count
        )
        for entry_id, fields in claimed[1]:
            if fields:
                delivered += await self._handle(entry_id, fields)
        return delivered

    async def _read(self, start: str | None, *, block_ms: int | None, count: int):
        response = await self.redis.xreadgroup(
            GROUP, self.consumer, {self.stream: start or ">"}, count=count, block=block_ms
        )
        return response[0][1] if response else []

    async def _handle(self, entry_id, fields) -> int:
        notification = _parse(entry_id, fields)
        marker = delivered_marker(self.stream, notification.outbox_id)
        if await self.redis.exists(marker):
            await self.redis.xack(self.stream, GROUP, notification.entry_id)
            return 0
        try:
            await self.deliver(notification)
        except Exception:
            # Left pending: retried on the next pass (the sender decides what is permanent).
            log.warning("delivery of outbox %s failed; will retry", notification.outbox_id)
            return 0
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(marker, 1, ex=DELIVERED_TTL_SECONDS)
        pipe.xack(self.stream, GROUP, notification.entry_id)
        await pipe.execute()
        return 1


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _parse(entry_id, fields) -> Notification:
    data = {_text(k): _text(v) for k, v in fields.items()}
    return Notification(
        entry_id=_text(entry_id),
        outbox_id=int(data["outbox_id"]),
        kind=data["kind"],
        channel_user=data["channel_user"],
        locale=data["locale"],
        payload=json.loads(data["payload"]),
    )
