"""The statistics pages: an overview and one page per dimension, for the ministry, the
coordinators and the handlers (never an administrator), each under the one filter of the
URL (``api.domain.statistics.filters``), so a view is shared by its address.

Every figure comes from :mod:`api.application.statistics`, which checks the filter against
the member's scope: a malformed filter is shown back with what is wrong (422), a filter
reaching past the member's region or office is a refusal page (403). Tables are drawn from
their columns alone (a figure another release adds shows without a page change); charts are
SVG drawn on the server (:mod:`api.console.charts`), downloadable as SVG, PNG and CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

import messages
from api.application import statistics
from api.application.errors import AppError, Refusal
from api.application.statistics_choices import filter_choices
from api.console import charts, formats, web
from api.console.web import Page, ServicesDep, SignedInPage
from api.domain.statistics import filters
from api.domain.statistics.counting import jakarta_day
from api.domain.statistics.queries import StatFilter
from api.domain.statistics.tables import Kind, Table

router = APIRouter(route_class=web.ConsoleRoute)
BASE = f"{web.PREFIX}/statistics"


@dataclass(frozen=True)
class Dimension:
    """A page per dimension: its address, the tables it shows (the first drawn as
    ``chart``, when it has one)."""

    slug: str
    tables: tuple[str, ...]
    chart: str | None


DIMENSIONS = (
    Dimension("offices", ("offices",), "offices"),
    Dimension("categories", ("categories",), "categories"),
    Dimension("programmes", ("programmes",), "programmes"),
    Dimension("satisfaction", ("satisfaction",), "satisfaction"),
    Dimension("backlog", ("backlog", "backlog_offices"), "backlog"),
    Dimension("hotspots", ("hotspots_regencies", "hotspots_districts"), None),
)

#: Whether a rise of a key figure is good news (green), bad news (red) or neither.
_UP_IS_GOOD = {"verified", "answered", "closed", "mean_rating"}
_DOWN_IS_GOOD = {
    "reopened",
    "breached",
    "escalated",
    "median_days_to_answer",
    "p90_days_to_answer",
    "median_days_to_close",
}


class Figures:
    """Statistics values written in the member's language: one (``figure(value, kind)``),
    or a whole table's cells at once (a league table of 200 offices has 3,000 of them, and
    a template formatting them one call at a time spent most of the page's time there)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, value, kind) -> str:
        return formats.figure(value, Kind(kind), self.locale)

    def rows(self, table: Table, columns) -> list[list[str]]:
        """``table``'s rows, each the written cells of ``columns`` (in their order)."""
        indexes = [(table.column(column.key), column.kind) for column in columns]
        figure, locale = formats.figure, self.locale
        return [[figure(row[i], kind, locale) for i, kind in indexes] for row in table.rows]

    @staticmethod
    def classes(columns) -> list[str]:
        """Each column's cell class: numbers align right."""
        return ["" if column.kind in (Kind.TEXT, Kind.DATE) else "num" for column in columns]


# -- what every statistics page shares -----------------------------------------------------


