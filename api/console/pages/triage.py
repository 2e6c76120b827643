"""The triage desk: complaints no office holds yet, the oldest first, where a desk officer
sets the domicile — typing part of a kecamatan or kab/kota name, optionally after the
(audited) registry suggestion — sees where the complaint will be routed, and confirms.

Every step works as a plain form; htmx only fetches the place choices while typing
(``/console/triage/places``, the same fragment the full page draws). Who may set which
complaint's domicile is :mod:`api.domain.access`'s decision, through the application calls.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from api.application import staff_work, triage_desk
from api.application.errors import AppError, Refusal
from api.console import live_bar, web
from api.console.web import Page, ServicesDep, SignedInPage
from api.domain.place_search import place_of
from api.services import Services

router = APIRouter(route_class=web.ConsoleRoute)

DESK = f"{web.PREFIX}/triage"
_ID = Annotated[str, Query(max_length=32)]
#: A page of the desk: each complaint is a card with its own forms, heavier than a queue row.
PAGE_SIZE = 50
# The page of the desk a form was sent from (its cursor), so the desk comes back there.
_After = Annotated[str, Query(max_length=200)]


def _desk_url(after: str = "", **params: str) -> str:
    query = urlencode({k: v for k, v in {**params, "after": after}.items() if v})
    return DESK + (f"?{query}" if query else "")


@router.get("/triage")
async def desk(
    page: SignedInPage,
    services: ServicesDep,
    searching: Annotated[str | None, Query(alias="for", max_length=32)] = None,
    q: Annotated[str, Query(max_length=100)] = "",
    routed: Annotated[str | None, Query(max_length=32)] = None,
    office: Annotated[str | None, Query(max_length=32)] = None,
    after: _After = "",
) -> Response:
    """A page of the list (``after``: the cursor of a "next page" link); ``for`` and ``q``:
    the place choices for one complaint (the form without script); ``routed`` and
    ``office``: the notice after a confirmation."""
    directory = await services.directory.get()
    notice = None
    if routed and office:
        notice = page.t(
            "console_triage.routed", tracking_id=routed, office=directory.office_name(office)
        )
    return await _desk(page, services, searching=searching, q=q, notice=notice, after=after)


@router.get("/triage/places")
async def places(
    page: SignedInPage,
    services: ServicesDep,
    searching: Annotated[str, Query(alias="for", max_length=32)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The place choices for what was typed: the fragment htmx puts under the search box."""
    return web.render(
        page,
        "triage_places.html",
        item_id=searching,
        q=q,
        places=triage_desk.places(services, q),
        chosen=None,
    )


@router.post("/triage/{tracking_id}/suggestion")
async def suggestion(
    page: SignedInPage, services: ServicesDep, tracking_id: str, after: _After = ""
) -> Response:
    """The registry's domicile of the complaint's subject: a reveal, audited, on request."""
    found = await staff_work.domicile_suggestion(services, page.member, tracking_id)
    place = place_of(services.regions, found.district_code) if found else None
    return await _desk(page, services, suggested={tracking_id: place}, after=after)


@router.get("/triage/{tracking_id}/preview")
async def preview(
    page: SignedInPage,
    services: ServicesDep,
    tracking_id: str,
    region_code: Annotated[str, Query(max_length=32)] = "",
    code: Annotated[str, Query(max_length=32)] = "",
    after: _After = "",
) -> Response:
    """Where the complaint would go with this domicile (a place chosen, or a code typed,
    which wins); nothing is written."""
    chosen = code.strip() or region_code.strip()
    if not chosen:
        return await _desk(
            page,
            services,
            status=422,
            errors={tracking_id: page.t("console_triage.nothing_chosen")},
            after=after,
        )
    try:
        routing = await staff_work.preview_domicile(services, page.member, tracking_id, chosen)
    except AppError as error:
        return await _refused(page, services, tracking_id, error, after)
    return web.render(page, "triage_preview.html", active="triage", preview=routing, after=after)


@router.post("/triage/{tracking_id}/domicile")
async def confirm(
    page: SignedInPage,
    services: ServicesDep,
    tracking_id: str,
    region_code: Annotated[str, Form(max_length=32)] = "",
    after: _After = "",
) -> Response:
    """Set the domicile and route the complaint; back to the desk's same page with a
    notice (the cursor names a position, so the page holds the complaints after it)."""
    try:
        triaged = await staff_work.set_domicile(
            services, page.member, tracking_id, region_code=region_code
        )
    except AppError as error:
        return await _refused(page, services, tracking_id, error, after)
    return web.redirect(_desk_url(after, routed=triaged.tracking_id, office=triaged.office_code))


async def _refused(
    page: Page, services: Services, tracking_id: str, error: AppError, after: str
) -> Response:
    """A wrong domicile is shown at the complaint's form; a complaint that left triage
    meanwhile (someone else routed it) is named above the refreshed list."""
    if error.refusal == Refusal.INVALID:
        return await _desk(
            page,
            services,
            status=422,
            searching=tracking_id,
            errors={tracking_id: web.refusal_message(page, error)},
            after=after,
        )
    if error.refusal == Refusal.CONFLICT:
        return await _desk(
            page,
            services,
            status=409,
            alert=page.t("console_triage.gone", tracking_id=tracking_id),
            after=after,
        )
    raise error


async def _desk(
    page: Page,
    services: Services,
    *,
    status: int = 200,
    searching: str | None = None,
    q: str = "",
    suggested: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    notice: Any = None,
    alert: Any = None,
    after: str = "",
) -> Response:
    bar = await live_bar.bar(page, services, "triage", back=DESK)
    waiting = await triage_desk.waiting(
        services, page.member, limit=PAGE_SIZE, cursor=after or None
    )
    directory = await services.directory.get()
    offices = directory.routing.offices
    zones = {
        item.office_code: web.zone_of(
            offices[item.office_code].province_code if item.office_code in offices else None
        )
        for item in waiting.items
    }
    categories = {
        code: category.label.get(page.locale) or code
        for code, category in directory.categories.items()
    }
    return web.render(
        page,
        "triage.html",
        status_code=status,
        active="triage",
        waiting=waiting,
        zones=zones,
        categories=categories,
        office_name=directory.office_name,
        searching=searching,
        q=q,
        places=triage_desk.places(services, q) if searching and q else [],
        suggested=suggested or {},
        errors=errors or {},
        notice=notice,
        alert=alert,
        live=bar,
        after=after,
        next_url=_desk_url(waiting.next_cursor) if waiting.next_cursor else None,
        first_url=DESK if after else None,
    )
