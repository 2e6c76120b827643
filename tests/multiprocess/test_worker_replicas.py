"""Two ``bansos worker`` processes on one PostgreSQL and one Redis, complaints arriving all the
while, one of the workers killed half-way: every notification reaches its stream once, the
deadline job runs on one worker per minute and records each breach once, the statistics
count each event once, and the surviving worker finishes the work alone."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from api.domain.complaints.outbox import stream_for
from api.domain.statistics.counting import jakarta_day
from api.domain.vocabulary import Deadline
from api.models import ComplaintEvent, OutboxMessage, StatWatermark
from tests.complaints_support import channel_of, file_directly
from tests.metrics_support import parse, value
from tests.multiprocess.processes import (
    REAL_SERVICES,
    ROOT,
    api_environment,
    free_port,
    started,
    wait_until,
    worker,
)

pytestmark = REAL_SERVICES

OVERDUE = 4  # complaints filed two months ago, every deadline passed
PRODUCE_SECONDS = 6.0


def scrape(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
            return parse(answer.read().decode())
    except OSError:
        return None


def deadline_runs(samples: dict | None, outcome: str) -> float:
    return value(samples or {}, "bansos_deadline_job_runs_total", outcome=outcome)


async def counts(services) -> tuple[int, int, int, int]:
    """Outbox rows, those relayed, the last event id and the statistics' watermark."""
    outbox, event, mark = OutboxMessage.__table__, ComplaintEvent.__table__, StatWatermark.__table__
    async with services.engine.connect() as conn:
        rows = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()
        relayed = (
            await conn.execute(select(func.count()).where(outbox.c.relayed_at.is_not(None)))
        ).scalar_one()
        last_event = (await conn.execute(select(func.max(event.c.id)))).scalar_one()
        watermark = (await conn.execute(select(mark.c.event_id))).scalar() or 0
    return rows, relayed, last_event, watermark


async def test_two_workers_do_everything_once_and_one_finishes_when_the_other_is_killed(
    services, api_key, tmp_path
):
    channel = await channel_of(services, api_key)
    long_ago = datetime.now(UTC) - timedelta(days=60)
    overdue = [(await file_directly(services, channel, now=long_ago)).id for _ in range(OVERDUE)]
    ports = free_port(), free_port()
    first = worker(services, tmp_path, "worker-a", WORKER_METRICS_PORT=str(ports[0]))
    second = worker(services, tmp_path, "worker-b", WORKER_METRICS_PORT=str(ports[1]))

    with started(first, second):
        # Both workers have had their first tick: the deadline job's turn went to one.
        scrapes = wait_until(
            lambda: (
                all(
                    (s := scrape(port)) and deadline_runs(s, "ok") + deadline_runs(s, "skipped")
                    for port in ports
                )
                and [scrape(port) for port in ports]
            ),
            within=40,
            what="both workers' first deadline-job turn",
        )
        # Complaints keep arriving; half-way, one worker dies without any clean-up.
        filed, started_at, killed = 0, time.monotonic(), False
        while time.monotonic() - started_at < PRODUCE_SECONDS:
            await file_directly(services, channel)
            filed += 1
            if not killed and time.monotonic() - started_at >= PRODUCE_SECONDS / 2:
                first.kill()
                killed = True
        # The survivor relays and counts the rest (after the dead one's relay lock expired).
        deadline = time.monotonic() + 40
        while True:
            rows, relayed, last_event, watermark = await counts(services)
            if relayed == rows and watermark == last_event:
                break
            assert time.monotonic() < deadline, (
                f"{relayed}/{rows} relayed, counted up to event {watermark} of {last_event}\n"
                + second.output()
            )
            await asyncio.sleep(0.3)
        assert second.alive(), second.output()

    entries = await services.redis.xrange(stream_for("telegram-bot"))
    outbox_ids = [int(fields[b"outbox_id"]) for _, fields in entries]
    async with services.engine.connect() as conn:
        every_row = set((await conn.execute(select(OutboxMessage.__table__.c.id))).scalars())
        event = ComplaintEvent.__table__
        breaches = (
            await conn.execute(
                select(event.c.complaint_id, event.c.note, func.count())
                .where(event.c.kind == "breach")
                .group_by(event.c.complaint_id, event.c.note)
            )
        ).all()

    assert filed >= 10
    # Every notification relayed, none twice.
    assert sorted(outbox_ids) == sorted(every_row) and len(outbox_ids) == rows
    # One run of the deadline job over both workers; the other skipped its turn.
    assert sum(deadline_runs(s, "ok") for s in scrapes) == 1
    assert sum(deadline_runs(s, "skipped") for s in scrapes) == 1
    # Each missed deadline of each overdue complaint recorded once (the verification and the
    # follow-up are weeks late; a field check's resolution may not be late yet).
    missed = {(complaint, note) for complaint, note, _ in breaches}
    assert {complaint for complaint, _ in missed} == set(overdue)
    assert missed >= {
        (complaint, deadline.value)
        for complaint in overdue
        for deadline in (Deadline.VERIFY, Deadline.FOLLOW_UP)
    }
    assert {n for *_, n in breaches} == {1}
    # The statistics counted each event once: a recount of the period finds no drift.
    verify = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "bansos",
            "stats",
            "verify",
            "--from",
            jakarta_day(long_ago).isoformat(),
            "--to",
            (jakarta_day(datetime.now(UTC)) + timedelta(days=1)).isoformat(),
        ],
        cwd=ROOT,
        env=api_environment(services),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert " 0 drift(s)." in verify.stdout
