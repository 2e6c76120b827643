"""A 5,000,000-complaint ``stat_count`` in minutes: the 50k database's timelines cloned ×100.

    .venv/bin/python bench/stats_scaled.py [--copies 100] [--seed 14]   # bansos_bench_stats_5mx
    .venv/bin/python bench/stats_scaled.py --check      # ×1 unshifted into scaled_check: diff

Why: issue 14 measures the statistics pages at 5,000,000 complaints against 50,000. Building
5M real complaints and recounting their ~26.7M events with ``bansos stats rebuild`` takes
many hours on the benchmark machine. The overview and offices pages read only the rollups
(``stat_count`` and the coarser ``stat_rollup_*`` derived from it), the office directory
and the region names, never the complaint tables: their cost at 5M depends only on what
5M histories put into those tables. This builds exactly that, and nothing else.

How:

1. ``bansos_bench_stats_5mx`` is ``CREATE DATABASE … TEMPLATE bansos_bench_stats_50k``
   (built by ``bench/stats_data.py 50k``; retried while something is connected to it), so
   the accounts, offices, directory, region names and watermark are the 50k's.
2. Every event of the copy is read as the product reads it for counting
   (``reading.read_events``, paged by id: first answer, first sign of work, deadline tier,
   deadlines breached before), grouped per complaint (``EventFacts`` has no complaint id:
   it is looked up by event id here, in the bench only).
3. Each complaint's timeline is cloned ``--copies`` times. A clone shifts all its events and
   its filing time by one random whole number of **weeks** (so weekdays, and with them the
   working-day deadlines the source's breaches were written for, stay aligned; public
   holidays do not), then wraps into the source's window (oldest filing .. newest event,
   rounded up to whole weeks): a clone filed past the window's end is moved back by the
   window's length, so clones are filed uniformly over the year. Events of a clone that
   would fall after the source's newest event are dropped: that clone is still open, as the
   latest complaints of a real database are. Offices, domicile, category, programme and
   channel stay the source complaint's (``dataclasses.replace`` changes ``at`` and
   ``filed_at`` only). The random draws come from ``--seed``: the build is reproducible.
4. The clones are counted by the product's ``counting.count_events`` with the calendar
   ``bansos stats rebuild`` uses (``load_calendar()``; its working days memoised per pair of
   Jakarta dates, which returns exactly what it computes). The Counter is copied every
   ``--flush`` keys into an UNLOGGED scratch table (asyncpg ``COPY``); at the end
   ``stat_count`` is emptied and filled by one ``INSERT … SELECT … sum(count) GROUP BY`` (its
   indexes dropped meanwhile and rebuilt after), the coarser rollups are derived from it by
   the product's ``rollups.refill_rollups``, and the database is vacuumed and analysed.

What it is not: the complaint and event tables, the backlog snapshot (``stat_backlog``) and
the hotspot denominators stay the 50k's, so pages that read those (the backlog and hotspot
tables, the complaint queue) are not measured at 5M by this database; and 100 shifted
copies of 50,000 timelines are less varied than 5,000,000 drawn ones (the same office,
place, category, programme and channel combinations, only on other days), so ``stat_count``
may hold somewhat fewer distinct rows than a real 5M build would.

``--check`` validates the method: the source counted ×1 with no shift into the scratch
database ``scaled_check`` must reproduce the source's ``stat_count`` (and rollups) exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import resource
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import connect, database_exists, database_url  # noqa: E402
from bench.stats_data import GENERATOR_VERSION  # noqa: E402
from bench.stats_data import database_name as stats_database_name  # noqa: E402

SOURCE = stats_database_name("50k")
TARGET = stats_database_name("5mx")
CHECK_TARGET = "scaled_check"
SCALED_VERSION = "stats-scaled-1"
SCRATCH = "scaled_count"
READ_BATCH = 5_000
#: Complaints cloned between two looks at the Counter's size.
COMPLAINTS_PER_STEP = 500


def scaled_database() -> str:
    """The URL of ``bansos_bench_stats_5mx``; exits saying how to build it when missing."""
    if not asyncio.run(database_exists(TARGET)):
        raise SystemExit(f"{TARGET} does not exist: run bench/stats_scaled.py first (~1 h)")
    return database_url(TARGET)


class MemoCalendar:
    """The working calendar with :meth:`working_days_between` memoised: it depends only on
    the two instants' Jakarta dates (and returns 0 when ``end <= start``), and walking up to
    150 days one by one for each of ~27 million events is most of the counting's time."""

    def __init__(self, calendar) -> None:
        self._calendar = calendar
        self._known: dict[tuple, int] = {}

    def working_days_between(self, start: datetime, end: datetime) -> int:
        if end <= start:
            return 0
        from api.domain.statistics.counting import jakarta_day

        pair = (jakarta_day(start), jakarta_day(end))
        found = self._known.get(pair)
        if found is None:
            found = self._known[pair] = self._calendar.working_days_between(start, end)
        return found

    def __getattr__(self, name: str):
        return getattr(self._calendar, name)


