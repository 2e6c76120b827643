"""Live updates: a page learns, without a reload, that the list it shows went stale.

The page draws ``live_bar.html`` (see :mod:`api.console.live_bar` for how). The bar polls
``/console/live/list-stamp`` every 15 seconds with the stamp the page was drawn with; the
answer is 204 (htmx leaves the page alone) while nothing changed, else the bar again saying
how many complaints changed, with a link that reloads the page. The bar also says so when
the page's earliest deadline (or midnight, when "due today" moves on) has passed: deadline
states change as time passes.

A poll checks the session without restarting its idle timeout: a console left open on an
unattended desk still ends after 30 minutes (the poll then sends the browser to sign in).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.application import live_updates
from api.console import web
from api.console.live_bar import POLL_SECONDS, WatchingPage
from api.console.web import ServicesDep
from api.domain.complaints.queue_filter import from_stable_part
from api.domain.complaints.watching import WatchedList

router = APIRouter(route_class=web.ConsoleRoute)


@router.get("/live/list-stamp")
async def list_stamp(
    page: WatchingPage,
    services: ServicesDep,
    watched: Annotated[WatchedList, Query()],
    stamp: Annotated[str, Query(max_length=64)],
    since: Annotated[datetime, Query()],
    until: Annotated[datetime, Query()],
    back: Annotated[str, Query(max_length=2000)] = f"{web.PREFIX}/",
    filter: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """204 while the list is as the page drew it; else the bar saying what changed."""
    if since.tzinfo is None or until.tzinfo is None:
        return Response(status_code=422)
    queue_filter = from_stable_part(_fields(filter))
    changes = await live_updates.list_changes(
        services, page.member, watched, since=since, queue_filter=queue_filter
    )
    deadlines_passed = datetime.now(UTC) >= until
    if changes.stamp == stamp and not deadlines_passed:
        return Response(status_code=204)
    live = {
        "watched": watched.value,
        "stamp": stamp,
        "filter": filter,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "back": back if _console_page(back) else f"{web.PREFIX}/",
        "every": POLL_SECONDS,
        # A complaint that left the list changed nothing left in it: count it as one.
        "changed": max(changes.changed_since, 1 if changes.stamp != stamp else 0),
        "deadlines_passed": deadlines_passed,
    }
    return web.render(page, "live_bar.html", live=live)


def _fields(text: str) -> dict[str, object]:
    # What the page put in its bar; anything else narrows nothing (see from_stable_part).
    try:
        fields = json.loads(text) if text else {}
    except ValueError:
        return {}
    return fields if isinstance(fields, dict) else {}


def _console_page(url: str) -> bool:
    # The bar's reload link leads back to a console page, never to another site.
    return url.startswith(f"{web.PREFIX}/") and "//" not in url and "\\" not in url
