"""The statistics JSON API for the ministry's own tools: the overview and every table by
name, under the one filter the console's pages use (``from``, ``to``, ``basis``, ``region``,
``province``, ``regency``, ``district``, ``office``, ``category``, ``programme``,
``channel``).

A caller is a staff session (``Authorization: Bearer <token>``, the member's own scope) or a
**statistics key** (``X-API-Key``): a read-only key an administrator makes in the console's
keys page or with ``bansos create-api-key NAME --statistics [--region WK1]``, reading the whole
country's figures or one coordination region's. A channel's key reads nothing here, and a
statistics key does nothing anywhere else. Every answer says how fresh its figures are.
Figures are counts and working days over the rollup: never a reporter, a NIK or a word of a
complaint.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, Field

import messages
from api.application import statistics
from api.deps import ServicesDep
from api.domain.api_keys import StatisticsKey
from api.domain.instants import UtcInstant
from api.domain.staff import StaffMember
from api.domain.statistics import filters
from api.domain.statistics.tables import Kind, Table
from api.errors import error_responses, note_member_locale, request_locale

router = APIRouter(
    prefix="/api/v1/statistics",
    tags=["statistics"],
    responses=error_responses(
        401,
        403,
        422,
        503,
        meanings={
            401: "No staff session or statistics key, or an unknown, revoked or expired one",
            403: (
                "A channel's key (it reads no statistics), an administrator (no complaint "
                "figure), or a filter outside the caller's region or office"
            ),
            422: "A filter parameter is malformed or names nothing: `field` names it",
        },
    ),
)

Value = int | float | str | None


class ColumnOut(BaseModel):
    key: str = Field(description="Stable: the CSV header and the rows' field name")
    kind: Kind = Field(description="How to read a value: a share is 0..1, days are working days")
    label: str
    definition: str


class TableInfoOut(BaseModel):
    name: str
    columns: list[ColumnOut]


class FreshnessOut(BaseModel):
    """How far the figures trail the complaints."""

    events_behind: int = Field(description="Complaint events not counted yet")
    oldest_behind_seconds: float | None = Field(
        description="Age of the oldest event not counted yet; null when none is behind"
    )
    counted_at: UtcInstant | None = Field(description="When the counts last moved")


class TableOut(BaseModel):
    name: str
    filter: dict[str, str] = Field(
        description="The filter applied, as URL parameters (narrowed to the caller's scope)"
    )
    freshness: FreshnessOut
    columns: list[ColumnOut]
    rows: list[dict[str, Value]] = Field(
        description="One object per row, keyed by the columns' keys; a date as YYYY-MM-DD"
    )


class FigureOut(BaseModel):
    key: str
    kind: Kind
    label: str
    definition: str
    value: int | float | None
    previous: int | float | None = Field(description="The same figure in the period before")
    change: float | None = Field(description="Relative change against the previous period")


class OverviewOut(BaseModel):
    filter: dict[str, str]
    previous_filter: dict[str, str] = Field(description="The period the figures compare with")
    freshness: FreshnessOut
    figures: list[FigureOut]
    trend: TableOut
    regions: TableOut
    regencies: TableOut


# -- who reads ----------------------------------------------------------------------------


async def get_reader(
    request: Request,
    services: ServicesDep,
    x_api_key: Annotated[
        str | None,
        Header(alias="X-API-Key", description="A statistics key, when no staff session is sent"),
    ] = None,
) -> StaffMember | StatisticsKey:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else None
    reader = await statistics.reader_of(services, bearer=bearer, api_key=x_api_key)
    if isinstance(reader, StaffMember):
        # Every refusal from here on is in the member's own language.
        note_member_locale(request, reader.locale)
    return reader


Reader = Annotated[StaffMember | StatisticsKey, Depends(get_reader)]


def _locale(request: Request, reader: StaffMember | StatisticsKey) -> str:
    if isinstance(reader, StaffMember):
        return messages.normalize_locale(reader.locale)
    return request_locale(request)


# -- the filter, as the console's: one query parameter each -------------------------------

_Param = Annotated[str | None, Query(max_length=64)]


class FilterParams:
    """The console's filter parameters, documented one by one (api.domain.statistics.filters)."""

    def __init__(
        self,
        from_: Annotated[
            str | None,
            Query(
                alias="from",
                max_length=10,
                description="First day, YYYY-MM-DD (Asia/Jakarta); default 29 days before `to`",
            ),
        ] = None,
        to: Annotated[
            str | None,
            Query(max_length=10, description="Last day, inclusive, YYYY-MM-DD; default today"),
        ] = None,
        basis: Annotated[
            str | None,
            Query(
                max_length=16,
                description=(
                    "`event` (default): what happened in the period; `cohort`: the "
                    "complaints filed in the period's months"
                ),
            ),
        ] = None,
        region: Annotated[
            str | None, Query(max_length=64, description="Coordination region (WK1 …)")
        ] = None,
        province: Annotated[str | None, Query(max_length=64, description="2 digits")] = None,
        regency: Annotated[
            str | None, Query(max_length=64, description="Kab/kota, 4 digits")
        ] = None,
        district: Annotated[
            str | None, Query(max_length=64, description="Kecamatan, 6 digits")
        ] = None,
        office: Annotated[str | None, Query(max_length=64, description="Office code")] = None,
        category: Annotated[str | None, Query(max_length=64, description="Category code")] = None,
        programme: _Param = None,
        channel: _Param = None,
    ) -> None:
        given = {
            "from": from_,
            "to": to,
            "basis": basis,
            "region": region,
            "province": province,
            "regency": regency,
            "district": district,
            "office": office,
            "category": category,
            "programme": programme,
            "channel": channel,
        }
        self.params = {name: value for name, value in given.items() if value is not None}


