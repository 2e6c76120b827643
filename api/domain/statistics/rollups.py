"""The coarser rollups: ``stat_count`` summed over all but a few dimensions, per span of days,
so a page's figures read a few thousand rows whatever the number of complaints.

``stat_count`` keeps every dimension of every event (down to the kecamatan and the filing
month), so it holds about one row per event: summing a month of it grows with the complaints
(docs/performance.md, "Statistics (issue 14)"). Each rollup of :data:`ROLLUPS` keeps only
the dimensions some page filters or groups by — none (the nation), the coordination region,
the place down to the kab/kota, the office, the category mix — and counts every key once per
**span**: the event's day, its week (from Monday), its month, and the complaint's filing
month (the cohort). A period is read as the fewest whole spans that cover it
(:func:`blocks`: whole months, whole weeks around them, days at the edges), so a month
costs one span, any 30 days at most twelve and any 365 days at most thirty; and the rows
per span stop growing once every (dimension, metric, value) has happened there: the cost
levels off instead of growing with the table.

A query picks the smallest rollup that keeps every dimension its filter and grouping name
(:func:`covering`) and falls back to ``stat_count`` when none does (a kecamatan, or an
office with a category): those stay correct and read only their own, narrower rows.

The rollups are filled in the transaction that fills ``stat_count``, from the same counts
(:func:`project`), so they never disagree with it; the rebuild derives them from
``stat_count`` once at its end (:func:`refill_rollups`) and ``bansos stats verify`` checks
them against it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import Date, Table, and_, bindparam, delete, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from api.models.statistics import (
    KEY_COLUMNS,
    ROLLUP_DIMENSIONS,
    ROLLUP_LEAD_COLUMNS,
    ROLLUP_TABLES,
)


class Span(StrEnum):
    """What a rollup row's ``start`` begins: a day, a week or a month of events, or the
    month the complaints were filed in."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    COHORT = "cohort"


@dataclass(frozen=True)
class Rollup:
    name: str
    dimensions: tuple[str, ...]

    @property
    def table(self) -> Table:
        return ROLLUP_TABLES[self.name]

    @property
    def key_columns(self) -> tuple[str, ...]:
        return (*ROLLUP_LEAD_COLUMNS, *self.dimensions)


#: Smallest first: :func:`covering` takes the first that keeps every wanted dimension.
ROLLUPS = tuple(Rollup(name, dimensions) for name, dimensions in ROLLUP_DIMENSIONS.items())

_DAY = KEY_COLUMNS.index("day")
_METRIC = KEY_COLUMNS.index("metric")
_VALUE = KEY_COLUMNS.index("value")
_FILED_MONTH = KEY_COLUMNS.index("filed_month")


def covering(dimensions: set[str]) -> Rollup | None:
    """The smallest rollup keeping every one of ``dimensions``; None when none does."""
    for rollup in ROLLUPS:
        if dimensions <= set(rollup.dimensions):
            return rollup
    return None


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def blocks(start: date, end: date) -> dict[Span, list[date]]:
    """The days ``start``..``end`` as the fewest whole spans: the whole months in it, and
    before and after them (or throughout, when none fits) whole weeks, Monday to Sunday,
    with single days at their edges."""
    found: dict[Span, list[date]] = {}
    first = start if start.day == 1 else _next_month(start)
    last = first
    while _next_month(last) - timedelta(days=1) <= end:
        found.setdefault(Span.MONTH, []).append(last)
        last = _next_month(last)
    if last == first:  # no whole month
        _weeks_and_days(start, end, found)
    else:
        _weeks_and_days(start, first - timedelta(days=1), found)
        _weeks_and_days(last, end, found)
    return found


def _weeks_and_days(start: date, end: date, into: dict[Span, list[date]]) -> None:
    day = start
    while day <= end:
        if day.weekday() == 0 and day + timedelta(days=6) <= end:
            into.setdefault(Span.WEEK, []).append(day)
            day += timedelta(days=7)
        else:
            into.setdefault(Span.DAY, []).append(day)
            day += timedelta(days=1)


def period_condition(table: Table, start: date, end: date):
    """The rows of ``table`` (a rollup) whose spans make up the days ``start``..``end``."""
    return or_(
        *(
            and_(table.c.span == span.value, table.c.start.in_(starts))
            for span, starts in blocks(start, end).items()
        )
    )


def days_condition(table: Table, start: date, end: date):
    """The day rows of ``start``..``end``: a series per day."""
    return and_(table.c.span == Span.DAY.value, table.c.start.between(start, end))


def cohort_condition(table: Table, start: date, end: date):
    """The cohorts filed in every month that ``start``..``end`` touches."""
    return and_(table.c.span == Span.COHORT.value, table.c.start.between(month_start(start), end))


