"""Live updates: a page learns, without a reload, that the list it shows went stale.

The page draws ``live_bar.html`` (``{% include "live_bar.html" %}``, with ``live`` in its
context from :func:`bar`). The bar polls ``/console/live/list-stamp`` every 15 seconds with
the stamp the page was drawn with; the answer is 204 (htmx leaves the page alone) while
nothing changed, else the bar again saying how many complaints changed, with a link that
reloads the page. The bar also says so when the page's earliest deadline (or midnight, when
"due today" moves on) has passed: deadline states change as time passes.

A poll checks the session without restarting its idle timeout: a console left open on an
unattended desk still ends after 30 minutes (the poll then sends the browser to sign in).

For the queue page (``watched="queue"``: the open complaints the member may see)::

    live = await live.bar(page, services, "queue", items=items)   # before listing the items
    ...
    return web.render(page, "queue.html", ..., live=live)

and ``{% include "live_bar.html" %}`` where the bar should appear (above the table).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.application import console_sessions, live_updates
from api.application.errors import AppError
from api.console import web
from api.console.web import Page, ServicesDep
from api.domain.complaints.watching import WatchedList
from api.domain.time_zones import WIB
from api.services import Services

router = APIRouter(route_class=web.ConsoleRoute)

#: Seconds between polls; the issue allows no more often than every 15 s.
POLL_SECONDS = 15
_DEADLINE_FIELDS = ("verify_due", "follow_up_due", "resolve_due")


async def watching_page(request: Request, services: ServicesDep) -> Page:
    """The signed-in member, checked without counting as their activity."""
    token = request.cookies.get(web.SESSION_COOKIE)
    try:
        member = await console_sessions.member_of_console_session(services, token, activity=False)
    except AppError:
        raise web.SignInRequired("session_ended" if token else None) from None
    if member.must_change_password:
        raise web.PasswordChangeRequired()
    return Page(request, member, member.locale, web.csrf_token_of(token or ""))


WatchingPage = Annotated[Page, Depends(watching_page)]


async def bar(
    page: Page,
    services: Services,
    watched: str,
    *,
    items: Iterable[Any] = (),
    back: str | None = None,
) -> dict[str, Any]:
    """The ``live`` context of ``live_bar.html`` for a page about to list ``watched``.
    Call it before reading the list: a change in between then shows as one more change
    rather than being missed. ``items`` with deadlines set when time alone stales the page;
    ``back`` is the URL that reloads it (by default the page's own, when it was a GET)."""
    since = datetime.now(UTC)
    changes = await live_updates.list_changes(
        services, page.member, WatchedList(watched), since=since
    )
    if back is None:
        url = page.request.url
        back = url.path + (f"?{url.query}" if url.query else "")
    return {
        "watched": watched,
        "stamp": changes.stamp,
        "since": since.isoformat(),
        "until": _stale_at(since, items).isoformat(),
        "back": back,
        "every": POLL_SECONDS,
        "changed": 0,
        "deadlines_passed": False,
    }


def _stale_at(now: datetime, items: Iterable[Any]) -> datetime:
    """The earliest deadline still ahead among ``items``, or the next midnight (WIB, the
    deadlines' own clock), whichever comes first."""
    local = now.astimezone(WIB.zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), WIB.zone)
    ahead = [
        due
        for item in items
        for field in _DEADLINE_FIELDS
        if (due := getattr(item, field, None)) is not None and due > now
    ]
    return min([midnight.astimezone(UTC), *ahead])


@router.get("/live/list-stamp")
async def list_stamp(
    page: WatchingPage,
    services: ServicesDep,
    watched: Annotated[WatchedList, Query()],
    stamp: Annotated[str, Query(max_length=64)],
    since: Annotated[datetime, Query()],
    until: Annotated[datetime, Query()],
    back: Annotated[str, Query(max_length=2000)] = f"{web.PREFIX}/",
) -> Response:
    """204 while the list is as the page drew it; else the bar saying what changed."""
    if since.tzinfo is None or until.tzinfo is None:
        return Response(status_code=422)
    changes = await live_updates.list_changes(services, page.member, watched, since=since)
    deadlines_passed = datetime.now(UTC) >= until
    if changes.stamp == stamp and not deadlines_passed:
        return Response(status_code=204)
    live = {
        "watched": watched.value,
        "stamp": stamp,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "back": back if _console_page(back) else f"{web.PREFIX}/",
        "every": POLL_SECONDS,
        # A complaint that left the list changed nothing left in it: count it as one.
        "changed": max(changes.changed_since, 1 if changes.stamp != stamp else 0),
        "deadlines_passed": deadlines_passed,
    }
    return web.render(page, "live_bar.html", live=live)


def _console_page(url: str) -> bool:
    # The bar's reload link leads back to a console page, never to another site.
    return url.startswith(f"{web.PREFIX}/") and "//" not in url and "\\" not in url