async def wait_for_source() -> None:
    """Until the 50k database is built and counted (``bench/stats_data.py 50k``, run by
    someone else: this never builds it)."""
    while True:
        if await database_exists(SOURCE):
            conn = await connect(database_url(SOURCE))
            try:
                comment = await conn.fetchval(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = $1",
                    SOURCE,
                )
                counted = await conn.fetchval(
                    "SELECT (SELECT event_id FROM stat_watermark WHERE name = 'counts') "
                    "= (SELECT max(id) FROM complaint_event)"
                )
            except asyncpg.PostgresError:
                comment, counted = None, False
            finally:
                await conn.close()
            if comment == GENERATOR_VERSION and counted:
                return
        print(f"  waiting for {SOURCE} (built and counted) …", flush=True)
        await asyncio.sleep(30)


async def copy_source(target: str) -> str:
    """``target`` afresh as a copy of the source (the template needs no one connected to
    it: retried for up to 30 minutes)."""
    admin = await connect()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        for attempt in range(360):
            try:
                await admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{SOURCE}"')
                break
            except asyncpg.ObjectInUseError:
                if attempt % 12 == 0:
                    print(f"  {SOURCE} is in use; retrying every 5 s …", flush=True)
                await asyncio.sleep(5)
        else:
            raise SystemExit(f"{SOURCE} stayed in use for 30 minutes")
    finally:
        await admin.close()
    return database_url(target)


