"""The background worker relays notifications and runs the deadline job."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

from api.app import create_app
from api.domain.complaints.outbox import stream_for
from api.worker import Worker

COMPLAINT = {
    "reporter": {"channel_user": "tg:31"},
    "category": "PUNGLI",
    "description": "Diminta uang administrasi oleh agen.",
    "region_code": "351001",
}


async def test_a_tick_moves_queued_notifications_to_the_channels_stream(client, services):
    await client.post("/api/v1/complaints", json=COMPLAINT)

    await Worker(services, interval=1).tick()

    entries = await services.redis.xrange(stream_for("telegram-bot"))
    assert [fields[b"kind"] for _, fields in entries] == [b"complaint.received"]


async def test_the_api_process_runs_the_worker_when_configured(client, services):
    settings = services.settings.model_copy(update={"worker_interval_seconds": 0.05})
    app = create_app(settings, services=dataclasses.replace(services, settings=settings))
    await client.post("/api/v1/complaints", json=COMPLAINT)

    async with app.router.lifespan_context(app):
        for _ in range(100):
            if await services.redis.xlen(stream_for("telegram-bot")):
                break
            await asyncio.sleep(0.05)

    assert await services.redis.xlen(stream_for("telegram-bot")) == 1


async def test_a_tick_counts_new_complaint_events_into_the_statistics(
    client, services, monkeypatch
):
    from datetime import timedelta

    from api.domain.statistics import fill
    from api.domain.statistics.counting import Metric, jakarta_day
    from api.domain.statistics.queries import StatFilter, totals

    # Ids of earlier tests' events are gone (PostgreSQL's sequence goes on): no hole waits.
    monkeypatch.setattr(fill, "GAP_GRACE", timedelta(0))
    await client.post("/api/v1/complaints", json=COMPLAINT)
    worker = Worker(services, interval=1)

    await worker.tick()

    today = jakarta_day(datetime.now(UTC))
    figures = await totals(services.engine, StatFilter(start=today, end=today))
    assert figures[Metric.RECEIVED] == 1
    assert (worker.stats_fill.counted, worker.stats_lag.events) == (1, 0)


async def test_a_tick_takes_the_backlog_snapshot_and_the_next_ones_wait_for_the_interval(
    client, services
):
    from api.domain.statistics.ageing import overdue_now
    from api.domain.statistics.queries import StatFilter

    everything = StatFilter(start=datetime(2026, 1, 1).date(), end=datetime(2030, 1, 1).date())
    await client.post("/api/v1/complaints", json=COMPLAINT)
    worker = Worker(services, interval=1)

    await worker.tick()
    first = await overdue_now(services.engine, where=everything)
    await client.post("/api/v1/complaints", json=COMPLAINT)
    await worker.tick()  # within STATS_SNAPSHOT_SECONDS (300 s) of the first
    second = await overdue_now(services.engine, where=everything)

    assert first.open == 1 and first.as_of is not None
    assert (second.open, second.as_of) == (1, first.as_of)
    assert worker.stats_snapshot.open == 1


async def test_a_second_worker_leaves_a_snapshot_just_taken_by_another_alone(client, services):
    await client.post("/api/v1/complaints", json=COMPLAINT)
    await Worker(services, interval=1).tick()
    other = Worker(services, interval=1)

    await other.tick()

    assert other.stats_snapshot.refreshed is False
