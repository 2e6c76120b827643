"""How far the worker's statistics fall behind 1,000 complaint events a second (issue 14).

    .venv/bin/python bench/stats_worker_lag.py [--rate 1000] [--seconds 60] [--writers 8]

A copy of the 50,000-complaint database (bench/stats_data.py; the copy,
``bansos_bench_stats_lag``, is made afresh from it on every run, its counts up to date)
and the real worker (``bansos worker``, this checkout's code, interval 1 s) counting the
events into the statistics as it does in production, behind the outbox relay and the
deadline job. Meanwhile ``--writers`` connections insert complaint events at ``--rate`` in
all, each in its own transaction as the application writes them (one event per action),
paced to a schedule so a slow insert is caught up rather than dropped: the kinds of a
complaint's life in the proportions of the benchmark's timelines (verify, start, reply,
breach with its deadline's name, forwarded, resolve, reject, rate with a rating, reopen with
a poor one, close), each on a complaint drawn at random, at the office it is at. What they
add to the counts is not a real history; the work of counting them is the same.

Every 0.5 s the lag is sampled with ``api.domain.statistics.fill.lag`` (the age of the
oldest event not counted yet; 0 when none waits). After ``--seconds`` the writers stop and
the sampling goes on until the worker has caught up. Prints p50/p95/max of the lag while
writing (target: ≤ 5 s), the rate reached and how long the worker took to drain; writes
bench/results/stats_worker_lag.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    Tree,
    _admin,
    connect,
    database_url,
    env_for,
    machine,
    save,
)
from bench.stats_data import database_name, ensure_database  # noqa: E402

LAG_TARGET_S = 5.0
COPY = "bansos_bench_stats_lag"
# (kind, weight, note, rating): the events' mix, about that of bench/stats_data.py.
_KINDS = (
    ("verify", 18, None, None),
    ("start", 17, None, None),
    ("reply", 8, "Kami sedang memeriksa data Anda.", None),
    ("breach", 7, "RESOLVE", None),
    ("forwarded", 2, "Bukan wewenang kami; kami teruskan.", None),
    ("resolve", 17, "Bantuan sudah dicairkan pada tahap berikutnya.", None),
    ("reject", 2, "Bukan pengaduan bansos.", None),
    ("rate", 7, None, "any"),
    ("reopen", 2, None, "poor"),
    ("close", 7, None, None),
    ("request_info", 1, "Mohon kirim foto KKS Anda.", None),
)
_INSERT = """
INSERT INTO complaint_event (complaint_id, at, kind, actor_type, actor, from_status,
                             to_status, office_code, public, note, rating)
