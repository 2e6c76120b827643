"""The queue: the home page, what the member may act on, nearest deadline first."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.application import staff_work
from api.console import web
from api.console.web import ServicesDep, SignedInPage

router = APIRouter(route_class=web.ConsoleRoute)


@router.get("/")
async def queue(page: SignedInPage, services: ServicesDep) -> Response:
    items = await staff_work.queue(services, page.member, open_only=True, limit=100)
    return web.render(page, "queue.html", active="queue", items=items)
