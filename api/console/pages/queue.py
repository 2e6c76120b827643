"""The queue: the home page, what the member may act on, nearest deadline first.

Every filter lives in the URL (a view can be bookmarked, shared and saved by name); tabs
show their counts under the same filters; pages follow an opaque keyset cursor (``after``),
so the hundredth page costs what the first does. The tracking-ID box forgives one mistyped
or two swapped symbols; bulk assignment and verification report a result per complaint.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.application import console_work
from api.application.errors import AppError, Refusal
from api.console import live_bar, web
from api.console.web import ServicesDep, SignedInPage
from api.domain.complaints.queue_filter import (
    Assigned,
    DeadlineState,
    QueueFilter,
    Tab,
)
from api.domain.vocabulary import Privacy, Role, Status

router = APIRouter(route_class=web.ConsoleRoute)

#: The query parameters a queue URL may hold (anything else is ignored).
_FIELDS = (
    "tab", "status", "category", "programme", "office", "regency", "district", "deadline",
    "privacy", "attachments", "assigned", "channel", "filed_from", "filed_to", "q",
)  # fmt: skip
_PROGRAMMES = ("PKH", "SEMBAKO", "PBI_JK", "BLT")


def _choice(enum, value: str | None):
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filter_of(params, member) -> tuple[QueueFilter, dict[str, str]]:
    """The filter a queue URL asks for (unknown values dropped), and the URL's cleaned
    parameters to build links with."""
    kept = {name: params[name].strip() for name in _FIELDS if params.get(name, "").strip()}
    overseer = member.role in (Role.COORDINATOR, Role.MINISTRY)
    attachments = {"yes": True, "no": False}.get(kept.get("attachments", ""))
    flt = QueueFilter(
        tab=_choice(Tab, kept.get("tab")) or Tab.NEW,
        status=_choice(Status, kept.get("status")),
        category=kept.get("category")[:32] if kept.get("category") else None,
        programme=kept.get("programme")[:16] if kept.get("programme") else None,
        office_code=kept.get("office")[:32] if overseer and kept.get("office") else None,
        regency_code=kept.get("regency")[:4] if kept.get("regency") else None,
        district_code=kept.get("district")[:6] if kept.get("district") else None,
        deadline=_choice(DeadlineState, kept.get("deadline")),
        privacy=_choice(Privacy, kept.get("privacy")),
        has_attachments=attachments,
        assigned=_choice(Assigned, kept.get("assigned")) or Assigned.ANYONE,
        channel=kept.get("channel")[:64] if kept.get("channel") else None,
        filed_from=_day(kept.get("filed_from")),
        filed_to=_day(kept.get("filed_to")),
        text=kept.get("q"),
        cursor=params.get("after") or None,
        limit=50,
    )
    return flt, kept


def _url(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    query = urlencode({k: v for k, v in merged.items() if v})
    return f"{web.PREFIX}/" + (f"?{query}" if query else "")


@router.get("/")
async def queue(request: Request, page: SignedInPage, services: ServicesDep) -> Response:
    flt, params = filter_of(request.query_params, page.member)
    live = await live_bar.bar(page, services, "queue", queue_filter=flt)
    listing = await console_work.queue_page(services, page.member, flt)
    counts = await console_work.tab_counts(services, page.member, flt)
    directory = await services.directory.get()
    views = await console_work.saved_views_of(services, page.member)
    colleagues = await console_work.bulk_assignees(
        services, page.member, [row.office_code for row in listing.rows]
    )
    return web.render(
        page,
        "queue.html",
        active="queue",
        flt=flt,
        params=params,
        rows=listing.rows,
        next_url=_url(params, after=listing.next_cursor) if listing.next_cursor else None,
        first_url=_url(params) if flt.cursor else None,
        tabs=[(tab, counts.get(tab), _url(params, tab=tab.value)) for tab in Tab],
        url=lambda **changes: _url(params, **changes),
        categories=[
            (code, category.label_in(page.locale))
            for code, category in directory.categories.items()
        ],
        office_names=directory.office_names,
        overseer=page.member.role in (Role.COORDINATOR, Role.MINISTRY),
        statuses=list(Status),
        deadlines=list(DeadlineState),
        privacies=list(Privacy),
        programmes=_PROGRAMMES,
        views=views,
        colleagues=colleagues,
        query=urlencode(params),
        live=live_bar.until_deadlines(live, listing.rows),
        now=datetime.now(UTC),
    )


@router.get("/find")
async def find(page: SignedInPage, services: ServicesDep, id: str = "") -> Response:
    """The tracking-ID box: straight to the complaint, or a choice when a typo could mean
    two of the member's complaints."""
    found = await console_work.find_tracking_id(services, page.member, id[:40])
    if len(found) == 1:
        return web.redirect(f"{web.PREFIX}/complaints/{found[0]}")
    return web.render(page, "queue_find.html", active="queue", typed=id, found=found)


@router.post("/bulk")
async def bulk(
    request: Request,
    page: SignedInPage,
    services: ServicesDep,
    action: Annotated[str, Form(max_length=32)] = "",
    to_staff_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """The chosen action on each ticked complaint; a page of results, one per complaint.
    "Assign" needs a colleague chosen (handing back to nobody is "unassign", so an
    untouched colleague list never unassigns a selection by accident)."""
    form = await request.form()
    selected = [value for value in form.getlist("id") if isinstance(value, str)][:200]
    kind = _choice(console_work.BulkKind, action)
    if kind is None:
        raise AppError(Refusal.INVALID, "bulk_action", "console_queue_page.bulk_action")
    to = int(to_staff_id) if to_staff_id.isdigit() else None
    if kind == console_work.BulkKind.ASSIGN and to is None:
        raise AppError(
            Refusal.INVALID,
            "bulk_assignee",
            "console_queue_page.bulk_assignee_required",
            field="to_staff_id",
        )
    results = await console_work.bulk_act(
        services, page.member, selected, console_work.BulkAction(kind, to)
    )
    assignee = None
    if kind == console_work.BulkKind.ASSIGN and any(result.ok for result in results):
        assignee = await console_work.assignee_name(services, to)
    return web.render(
        page, "queue_bulk.html", active="queue", kind=kind, results=results, assignee=assignee
    )


@router.post("/views")
async def save_view(
    page: SignedInPage,
    services: ServicesDep,
    name: Annotated[str, Form(max_length=200)] = "",
    query: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    view = await console_work.save_view(services, page.member, name=name.strip(), query=query)
    return web.redirect(f"{web.PREFIX}/?{view.query}" if view.query else f"{web.PREFIX}/")


@router.post("/views/{view_id}/delete")
async def delete_view(view_id: int, page: SignedInPage, services: ServicesDep) -> Response:
    await console_work.delete_view(services, page.member, view_id)
    return web.redirect(f"{web.PREFIX}/")
