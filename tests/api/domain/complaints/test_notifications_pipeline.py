"""Notifications are never lost and never doubled: outbox → relay → Redis stream → consumer.

Runs on the in-process stand-in and on the real Redis. "Redis down" is a client whose
server is unreachable (port 1); "consumer down" is a consumer that stops mid-way.
"""

from __future__ import annotations

import json

from redis.asyncio import Redis
from sqlalchemy import func, insert, select

from api.domain.complaints.outbox import entry_id, outbox_row, relay_once, stream_for
from api.models import OutboxMessage
from bot.notifications import NotificationConsumer
from tests.conftest import BOTH_REDIS

pytestmark = BOTH_REDIS


async def queue(services, *users: str) -> None:
    from datetime import UTC, datetime

    async with services.engine.begin() as conn:
        for user in users:
            await conn.execute(
                insert(OutboxMessage.__table__).values(
                    outbox_row(
                        channel="telegram-bot",
                        channel_user=user,
                        locale="id",
                        kind="complaint.status_changed",
                        payload={"tracking_id": "7K3M9QX2P", "status": "VERIFIED"},
                        now=datetime.now(UTC),
                    )
                )
            )


async def unrelayed(services) -> int:
    table = OutboxMessage.__table__
    async with services.engine.connect() as conn:
        return (
            await conn.execute(
                select(func.count()).select_from(table).where(table.c.relayed_at.is_(None))
            )
        ).scalar_one()


class Recorder:
    def __init__(self, *, fail_for: set[str] = frozenset()) -> None:
        self.sent: list[str] = []
        self.fail_for = set(fail_for)

    async def __call__(self, notification) -> None:
        if notification.channel_user in self.fail_for:
            raise ConnectionError("Telegram unreachable")
        self.sent.append(notification.channel_user)


async def test_relayed_notifications_reach_the_stream_in_order_once(services, redis):
    await queue(services, "u1", "u2", "u3")

    first = await relay_once(engine=services.engine, redis=redis)
    second = await relay_once(engine=services.engine, redis=redis)

    assert (first.relayed, second.relayed) == (3, 0)
    entries = await redis.xrange(stream_for("telegram-bot"))
    assert [json.loads(fields[b"payload"])["status"] for _, fields in entries] == ["VERIFIED"] * 3
    assert [fields[b"channel_user"] for _, fields in entries] == [b"u1", b"u2", b"u3"]


async def test_while_redis_is_down_nothing_is_lost(services, redis):
    await queue(services, "u1", "u2")
    down = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)

    result = await relay_once(engine=services.engine, redis=down)
    await down.aclose()

    assert result.redis_unavailable
    assert await unrelayed(services) == 2
    assert (await relay_once(engine=services.engine, redis=redis)).relayed == 2
    recorder = Recorder()
    await NotificationConsumer(
        redis, channel="telegram-bot", consumer="bot-1", deliver=recorder
    ).run_once()
    assert recorder.sent == ["u1", "u2"]


async def test_a_relay_that_died_after_adding_an_entry_does_not_add_it_twice(services, redis):
    await queue(services, "u1", "u2")
    table = OutboxMessage.__table__
    async with services.engine.connect() as conn:
        first_id = (await conn.execute(select(func.min(table.c.id)))).scalar_one()
    # The dead relay got as far as adding the first entry, not as far as marking its row.
    await redis.xadd(
        stream_for("telegram-bot"),
        {
            "outbox_id": str(first_id),
            "kind": "complaint.status_changed",
            "channel_user": "u1",
            "locale": "id",
            "payload": "{}",
            "created_at": "",
        },
        id=entry_id(first_id),
    )

    result = await relay_once(engine=services.engine, redis=redis)

    assert result.relayed == 2
    assert await unrelayed(services) == 0
    assert await redis.xlen(stream_for("telegram-bot")) == 2


async def test_a_consumer_that_stopped_before_delivering_delivers_on_restart(services, redis):
    await queue(services, "u1", "u2")
    await relay_once(engine=services.engine, redis=redis)
    # It read both entries, then died before delivering: both stay pending for it.
    crashed = NotificationConsumer(redis, channel="telegram-bot", consumer="bot-1", deliver=None)
    await crashed.ensure_group()
    await redis.xreadgroup("delivery", "bot-1", {stream_for("telegram-bot"): ">"})

    recorder = Recorder()
    restarted = NotificationConsumer(
        redis, channel="telegram-bot", consumer="bot-1", deliver=recorder
    )
    assert await restarted.run_once() == 2
    assert await restarted.run_once() == 0
    assert recorder.sent == ["u1", "u2"]
    assert (await redis.xpending(stream_for("telegram-bot"), "delivery"))["pending"] == 0


async def test_a_failed_delivery_stays_pending_and_is_retried_without_doubling_the_rest(
    services, redis
):
    await queue(services, "u1", "u2", "u3")
    await relay_once(engine=services.engine, redis=redis)
    flaky = Recorder(fail_for={"u2"})
    consumer = NotificationConsumer(redis, channel="telegram-bot", consumer="bot-1", deliver=flaky)

    assert await consumer.run_once() == 2
    flaky.fail_for.clear()
    assert await consumer.run_once() == 1
    assert await consumer.run_once() == 0

    assert flaky.sent == ["u1", "u3", "u2"]


async def test_an_entry_already_delivered_before_a_crash_is_not_sent_again(services, redis):
    await queue(services, "u1")
    await relay_once(engine=services.engine, redis=redis)
    recorder = Recorder()
    consumer = NotificationConsumer(
        redis, channel="telegram-bot", consumer="bot-1", deliver=recorder
    )
    await consumer.run_once()
    # Replaying the same entry to the consumer (as if its ack had been lost) sends nothing.
    entries = await redis.xrange(stream_for("telegram-bot"))

    assert await consumer._handle(*entries[0]) == 0
    assert recorder.sent == ["u1"]


async def test_the_relay_waits_for_another_relay_holding_the_lock(services, redis):
    await queue(services, "u1")
    await redis.set("outbox:relay:lock", "someone-else", px=10_000)

    result = await relay_once(engine=services.engine, redis=redis)

    assert result.busy and result.relayed == 0
    assert await unrelayed(services) == 1
