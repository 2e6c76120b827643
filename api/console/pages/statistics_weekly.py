"""The weekly summary, to forward to the ministry's leadership: an HTML page and the same
content as a PDF download (``/console/statistics/weekly`` and ``…/weekly.pdf``).

``week`` (any day of it; default the last complete Monday–Sunday week) and ``region`` (the
ministry: empty for the national summary) are in the URL, so the address can be shared;
who may see which summary is the statistics' access rule, through the application call.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.application import statistics, weekly_summary
from api.console import web
from api.console.web import ServicesDep, SignedInPage
from api.domain.statistics.tables import Kind
from api.domain.vocabulary import Role

router = APIRouter(route_class=web.ConsoleRoute)

_PARAMS = ("week", "region", "office")


def _kept(request: Request) -> dict[str, str]:
    params = request.query_params
    return {name: params[name].strip()[:40] for name in _PARAMS if params.get(name, "").strip()}


@router.get("/statistics/weekly")
async def weekly(request: Request, page: SignedInPage, services: ServicesDep) -> Response:
    params = _kept(request)
    summary = await weekly_summary.weekly_summary(services, page.member, params, locale=page.locale)
    query = urlencode({**params, "week": summary.where.start.isoformat()})
    return web.render(
        page,
        "statistics_weekly.html",
        active="statistics",
        summary=summary,
        pdf_url=f"{web.PREFIX}/statistics/weekly.pdf?{query}",
        regions=(
            await statistics.region_names(services) if page.member.role == Role.MINISTRY else {}
        ),
        params=params,
        kinds=Kind,
    )


@router.get("/statistics/weekly.pdf")
async def weekly_as_pdf(request: Request, page: SignedInPage, services: ServicesDep) -> Response:
    # Imported when a PDF is asked for: fpdf2 costs every api process 20 MB of memory
    # at import, and most never draw a PDF (docs/performance.md, "Statistics exports").
    from api.console import weekly_pdf

    summary = await weekly_summary.weekly_summary(
        services, page.member, _kept(request), locale=page.locale
    )
    place = summary.where.coordination_region_code or summary.where.office_code or "nasional"
    name = f"bansos-ringkasan-{place.lower()}-{summary.where.start.isoformat()}.pdf"
    return Response(
        weekly_pdf.render(summary, page.locale),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
