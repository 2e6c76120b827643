"""What the worker's relay and deadline job show an operator's Prometheus."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from api import worker as worker_module
from api.app import create_app
from api.worker import Worker
from tests.api.test_unavailable import closed_port
from tests.metrics_support import Scrapes, parse, value

TOKEN = "scrape-token-0123456789"
COMPLAINT = {
    "reporter": {"channel_user": "tg:31"},
    "category": "PUNGLI",
    "description": "Diminta uang administrasi oleh agen.",
    "region_code": "351001",
}


@pytest.fixture
async def scraper(services) -> AsyncIterator[httpx.AsyncClient]:
    """Prometheus, scraping the api that shares the worker's process (the embedded worker)."""
    settings = services.settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    app = create_app(settings, services=services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://api.test",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as http:
        yield http


async def scrape(http: httpx.AsyncClient) -> dict:
    response = await http.get("/metrics")
    assert response.status_code == 200
    return parse(response.text)


async def test_a_relayed_notification_counts_as_sent_with_how_long_it_waited(
    client, services, scraper
):
    await client.post("/api/v1/complaints", json=COMPLAINT)
    before = await scrape(scraper)

    await Worker(services, interval=1).tick()

    after = await scrape(scraper)
    scrapes = Scrapes(before, after)
    sent = {"channel": "telegram-bot", "result": "sent"}
    assert scrapes.delta("bansos_notifications_total", **sent) == 1
    assert scrapes.delta("bansos_notifications_total", channel="telegram-bot", result="failed") == 0
    assert scrapes.delta("bansos_outbox_relay_lag_seconds_count") == 1
    assert value(after, "bansos_outbox_pending_messages") == 0
    assert value(after, "bansos_outbox_oldest_pending_age_seconds") == 0
    assert scrapes.delta("bansos_deadline_job_runs_total", outcome="ok") == 1
    assert scrapes.delta("bansos_deadline_job_duration_seconds_count") == 1
    assert value(after, "bansos_deadline_job_last_success_timestamp_seconds") > 0


async def test_while_redis_is_down_the_backlog_shows_and_each_stopped_pass_counts(
    client, services, scraper
):
    for user in ("tg:31", "tg:32"):
        filed = await client.post(
            "/api/v1/complaints", json=COMPLAINT | {"reporter": {"channel_user": user}}
        )
        assert filed.status_code == 201
    down = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.5)
    before = await scrape(scraper)

    try:
        await Worker(dataclasses.replace(services, redis=down), interval=1).tick()
    finally:
        await down.aclose()

    after = await scrape(scraper)
    scrapes = Scrapes(before, after)
    assert scrapes.delta("bansos_outbox_relay_redis_unavailable_total") == 1
    assert scrapes.delta("bansos_notifications_total", channel="telegram-bot", result="sent") == 0
    assert value(after, "bansos_outbox_pending_messages") == 2
    assert 0 <= value(after, "bansos_outbox_oldest_pending_age_seconds") < 60
    # The deadline job needs no Redis: it still ran.
    assert scrapes.delta("bansos_deadline_job_runs_total", outcome="ok") == 1

    await Worker(services, interval=1).tick()

    drained = Scrapes(after, await scrape(scraper))
    assert drained.delta("bansos_notifications_total", channel="telegram-bot", result="sent") == 2
    assert value(drained.after, "bansos_outbox_pending_messages") == 0


async def test_a_failing_deadline_job_counts_as_a_failed_run(services, scraper, monkeypatch):
    async def database_gone(**_):
        raise ConnectionError("database restarting")

    monkeypatch.setattr(worker_module, "run_deadline_job", database_gone)
    before = await scrape(scraper)

    with pytest.raises(ConnectionError):
        await Worker(services, interval=1).tick()

    scrapes = Scrapes(before, await scrape(scraper))
    assert scrapes.delta("bansos_deadline_job_runs_total", outcome="failed") == 1
    assert scrapes.delta("bansos_deadline_job_runs_total", outcome="ok") == 0


async def test_of_two_workers_ticking_together_one_runs_the_deadline_job(services, scraper):
    before = await scrape(scraper)

    await Worker(services, interval=1).tick()
    await Worker(services, interval=1).tick()

    scrapes = Scrapes(before, await scrape(scraper))
    assert scrapes.delta("bansos_deadline_job_runs_total", outcome="ok") == 1
    assert scrapes.delta("bansos_deadline_job_runs_total", outcome="skipped") == 1
