"""Statistics downloads: every table as CSV or XLSX, and the ministry's complaint rows.

``/console/statistics/<table>.csv|.xlsx?<filter>`` carry the statistics filter in the query,
as the pages do, and are refused as the pages are (403 outside the member's scope, in their
language). ``/console/statistics/complaints.csv?<filter>`` is the complaint-level export of
the ministry; ``description=1`` adds the citizens' descriptions after a confirmation page
(``confirm=1``), the export being audited either way.

This router must come before any ``/statistics/{page}`` route, whose parameter would
otherwise take ``offices.csv`` for a page's name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from api.application import complaint_export, statistics, statistics_files
from api.console import web
from api.console.web import ServicesDep, SignedInPage
from api.domain.statistics import filters

router = APIRouter(route_class=web.ConsoleRoute)


@router.get("/statistics/complaints.csv")
async def complaint_rows(request: Request, page: SignedInPage, services: ServicesDep) -> Response:
    params = request.query_params
    with_descriptions = params.get("description") == "1"
    if with_descriptions and params.get("confirm") != "1":
        # Checked like the export itself, so the confirmation is never shown to someone
        # who would then be refused.
        await complaint_export.check_may_export(services, page.member, params)
        kept = {name: params[name] for name in filters.NAMES if params.get(name)}
        return web.render(
            page,
            "statistics_export_confirm.html",
            active=None,
            hidden={**kept, "description": "1", "confirm": "1"},
            without_url=f"{web.PREFIX}/statistics/complaints.csv?{urlencode(kept)}",
        )
    export = await complaint_export.complaint_rows_export(
        services, page.member, params, with_descriptions=with_descriptions
    )
    return StreamingResponse(
        _encoded(export.chunks),
        media_type=statistics_files.CSV_MEDIA_TYPE,
        headers={"Content-Disposition": statistics_files.content_disposition(export.file_name)},
    )


async def _encoded(chunks):
    async for chunk in chunks:
        yield chunk.encode()


@router.get("/statistics/{name}.csv")
async def table_csv(
    name: str, request: Request, page: SignedInPage, services: ServicesDep
) -> Response:
    where = await statistics.scoped_filter(services, page.member, request.query_params)
    table = await statistics.table(services, where, name, locale=page.locale)
    return StreamingResponse(
        (line.encode() for line in statistics_files.table_csv(table)),
        media_type=statistics_files.CSV_MEDIA_TYPE,
        headers=_attachment(statistics_files.file_name(table.name, where, "csv")),
    )


@router.get("/statistics/{name}.xlsx")
async def table_xlsx(
    name: str, request: Request, page: SignedInPage, services: ServicesDep
) -> Response:
    where = await statistics.scoped_filter(services, page.member, request.query_params)
    table = await statistics.table(services, where, name, locale=page.locale)
    workbook = statistics_files.table_xlsx(
        table, where=where, locale=page.locale, made_at=datetime.now(UTC)
    )
    return Response(
        workbook,
        media_type=statistics_files.XLSX_MEDIA_TYPE,
        headers=_attachment(statistics_files.file_name(table.name, where, "xlsx")),
    )


def _attachment(file_name: str) -> dict[str, str]:
    return {"Content-Disposition": statistics_files.content_disposition(file_name)}