async def read_timelines(url: str) -> dict[int, list]:
    """Every event as the product reads it for counting, grouped per complaint, in id order."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from api.db import async_url
    from api.domain.statistics.reading import read_events

    conn = await connect(url)
    try:
        owner = dict(await conn.fetch("SELECT id, complaint_id FROM complaint_event"))
    finally:
        await conn.close()
    timelines: dict[int, list] = defaultdict(list)
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as sa:
            after = 0
            while events := await read_events(sa, after_id=after, limit=READ_BATCH):
                for event in events:
                    timelines[owner[event.id]].append(event)
                after = events[-1].id
    finally:
        await engine.dispose()
    return timelines


def clones(timeline: list, offset: timedelta, window: timedelta, end: datetime):
    """``timeline`` shifted by ``offset``, wrapped into the window, cut at ``end``."""
    if not offset:
        yield from timeline
        return
    filed = timeline[0].filed_at + offset
    if filed > end:
        offset -= window
        filed -= window
    for event in timeline:
        at = event.at + offset
        if at > end:
            return  # the rest of its history has not happened yet: it is still open
        yield dataclasses.replace(event, at=at, filed_at=filed)


async def flush(conn: asyncpg.Connection, counts: Counter) -> int:
    rows = [(*key, n) for key, n in counts.items()]
    await conn.copy_records_to_table(SCRATCH, records=rows)
    counts.clear()
    return len(rows)


async def count_clones(url: str, timelines: dict[int, list], args) -> dict:
    from api.domain.complaints.working_days import load_calendar
    from api.domain.statistics.counting import count_events
    from api.models.statistics import KEY_COLUMNS

    calendar = MemoCalendar(load_calendar())
    first_filed = min(t[0].filed_at for t in timelines.values())
    end = max(e.at for t in timelines.values() for e in t)
    weeks = -(-(end - first_filed) // timedelta(weeks=1))
    window = timedelta(weeks=weeks)
    print(f"  window {first_filed:%Y-%m-%d} .. {end:%Y-%m-%d %H:%M} ({weeks} weeks)", flush=True)
    rng = random.Random(args.seed)
    conn = await connect(url)
    counts: Counter = Counter()
    flushed = events = 0
    started = time.perf_counter()
    try:
        columns = ", ".join(
            f"{name} {kind}" for name, kind in zip(KEY_COLUMNS, _KEY_TYPES, strict=True)
        )
        await conn.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        await conn.execute(f"CREATE UNLOGGED TABLE {SCRATCH} ({columns}, count bigint)")
        ids = sorted(timelines)
        for copy in range(args.copies):
            for start in range(0, len(ids), COMPLAINTS_PER_STEP):
                for complaint in ids[start : start + COMPLAINTS_PER_STEP]:
                    timeline = timelines[complaint]
                    shift = timedelta(weeks=rng.randrange(weeks)) if args.shift else timedelta()
                    batch = list(clones(timeline, shift, window, end))
                    events += len(batch)
                    count_events(batch, calendar, into=counts)
                if len(counts) >= args.flush:
                    flushed += await flush(conn, counts)
            took = time.perf_counter() - started
            print(
                f"  copy {copy + 1}/{args.copies}: {events:,} events counted, "
                f"{flushed + len(counts):,} keys, {took:.0f} s, "
                f"peak RSS {_peak_rss_mb():,.0f} MB",
                flush=True,
            )
        flushed += await flush(conn, counts)
    finally:
        await conn.close()
    return {"events": events, "keys": flushed, "count_seconds": time.perf_counter() - started}


# PostgreSQL types of stat_count's key columns, in KEY_COLUMNS order.
_KEY_TYPES = ("date", "text", "smallint", *("text",) * 8, "date")


async def fill_stat_count(url: str) -> dict:
    """stat_count := the scratch table summed per key (its indexes rebuilt after the load),
    then the coarser rollups derived from it by the product's code."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from api.db import async_url
    from api.models.statistics import KEY_COLUMNS, ROLLUP_TABLES

    try:
        from api.domain.statistics.rollups import refill_rollups
    except ImportError:
        refill_rollups = None
    keys = ", ".join(KEY_COLUMNS)
    timings = {}
    engine = create_async_engine(async_url(url))
    try:
        async with engine.begin() as conn:
            # One core: the machine is shared.
            await conn.execute(text("SET max_parallel_workers_per_gather = 0"))
            await conn.execute(text("SET max_parallel_maintenance_workers = 0"))
            await conn.execute(text("SET work_mem = '256MB'"))
            await conn.execute(text("SET maintenance_work_mem = '1GB'"))
            started = time.perf_counter()
            await conn.execute(text("TRUNCATE stat_count"))
            rebuild = await _drop_indexes(conn, "stat_count")
            await conn.execute(
                text(
                    f"INSERT INTO stat_count ({keys}, count) SELECT {keys}, sum(count) "
                    f"FROM {SCRATCH} GROUP BY {keys}"
                )
            )
            timings["insert_s"] = time.perf_counter() - started
            started = time.perf_counter()
            for statement in rebuild:
                await conn.execute(text(statement))
            timings["indexes_s"] = time.perf_counter() - started
            started = time.perf_counter()
            if refill_rollups is None:
                print("  rollups were not derived (no rollups.refill_rollups here)", flush=True)
            else:
                # Each rollup's key index built once after its rows, as for stat_count.
                rebuild = [
                    statement
                    for name in ROLLUP_TABLES
                    for statement in await _drop_indexes(conn, name)
                ]
                await refill_rollups(conn)
                for statement in rebuild:
                    await conn.execute(text(statement))
                timings["rollups_s"] = time.perf_counter() - started
            await conn.execute(text(f"DROP TABLE {SCRATCH}"))
    finally:
        await engine.dispose()
    started = time.perf_counter()
    conn = await connect(url)
    try:
        await conn.execute("SET max_parallel_maintenance_workers = 0")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    timings["vacuum_s"] = time.perf_counter() - started
    return timings


