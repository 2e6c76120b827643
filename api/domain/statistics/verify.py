"""``bansos stats verify``: the counters against a direct count of the raw events.

Over a period of Jakarta days, the stored counts are compared key by key (every dimension,
metric and value) with the events up to the watermark counted afresh from
``complaint_event`` and ``complaint``. Each difference is a :class:`Drift`: a lost or
doubled fill, a hand-edited row, an event inserted under an id the fill had passed. The
coarser rollups the pages read are checked against ``stat_count`` over the spans lying
wholly in the period (``rollups.rollup_drifts``), in one snapshot of both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.working_days import JAKARTA, WorkingCalendar
from api.domain.statistics import counting
from api.domain.statistics.fill import WATERMARK
from api.domain.statistics.reading import read_events
from api.domain.statistics.rollups import RollupDrift, rollup_drifts
from api.models import StatCount, StatWatermark
from api.models.statistics import KEY_COLUMNS

BATCH = 5_000
_count = StatCount.__table__
_watermark = StatWatermark.__table__


class CountsMoving(Exception):
    """The fill kept advancing while the counts were read; try again."""


@dataclass(frozen=True)
class Drift:
    key: dict  # column -> value, in KEY_COLUMNS order
    counted: int  # in stat_count
    direct: int  # counted afresh from the events


@dataclass(frozen=True)
class Verification:
    start: date
    end: date
    watermark: int
    events: int  # events of the period up to the watermark, counted afresh
    drifts: list[Drift]
    # The rollups' rows of the period's whole spans that differ from stat_count's sums.
    rollup_drifts: list[RollupDrift] = field(default_factory=list)


async def verify_counts(
    *, engine: AsyncEngine, calendar: WorkingCalendar, start: date, end: date, batch: int = BATCH
) -> Verification:
    """Compare the counts of the days ``start``..``end`` (inclusive) with a direct count."""
    watermark, stored = await _stored(engine, start, end)
    since = datetime.combine(start, time(0), JAKARTA)
    until = datetime.combine(end + timedelta(days=1), time(0), JAKARTA)
    direct: Counter = Counter()
    after = events = 0
    async with engine.connect() as conn:
        while batch_events := await read_events(
            conn, after_id=after, limit=batch, up_to_id=watermark, since=since, until=until
        ):
            counting.count_events(batch_events, calendar, into=direct)
            after, events = batch_events[-1].id, events + len(batch_events)
    drifts = [
        Drift(dict(zip(KEY_COLUMNS, key, strict=True)), stored.get(key, 0), direct.get(key, 0))
        for key in sorted(stored.keys() | direct.keys(), key=lambda k: tuple(map(str, k)))
        if stored.get(key, 0) != direct.get(key, 0)
    ]
    return Verification(
        start, end, watermark, events, drifts, await _rollup_drifts(engine, start, end)
    )


async def _rollup_drifts(engine: AsyncEngine, start: date, end: date) -> list[RollupDrift]:
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Both sides from one snapshot: a fill committing between two reads is no drift.
            await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            return await rollup_drifts(conn, start, end)


async def _stored(engine: AsyncEngine, start: date, end: date, attempts: int = 5):
    """The watermark and the period's counts, read so that they belong together: the
    watermark is read before and after, and the read repeated if a fill committed between."""
    columns = [_count.c[name] for name in KEY_COLUMNS]
    for _ in range(attempts):
        async with engine.connect() as conn:
            before = await _watermark_of(conn)
            rows = await conn.execute(
                select(*columns, _count.c.count).where(_count.c.day.between(start, end))
            )
            stored = {tuple(row[:-1]): row[-1] for row in rows}
            if await _watermark_of(conn) == before:
                return before, stored
    raise CountsMoving()


async def _watermark_of(conn) -> int:
    value = (
        await conn.execute(select(_watermark.c.event_id).where(_watermark.c.name == WATERMARK))
    ).scalar()
    return value or 0
