"""The worker's incremental fill: count the events past the watermark, in one transaction
with the watermark's advance, so a fill that dies half-way leaves nothing behind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.complaints.working_days import WorkingCalendar
from api.domain.statistics import counting
from api.domain.statistics import rollups as rollups_module
from api.domain.statistics.reading import read_events
from api.models import ComplaintEvent, StatCount, StatWatermark
from api.models.statistics import KEY_COLUMNS

WATERMARK = "counts"
#: Events counted per fill at most (the worker's tick); a backlog drains over several.
DEFAULT_LIMIT = 2_000
#: How long the fill waits at a hole in the event ids before taking it for a rolled-back
#: insert. A hole may also be a transaction that took its id and has not committed yet:
#: counting past it would miss that event for good.
GAP_GRACE = timedelta(seconds=60)

_watermark = StatWatermark.__table__
_count = StatCount.__table__
_event = ComplaintEvent.__table__


class WatermarkMoved(Exception):
    """Another fill (or a rebuild) advanced the watermark meanwhile; this one rolled back."""


@dataclass(frozen=True)
class FillReport:
    counted: int  # events counted by this fill
    watermark: int  # the last event counted
    waiting_at_gap: bool  # stopped at a hole in the ids younger than the grace


@dataclass(frozen=True)
class Lag:
    events: int  # events not counted yet
    oldest: timedelta | None  # how long ago the oldest of them happened; None when none


async def fill_counts(
    *,
    engine: AsyncEngine,
    calendar: WorkingCalendar,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
    gap_grace: timedelta | None = None,
) -> FillReport:
    """Count up to ``limit`` events past the watermark and advance it, in one transaction.

    Raises :class:`WatermarkMoved` (nothing written) when another fill got there first.
    """
    now = now or datetime.now(UTC)
    idle = await _nothing_to_count(engine)
    if idle is not None:
        return FillReport(0, idle, False)  # no write at all: the worker ticks every second
    async with engine.begin() as conn:
        mark = await locked_watermark(conn, now)
        events = await read_events(conn, after_id=mark.event_id, limit=limit)
        grace = GAP_GRACE if gap_grace is None else gap_grace
        taken, waiting = _up_to_first_young_gap(events, mark, now, grace)
        counts = counting.count_events(taken, calendar)
        await add_counts(conn, counts)
        last = taken[-1].id if taken else mark.event_id
        if waiting:
            blocked_since = mark.blocked_since if not taken and mark.blocked_since else now
        else:
            blocked_since = None
        await advance_watermark(conn, mark.event_id, last, blocked_since, now)
    return FillReport(len(taken), last, waiting)


async def add_counts(conn: AsyncConnection, counts: Counter, *, rollups: bool = True) -> None:
    """Add ``counts`` (:data:`counting.Key` → n) to ``stat_count`` and, unless told not to
    (a rebuild derives them once at its end), to every coarser rollup: INSERT … ON CONFLICT
    DO UPDATE SET count = count + excluded.count, on PostgreSQL and SQLite alike."""
    if not counts:
        return
    await _add(conn, _count, KEY_COLUMNS, counts)
    if rollups:
        for rollup, projected in rollups_module.project(counts).items():
            await _add(conn, rollup.table, rollup.key_columns, projected)


async def _add(
    conn: AsyncConnection, table: Table, key_columns: tuple[str, ...], counts: Counter
) -> None:
    # Sorted, so two writers touching the same keys take their locks in the same order.
    keys = sorted(counts, key=lambda key: tuple(map(str, key)))
    if conn.dialect.name == "postgresql":
        # One statement whatever the number of keys: arrays unnested, prepared once, where a
        # VALUES list of a thousand rows had 13,000 parameters to bind and compile each time
        # (~2 s per 1,000 keys, the most of the worker's tick: docs/performance.md).
        columns = zip(*keys, strict=True)
        arrays = {name: list(values) for name, values in zip(key_columns, columns, strict=True)}
        statement = _add_by_arrays(table.name, key_columns)
        await conn.execute(statement, {**arrays, "count": [counts[k] for k in keys]})
        return
    rows = [{**dict(zip(key_columns, key, strict=True)), "count": counts[key]} for key in keys]
    statement = _add_statement(table.name, key_columns)
    for start in range(0, len(rows), _SQLITE_BATCH):
        # One statement given many rows (executemany): compiled once.
        await conn.execute(statement, rows[start : start + _SQLITE_BATCH])


_SQLITE_BATCH = 1_000
#: PostgreSQL's array type of each key column, by its SQLAlchemy type.
_ARRAY_TYPES = {"DATE": "date[]", "SMALLINT": "smallint[]"}


@cache
def _add_by_arrays(table_name: str, key_columns: tuple[str, ...]):
    """PostgreSQL: every key column as one array parameter, unnested into rows."""
    table = _tables()[table_name]
    kinds = [_ARRAY_TYPES.get(str(table.c[name].type), "text[]") for name in key_columns]
    return text(
        f"INSERT INTO {table_name} ({', '.join(key_columns)}, count) "
        "SELECT * FROM unnest("
        + ", ".join(
            f"CAST(:{name} AS {kind})" for name, kind in zip(key_columns, kinds, strict=True)
        )
        + ", CAST(:count AS bigint[])"
        + f") ON CONFLICT ({', '.join(key_columns)}) "
        f"DO UPDATE SET count = {table_name}.count + excluded.count"
    )


@cache
def _add_statement(table_name: str, key_columns: tuple[str, ...]):
    table = _tables()[table_name]
    statement = sqlite.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key_columns),
        set_={"count": table.c.count + statement.excluded.count},
    )


def _tables() -> dict[str, Table]:
    return {_count.name: _count, **{r.name: r.table for r in rollups_module.ROLLUPS}}


async def lag(engine: AsyncEngine, *, now: datetime | None = None) -> Lag:
    """How far the counts are behind the events: how many, and the oldest one's age."""
    now = now or datetime.now(UTC)
    async with engine.connect() as conn:
        mark = (
            await conn.execute(select(_watermark.c.event_id).where(_watermark.c.name == WATERMARK))
        ).scalar()
        after = mark or 0
        pending = (await conn.execute(select(func.count()).where(_event.c.id > after))).scalar_one()
        oldest = (
            await conn.execute(
                select(_event.c.at).where(_event.c.id > after).order_by(_event.c.id).limit(1)
            )
        ).scalar()
    return Lag(pending, max(now - oldest, timedelta(0)) if oldest is not None else None)


