"""The notification outbox and its relay to Redis streams.

Every change a citizen should hear about is written as an ``outbox_message`` row in the same
transaction as the change itself, so a committed change always has its notification and a
rolled-back one never does. The relay moves rows, oldest first, to the Redis stream of the
row's channel (``notifications:<channel>``), where the channel's consumer (the bot) reads
them through a consumer group and acknowledges each only after delivering it.

Nothing lost, nothing doubled:

- While Redis is unreachable the rows simply stay unrelayed; the next relay pass moves them.
- Each stream entry's id is ``0-<row id>``. Redis refuses an id not above the stream's last
  one, so a relay that died after adding an entry but before marking its row finds the
  entry refused on its next pass and only marks the row. That relies on rows reaching a
  stream in id order, hence one relay at a time (a Redis lock) and a batch that stops at the
  first failure.
- Redis must keep its data across restarts in production (``appendonly yes`` in
  docker-compose.yml); an entry relayed to a Redis that then lost its memory is gone.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.instants import utc_text
from api.domain.protection import Protector
from api.models import OutboxMessage

STREAM_PREFIX = "notifications:"
RELAY_LOCK_KEY = "outbox:relay:lock"
RELAY_LOCK_MS = 15_000
BATCH_SIZE = 500


def stream_for(channel: str) -> str:
    return f"{STREAM_PREFIX}{channel}"


def entry_id(outbox_id: int) -> str:
    return f"0-{outbox_id}"


def outbox_row(
    *,
    channel: str,
    channel_user: str,
    locale: str,
    kind: str,
    payload: Mapping[str, object],
    now: datetime,
) -> dict:
    """The values of one outbox row, to insert in the transaction of the change."""
    return {
        "created_at": now,
        "channel": channel,
        "channel_user": channel_user,
        "locale": locale,
        "kind": kind,
        "payload": json.dumps(payload, ensure_ascii=False, default=str),
        "relayed_at": None,
    }


async def notify_reporter(
    conn: AsyncConnection,
    protector: Protector,
    complaint,
    *,
    kind: str,
    status: str,
    action: str,
    note: str | None,
    office_code: str | None,
    now: datetime,
) -> None:
    """Tell a complaint's reporter of a change, in the change's own transaction.

    ``complaint`` is its row (channel, encrypted reporter, locale, tracking ID): the channel
    user is only decrypted here, to address the notification.
    """
    reporter = json.loads(
        protector.decrypt(complaint.reporter_encrypted, column="complaint.reporter")
    )
    await conn.execute(
        insert(OutboxMessage.__table__).values(
            outbox_row(
                channel=complaint.channel,
                channel_user=reporter["user"],
                locale=complaint.reporter_locale,
                kind=kind,
                payload={
                    "tracking_id": complaint.tracking_id,
                    "status": status,
                    "action": action,
                    "note": note,
                    "office_code": office_code,
                },
                now=now,
            )
        )
    )


@dataclass(frozen=True)
class RelayResult:
    relayed: int
    # True when this pass could not reach Redis (rows stay for the next pass).
    redis_unavailable: bool = False
    # True when another process holds the relay lock.
    busy: bool = False


_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


async def relay_once(
    *, engine: AsyncEngine, redis: Redis, batch_size: int = BATCH_SIZE
) -> RelayResult:
    """Move up to ``batch_size`` unrelayed rows to their streams, in id order."""
    token = secrets.token_hex(8)
    try:
        if not await redis.set(RELAY_LOCK_KEY, token, nx=True, px=RELAY_LOCK_MS):
            return RelayResult(0, busy=True)
    except (RedisError, OSError):
        return RelayResult(0, redis_unavailable=True)
    try:
        return await _relay_batch(engine=engine, redis=redis, batch_size=batch_size)
    finally:
        with contextlib.suppress(RedisError, OSError):  # else the lock expires by itself
            await redis.eval(_RELEASE_LOCK, 1, RELAY_LOCK_KEY, token)


async def _relay_batch(*, engine: AsyncEngine, redis: Redis, batch_size: int) -> RelayResult:
    outbox = OutboxMessage.__table__
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(outbox)
                .where(outbox.c.relayed_at.is_(None))
                .order_by(outbox.c.id)
                .limit(batch_size)
            )
        ).all()
    if not rows:
        return RelayResult(0)
    pipe = redis.pipeline(transaction=False)
    for row in rows:
        pipe.xadd(
            stream_for(row.channel),
            {
                "outbox_id": str(row.id),
                "kind": row.kind,
                "channel_user": row.channel_user,
                "locale": row.locale,
                "payload": row.payload,
                # The one form of every instant the api hands a channel (api.domain.instants).
                "created_at": utc_text(row.created_at),
            },
            id=entry_id(row.id),
        )
    try:
        results = await pipe.execute(raise_on_error=False)
    except (RedisError, OSError):
        return RelayResult(0, redis_unavailable=True)
    done: list[int] = []
    unavailable = False
    for row, result in zip(rows, results, strict=True):
        if isinstance(result, ResponseError) and "equal or smaller" in str(result):
            done.append(row.id)  # added by an earlier pass that died before marking it
        elif isinstance(result, Exception):
            unavailable = True
            break  # keep id order: later rows wait for this one
        else:
            done.append(row.id)
    if done:
        async with engine.begin() as conn:
            await conn.execute(
                update(outbox).where(outbox.c.id.in_(done)).values(relayed_at=datetime.now(UTC))
            )
    return RelayResult(len(done), redis_unavailable=unavailable)
