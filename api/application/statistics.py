"""What the statistics surfaces ask of the service: the filter checked and scoped, the
overview's key figures against the previous period, and every table by name.

The console pages, the CSV/XLSX exports and the JSON API all call here with the same
filter (``api.domain.statistics.filters``), so a figure is the same wherever it is read.
Who may see which figures is :mod:`api.domain.access`'s decision; a filter asking for
figures outside the member's scope is refused, never quietly narrowed. Every figure is a
sum over the rollup (``stat_count``): never a complaint's words, reporter or NIK.

Every figure is read through ``services.read_engine``: a read replica when
DATABASE_READ_URL names one, so that a ministry's dashboards never compete with the writes
of intake (docs/scaling.md). The operator's recount and checks read the primary.

The operator's duties (recount, reconcile) are at the end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from api.application import staff_work
from api.application.errors import AppError, Refusal
from api.application.principals import Operator
from api.db import session_scope
from api.domain import access, api_keys
from api.domain.api_keys import StatisticsKey
from api.domain.staff import StaffMember
from api.domain.statistics import filters, queries
from api.domain.statistics.ageing import AgeBand, backlog_ageing, overdue_now
from api.domain.statistics.backlog import (
    BacklogSnapshot,
    BacklogVerification,
    refresh_backlog,
    verify_backlog,
)
from api.domain.statistics.counting import HISTOGRAMS, Metric, jakarta_day
from api.domain.statistics.deadlines import Outcome, completed_and_met, outcome_of
from api.domain.statistics.figures import appeals_from, stage_compliance
from api.domain.statistics.fill import WATERMARK, lag
from api.domain.statistics.hotspots import (
    DenominatorSnapshot,
    PlaceLevel,
    hotspots,
    refresh_beneficiaries,
)
from api.domain.statistics.queries import StatFilter, summarise
from api.domain.statistics.rebuild import RebuildReport, rebuild_counts
from api.domain.statistics.tables import Column, Kind, Table, columns, ranked, share
from api.domain.statistics.verify import Verification, verify_counts
from api.domain.vocabulary import Deadline
from api.models import CoordinationRegion, StatWatermark
from api.services import Services

#: The figures of the overview, in the order shown.
KEY_FIGURES = (
    ("received", Kind.COUNT),
    ("verified", Kind.COUNT),
    ("answered", Kind.COUNT),
    ("closed", Kind.COUNT),
    ("rejected", Kind.COUNT),
    ("reopened", Kind.COUNT),
    ("forwarded", Kind.COUNT),
    ("escalated", Kind.COUNT),
    ("breached", Kind.COUNT),
    ("share_met", Kind.SHARE),
    ("median_days_to_answer", Kind.DAYS),
    ("p90_days_to_answer", Kind.DAYS),
    ("median_days_to_close", Kind.DAYS),
    ("mean_rating", Kind.MEAN),
    ("share_appealed", Kind.SHARE),
    ("median_hours_to_route", Kind.HOURS),
)


@dataclass(frozen=True)
class Figure:
    """One key figure in the period, and in the period before (same length)."""

    key: str
    kind: Kind
    value: int | float | None
    previous: int | float | None

    @property
    def change(self) -> float | None:
        """The relative change against the previous period; None where it means nothing."""
        if self.value is None or not self.previous:
            return None
        return (self.value - self.previous) / self.previous


@dataclass(frozen=True)
class Overview:
    where: StatFilter
    previous: StatFilter
    figures: tuple[Figure, ...]
    trend: Table
    regions: Table
    regencies: Table


@dataclass(frozen=True)
class Freshness:
    """How far the figures trail the complaints: events not counted yet, the oldest one's
    age, and when the counts last moved."""

    events_behind: int
    oldest_behind_seconds: float | None
    counted_at: datetime | None


# -- who reads ----------------------------------------------------------------------------


async def reader_of(
    services: Services, *, bearer: str | None, api_key: str | None
) -> StaffMember | StatisticsKey:
    """Who reads the statistics API: the staff member of a session token (``bearer``), or a
    statistics key (``api_key``, or a bearer token that is a key).

    Refused (``AppError``): no credential, an unknown, revoked or expired one
    (UNAUTHENTICATED); a channel's key, which files complaints and reads no figure
    (FORBIDDEN).
    """
    if bearer and bearer.startswith(api_keys.KEY_PREFIX):
        bearer, api_key = None, bearer
    if bearer:
        return await staff_work.member_of_session(services, bearer)
    if not api_key:
        raise AppError(
            Refusal.UNAUTHENTICATED, "missing_credential", "statistics.missing_credential"
        )
    async with session_scope(services.sessions) as session:
        key = await api_keys.authenticate_statistics(session, api_key)
        if key is not None:
            return key
        if await api_keys.authenticate(session, api_key) is not None:
            raise AppError(
                Refusal.FORBIDDEN, "not_a_statistics_key", "statistics.not_a_statistics_key"
            )
    raise AppError(Refusal.UNAUTHENTICATED, "invalid_api_key", "statistics.invalid_api_key")


# -- the filter ---------------------------------------------------------------------------


#: The API conventions' ``problem`` word for each way a filter parameter can be wrong.
FILTER_PROBLEMS = {
    "bad_date": "not_date",
    "reversed": "invalid",
    "too_long": "invalid",
    "bad_basis": "not_one_of",
    "bad_code": "wrong_form",
    "mismatch": "invalid",
    "unknown_code": "not_one_of",
}


async def scoped_filter(
    services: Services,
    member: StaffMember | StatisticsKey,
    params: Mapping[str, str],
    *,
    today: date | None = None,
) -> StatFilter:
    """The filter ``params`` asks for, its codes checked and narrowed to the member's scope.

    Refused (``AppError``): a malformed or unknown value (INVALID, ``field`` = the URL
    parameter, ``extra["problem"]`` the API conventions' word for what is wrong); an
    administrator, who sees no complaint figure, or a filter asking for
    another region's or office's figures (FORBIDDEN).
    """
    try:
        asked = filters.parse_filter(params, today=today or jakarta_day(datetime.now(UTC)))
    except filters.FilterProblem as problem:
        raise AppError(
            Refusal.INVALID,
            f"filter_{problem.code}",
            f"statistics.filter_{problem.code}",
            params={"parameter": problem.parameter},
            field=problem.parameter,
            extra={"problem": FILTER_PROBLEMS[problem.code]},
        ) from None
    await _check_codes_exist(services, asked)
    if access.statistics_scope(member) is None:
        raise AppError(Refusal.FORBIDDEN, "no_statistics", "statistics.no_statistics")
    scoped = access.within_statistics_scope(member, asked)
    if scoped is None:
        raise AppError(Refusal.FORBIDDEN, "outside_scope", "statistics.outside_scope")
    return scoped


async def _check_codes_exist(services: Services, where: StatFilter) -> None:
    directory = await services.directory.get()
    regions = await region_names(services)
    known = {
        "region": (where.coordination_region_code, regions),
        "office": (where.office_code, directory.office_names),
        "category": (where.category_code, directory.categories),
        "programme": (where.programme, services.programmes),
    }
    for parameter, (code, codes) in known.items():
        if code is not None and code not in codes:
            _unknown(parameter)
    places = services.regions
    if where.province_code and places.province(where.province_code) is None:
        _unknown("province")
    if where.regency_code and places.regency(where.regency_code) is None:
        _unknown("regency")
    if where.district_code and places.district(where.district_code) is None:
        _unknown("district")


def _unknown(parameter: str):
    raise AppError(
        Refusal.INVALID,
        "filter_unknown_code",
        "statistics.filter_unknown_code",
        params={"parameter": parameter},
        field=parameter,
        extra={"problem": FILTER_PROBLEMS["unknown_code"]},
    )


async def region_names(services: Services) -> dict[str, str]:
    """The coordination regions' names by code (seven rows)."""
    table = CoordinationRegion.__table__
    async with services.read_engine.connect() as conn:
        rows = await conn.execute(select(table.c.code, table.c.name).order_by(table.c.code))
        return {code: name for code, name in rows}


# -- the overview -------------------------------------------------------------------------


async def overview(services: Services, where: StatFilter, *, locale: str) -> Overview:
    """Key figures (with the previous period), the trend and the ranked places of ``where``
    (a filter from :func:`scoped_filter`)."""
    previous = filters.previous_period(where)
    now, before = await _key_values(services, where), await _key_values(services, previous)
    figures = tuple(Figure(key, kind, now[key], before[key]) for key, kind in KEY_FIGURES)
    return Overview(
        where=where,
        previous=previous,
        figures=figures,
        trend=await trend(services, where, locale=locale),
        regions=await regions(services, where, locale=locale),
        regencies=await _pilot_regencies(services, where, locale=locale),
    )


#: Distributions the key figures and league rows read, in one grouped query.
_DISTRIBUTIONS = (*HISTOGRAMS, Metric.RATED, Metric.APPEALED, Metric.DEADLINE_OUTCOME)


async def _key_values(services: Services, where: StatFilter) -> dict[str, int | float | None]:
    counts = await queries.totals(services.read_engine, where)
    grouped = await queries.histograms_by(services.read_engine, where, None, _DISTRIBUTIONS)
    found = grouped.get("", {})
    answer = summarise(found.get(Metric.DAYS_TO_ANSWER, {}))
    close = summarise(found.get(Metric.DAYS_TO_CLOSE, {}))
    route = summarise(found.get(Metric.HOURS_TO_ROUTE, {}))
    ratings = found.get(Metric.RATED, {})
    appeals = appeals_from(ratings, sum(found.get(Metric.APPEALED, {}).values()))
    return {
        **_counts_row(counts),
        **_deadlines_row(found.get(Metric.DEADLINE_OUTCOME, {})),
        "median_days_to_answer": answer.median,
        "p90_days_to_answer": answer.p90,
        "median_days_to_close": close.median,
        "mean_rating": _mean(ratings),
        "share_appealed": appeals.share_appealed,
        "median_hours_to_route": route.median,
    }


def _deadlines_row(outcomes: Mapping[int, int]) -> dict[str, int | float | None]:
    """Every stage's deadlines completed in the period, and the share met, all tiers."""
    completed, met = completed_and_met(dict(outcomes))
    return {"deadlines_completed": completed, "share_met": share(met, completed)}


def _counts_row(counts: Mapping[Metric, int]) -> dict[str, int]:
    return {
        "received": counts[Metric.RECEIVED],
        "verified": counts[Metric.VERIFIED],
        "answered": counts[Metric.ANSWERED],
        "closed": counts[Metric.CLOSED],
        "rejected": counts[Metric.REJECTED],
        "reopened": counts[Metric.REOPENED],
        "forwarded": counts[Metric.FORWARDED],
        "escalated": counts[Metric.ESCALATED_REGION] + counts[Metric.ESCALATED_MINISTRY],
        "breached": counts[Metric.BREACHED],
    }


def _mean(distribution: Mapping[int, int]) -> float | None:
    total = sum(distribution.values())
    return sum(value * n for value, n in distribution.items()) / total if total else None


# -- the tables ---------------------------------------------------------------------------

_TREND = columns(
    ("period", Kind.DATE),
    ("received", Kind.COUNT),
    ("verified", Kind.COUNT),
    ("answered", Kind.COUNT),
    ("closed", Kind.COUNT),
    ("reopened", Kind.COUNT),
)
_TREND_METRICS = (
    Metric.RECEIVED,
    Metric.VERIFIED,
    Metric.ANSWERED,
    Metric.CLOSED,
    Metric.REOPENED,
)


async def trend(services: Services, where: StatFilter, *, locale: str) -> Table:
    """Received, verified, answered, closed and reopened per day, week or month (by the
    period's length; per filing month for a cohort), every point present."""
    step = filters.granularity(where)
    per_day = await queries.series(services.read_engine, where, _TREND_METRICS)
    summed: dict[date, dict[Metric, int]] = {}
    for day, counts in per_day.items():
        point = summed.setdefault(filters.period_start(day, step), {})
        for metric, n in counts.items():
            point[metric] = point.get(metric, 0) + n
    rows = tuple(
        (point, *(summed.get(point, {}).get(metric, 0) for metric in _TREND_METRICS))
        for point in filters.points(where)
    )
    return Table("trend", _TREND, rows)


#: The columns every league table (a row per region, kab/kota, office, category …) shares.
_LEAGUE = (
    ("received", Kind.COUNT),
    ("verified", Kind.COUNT),
    ("answered", Kind.COUNT),
    ("closed", Kind.COUNT),
    ("rejected", Kind.COUNT),
    ("reopened", Kind.COUNT),
    ("breached", Kind.COUNT),
    ("escalated", Kind.COUNT),
    ("share_of_received", Kind.SHARE),
    ("deadlines_completed", Kind.COUNT),
    ("share_met", Kind.SHARE),
    ("median_days_to_verify", Kind.DAYS),
    ("median_days_to_answer", Kind.DAYS),
    ("p90_days_to_answer", Kind.DAYS),
    ("median_days_to_close", Kind.DAYS),
)


async def _league(
    services: Services,
    where: StatFilter,
    *,
    name: str,
    dimension: str,
    names: Mapping[str, str],
    include: Callable[[str], bool] = bool,
    rank_by: str = "received",
) -> Table:
    """One row per value of ``dimension`` (named by ``names``; rows without a value, such
    as complaints still at a triage desk for a place, left out), ranked by ``rank_by``
    (highest first, rows without a value last)."""
    engine = services.read_engine
    counts = await queries.totals_by(engine, where, dimension)
    # Medians and the share met summed in the database: a row per group and metric, where
    # every bucket of every group would be thousands of rows at national scale.
    times = await queries.percentiles_by(engine, where, dimension, _LEAGUE_TIMES)
    outcomes = await queries.outcomes_by(engine, where, dimension, outcome_of)
    total_received = sum(c[Metric.RECEIVED] for code, c in counts.items() if include(code))
    rows = []
    for code in sorted(set(counts) | set(times) | set(outcomes)):
        if not include(code):
            continue
        row = _counts_row(counts.get(code) or dict.fromkeys(Metric, 0))
        found = times.get(code, {})
        met = outcomes.get(code, {}).get(Outcome.MET, 0)
        completed = met + outcomes.get(code, {}).get(Outcome.LATE, 0)
        rows.append(
            (
                code,
                names.get(code, code),
                *(row[key] for key, _ in _LEAGUE[:8]),
                share(row["received"], total_received),
                completed,
                share(met, completed),
                found.get(Metric.DAYS_TO_VERIFY, _NO_TIMES).median,
                found.get(Metric.DAYS_TO_ANSWER, _NO_TIMES).median,
                found.get(Metric.DAYS_TO_ANSWER, _NO_TIMES).p90,
                found.get(Metric.DAYS_TO_CLOSE, _NO_TIMES).median,
            )
        )
    spec = columns(("code", Kind.TEXT), ("name", Kind.TEXT), *_LEAGUE)
    return Table(name, spec, ranked(rows, by=[column.key for column in spec].index(rank_by)))


#: The time histograms a league row summarises, and a group none was measured for.
_LEAGUE_TIMES = (Metric.DAYS_TO_VERIFY, Metric.DAYS_TO_ANSWER, Metric.DAYS_TO_CLOSE)
_NO_TIMES = queries.Percentiles(0, None, None)


async def regions(services: Services, where: StatFilter, *, locale: str) -> Table:
    names = await region_names(services)
    return await _league(
        services, where, name="regions", dimension="coordination_region_code", names=names
    )


async def regencies(
    services: Services, where: StatFilter, *, locale: str, include: Callable[[str], bool] = bool
) -> Table:
    return await _league(
        services,
        where,
        name="regencies",
        dimension="regency_code",
        names=_PlaceNames(services.regions.regency),
        include=include,
    )


async def _pilot_regencies(services: Services, where: StatFilter, *, locale: str) -> Table:
    """The overview's kab/kota: the pilot's 40, and every one of the province or kab/kota
    the filter names. Complaints come from all ~500 of the country, and a table of them all
    would bury the pilot's (the kab/kota table of the exports and the API lists them all)."""
    pilots = (await services.directory.get()).routing.pilot_regencies
    place = where.regency_code or where.province_code

    def shown(code: str) -> bool:
        return bool(code) and (code in pilots or bool(place and code.startswith(place)))

    return await regencies(services, where, locale=locale, include=shown)


async def districts(services: Services, where: StatFilter, *, locale: str) -> Table:
    return await _league(
        services,
        where,
        name="districts",
        dimension="district_code",
        names=_PlaceNames(services.regions.district),
    )


async def offices(services: Services, where: StatFilter, *, locale: str) -> Table:
    directory = await services.directory.get()
    # The league table: the offices best at meeting their deadlines first.
    return await _league(
        services,
        where,
        name="offices",
        dimension="office_code",
        names=directory.office_names,
        rank_by="share_met",
    )


async def categories(services: Services, where: StatFilter, *, locale: str) -> Table:
    directory = await services.directory.get()
    names = {code: category.label_in(locale) for code, category in directory.categories.items()}
    return await _league(services, where, name="categories", dimension="category_code", names=names)


async def programmes(services: Services, where: StatFilter, *, locale: str) -> Table:
    return await _league(services, where, name="programmes", dimension="programme", names={})


async def channels(services: Services, where: StatFilter, *, locale: str) -> Table:
    return await _league(services, where, name="channels", dimension="channel", names={})


_COMPLIANCE = columns(
    ("stage", Kind.TEXT),
    ("tier", Kind.TEXT),
    ("completed", Kind.COUNT),
    ("met", Kind.COUNT),
    ("late", Kind.COUNT),
    ("share_met", Kind.SHARE),
    ("share_late", Kind.SHARE),
    ("breached", Kind.COUNT),
)


async def compliance(services: Services, where: StatFilter, *, locale: str) -> Table:
    """Per stage (verify, follow up, resolve), all tiers ("ALL") then each tier: the
    deadlines done in the period, met or late, and the breaches recorded in it."""
    rows = tuple(
        (
            stage.stage.value,
            stage.tier.value if stage.tier is not None else "ALL",
            stage.completed,
            stage.met,
            stage.late,
            stage.share_met,
            stage.share_late,
            stage.breached,
        )
        for stage in await stage_compliance(services.read_engine, where)
    )
    return Table("compliance", _COMPLIANCE, rows)


_SATISFACTION = columns(("rating", Kind.COUNT), ("ratings", Kind.COUNT), ("share", Kind.SHARE))


async def satisfaction(services: Services, where: StatFilter, *, locale: str) -> Table:
    """How many of each rating 1–5 the citizens gave in the period, and its share."""
    found = await queries.distribution(services.read_engine, where, Metric.RATED)
    total = sum(found.values())
    rows = tuple(
        (rating, found.get(rating, 0), share(found.get(rating, 0), total)) for rating in range(1, 6)
    )
    return Table("satisfaction", _SATISFACTION, rows)


def band_key(band: AgeBand) -> str:
    """An age band as a column key: "age_0_3" … "age_over_60"."""
    return "age_over_60" if band is AgeBand.OVER_60 else "age_" + band.value.replace("-", "_")


_BACKLOG = columns(("age_band", Kind.TEXT), ("open", Kind.COUNT), ("share", Kind.SHARE))


async def backlog(services: Services, where: StatFilter, *, locale: str) -> Table:
    """The open complaints now (the last snapshot) by age in working days since filing; the
    period does not apply, the other dimensions do."""
    ageing = await backlog_ageing(services.read_engine, calendar=services.calendar, where=where)
    rows = tuple(
        (band.value, ageing.bands[band], share(ageing.bands[band], ageing.open)) for band in AgeBand
    )
    return Table("backlog", _BACKLOG, rows)


_BACKLOG_OFFICES = columns(
    ("code", Kind.TEXT),
    ("name", Kind.TEXT),
    ("open", Kind.COUNT),
    *((band_key(band), Kind.COUNT) for band in AgeBand),
    ("overdue_verify", Kind.COUNT),
    ("overdue_follow_up", Kind.COUNT),
    ("overdue_resolve", Kind.COUNT),
    ("share_overdue_resolve", Kind.SHARE),
)


async def backlog_offices(services: Services, where: StatFilter, *, locale: str) -> Table:
    """Per office: its open complaints by age band and how many are overdue now per duty,
    the largest backlog first."""
    engine, calendar = services.read_engine, services.calendar
    ageing = await backlog_ageing(engine, calendar=calendar, where=where, by="office_code")
    overdue = await overdue_now(engine, where=where, by="office_code")
    names = (await services.directory.get()).office_names
    rows = []
    for code, bands in ageing.by.items():
        stages = overdue.by.get(code, {})
        late = {
            deadline: stages[deadline].overdue if deadline in stages else 0 for deadline in Deadline
        }
        resolve = stages.get(Deadline.RESOLVE)
        rows.append(
            (
                code,
                names.get(code, code),
                sum(bands.values()),
                *(bands[band] for band in AgeBand),
                late[Deadline.VERIFY],
                late[Deadline.FOLLOW_UP],
                late[Deadline.RESOLVE],
                resolve.share if resolve else None,
            )
        )
    return Table("backlog_offices", _BACKLOG_OFFICES, ranked(rows, by=2))


_HOTSPOTS = columns(
    ("code", Kind.TEXT),
    ("name", Kind.TEXT),
    ("received", Kind.COUNT),
    ("beneficiaries", Kind.COUNT),
    ("per_10000", Kind.RATE),
)


async def hotspots_regencies(services: Services, where: StatFilter, *, locale: str) -> Table:
    return await _hotspots(services, where, PlaceLevel.REGENCY, "hotspots_regencies")


async def hotspots_districts(services: Services, where: StatFilter, *, locale: str) -> Table:
    return await _hotspots(services, where, PlaceLevel.DISTRICT, "hotspots_districts")


async def _hotspots(services: Services, where: StatFilter, level: PlaceLevel, name: str) -> Table:
    """Complaints received per 10,000 beneficiaries of the registry, highest first."""
    found = await hotspots(services.read_engine, where=where, level=level)
    lookup = services.regions.regency if level is PlaceLevel.REGENCY else services.regions.district
    names = _PlaceNames(lookup)
    rows = tuple(
        (
            place.code,
            names.get(place.code, place.code),
            place.received,
            place.beneficiaries,
            place.rate,
        )
        for place in found.places
    )
    return Table(name, _HOTSPOTS, rows)


class _PlaceNames(Mapping[str, str]):
    """Names of kab/kota or kecamatan by code, looked up as the table asks."""

    def __init__(self, lookup) -> None:
        self._lookup = lookup

    def __getitem__(self, code: str) -> str:
        place = self._lookup(code)
        if place is None:
            raise KeyError(code)
        return place.name

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


#: Every table by its stable name: the pages' downloads, the exports and the JSON API.
TableBuilder = Callable[..., Awaitable[Table]]
TABLES: dict[str, TableBuilder] = {
    "trend": trend,
    "regions": regions,
    "regencies": regencies,
    "districts": districts,
    "offices": offices,
    "categories": categories,
    "programmes": programmes,
    "channels": channels,
    "satisfaction": satisfaction,
    "compliance": compliance,
    "backlog": backlog,
    "backlog_offices": backlog_offices,
    "hotspots_regencies": hotspots_regencies,
    "hotspots_districts": hotspots_districts,
}


async def table(services: Services, where: StatFilter, name: str, *, locale: str) -> Table:
    builder = TABLES.get(name)
    if builder is None:
        raise AppError(
            Refusal.NOT_FOUND, "no_such_table", "statistics.no_such_table", params={"name": name}
        )
    return await builder(services, where, locale=locale)


async def table_columns(
    services: Services, where: StatFilter, *, locale: str
) -> dict[str, tuple[Column, ...]]:
    """Every table's columns, by name: read off the tables themselves (over ``where``), so
    a table or column added to :data:`TABLES` is listed without being listed twice."""
    return {
        name: (await builder(services, where, locale=locale)).columns
        for name, builder in TABLES.items()
    }


async def freshness(services: Services) -> Freshness:
    behind = await lag(services.read_engine)
    mark = StatWatermark.__table__
    async with services.read_engine.connect() as conn:
        counted_at = (
            await conn.execute(select(mark.c.updated_at).where(mark.c.name == WATERMARK))
        ).scalar()
    return Freshness(
        events_behind=behind.events,
        oldest_behind_seconds=behind.oldest.total_seconds() if behind.oldest else None,
        counted_at=counted_at,
    )


def column_keys(table_: Table) -> list[str]:
    return [column.key for column in table_.columns]


__all__ = [
    "Column",
    "Figure",
    "Freshness",
    "Overview",
    "TABLES",
    "overview",
    "scoped_filter",
    "table",
]


# -- the operator's duties ------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuilt:
    counts: RebuildReport
    backlog: BacklogSnapshot
    beneficiaries: DenominatorSnapshot


async def rebuild(services: Services, operator: Operator) -> Rebuilt:
    """Recount every statistic from ``complaint`` and ``complaint_event``, and retake the
    backlog and beneficiary snapshots."""
    counts = await rebuild_counts(engine=services.engine, calendar=services.calendar)
    backlog = await refresh_backlog(engine=services.engine)
    beneficiaries = await refresh_beneficiaries(engine=services.engine)
    return Rebuilt(counts, backlog, beneficiaries)


async def verify(services: Services, operator: Operator, *, start: date, end: date) -> Verification:
    """The counts of the days ``start``..``end`` against a direct count of their events."""
    return await verify_counts(
        engine=services.engine, calendar=services.calendar, start=start, end=end
    )


async def verify_backlog_snapshot(services: Services, operator: Operator) -> BacklogVerification:
    """Retake the backlog snapshot and check it against the open complaints one by one."""
    return await verify_backlog(engine=services.engine)


async def refresh_hotspot_denominators(services: Services) -> DenominatorSnapshot:
    """Recount the beneficiaries per kecamatan (after the registry changed)."""
    return await refresh_beneficiaries(engine=services.engine)
