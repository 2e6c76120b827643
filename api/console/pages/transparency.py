"""The public transparency page, ``/transparansi`` (no sign-in), and its CSV.

Per coordination region and pilot kab/kota, per month of the last twelve: complaints
received and closed, the share answered on time and the median working days to answer,
every figure already suppressed by the small-cell rule (``api.application.transparency``).
Plain HTML with its CSS inline: no script, nothing from another host. Bahasa Indonesia
first; ``?lang=en`` or ``Accept-Language: en`` for English. Browsers and proxies may keep it
five minutes (``Cache-Control: public``), and each process keeps the figures as long.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

import messages
from api.application.transparency import CACHE_SECONDS, Transparency, TransparencyCache
from api.console import formats, web
from api.domain.statistics.suppression import Cell, shown

router = APIRouter()
PATH = "/transparansi"

_HEADERS = {
    "Cache-Control": f"public, max-age={CACHE_SECONDS}",
    "Vary": "Accept-Language",
    # Nothing but the page and its own inline style.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def _figures(request: Request) -> Transparency:
    cache = getattr(request.app.state, "transparency_cache", None)
    if cache is None:
        cache = request.app.state.transparency_cache = TransparencyCache()
    return await cache.get(request.app.state.services)


def _writers(locale: str) -> dict[str, Any]:
    return {
        "count": lambda cell: shown(cell, lambda n: formats.number(n, locale)),
        "share": lambda cell: shown(cell, lambda v: formats.percent(v, locale)),
        "days": lambda cell: shown(cell, lambda v: formats.number(v, locale)),
    }


@router.get(PATH, response_class=HTMLResponse)
async def transparency_page(request: Request) -> HTMLResponse:
    locale = web.locale_of_request(request)
    figures = await _figures(request)
    marks = {
        cell.mark
        for block in figures.regions
        for place in (block.region, *block.regencies)
        for month in place.months
        for cell in (month.received, month.closed, month.on_time, month.median_days)
        if cell.mark is not None
    }
    html = web.TEMPLATES.get_template("transparency.html").render(
        t=lambda key, **params: messages.render_html(locale, f"transparency.{key}", **params),
        locale=locale,
        figures=figures,
        marks=marks,
        path=PATH,
        **_writers(locale),
    )
    return HTMLResponse(html, headers=_HEADERS)


@router.get(f"{PATH}.csv")
async def transparency_csv(request: Request) -> Response:
    """Exactly the page's figures, suppressed the same way (the marks written as on the
    page), one row per place and month."""
    figures = await _figures(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "level",
            "region_code",
            "region",
            "regency_code",
            "regency",
            "month",
            "received",
            "closed",
            "on_time",
            "median_working_days_to_answer",
        ]
    )
    for block in figures.regions:
        region = block.region
        for place, level in ((region, "region"), *((r, "regency") for r in block.regencies)):
            for month in place.months:
                writer.writerow(
                    [
                        level,
                        region.code,
                        region.name,
                        place.code if level == "regency" else "",
                        place.name if level == "regency" else "",
                        month.month.strftime("%Y-%m"),
                        _plain(month.received),
                        _plain(month.closed),
                        shown(month.on_time, lambda v: f"{v:.3f}"),
                        _plain(month.median_days),
                    ]
                )
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM, so spreadsheet programs read UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            **_HEADERS,
            "Content-Disposition": 'attachment; filename="transparansi-pengaduan.csv"',
        },
    )


def _plain(cell: Cell) -> str:
    return shown(cell, str)
