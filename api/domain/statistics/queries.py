"""Figures under one filter: totals, series, distributions, percentiles, and the same
grouped by one dimension (the league tables), each in one query.

Every figure is a sum over rollup rows, never a scan of the complaints: over the smallest
coarser rollup that keeps the dimensions the filter and the grouping name, read as whole
spans of days (``rollups``), else over ``stat_count``. So a page's cost levels off as the
complaints grow instead of growing with them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Table, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.statistics import rollups
from api.domain.statistics.counting import HISTOGRAMS, OVER_BUCKET, Metric
from api.models import StatCount
from api.models.statistics import DIMENSION_COLUMNS

_count = StatCount.__table__
#: A stored metric name's Metric: a dict lookup, where ``Metric(name)`` walks the enum for each
#: of the thousands of rows a league table reads.
_METRICS = {metric.value: metric for metric in Metric}

#: The filter's dimensions; "" selects the rows without one (a complaint still at a triage
#: desk has no domicile, a category no programme).
DIMENSIONS = DIMENSION_COLUMNS


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

    def dimensions(self) -> set[str]:
        """The dimensions the filter names."""
        return {name for name in DIMENSIONS if getattr(self, name) is not None}

    def conditions(self) -> list:
        """The filter on ``stat_count``."""
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
class _Source:
    """Where a figure is summed from: the table, its rows under the filter, and the column
    a series groups by (the day or filing month; a rollup's span start)."""

    table: Table
    conditions: list
    period: object


def _source(where: StatFilter, *, by: str | None = None, per_day: bool = False) -> _Source:
    """The smallest rollup keeping the filter's dimensions and ``by``, read as whole spans
    (day by day for a series of days), else ``stat_count``."""
    wanted = where.dimensions() | ({by} if by else set())
    rollup = rollups.covering(wanted)
    if rollup is None:
        c = _count.c
        return _Source(_count, where.conditions(), c.filed_month if where.cohort else c.day)
    table = rollup.table
    if where.cohort:
        period = rollups.cohort_condition(table, where.start, where.end)
    elif per_day:
        period = rollups.days_condition(table, where.start, where.end)
    else:
        period = rollups.period_condition(table, where.start, where.end)
    return _Source(table, [period, *where.dimension_conditions(table)], table.c.start)


@dataclass(frozen=True)
class TimeSummary:
    """Time to a step in its histogram's unit (working days; clock hours to route): median
    and p90 (the last bucket reads "more": 61 days, 72 hours), the mean (a lower bound when
    some fell in that bucket, counted at its value), and how many."""

    count: int
    median: int | None
    p90: int | None
    mean: float | None


async def totals(engine: AsyncEngine, where: StatFilter) -> dict[Metric, int]:
    """Every metric's count (histograms: how many were measured)."""
    source = _source(where)
    c = source.table.c
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(c.metric, func.sum(c.count)).where(*source.conditions).group_by(c.metric)
        )
        found = {_METRICS[metric]: int(total) for metric, total in rows}
    return {metric: found.get(metric, 0) for metric in Metric}


async def per_day(engine: AsyncEngine, where: StatFilter, metric: Metric) -> dict[date, int]:
    """``metric`` per day of the event, or per filing month for a cohort filter."""
    source = _source(where, per_day=True)
    c, period = source.table.c, source.period
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(period, func.sum(c.count))
            .where(c.metric == metric.value, *source.conditions)
            .group_by(period)
            .order_by(period)
        )
        return {day: int(total) for day, total in rows}


async def distribution(engine: AsyncEngine, where: StatFilter, metric: Metric) -> dict[int, int]:
    """``value`` → count of ``metric``: a histogram's buckets, the ratings 1..5."""
    source = _source(where)
    c = source.table.c
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(c.value, func.sum(c.count))
            .where(c.metric == metric.value, *source.conditions)
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
    source = _source(where, by=dimension)
    c = source.table.c
    by = c[dimension]
    found: dict[str, dict[Metric, int]] = {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(by, c.metric, func.sum(c.count)).where(*source.conditions).group_by(by, c.metric)
        )
        for value, metric, total in rows:
            if value not in found:
                found[value] = dict.fromkeys(_METRICS.values(), 0)
            found[value][_METRICS[metric]] = int(total)
    return found


async def histograms_by(
    engine: AsyncEngine, where: StatFilter, dimension: str | None, metrics=HISTOGRAMS
) -> dict[str, dict[Metric, dict[int, int]]]:
    """Each of ``metrics``' distribution (value → count) per value of ``dimension`` (None:
    one group, keyed ""), in one query."""
    if dimension is not None and dimension not in DIMENSIONS:
        raise ValueError(f"{dimension} is not a statistics dimension")
    source = _source(where, by=dimension)
    c = source.table.c
    wanted = [Metric(metric).value for metric in metrics]
    columns = [c.metric, c.value] if dimension is None else [c[dimension], c.metric, c.value]
    found: dict[str, dict[Metric, dict[int, int]]] = {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(*columns, func.sum(c.count))
            .where(c.metric.in_(wanted), *source.conditions)
            .group_by(*columns)
        )
        for row in rows:
            group = "" if dimension is None else row[0]
            metric, value, total = row[-3], row[-2], row[-1]
            per_metric = found.setdefault(group, {})
            per_metric.setdefault(_METRICS[metric], {})[int(value)] = int(total)
    return found


