"""The public transparency page's figures: per coordination region and pilot kab/kota, per
month of the last twelve, complaints received and closed, the share answered on time and
the median working days to the first answer, each suppressed by the small-cell rule
(:mod:`api.domain.statistics.suppression`) before it leaves here.

No category, kecamatan, office or channel is broken out: in a small place any of them could
point at a person. Everything is read from the rollup (``stat_count``), never a complaint.

Definitions (the page's footnotes say them too):

* received, closed: in the month (Asia/Jakarta), by the day it happened;
* on time: of the complaints **filed** in the month, the share whose answer deadline has
  not been missed (``breached`` at the resolve deadline); a complaint still open and not yet
  due counts as on time, so the latest months may still fall;
* median days: working days from filing to the first answer, of the answers in the month.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from api.domain.statistics import queries, suppression
from api.domain.statistics.counting import BREACH_VALUES, Metric, jakarta_day
from api.domain.statistics.queries import StatFilter, summarise
from api.domain.statistics.suppression import Cell
from api.domain.vocabulary import Deadline
from api.models import CoordinationRegion, PilotRegency
from api.services import Services

MONTHS = 12
#: How long a built page's figures are served before they are read again (per process).
CACHE_SECONDS = 300
_RESOLVE = BREACH_VALUES[Deadline.RESOLVE]


@dataclass(frozen=True)
class Month:
    """One month of one place, every figure already suppressed."""

    month: date
    received: Cell
    closed: Cell
    on_time: Cell  # a share, 0..1
    median_days: Cell  # working days


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    months: tuple[Month, ...]  # newest first


@dataclass(frozen=True)
class Region:
    region: Place
    regencies: tuple[Place, ...]


@dataclass(frozen=True)
class Transparency:
    months: tuple[date, ...]  # newest first
    regions: tuple[Region, ...]
    #: The last day counted (today, in Jakarta, when the figures were read).
    through: date
    built_at: datetime


@dataclass(frozen=True)
class _Raw:
    received: int = 0
    closed: int = 0
    cohort: int = 0
    breached: int = 0
    answer_days: tuple[tuple[int, int], ...] = ()


class TransparencyCache:
    """The last figures built, for :data:`CACHE_SECONDS`: the page is public and read far
    more often than its figures move."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self._seconds = seconds
        self._kept: tuple[float, Transparency] | None = None

    async def get(self, services: Services) -> Transparency:
        if self._kept is not None and self._kept[0] > time.monotonic():
            return self._kept[1]
        built = await transparency(services)
        self._kept = (time.monotonic() + self._seconds, built)
        return built


async def transparency(services: Services, *, today: date | None = None) -> Transparency:
    """The figures of the twelve months up to ``today`` (the current month so far)."""
    today = today or jakarta_day(datetime.now(UTC))
    months = _last_months(today)
    regions, regencies = {}, {}
    for first in months:
        last = min(_month_end(first), today)
        found = await _month(services, StatFilter(start=first, end=last), first)
        for dimension, into in (("coordination_region_code", regions), ("regency_code", regencies)):
            for code, raw in found[dimension].items():
                into[(code, first)] = raw
    places = await _pilot(services)
    built = []
    for code, name, pilot in places:
        region_months, regency_months = [], {r: [] for r, _ in pilot}
        for first in months:
            total = _month_row(first, regions.get((code, first), _Raw()))
            parts = [_month_row(first, regencies.get((r, first), _Raw())) for r, _ in pilot]
            total, parts = _complemented(total, parts)
            region_months.append(total)
            for (r, _), part in zip(pilot, parts, strict=True):
                regency_months[r].append(part)
        built.append(
            Region(
                Place(code, name, tuple(region_months)),
                tuple(Place(r, n, tuple(regency_months[r])) for r, n in pilot),
            )
        )
    return Transparency(tuple(months), tuple(built), today, datetime.now(UTC))


async def _month(services: Services, event: StatFilter, first: date) -> dict[str, dict]:
    """Each place's raw figures of one month, by region and by kab/kota."""
    cohort = StatFilter(start=first, end=event.end, cohort=True)
    found: dict[str, dict] = {}
    for dimension in ("coordination_region_code", "regency_code"):
        counts = await queries.totals_by(services.read_engine, event, dimension)
        times = await queries.histograms_by(
            services.read_engine, event, dimension, metrics=[Metric.DAYS_TO_ANSWER]
        )
        filed = await queries.histograms_by(
            services.read_engine, cohort, dimension, metrics=[Metric.RECEIVED, Metric.BREACHED]
        )
        raws = {}
        for code in set(counts) | set(times) | set(filed):
            if not code:
                continue  # at a triage desk: no place yet
            of_code = counts.get(code, {})
            of_filed = filed.get(code, {})
            raws[code] = _Raw(
                received=of_code.get(Metric.RECEIVED, 0),
                closed=of_code.get(Metric.CLOSED, 0),
                cohort=sum(of_filed.get(Metric.RECEIVED, {}).values()),
                breached=of_filed.get(Metric.BREACHED, {}).get(_RESOLVE, 0),
                answer_days=tuple(times.get(code, {}).get(Metric.DAYS_TO_ANSWER, {}).items()),
            )
        found[dimension] = raws
    return found


def _month_row(first: date, raw: _Raw) -> Month:
    answers = summarise(dict(raw.answer_days))
    on_time = 1 - raw.breached / raw.cohort if raw.cohort else None
    return Month(
        month=first,
        received=suppression.count(raw.received),
        closed=suppression.count(raw.closed),
        on_time=suppression.derived(
            max(on_time, 0.0) if on_time is not None else None, complaints=raw.cohort
        ),
        median_days=suppression.derived(answers.median, complaints=answers.count),
    )


def _complemented(total: Month, parts: list[Month]) -> tuple[Month, list[Month]]:
    """The region's counts are the sum of its kab/kota's: hide one more where a single
    hidden kab/kota could be worked out by subtraction."""
    received, received_parts = suppression.complement(total.received, [p.received for p in parts])
    closed, closed_parts = suppression.complement(total.closed, [p.closed for p in parts])
    total = Month(total.month, received, closed, total.on_time, total.median_days)
    parts = [
        Month(p.month, r, c, p.on_time, p.median_days)
        for p, r, c in zip(parts, received_parts, closed_parts, strict=True)
    ]
    return total, parts


async def _pilot(services: Services) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each coordination region's code and name, with its pilot kab/kota (code, name)."""
    region, pilot = CoordinationRegion.__table__, PilotRegency.__table__
    async with services.read_engine.connect() as conn:
        regions = (
            await conn.execute(select(region.c.code, region.c.name).order_by(region.c.code))
        ).all()
        members = (
            await conn.execute(
                select(pilot.c.coordination_region_code, pilot.c.regency_code).order_by(
                    pilot.c.regency_code
                )
            )
        ).all()
    found = []
    for code, name in regions:
        regencies = [
            (regency, _regency_name(services, regency))
            for region_code, regency in members
            if region_code == code
        ]
        found.append((code, name, sorted(regencies, key=lambda item: item[1])))
    return found


def _regency_name(services: Services, code: str) -> str:
    place = services.regions.regency(code)
    return place.name if place is not None else code


def _last_months(today: date) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(MONTHS):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
