"""The weekly summary for the ministry's leadership: one national, one per coordination
region (and a member's own scope), Monday to Sunday.

What it holds: the key figures of the week against the week before, the three offices
with the worst deadline compliance, and the three categories whose complaints grew the
most. It is read from the same rollup and tables as every other statistics page, under
the same access rules (:func:`api.application.statistics.scoped_filter`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from api.application import statistics
from api.application.errors import AppError, Refusal
from api.domain.staff import StaffMember
from api.domain.statistics.counting import jakarta_day
from api.domain.statistics.filters import previous_period
from api.domain.statistics.queries import StatFilter
from api.domain.statistics.tables import Table
from api.services import Services

#: How many offices and categories the summary names.
TOP = 3
#: Offices with fewer completed deadlines than this in the week are not ranked: one late
#: verification out of two would otherwise put a quiet office at the bottom.
MIN_DEADLINES = 5


@dataclass(frozen=True)
class OfficeStanding:
    code: str
    name: str
    share_met: float  # of the deadlines completed in the week, the share met in time
    completed: int
    breached: int


@dataclass(frozen=True)
class CategoryGrowth:
    code: str
    name: str
    received: int
    previous: int

    @property
    def growth(self) -> int:
        return self.received - self.previous


@dataclass(frozen=True)
class WeeklySummary:
    where: StatFilter  # the week (Monday..Sunday) and the scope
    scope_name: str  # "Nasional", a region's or an office's name
    figures: tuple[statistics.Figure, ...]
    worst_offices: tuple[OfficeStanding, ...]
    growing_categories: tuple[CategoryGrowth, ...]


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def last_complete_week(today: date) -> tuple[date, date]:
    """The Monday–Sunday week before the one ``today`` falls in."""
    return week_of(today - timedelta(days=7))


async def weekly_summary(
    services: Services,
    member: StaffMember,
    params: Mapping[str, str],
    *,
    locale: str,
    today: date | None = None,
) -> WeeklySummary:
    """The summary of the week ``params["week"]`` falls in (default: the last complete
    week), for ``params["region"]`` (the ministry: none means national; a coordinator:
    their own region whatever is asked) or the member's own office."""
    today = today or jakarta_day(datetime.now(UTC))
    start, end = _week(params.get("week", ""), today)
    scope_params = {key: params[key] for key in ("region", "office") if params.get(key)}
    where = await statistics.scoped_filter(
        services,
        member,
        {**scope_params, "from": start.isoformat(), "to": end.isoformat()},
        today=today,
    )
    overview = await statistics.overview(services, where, locale=locale)
    figures = tuple(f for f in overview.figures if f.key in _SUMMARY_FIGURES)
    offices = await statistics.table(services, where, "offices", locale=locale)
    previous = previous_period(where)
    categories_now = await statistics.table(services, where, "categories", locale=locale)
    categories_before = await statistics.table(services, previous, "categories", locale=locale)
    return WeeklySummary(
        where=where,
        scope_name=await _scope_name(services, where),
        figures=figures,
        worst_offices=worst_offices(offices),
        growing_categories=growing_categories(categories_now, categories_before),
    )


_SUMMARY_FIGURES = frozenset(
    {
        "received",
        "answered",
        "closed",
        "breached",
        "escalated",
        "median_days_to_answer",
        "mean_rating",
    }
)


def worst_offices(offices: Table) -> tuple[OfficeStanding, ...]:
    """The offices with the lowest share of deadlines met (enough of them to rank), the
    most breaches first among equals."""
    standings = [
        OfficeStanding(
            code=row["code"],
            name=row["name"],
            share_met=row["share_met"],
            completed=row["deadlines_completed"],
            breached=row["breached"],
        )
        for row in offices.as_dicts()
        if row["share_met"] is not None and row["deadlines_completed"] >= MIN_DEADLINES
    ]
    standings.sort(key=lambda s: (s.share_met, -s.breached, s.code))
    return tuple(standings[:TOP])


def growing_categories(now: Table, before: Table) -> tuple[CategoryGrowth, ...]:
    """The categories whose received complaints grew the most against the week before
    (only those that grew)."""
    previous = {row["code"]: row["received"] for row in before.as_dicts()}
    grown = [
        CategoryGrowth(row["code"], row["name"], row["received"], previous.get(row["code"], 0))
        for row in now.as_dicts()
    ]
    grown = [growth for growth in grown if growth.growth > 0]
    grown.sort(key=lambda g: (-g.growth, -g.received, g.code))
    return tuple(grown[:TOP])


def _week(asked: str, today: date) -> tuple[date, date]:
    if not asked.strip():
        return last_complete_week(today)
    try:
        return week_of(date.fromisoformat(asked.strip()))
    except ValueError:
        raise AppError(
            Refusal.INVALID,
            "filter_bad_date",
            "statistics.filter_bad_date",
            params={"parameter": "week"},
            field="week",
        ) from None


async def _scope_name(services: Services, where: StatFilter) -> str:
    if where.office_code is not None:
        return (await services.directory.get()).office_name(where.office_code)
    if where.coordination_region_code is not None:
        names = await statistics.region_names(services)
        return names.get(where.coordination_region_code, where.coordination_region_code)
    return ""  # national: the page says so in the reader's language
