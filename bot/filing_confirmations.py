"""One confirmation per complaint filed in the chat.

The api queues a "complaint.received" notification for every complaint it files, for every
channel. A complaint filed in this bot's chat is confirmed there at once, with more (the
office, the deadline), so the notifier must not send the citizen that second confirmation.
The chat marks the complaint as soon as the api has filed it, before its evidence is
uploaded, so the mark is there before the notification can be relayed; the notifier then
acknowledges the notification without sending it. A complaint filed elsewhere, or one whose
chat answer never came (the bot stopped right after filing, before the mark), keeps its
notification: the citizen hears of their complaint at least once.
"""

from __future__ import annotations

import contextlib

from redis.asyncio import Redis
from redis.exceptions import RedisError

#: ``bot:confirmed:<tracking id>``: the chat that filed this complaint confirms it itself.
PREFIX = "bot:confirmed:"
#: Longer than the api's outbox could lag behind (its relay down for days): kept a week.
TTL_SECONDS = 7 * 24 * 3600
#: The notification the mark stands in for.
RECEIVED = "complaint.received"


def _key(tracking_id: str) -> str:
    # The api writes a tracking ID bare (7K3M9QX2P) and shows it grouped (7K3-M9Q-X2P).
    return PREFIX + tracking_id.replace("-", "").upper()


async def confirm_in_chat(redis: Redis, tracking_id: str) -> None:
    """The chat confirms this complaint: its "received" notification is not to be sent.

    Best effort: with Redis unreachable the complaint is still filed and confirmed here,
    and the notification merely says so a second time."""
    with contextlib.suppress(RedisError):
        await redis.set(_key(tracking_id), 1, ex=TTL_SECONDS)


async def confirmed_in_chat(redis: Redis, kind: str, payload: object) -> bool:
    """Whether a notification is the "received" of a complaint the chat already confirmed."""
    if kind != RECEIVED or not isinstance(payload, dict):
        return False
    tracking_id = payload.get("tracking_id")
    return isinstance(tracking_id, str) and bool(await redis.exists(_key(tracking_id)))