async def _drop_indexes(conn, table: str) -> list[str]:
    """Drop ``table``'s indexes (its primary key too) and return the statements that build
    them again: millions of rows go in faster with each index built once afterwards."""
    from sqlalchemy import text

    rows = (
        await conn.execute(
            text(
                "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = CAST(:t AS regclass) AND c.contype = 'p'"
            ),
            {"t": table},
        )
    ).all()
    indexes = (
        await conn.execute(
            text(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i "
                "WHERE i.indrelid = CAST(:t AS regclass) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            ),
            {"t": table},
        )
    ).all()
    statements = []
    for name, definition in rows:
        await conn.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
        statements.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for name, definition in indexes:
        await conn.execute(text(f"DROP INDEX {name}"))
        statements.append(definition)
    return statements


async def sums_per_metric(url: str) -> tuple[int, dict[str, int]]:
    conn = await connect(url)
    try:
        rows = await conn.fetchval("SELECT count(*) FROM stat_count")
        sums = dict(
            await conn.fetch("SELECT metric, sum(count)::bigint FROM stat_count GROUP BY metric")
        )
    finally:
        await conn.close()
    return rows, sums


async def table_rows(url: str, table: str) -> Counter:
    conn = await connect(url)
    try:
        records = await conn.fetch(f"SELECT * FROM {table}")
    finally:
        await conn.close()
    return Counter({tuple(r.values())[:-1]: r["count"] for r in records})


async def check(args) -> int:
    """×1 with no shift into ``scaled_check``: its stat_count and rollups against the source's."""
    from api.models.statistics import ROLLUP_TABLES

    url = await build(CHECK_TARGET, args)
    differences = 0
    for table in ("stat_count", *ROLLUP_TABLES):
        mine, theirs = await table_rows(url, table), await table_rows(database_url(SOURCE), table)
        differing = {k for k in mine.keys() | theirs.keys() if mine[k] != theirs[k]}
        differences += len(differing)
        print(
            f"  {table}: {len(mine):,} rows here, {len(theirs):,} in the source, "
            f"{len(differing)} keys differ",
            flush=True,
        )
        for key in sorted(differing, key=str)[:5]:
            print(f"    {key}: {mine[key]} here, {theirs[key]} in the source")
    admin = await connect()
    try:
        await admin.execute(f'DROP DATABASE "{CHECK_TARGET}" WITH (FORCE)')
    finally:
        await admin.close()
    print("check:", "identical" if not differences else f"{differences} keys differ")
    return 1 if differences else 0


async def build(target: str, args) -> str:
    started = time.perf_counter()
    await wait_for_source()
    url = await copy_source(target)
    print(f"{target}: copied from {SOURCE} in {time.perf_counter() - started:.0f} s", flush=True)
    read_started = time.perf_counter()
    timelines = await read_timelines(url)
    source_events = sum(len(t) for t in timelines.values())
    print(
        f"  read {source_events:,} events of {len(timelines):,} complaints in "
        f"{time.perf_counter() - read_started:.0f} s",
        flush=True,
    )
    counted = await count_clones(url, timelines, args)
    del timelines
    timings = await fill_stat_count(url)
    conn = await connect()
    try:
        await conn.execute(
            f'COMMENT ON DATABASE "{target}" IS '
            f"'{SCALED_VERSION} x{args.copies} seed {args.seed} of {SOURCE}'"
        )
    finally:
        await conn.close()
    rows, sums = await sums_per_metric(url)
    source_rows, source_sums = await sums_per_metric(database_url(SOURCE))
    print(
        f"{target}: {counted['events']:,} events counted in {counted['count_seconds']:.0f} s, "
        f"{counted['keys']:,} keys copied; "
        + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
    )
    print(f"  stat_count rows: {rows:,} (source {source_rows:,}, ×{rows / source_rows:.1f})")
    print(f"  {'metric':<20} {'sum':>12} {'source×' + str(args.copies):>12} {'ratio':>6}")
    for metric in sorted(source_sums.keys() | sums.keys()):
        mine, theirs = sums.get(metric, 0), source_sums.get(metric, 0) * args.copies
        ratio = f"{mine / theirs:.3f}" if theirs else "–"
        print(f"  {metric:<20} {mine:>12,} {theirs:>12,} {ratio:>6}")
    print(
        f"  total {time.perf_counter() - started:.0f} s, peak RSS {_peak_rss_mb():,.0f} MB",
        flush=True,
    )
    return url


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--flush", type=int, default=500_000, help="keys held before a COPY")
    parser.add_argument("--check", action="store_true", help="×1 unshifted: diff with source")
    args = parser.parse_args()
    if args.check:
        args.copies, args.shift = 1, False
        raise SystemExit(asyncio.run(check(args)))
    args.shift = True
    asyncio.run(build(TARGET, args))


if __name__ == "__main__":
    main()