def project(counts: Counter) -> dict[Rollup, Counter]:
    """``stat_count``'s counts (keyed in ``KEY_COLUMNS`` order) summed into each rollup's
    keys (``Rollup.key_columns`` order), every span at once."""
    indexes = {
        rollup: [KEY_COLUMNS.index(name) for name in rollup.dimensions] for rollup in ROLLUPS
    }
    projected: dict[Rollup, Counter] = {rollup: Counter() for rollup in ROLLUPS}
    for key, n in counts.items():
        day, metric, value = key[_DAY], key[_METRIC], key[_VALUE]
        spans = (
            (Span.DAY.value, day),
            (Span.WEEK.value, week_start(day)),
            (Span.MONTH.value, month_start(day)),
            (Span.COHORT.value, key[_FILED_MONTH]),
        )
        for rollup, positions in indexes.items():
            dimensions = tuple(key[i] for i in positions)
            into = projected[rollup]
            for span, start in spans:
                into[(span, start, metric, value, *dimensions)] += n
    return projected


#: Each span's first day from a ``stat_count`` row, per dialect.
_SPAN_START_SQL = {
    "postgresql": {
        Span.DAY: "day",
        Span.WEEK: "CAST(date_trunc('week', day) AS date)",
        Span.MONTH: "CAST(date_trunc('month', day) AS date)",
        Span.COHORT: "filed_month",
    },
    "sqlite": {
        Span.DAY: "day",
        Span.WEEK: "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')",
        Span.MONTH: "date(day, 'start of month')",
        Span.COHORT: "filed_month",
    },
}


def _derived(rollup: Rollup, span: Span, dialect: str, where: str = "") -> str:
    """The rows ``rollup`` should hold for ``span``, summed from ``stat_count`` (``where``:
    a condition on it, or none)."""
    start = _SPAN_START_SQL[dialect][span]
    dimensions = "".join(f", {name}" for name in rollup.dimensions)
    return (
        f"SELECT '{span.value}', {start}, metric, value{dimensions}, sum(count) "
        f"FROM stat_count {where} GROUP BY {start}, metric, value{dimensions}"
    )


async def refill_rollups(conn: AsyncConnection) -> None:
    """Empty every rollup and derive it from ``stat_count`` (in the caller's transaction):
    one ``INSERT … SELECT … GROUP BY`` per rollup and span."""
    for rollup in ROLLUPS:
        await conn.execute(delete(rollup.table))
        for span in Span:
            await conn.execute(
                text(
                    f"INSERT INTO {rollup.name} ({', '.join(rollup.key_columns)}, count) "
                    + _derived(rollup, span, conn.dialect.name)
                )
            )


@dataclass(frozen=True)
class RollupDrift:
    rollup: str
    key: dict  # column -> value, in the rollup's key order
    stored: int  # in the rollup
    summed: int  # summed from stat_count


def whole_spans(span: Span, start: date, end: date) -> list[date]:
    """The first days of the spans of ``span`` lying wholly within ``start``..``end`` (for
    the cohort: the filing months)."""
    firsts = []
    if span is Span.DAY:
        firsts = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    elif span is Span.WEEK:
        day = start + timedelta(days=-start.weekday() % 7)
        while day + timedelta(days=6) <= end:
            firsts.append(day)
            day += timedelta(days=7)
    else:
        day = start if start.day == 1 else _next_month(start)
        while _next_month(day) - timedelta(days=1) <= end:
            firsts.append(day)
            day = _next_month(day)
    return firsts


def _last_day(span: Span, first: date) -> date:
    if span is Span.DAY:
        return first
    if span is Span.WEEK:
        return first + timedelta(days=6)
    return _next_month(first) - timedelta(days=1)


async def rollup_drifts(conn: AsyncConnection, start: date, end: date) -> list[RollupDrift]:
    """Every rollup row of the spans lying wholly within ``start``..``end`` against the same
    sum from ``stat_count``: what ``bansos stats verify`` reports beside the counts' drift."""
    drifts = []
    for rollup in ROLLUPS:
        for span in Span:
            firsts = whole_spans(span, start, end)
            if not firsts:
                continue
            column = "filed_month" if span is Span.COHORT else "day"
            summed_rows = await conn.execute(
                text(_derived(rollup, span, conn.dialect.name, f"WHERE {column} BETWEEN :a AND :b"))
                .bindparams(bindparam("a", type_=Date), bindparam("b", type_=Date))
                .columns(*(rollup.table.c[name] for name in (*rollup.key_columns, "count"))),
                {"a": firsts[0], "b": _last_day(span, firsts[-1])},
            )
            summed = {tuple(row[:-1]): row[-1] for row in summed_rows}
            table = rollup.table
            stored_rows = await conn.execute(
                select(table).where(table.c.span == span.value, table.c.start.in_(firsts))
            )
            stored = {tuple(row[:-1]): row[-1] for row in stored_rows}
            drifts += [
                RollupDrift(
                    rollup.name,
                    dict(zip(rollup.key_columns, key, strict=True)),
                    stored.get(key, 0),
                    summed.get(key, 0),
                )
                for key in sorted(stored.keys() | summed.keys(), key=lambda k: tuple(map(str, k)))
                if stored.get(key, 0) != summed.get(key, 0)
            ]
    return drifts


__all__ = [
    "ROLLUPS",
    "Rollup",
    "RollupDrift",
    "Span",
    "blocks",
    "cohort_condition",
    "covering",
    "days_condition",
    "period_condition",
    "project",
    "refill_rollups",
    "rollup_drifts",
    "whole_spans",
]