@dataclass(frozen=True)
class Percentiles:
    """A time histogram summed in the database: how many were measured, the median, p90."""

    count: int
    median: int | None
    p90: int | None


async def percentiles_by(
    engine: AsyncEngine, where: StatFilter, dimension: str, metrics
) -> dict[str, dict[Metric, Percentiles]]:
    """Each of ``metrics``' (time histograms) count, median and p90 per value of
    ``dimension``, computed in the database in one query, the way :func:`percentile` does:
    a league table of 200 offices then reads 200 rows per metric instead of every bucket
    of every office."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"{dimension} is not a statistics dimension")
    source = _source(where, by=dimension)
    c = source.table.c
    wanted = [Metric(metric).value for metric in metrics]
    buckets = (
        select(c[dimension].label("grp"), c.metric, c.value, func.sum(c.count).label("n"))
        .where(c.metric.in_(wanted), *source.conditions)
        .group_by(c[dimension], c.metric, c.value)
        .subquery()
    )
    per_metric = [buckets.c.grp, buckets.c.metric]
    running = (
        select(
            *per_metric,
            buckets.c.value,
            func.sum(buckets.c.n)
            .over(partition_by=per_metric, order_by=buckets.c.value)
            .label("running"),
            func.sum(buckets.c.n).over(partition_by=per_metric).label("total"),
        )
    ).subquery()
    r = running.c
    # The smallest bucket by which at least half (nine tenths) have happened, in integers.
    query = select(
        r.grp,
        r.metric,
        func.max(r.total),
        func.min(case((r.running * 2 >= r.total, r.value))),
        func.min(case((r.running * 10 >= r.total * 9, r.value))),
    ).group_by(r.grp, r.metric)
    found: dict[str, dict[Metric, Percentiles]] = {}
    async with engine.connect() as conn:
        for group, metric, total, median, p90 in await conn.execute(query):
            found.setdefault(group, {})[_METRICS[metric]] = Percentiles(int(total), median, p90)
    return found


async def outcomes_by(
    engine: AsyncEngine, where: StatFilter, dimension: str, outcome_of
) -> dict[str, dict[int, int]]:
    """``deadline_outcome`` counts per value of ``dimension`` and per outcome, the outcome
    read from a row's value by ``outcome_of`` (a SQL expression of the value column): a
    league row's compliance without every stage and tier's row."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"{dimension} is not a statistics dimension")
    source = _source(where, by=dimension)
    c = source.table.c
    outcome = outcome_of(c.value)
    found: dict[str, dict[int, int]] = {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(c[dimension], outcome, func.sum(c.count))
            .where(c.metric == Metric.DEADLINE_OUTCOME.value, *source.conditions)
            .group_by(c[dimension], outcome)
        )
        for group, kind, total in rows:
            found.setdefault(group, {})[int(kind)] = int(total)
    return found


async def series(engine: AsyncEngine, where: StatFilter, metrics) -> dict[date, dict[Metric, int]]:
    """``metrics`` per day of the event (per filing month for a cohort filter), in one query."""
    source = _source(where, per_day=True)
    c, period = source.table.c, source.period
    wanted = [Metric(metric).value for metric in metrics]
    found: dict[date, dict[Metric, int]] = {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(period, c.metric, func.sum(c.count))
            .where(c.metric.in_(wanted), *source.conditions)
            .group_by(period, c.metric)
        )
        for day, metric, total in rows:
            found.setdefault(day, {})[_METRICS[metric]] = int(total)
    return found


async def time_to(engine: AsyncEngine, where: StatFilter, metric: Metric) -> TimeSummary:
    """``metric``'s summary: any of :data:`HISTOGRAMS` (working days, or hours to route)."""
    if metric not in HISTOGRAMS:
        raise ValueError(f"{metric} is not a time histogram")
    return summarise(await distribution(engine, where, metric))


async def times_by(
    engine: AsyncEngine, where: StatFilter, dimension: str, metrics=HISTOGRAMS
) -> dict[str, dict[Metric, TimeSummary]]:
    """Each time histogram's summary per value of ``dimension``, in one query; a metric
    nothing was measured for under a value summarises as empty (count 0)."""
    if not set(metrics) <= HISTOGRAMS:
        raise ValueError(f"not time histograms: {set(metrics) - HISTOGRAMS}")
    metrics = [metric for metric in Metric if metric in set(metrics)]  # a stable order
    grouped = await histograms_by(engine, where, dimension, metrics)
    return {
        value: {metric: summarise(histograms.get(metric, {})) for metric in metrics}
        for value, histograms in grouped.items()
    }


__all__ = [
    "DIMENSIONS",
    "OVER_BUCKET",
    "Percentiles",
    "StatFilter",
    "TimeSummary",
    "distribution",
    "histograms_by",
    "outcomes_by",
    "percentiles_by",
    "per_day",
    "series",
    "percentile",
    "summarise",
    "time_to",
    "times_by",
    "totals",
    "totals_by",
]