VALUES ($1, $2, $3, $4, 'bench-writer', 'IN_PROGRESS', 'IN_PROGRESS', $5, true, $6, $7)
"""


def copy_database() -> str:
    source = database_name("50k")
    settle(ensure_database("50k"))
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{COPY}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{COPY}" TEMPLATE "{source}"'))
    return database_url(COPY)


async def _complaints(url: str) -> list[tuple[int, str]]:
    conn = await connect(url)
    try:
        return [tuple(r) for r in await conn.fetch("SELECT id, office_code FROM complaint")]
    finally:
        await conn.close()


async def _writer(url: str, rate: float, until: float, complaints, seed: int, done: list):
    """Insert events at ``rate``/s until ``until`` (monotonic), each in its own transaction."""
    rng = random.Random(seed)
    kinds = [k for k in _KINDS for _ in range(k[1])]
    conn = await connect(url)
    try:
        start = time.monotonic()
        n = 0
        while True:
            due = start + n / rate
            now = time.monotonic()
            if due >= until:
                break
            if due > now:
                await asyncio.sleep(due - now)
            complaint_id, office = rng.choice(complaints)
            kind, _, note, rating = rng.choice(kinds)
            value = rng.randint(1, 5) if rating == "any" else rng.randint(1, 2) if rating else None
            actor = "SYSTEM" if kind in ("breach", "close") else "STAFF"
            if kind in ("rate", "reopen"):
                actor = "CITIZEN"
            await conn.execute(
                _INSERT, complaint_id, datetime.now(UTC), kind, actor, office, note, value
            )
            n += 1
        done.append(n)
    finally:
        await conn.close()


async def _sample(engine, samples: list, stop: asyncio.Event, period: float = 0.5) -> None:
    from api.domain.statistics.fill import lag

    while not stop.is_set():
        started = time.monotonic()
        found = await lag(engine)
        age = found.oldest.total_seconds() if found.oldest is not None else 0.0
        samples.append((time.monotonic(), age, found.events))
        await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))


def settle(url: str) -> None:
    """One worker pass over the 50k database before it is copied, in this process: the
    deadline job closes the answered complaints whose rating window the generator left open
    (~7,000 at 50k, one transaction each, ~5–9 minutes here; the fill would wait behind it
    in the same tick), then the fill counts until nothing waits. Kept: the next run finds
    nothing to do."""
    from api.cli.common import run_application
    from api.worker import Worker

    os.environ.update(env_for(url))

    async def until_counted(services) -> None:
        worker = Worker(services, interval=1.0)
        while True:
            await worker.tick()
            if worker.stats_lag is not None and worker.stats_lag.events == 0:
                return

    started = time.monotonic()
    run_application(until_counted)
    print(f"first worker pass done in {time.monotonic() - started:.0f} s", flush=True)


async def _run(url: str, rate: float, seconds: float, writers: int, drain_limit: float) -> dict:
    from sqlalchemy.ext.asyncio import create_async_engine

    complaints = await _complaints(url)
    engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    samples: list = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(engine, samples, stop))
    await asyncio.sleep(3)  # the worker's first ticks: nothing to do
    began = time.monotonic()
    done: list[int] = []
    await asyncio.gather(
        *(
            _writer(url, rate / writers, began + seconds, complaints, seed, done)
            for seed in range(writers)
        )
    )
    wrote_for = time.monotonic() - began
    # Until the worker has counted everything (or gives up after drain_limit).
    while time.monotonic() - began < seconds + drain_limit:
        await asyncio.sleep(0.5)
        if samples and samples[-1][2] == 0 and samples[-1][0] > began + wrote_for:
            break
    stop.set()
    await sampler
    await engine.dispose()
    during = [age for at, age, _ in samples if began <= at <= began + wrote_for]
    caught_up = next(
        (
            at - (began + wrote_for)
            for at, _, events in samples
            if at > began + wrote_for and not events
        ),
        None,
    )
    ordered = sorted(during)
    return {
        "events": sum(done),
        "seconds": round(wrote_for, 1),
        "rate": round(sum(done) / wrote_for, 1),
        "lag_p50_s": round(statistics.median(ordered), 2),
        "lag_p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "lag_max_s": round(ordered[-1], 2),
        "samples": len(ordered),
        "caught_up_after_s": round(caught_up, 1) if caught_up is not None else None,
        "backlog_max": max(events for _, _, events in samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--drain-limit", type=float, default=120.0)
    args = parser.parse_args()
    url = copy_database()
    tree = Tree("after", ROOT)
    tree.verify(env_for(url), modules=("api.worker",))
    env = env_for(url, WORKER_INTERVAL_SECONDS="1", LOG_LEVEL="WARNING")
    worker = tree.popen("worker", "--interval", "1", env=env, stderr=subprocess.PIPE, text=True)
    try:
        result = asyncio.run(_run(url, args.rate, args.seconds, args.writers, args.drain_limit))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            _, errors = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            _, errors = worker.communicate()
    if errors.strip():
        print("worker said:\n" + errors.strip()[-2000:])
    result.update(target_lag_s=LAG_TARGET_S, writers=args.writers, asked_rate=args.rate)
    result["machine"] = machine()
    met = result["lag_p95_s"] <= LAG_TARGET_S
    print(
        f"{result['events']:,} events in {result['seconds']} s ({result['rate']:,.0f}/s asked "
        f"{args.rate:,.0f}/s, {args.writers} writers); lag p50 {result['lag_p50_s']} s, "
        f"p95 {result['lag_p95_s']} s, max {result['lag_max_s']} s (target ≤ {LAG_TARGET_S} s: "
        f"{'met' if met else 'NOT met'}); largest backlog {result['backlog_max']:,} events; "
        f"caught up {result['caught_up_after_s']} s after the writers stopped"
    )
    save("stats_worker_lag", result)


if __name__ == "__main__":
    main()
