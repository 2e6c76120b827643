"""Figures over ``stat_count`` under one filter: totals, series, distributions, percentiles.

Every figure is a sum over the rollup's rows (never a scan of the complaints), so it costs
the same at 50,000 complaints as at 5,000,000 for a given period and filter.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.statistics.counting import HISTOGRAMS, OVER_BUCKET, Metric
from api.models import StatCount

_count = StatCount.__table__

#: The filter's dimensions; "" selects the rows without one (a complaint still at a triage
#: desk has no domicile, a category no programme).
DIMENSIONS = (
    "office_code",
    "coordination_region_code",
    "province_code",
    "regency_code",
    "district_code",
    "category_code",
    "programme",
    "channel",
)


@dataclass(frozen=True)
class StatFilter:
    """Days ``start``..``end`` (Asia/Jakarta, inclusive) and any dimensions (None: all).

    ``cohort``: the period selects complaints by the month they were filed in (every month
    that ``start``..``end`` touches) instead of events by the day they happened.
    """

    start: date
    end: date
    cohort: bool = False
    office_code: str | None = None
    coordination_region_code: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    category_code: str | None = None
    programme: str | None = None
    channel: str | None = None

    def conditions(self) -> list:
        c = _count.c
        if self.cohort:
            where = [c.filed_month.between(self.start.replace(day=1), self.end)]
        else:
            where = [c.day.between(self.start, self.end)]
        return where + self.dimension_conditions(_count)

    def dimension_conditions(self, table) -> list:
        """The dimensions alone, on any table with the same dimension columns: the period
        does not apply to a snapshot's "now" figures."""
        return [
            table.c[field.name] == getattr(self, field.name)
            for field in fields(self)
            if field.name in DIMENSIONS and getattr(self, field.name) is not None
        ]


@dataclass(frozen=True)
class TimeSummary:
    """Working days to a step: median and p90 (bucket 61 reads "more than 60"), the mean
    (a lower bound when some took more than 60, counted as 61), and how many."""

    count: int
    median: int | None
    p90: int | None
    mean: float | None


async def totals(engine: AsyncEngine, where: StatFilter) -> dict[Metric, int]:
    """Every metric's count (histograms: how many were measured)."""
    c = _count.c
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(c.metric, func.sum(c.count)).where(*where.conditions()).group_by(c.metric)
        )
        found = {Metric(metric): int(total) for metric, total in rows}
    return {metric: found.get(metric, 0) for metric in Metric}


async def per_day(engine: AsyncEngine, where: StatFilter, metric: Metric) -> dict[date, int]:
    """``metric`` per day of the event, or per filing month for a cohort filter."""
    c = _count.c
    period = c.filed_month if where.cohort else c.day
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(period, func.sum(c.count))
            .where(c.metric == metric.value, *where.conditions())
            .group_by(period)
            .order_by(period)
        )
        return {day: int(total) for day, total in rows}


async def distribution(engine: AsyncEngine, where: StatFilter, metric: Metric) -> dict[int, int]:
    """``value`` → count of ``metric``: a histogram's buckets, the ratings 1..5."""
    c = _count.c
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(c.value, func.sum(c.count))
            .where(c.metric == metric.value, *where.conditions())
            .group_by(c.value)
        )
        return {int(value): int(total) for value, total in rows}


def percentile(histogram: dict[int, int], share: float) -> int | None:
    """The smallest bucket by which at least ``share`` of the measured have happened."""
    total = sum(histogram.values())
    if total == 0:
        return None
    running = 0
    for bucket in sorted(histogram):
        running += histogram[bucket]
        if running >= share * total:
            return bucket
    return max(histogram)


def summarise(histogram: dict[int, int]) -> TimeSummary:
    total = sum(histogram.values())
    if total == 0:
        return TimeSummary(0, None, None, None)
    mean = sum(bucket * n for bucket, n in histogram.items()) / total
    return TimeSummary(total, percentile(histogram, 0.5), percentile(histogram, 0.9), mean)


async def totals_by(
    engine: AsyncEngine, where: StatFilter, dimension: str
) -> dict[str, dict[Metric, int]]:
    """Every metric's count per value of ``dimension`` (one of :data:`DIMENSIONS`), in one
    query: a league table's counts."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"{dimension} is not a statistics dimension")
    c = _count.c
    by = c[dimension]
    found: dict[str, dict[Metric, int]] = {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(by, c.metric, func.sum(c.count))
            .where(*where.conditions())
            .group_by(by, c.metric)
        )
        for value, metric, total in rows:
            found.setdefault(value, dict.fromkeys(Metric, 0))[Metric(metric)] = int(total)
    return found


async def histograms_by(
    engine: AsyncEngine, where: StatFilter, dimension: str | None, metrics=HISTOGRAMS
) -> dict[str, dict[Metric, dict[int, int]]]:
    """Each of ``metrics``' distribution (value → count) per value of ``dimension`` (None:
    one group, keyed ""), in one query."""
    if dimension is not None and dimension not in DIMENSIONS:
        raise ValueError(f"{dimension} is not a statistics dimension")
    c = _count.c
    wanted = [Metric(metric).value for metric in metrics]
    columns = [c.metric, c.value] if dimension is None else [c[dimension], c.metric, c.value]
    found: dict[str, dict[Metric, dict[int, int]]] = {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(*columns, func.sum(c.count))
            .where(c.metric.in_(wanted), *where.conditions())
            .group_by(*columns)
        )
        for row in rows:
            group = "" if dimension is None else row[0]
            metric, value, total = row[-3], row[-2], row[-1]
            per_metric = found.setdefault(group, {})
            per_metric.setdefault(Metric(metric), {})[int(value)] = int(total)
    return found


async def series(engine: AsyncEngine, where: StatFilter, metrics) -> dict[date, dict[Metric, int]]:
    """``metrics`` per day of the event (per filing month for a cohort filter), in one query."""
    c = _count.c
    period = c.filed_month if where.cohort else c.day
    wanted = [Metric(metric).value for metric in metrics]
    found: dict[date, dict[Metric, int]] = {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(period, c.metric, func.sum(c.count))
            .where(c.metric.in_(wanted), *where.conditions())
            .group_by(period, c.metric)
        )
        for day, metric, total in rows:
            found.setdefault(day, {})[Metric(metric)] = int(total)
    return found


async def time_to(engine: AsyncEngine, where: StatFilter, metric: Metric) -> TimeSummary:
    if metric not in HISTOGRAMS:
        raise ValueError(f"{metric} is not a time histogram")
    return summarise(await distribution(engine, where, metric))


__all__ = [
    "DIMENSIONS",
    "OVER_BUCKET",
    "StatFilter",
    "TimeSummary",
    "distribution",
    "histograms_by",
    "per_day",
    "series",
    "percentile",
    "summarise",
    "time_to",
    "totals",
    "totals_by",
]
