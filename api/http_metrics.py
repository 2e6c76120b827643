"""Counts every HTTP request by method, route template and status, and times it.

A pure ASGI middleware, the outermost of the api's own, so that what ``BodyLimits`` refuses
(401, 413) is counted too. The route is the template the router chose
(``/api/v1/complaints/{tracking_id}``), read after the request from the scope, where the
router leaves it: never the raw path, which holds tracking IDs, and whose every distinct
value would be a new series. A request the router never reached (an unknown path, or one
refused before routing) is counted under :data:`UNROUTED`.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics

UNROUTED = "unrouted"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    if route is None:
        return UNROUTED
    # A Mount's path_format ends in "/{path}"; an APIRoute's is its path.
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNROUTED


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # An exception that escapes us is answered 500 by Starlette's outermost handler.
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            metrics.record_request(
                scope["method"], route_template(scope), status, time.perf_counter() - started
            )
