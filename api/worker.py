"""The background worker: relays the notification outbox, runs the deadline job, counts
new complaint events into the statistics and refreshes their backlog snapshot.

In the embedded default it runs as a task inside the api process; in production it is its
own process (``bansos worker``) and the api runs with ``WORKER_INTERVAL_SECONDS=0``. Several
workers may run at once (tests/multiprocess/test_worker_replicas.py): the relay takes a Redis
lock, the deadline job runs on one worker per interval (``job_turns``) and its updates are
conditional anyway, the statistics' fill advances its watermark by compare-and-set, and a
backlog snapshot another worker took less than half the interval ago is left alone, so
nothing is done twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta

from api import metrics
from api.domain.complaints.outbox import RelayResult, backlog, relay_once
from api.domain.complaints.sla import run_deadline_job
from api.domain.job_turns import Turn, take_turn
from api.domain.statistics.backlog import BacklogSnapshot, refresh_backlog
from api.domain.statistics.fill import FillReport, Lag, WatermarkMoved, fill_counts, lag
from api.services import Services

log = logging.getLogger(__name__)

#: The deadline job looks at complaints at most this often; deadlines are days apart.
DEADLINE_JOB_SECONDS = 60.0
#: The deadline job's name among the workers' turns (api.domain.job_turns).
DEADLINE_JOB = "deadline-job"
#: Batches relayed per tick before yielding (a backlog drains over a few ticks).
MAX_BATCHES_PER_TICK = 20
#: The outbox's backlog is measured for the metrics at most this often.
BACKLOG_SECONDS = 5.0
#: Complaint events counted into the statistics per fill (one transaction).
STATS_EVENTS_PER_TICK = 2_000
#: While fills come back full, the tick fills again for up to this long before the relay
#: and the deadline job get their turn: one fill per tick and a second's sleep between
#: ticks counted at most ~1,000 events/s on the benchmark machine, so 1,000 events/s left
#: the figures 15 s behind (docs/performance.md, "Statistics (issue 14)").
STATS_SECONDS_PER_TICK = 5.0
#: The statistics lag worth a warning: figures this far behind are visibly stale.
STATS_LAG_WARNING_SECONDS = 300.0


class Worker:
    def __init__(self, services: Services, *, interval: float) -> None:
        self.services, self.interval = services, interval
        self._next_deadline_run = 0.0
        self._next_backlog_check = 0.0
        self._next_snapshot = 0.0
        # The last backlog snapshot this worker took (or found fresh).
        self.stats_snapshot: BacklogSnapshot | None = None
        # The last statistics fill and the lag after it (for logs and, later, the console).
        self.stats_fill: FillReport | None = None
        self.stats_lag: Lag | None = None

    async def tick(self) -> None:
        for _ in range(MAX_BATCHES_PER_TICK):
            result = await relay_once(engine=self.services.engine, redis=self.services.redis)
            _count_relay(result)
            if result.redis_unavailable:
                log.warning("outbox relay: Redis unavailable; notifications wait in the outbox")
            if result.relayed == 0 or result.redis_unavailable:
                break
        if time.monotonic() >= self._next_backlog_check:
            self._next_backlog_check = time.monotonic() + BACKLOG_SECONDS
            await self._measure_backlog()
        if time.monotonic() >= self._next_deadline_run:
            self._next_deadline_run = time.monotonic() + DEADLINE_JOB_SECONDS
            await self._run_deadline_job()
        await self.count_statistics()
        if time.monotonic() >= self._next_snapshot:
            interval = self.services.settings.stats_snapshot_seconds
            self._next_snapshot = time.monotonic() + interval
            await self.snapshot_backlog(interval)

    async def _measure_backlog(self) -> None:
        waiting = await backlog(self.services.engine)
        oldest = waiting.oldest_created_at
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
        metrics.record_outbox_backlog(waiting.pending, age)

    async def _run_deadline_job(self) -> None:
        turn = await take_turn(
            self.services.redis, DEADLINE_JOB, interval_seconds=DEADLINE_JOB_SECONDS
        )
        if turn is Turn.ANOTHERS:
            metrics.record_deadline_skipped()
            return  # another worker ran it this interval
        started = time.perf_counter()
        try:
            report = await run_deadline_job(
                engine=self.services.engine,
                protector=self.services.protector,
                directory=await self.services.directory.get(),
                calendar=self.services.calendar,
                now=datetime.now(UTC),
            )
        except Exception:
            metrics.record_deadline_run(ok=False, seconds=time.perf_counter() - started)
            raise
        metrics.record_deadline_run(
            ok=True,
            seconds=time.perf_counter() - started,
            breaches=report.breaches,
            escalations=report.escalations,
            closed=report.closed,
        )
        if report.breaches or report.closed:
            log.info(
                "deadlines: %d breached, %d escalated, %d closed",
                report.breaches,
                report.escalations,
                report.closed,
            )

    async def count_statistics(self) -> None:
        """Count the next events into the statistics, after the duties above; report the lag."""
        until = time.monotonic() + STATS_SECONDS_PER_TICK
        while True:
            try:
                self.stats_fill = await fill_counts(
                    engine=self.services.engine,
                    calendar=self.services.calendar,
                    limit=STATS_EVENTS_PER_TICK,
                )
            except WatermarkMoved:
                return  # another worker counted them; the next tick goes on from there
            if self.stats_fill.counted < STATS_EVENTS_PER_TICK or time.monotonic() >= until:
                break
        self.stats_lag = await lag(self.services.engine)
        oldest = self.stats_lag.oldest
        if oldest is not None and oldest.total_seconds() >= STATS_LAG_WARNING_SECONDS:
            log.warning(
                "statistics: %d events not counted yet, the oldest %.0f s ago%s",
                self.stats_lag.events,
                oldest.total_seconds(),
                " (waiting at a hole in the event ids)" if self.stats_fill.waiting_at_gap else "",
            )
        elif self.stats_fill.counted:
            log.debug(
                "statistics: counted %d events, %d to go",
                self.stats_fill.counted,
                self.stats_lag.events,
            )

    async def snapshot_backlog(self, interval: float) -> None:
        """Refresh the open backlog's snapshot, unless another worker just did."""
        self.stats_snapshot = await refresh_backlog(
            engine=self.services.engine, younger_than=timedelta(seconds=interval / 2)
        )
        if self.stats_snapshot.refreshed:
            log.debug(
                "statistics: backlog snapshot of %d open complaints", self.stats_snapshot.open
            )

    async def run_forever(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                # A failing tick (database restarting, say) must not end the worker.
                metrics.record_worker_tick_failure()
                log.exception("worker tick failed; retrying")
            await asyncio.sleep(self.interval)


def _count_relay(result: RelayResult) -> None:
    if result.redis_unavailable:
        metrics.record_relay_unavailable()
    now = datetime.now(UTC)
    sent: dict[str, int] = {}
    for row in result.rows:
        sent[row.channel] = sent.get(row.channel, 0) + 1
        metrics.record_relay_lag((now - row.created_at).total_seconds())
    for channel in sent.keys() | result.failed.keys():
        metrics.record_notifications(
            channel, sent=sent.get(channel, 0), failed=result.failed.get(channel, 0)
        )


@contextlib.asynccontextmanager
async def background_worker(services: Services):
    """Run the worker as a task for the lifetime of the ``async with`` (the api's lifespan)."""
    interval = services.settings.worker_interval_seconds
    if interval <= 0:
        yield
        return
    task = asyncio.create_task(Worker(services, interval=interval).run_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