Filter = Annotated[FilterParams, Depends()]


# -- the routes ---------------------------------------------------------------------------


@router.get("/tables", response_model=list[TableInfoOut])
async def list_tables(
    request: Request, reader: Reader, services: ServicesDep
) -> list[TableInfoOut]:
    """Every table by its stable name, with its columns' labels and definitions (in the
    member's language, else `Accept-Language`)."""
    locale = _locale(request, reader)
    where = await statistics.scoped_filter(services, reader, {})
    found = await statistics.table_columns(services, where, locale=locale)
    return [
        TableInfoOut(name=name, columns=[_column(c.key, c.kind, locale) for c in spec])
        for name, spec in found.items()
    ]


@router.get("/overview", response_model=OverviewOut)
async def overview(
    request: Request, reader: Reader, services: ServicesDep, asked: Filter
) -> OverviewOut:
    """The key figures against the previous period of the same length, the trend, and the
    coordination regions and kab/kota ranked by complaints received."""
    locale = _locale(request, reader)
    where = await statistics.scoped_filter(services, reader, asked.params)
    found = await statistics.overview(services, where, locale=locale)
    fresh = await _freshness(services)
    return OverviewOut(
        filter=filters.filter_params(where),
        previous_filter=filters.filter_params(found.previous),
        freshness=fresh,
        figures=[
            FigureOut(
                key=figure.key,
                kind=figure.kind,
                label=_said(locale, "label", figure.key),
                definition=_said(locale, "define", figure.key),
                value=figure.value,
                previous=figure.previous,
                change=figure.change,
            )
            for figure in found.figures
        ],
        trend=_table_out(found.trend, where, fresh, locale),
        regions=_table_out(found.regions, where, fresh, locale),
        regencies=_table_out(found.regencies, where, fresh, locale),
    )


@router.get(
    "/tables/{name}",
    response_model=TableOut,
    responses=error_responses(404, meanings={404: "No statistics table with this name"}),
)
async def read_table(
    name: Annotated[str, Path(max_length=64, description="A name from GET …/tables")],
    request: Request,
    reader: Reader,
    services: ServicesDep,
    asked: Filter,
) -> TableOut:
    """One table under the filter: its columns (label, definition) and rows."""
    locale = _locale(request, reader)
    where = await statistics.scoped_filter(services, reader, asked.params)
    found = await statistics.table(services, where, name, locale=locale)
    return _table_out(found, where, await _freshness(services), locale)


# -- shapes -------------------------------------------------------------------------------


async def _freshness(services) -> FreshnessOut:
    fresh = await statistics.freshness(services)
    return FreshnessOut(
        events_behind=fresh.events_behind,
        oldest_behind_seconds=fresh.oldest_behind_seconds,
        counted_at=fresh.counted_at,
    )


def _table_out(table: Table, where, fresh: FreshnessOut, locale: str) -> TableOut:
    return TableOut(
        name=table.name,
        filter=filters.filter_params(where),
        freshness=fresh,
        columns=[_column(column.key, column.kind, locale) for column in table.columns],
        rows=[{key: _plain(value) for key, value in row.items()} for row in table.as_dicts()],
    )


def _column(key: str, kind: Kind, locale: str) -> ColumnOut:
    return ColumnOut(
        key=key,
        kind=kind,
        label=_said(locale, "label", key),
        definition=_said(locale, "define", key),
    )


def _said(locale: str, part: str, key: str) -> str:
    return messages.render_text(locale, f"statistics.{part}_{key}")


def _plain(value: Any) -> Value:
    return value.isoformat() if isinstance(value, date) else value