async def _nothing_to_count(engine: AsyncEngine) -> int | None:
    """The watermark when no event lies past it (a read-only look), else None."""
    async with engine.connect() as conn:
        mark = (
            await conn.execute(select(_watermark.c.event_id).where(_watermark.c.name == WATERMARK))
        ).scalar()
        after = mark or 0
        pending = (
            await conn.execute(select(_event.c.id).where(_event.c.id > after).limit(1))
        ).scalar()
    return after if pending is None else None


async def locked_watermark(conn: AsyncConnection, now: datetime):
    """The watermark row, locked for this transaction (created at 0 when missing)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(
        dialect.insert(_watermark)
        .values(name=WATERMARK, event_id=0, blocked_since=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return (
        await conn.execute(
            select(_watermark).where(_watermark.c.name == WATERMARK).with_for_update()
        )
    ).one()


async def advance_watermark(conn, old: int, new: int, blocked_since, now: datetime) -> None:
    """Move the watermark from ``old`` to ``new``; WatermarkMoved (rolling back) if it moved."""
    result = await conn.execute(
        update(_watermark)
        .where(_watermark.c.name == WATERMARK, _watermark.c.event_id == old)
        .values(event_id=new, blocked_since=blocked_since, updated_at=now)
    )
    if result.rowcount != 1:
        raise WatermarkMoved(old)


def _up_to_first_young_gap(events, mark, now: datetime, grace: timedelta):
    """The events before the first hole in the ids still worth waiting at, and whether the
    fill waits there.

    A hole is crossed once the event after it happened ``grace`` ago or more (a transaction
    holding a lower id would have run that long), or once the fill has waited ``grace`` at
    it (it sits right at the watermark since ``blocked_since``).
    """
    expected = mark.event_id + 1
    waited = mark.blocked_since is not None and now - mark.blocked_since >= grace
    for index, event in enumerate(events):
        if event.id != expected:
            crossable = now - event.at >= grace or (index == 0 and waited)
            if not crossable:
                return events[:index], True
        expected = event.id + 1
    return events, False