class Words:
    """Labels and definitions of figures, in the member's language; a column a newer
    release adds before its words reads as its key rather than breaking the page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def label(self, key: str) -> Markup:
        return self._say(f"statistics.label_{key}", key)

    def define(self, key: str) -> Markup:
        return self._say(f"statistics.define_{key}", "")

    def _say(self, message: str, fallback: str) -> Markup:
        try:
            return self.page.t(message)
        except messages.UnknownMessage:
            return Markup.escape(fallback)


def _query(where: StatFilter) -> str:
    return urlencode(filters.filter_params(where))


def _period_links(where: StatFilter, today: date) -> list[tuple[str, str]]:
    """The quick choices of period, each keeping the rest of the filter."""
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    # Twelve whole months ending with this one: a year ago's month is the previous period.
    twelve_months_ago = date(today.year - 1, today.month, 1)
    spans = (
        ("last_30_days", today - timedelta(days=29), today),
        ("this_month", first_of_month, today),
        ("last_month", last_month_end.replace(day=1), last_month_end),
        ("last_12_months", _next_month(twelve_months_ago), today),
    )
    params = filters.filter_params(where)
    return [
        (key, f"?{urlencode({**params, 'from': start.isoformat(), 'to': end.isoformat()})}")
        for key, start, end in spans
    ]


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


async def _freshness(page: Page, services) -> Markup:
    fresh = await statistics.freshness(services)
    if fresh.events_behind:
        minutes = int((fresh.oldest_behind_seconds or 0) // 60)
        return page.t(
            "console_statistics.fresh_behind", minutes=minutes, events=fresh.events_behind
        )
    if fresh.counted_at is None:
        return page.t("console_statistics.fresh_nothing_yet")
    counted_at = fresh.counted_at
    if counted_at.tzinfo is None:
        counted_at = counted_at.replace(tzinfo=UTC)
    minutes = int(max(0, (datetime.now(UTC) - counted_at).total_seconds()) // 60)
    return page.t("console_statistics.fresh_current", minutes=minutes)


async def _render(
    request: Request,
    page: Page,
    services,
    template: str,
    active_tab: str,
    build,
) -> Response:
    """Check the URL's filter, then render ``template`` with what ``build(where)`` adds;
    a malformed filter comes back in the form with what is wrong (422)."""
    today = jakarta_day(datetime.now(UTC))
    problem = None
    try:
        where = await statistics.scoped_filter(services, page.member, request.query_params)
    except AppError as error:
        if error.refusal != Refusal.INVALID:
            raise
        problem = (error.field, web.refusal_message(page, error))
        where = await statistics.scoped_filter(services, page.member, {})
    shown = (
        {name: request.query_params.get(name, "") for name in filters.NAMES}
        if problem
        else filters.filter_params(where)
    )
    context = {} if problem else await build(where)
    return web.render(
        page,
        template,
        status_code=422 if problem else 200,
        active="statistics",
        tab=active_tab,
        where=where,
        shown=shown,
        problem=problem,
        # The form opens when the URL narrows the figures (a period alone does not).
        narrowed=any(request.query_params.get(name) for name in filters.NAMES[2:]),
        choices=await filter_choices(services, page.member, where, locale=page.locale),
        periods=_period_links(where, today),
        query=_query(where),
        freshness=await _freshness(page, services),
        words=Words(page),
        figure=Figures(page.locale),
        dimensions=DIMENSIONS,
        **context,
    )


def _drawn(page: Page, spec: charts.ChartSpec, where: StatFilter, data: Table) -> tuple:
    """The chart's title, description and SVG, in the member's language."""
    title, description = _chart_words(page, spec, where)
    words = Words(page)
    labels = {key: str(words.label(key)) for key in spec.series}
    labels["no_data"] = str(page.t("console_statistics.no_data"))
    drawn = charts.svg(
        spec, data, locale=page.locale, title=title, description=description, labels=labels
    )
    return title, description, drawn


def _chart(page: Page, where: StatFilter, name: str, table: Table) -> dict:
    spec = charts.CHARTS[name]
    data = charts.chart_data(spec, table)
    title, description, drawn = _drawn(page, spec, where, data)
    return {
        "name": name,
        "title": title,
        "description": description,
        "src": charts.data_uri(drawn),
        "data": data,
    }


def _chart_words(page: Page, spec: charts.ChartSpec, where: StatFilter) -> tuple[str, str]:
    period = page.t(
        "console_statistics.period",
        start=formats.figure(where.start, Kind.DATE, page.locale),
        end=formats.figure(where.end, Kind.DATE, page.locale),
    )
    title = str(page.t(f"console_statistics.chart_{spec.name}"))
    description = str(page.t(f"console_statistics.chart_{spec.name}_description", period=period))
    return title, description


# -- the pages -----------------------------------------------------------------------------


@router.get("/statistics")
async def overview(request: Request, page: SignedInPage, services: ServicesDep) -> Response:
    async def build(where: StatFilter) -> dict:
        seen = await statistics.overview(services, where, locale=page.locale)
        return {
            "figures": seen.figures,
            "previous": seen.previous,
            "trend": seen.trend,
            "regions": seen.regions,
            "regencies": seen.regencies,
            "trend_chart": _chart(page, where, "trend", seen.trend),
            "direction": _direction,
        }

    return await _render(request, page, services, "statistics.html", "overview", build)


def _dimension_page(dimension: Dimension):
    async def show(request: Request, page: SignedInPage, services: ServicesDep) -> Response:
        async def build(where: StatFilter) -> dict:
            # A table a release has not built yet shows as "coming", not as an error.
            tables = [
                await statistics.table(services, where, name, locale=page.locale)
                for name in dimension.tables
                if name in statistics.TABLES
            ]
            chart = None
            if dimension.chart and tables:
                chart = _chart(page, where, dimension.chart, tables[0])
            return {"tables": tables, "chart": chart, "dimension": dimension}

        return await _render(
            request, page, services, "statistics_dimension.html", dimension.slug, build
        )

    show.__name__ = f"statistics_{dimension.slug}"
    return show


for _dimension in DIMENSIONS:
    router.add_api_route(
        f"/statistics/{_dimension.slug}", _dimension_page(_dimension), methods=["GET"]
    )


_DOWNLOADS = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "csv": "text/csv; charset=utf-8",
}


@router.get("/statistics/chart/{file_name}")
async def chart_file(
    request: Request, page: SignedInPage, services: ServicesDep, file_name: str
) -> Response:
    """A chart as SVG or PNG, or its numbers as CSV, under the URL's filter."""
    name, _, extension = file_name.rpartition(".")
    spec = charts.CHARTS.get(name)
    if spec is None or extension not in _DOWNLOADS:
        raise AppError(
            Refusal.NOT_FOUND,
            "no_such_chart",
            "console_statistics.no_such_chart",
            params={"name": file_name[:40]},
        )
    where = await statistics.scoped_filter(services, page.member, request.query_params)
    table = await statistics.table(services, where, spec.table, locale=page.locale)
    data = charts.chart_data(spec, table)
    if extension == "csv":
        body: str | bytes = charts.csv_text(data)
    else:
        drawn = _drawn(page, spec, where, data)[2]
        body = charts.png(drawn) if extension == "png" else drawn
    download = f"{name}-{where.start.isoformat()}-{where.end.isoformat()}.{extension}"
    return Response(
        body,
        media_type=_DOWNLOADS[extension],
        headers={"Content-Disposition": f'attachment; filename="{download}"'},
    )


def _direction(figure: statistics.Figure) -> str:
    """``better``, ``worse`` or ``neutral``: how the figure's change reads."""
    change = figure.change
    if not change:
        return "neutral"
    if figure.key in _UP_IS_GOOD:
        return "better" if change > 0 else "worse"
    if figure.key in _DOWN_IS_GOOD:
        return "worse" if change > 0 else "better"
    return "neutral"
