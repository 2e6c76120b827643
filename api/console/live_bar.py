"""What a page needs to show the live bar (``live_bar.html``): the context it draws the bar
with, and the session check of the poll that does not count as the member's activity.

A page draws the bar by calling :func:`bar` *before* reading its list (a change in between
then shows as one more change rather than being missed), then :func:`until_deadlines` with
the items it lists (time alone stales a page once one of their deadlines passes), and passes
the result as ``live`` to its template, which writes ``{% include "live_bar.html" %}`` where
the bar goes. For the queue page (``"queue"``: the open complaints the member may see)::

    live = await live_bar.bar(page, services, "queue", queue_filter=flt)
    items = await ...                                   # the page's own listing
    return web.render(page, "queue.html", ..., live=live_bar.until_deadlines(live, items))

The bar polls ``/console/live/list-stamp`` (:mod:`api.console.pages.live`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request

from api.application import console_sessions, live_updates
from api.application.errors import AppError
from api.console import web
from api.console.web import Page, ServicesDep
from api.domain.complaints.queue_filter import QueueFilter, stable_part
from api.domain.complaints.watching import WatchedList
from api.domain.time_zones import WIB
from api.services import Services

#: Seconds between polls; the issue allows no more often than every 15 s.
POLL_SECONDS = 15
_DEADLINE_FIELDS = ("verify_due", "follow_up_due", "resolve_due", "next_due")


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
    back: str | None = None,
    queue_filter: QueueFilter | None = None,
) -> dict[str, Any]:
    """The ``live`` context of ``live_bar.html`` for a page about to list ``watched``
    (under ``queue_filter``); ``back`` is the URL that reloads the page (by default the
    page's own). Stale, whatever the list, from the next midnight (WIB, the deadlines'
    clock): "due today" moves on."""
    since = datetime.now(UTC)
    changes = await live_updates.list_changes(
        services, page.member, WatchedList(watched), since=since, queue_filter=queue_filter
    )
    # The poll narrows its stamp alike: the filter's stable part travels in its URL (it
    # only ever narrows what the member may see, so an edited one widens nothing).
    narrowed = stable_part(queue_filter) if queue_filter else {}
    if back is None:
        url = page.request.url
        back = url.path + (f"?{url.query}" if url.query else "")
    return {
        "watched": watched,
        "stamp": changes.stamp,
        "filter": json.dumps(narrowed, separators=(",", ":")) if narrowed else "",
        "since": since.isoformat(),
        "until": _next_midnight(since).isoformat(),
        "back": back,
        "every": POLL_SECONDS,
        "changed": 0,
        "deadlines_passed": False,
    }


def until_deadlines(live: dict[str, Any], items: Iterable[Any]) -> dict[str, Any]:
    """``live``, stale from the earliest deadline still ahead among ``items`` (anything with
    ``verify_due``, ``follow_up_due``, ``resolve_due``) if that comes before midnight."""
    until = datetime.fromisoformat(live["until"])
    now = datetime.fromisoformat(live["since"])
    ahead = [
        due
        for item in items
        for field in _DEADLINE_FIELDS
        if (due := getattr(item, field, None)) is not None and due > now
    ]
    return {**live, "until": min([until, *ahead]).isoformat()}


def _next_midnight(now: datetime) -> datetime:
    local = now.astimezone(WIB.zone)
    return datetime.combine(local.date() + timedelta(days=1), time(), WIB.zone).astimezone(UTC)
