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
from dataclasses import dataclass, field
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import func, insert, select, update
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
            reporter_notification(
                complaint,
                reporter["user"],
                kind=kind,
                status=status,
                action=action,
                note=note,
                office_code=office_code,
                now=now,
            )
        )
    )


def reporter_notification(
    complaint,
    channel_user: str,
    *,
    kind: str,
    status: str,
    action: str,
    note: str | None,
    office_code: str | None,
    now: datetime,
) -> dict:
    """The outbox row telling ``channel_user`` (the decrypted reporter) of a change."""
    return outbox_row(
        channel=complaint.channel,
        channel_user=channel_user,
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


@dataclass(frozen=True, slots=True)
class RelayedRow:
    channel: str
    created_at: datetime


@dataclass(frozen=True)
class RelayResult:
    relayed: int
    # True when this pass could not reach Redis (rows stay for the next pass).
    redis_unavailable: bool = False
    # True when another process holds the relay lock.
    busy: bool = False
    # What was relayed, and per channel how many rows were tried and not relayed (they
    # wait for the next pass): for the worker to count; the relay itself records nothing.
    rows: tuple[RelayedRow, ...] = ()
    failed: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Backlog:
    """The notifications not relayed yet: how many (up to ``BACKLOG_COUNT_CAP``), and when
    the oldest was written (None when there is none)."""

    pending: int
    oldest_created_at: datetime | None


#: Counting a backlog stops here: past it the number says "very behind" well enough, and
#: the count stays an index range scan of bounded length.
BACKLOG_COUNT_CAP = 100_000


async def backlog(engine: AsyncEngine) -> Backlog:
    """Two reads of the ``(relayed_at, id)`` index: the count and the oldest row."""
    outbox = OutboxMessage.__table__
    unrelayed = outbox.c.relayed_at.is_(None)
    capped = select(outbox.c.id).where(unrelayed).limit(BACKLOG_COUNT_CAP).subquery()
    async with engine.connect() as conn:
        pending = (await conn.execute(select(func.count()).select_from(capped))).scalar_one()
        oldest = (
            await conn.execute(
                select(outbox.c.created_at).where(unrelayed).order_by(outbox.c.id).limit(1)
            )
        ).scalar_one_or_none()
    return Backlog(pending, _aware(oldest) if oldest is not None else None)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back the stored UTC time without its zone.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
        return RelayResult(0, redis_unavailable=True, failed=_per_channel(rows))
    done: list[int] = []
    relayed: list[RelayedRow] = []
    unavailable = False
    for row, result in zip(rows, results, strict=True):
        if isinstance(result, Exception) and not (
            isinstance(result, ResponseError) and "equal or smaller" in str(result)
        ):
            unavailable = True
            break  # keep id order: later rows wait for this one
        # (An "equal or smaller" refusal: added by an earlier pass that died before marking.)
        done.append(row.id)
        relayed.append(RelayedRow(row.channel, _aware(row.created_at)))
    if done:
        async with engine.begin() as conn:
            await conn.execute(
                update(outbox).where(outbox.c.id.in_(done)).values(relayed_at=datetime.now(UTC))
            )
    return RelayResult(
        len(done),
        redis_unavailable=unavailable,
        rows=tuple(relayed),
        failed=_per_channel(rows[len(done) :]),
    )


def _per_channel(rows) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.channel] = counts.get(row.channel, 0) + 1
    return counts
