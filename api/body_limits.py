"""Request bodies bounded per route, and credentials checked before a body is read.

A pure ASGI middleware, outside FastAPI's body parsing, because FastAPI reads (and for a
form, spools) the whole body before it resolves a single dependency: without this a
request with no key was read to its end before its 401, and eight 200 MB bodies took the
process from 169 MB to 2.26 GB.

For each request the first matching :data:`RULES` entry gives

* the most bytes the body may have: a declared ``Content-Length`` above it is answered
  413 before anything is read, and a body streamed without one is counted chunk by chunk
  and cut off (413) as soon as it passes the limit;
* what credentials the route needs, checked from the headers alone before the body is
  read: a channel's API key is checked for real (the same cached check as the routes'),
  a staff session only for its presence (its route checks it, a database read this
  middleware does not repeat on every staff request).

The refusals have the api's one JSON error shape (Open311's error list under
``/open311/``), in the request's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import messages
from api.application.errors import AppError, Refusal
from api.deps import channel_of
from api.domain.complaints.attachments import MAX_ATTACHMENT_BYTES
from api.domain.unavailable import UNAVAILABLE
from api.errors import (
    ApiError,
    error_response,
    http_error,
    person_locale,
    request_locale,
    unavailable_error,
)
from api.open311_format import MEDIA_TYPE, to_xml

_MB = 1024 * 1024
#: A JSON or form body: a complaint's description is at most 4,000 characters.
JSON_LIMIT = 1 * _MB
#: The multipart envelope around one attachment: boundaries, part headers, the small
#: form fields (channel user, locale). Generous: a client's headers vary.
MULTIPART_OVERHEAD = 64 * 1024
ATTACHMENT_LIMIT = MAX_ATTACHMENT_BYTES + MULTIPART_OVERHEAD

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
OPEN311_PREFIX = "/open311/"


class Credentials(StrEnum):
    NONE = "none"
    # The request must carry a valid channel API key (X-API-Key or a bearer token).
    CHANNEL_KEY = "channel_key"
    # The request must carry a bearer token; the route checks the session itself.
    STAFF_SESSION = "staff_session"


@dataclass(frozen=True, slots=True)
class BodyRule:
    limit: int
    credentials: Credentials


#: The first pattern that matches the path decides. Open311's ``POST requests`` carries its
#: key in the form itself (the spec's ``api_key``), so only its size is bounded here.
RULES: tuple[tuple[re.Pattern[str], BodyRule], ...] = (
    (
        re.compile(r"/api/v1/complaints/[^/]+/attachments/?"),
        BodyRule(ATTACHMENT_LIMIT, Credentials.CHANNEL_KEY),
    ),
    (re.compile(r"/api/v1/staff/sessions/?"), BodyRule(JSON_LIMIT, Credentials.NONE)),
    (re.compile(r"/api/v1/(staff|admin)/.*"), BodyRule(JSON_LIMIT, Credentials.STAFF_SESSION)),
    (re.compile(r"/api/v1/.*"), BodyRule(JSON_LIMIT, Credentials.CHANNEL_KEY)),
)
DEFAULT_RULE = BodyRule(JSON_LIMIT, Credentials.NONE)


def rule_for(path: str) -> BodyRule:
    for pattern, rule in RULES:
        if pattern.fullmatch(path):
            return rule
    return DEFAULT_RULE


class _BodyTooLarge(Exception):
    """Raised into the application's ``receive`` to stop it reading on."""


class BodyLimits:
    """The ASGI middleware: see the module's docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = rule_for(scope["path"])
        request = Request(scope)
        declared = _declared_length(request)
        if declared is not None and declared > rule.limit:
            await (await _too_large(request, rule))(scope, receive, send)
            return
        if scope["method"] in _BODY_METHODS:
            refusal = await _credentials_refusal(request, rule.credentials)
            if refusal is not None:
                await error_response(refusal)(scope, receive, send)
                return
        await self._bounded(scope, receive, send, request, rule)

    async def _bounded(
        self, scope: Scope, receive: Receive, send: Send, request: Request, rule: BodyRule
    ) -> None:
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > rule.limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # Once the body is cut off, whatever the application makes of the broken read
            # (a 400 from the form parser, a 500) is replaced by the 413 sent below.
            if exceeded:
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await (await _too_large(request, rule))(scope, receive, send)


def _declared_length(request: Request) -> int | None:
    text = request.headers.get("content-length")
    if text is None or not text.strip().isdigit():
        return None  # malformed: the server refuses it, or the count below catches it
    return int(text)


async def _too_large(request: Request, rule: BodyRule) -> Response:
    # A signed-in member reads it in their own language, like every other refusal.
    locale = await person_locale(request) or request_locale(request)
    max_mb = round(rule.limit / _MB, 1)
    message = messages.render_text(locale, "requests.body_too_large", max_mb=f"{max_mb:g}")
    if request.url.path.startswith(OPEN311_PREFIX):
        # Open311 clients read the spec's error list, in the format of the path's suffix.
        errors = [{"code": 413, "description": message}]
        if request.url.path.endswith(".xml"):
            return Response(to_xml("errors", errors), status_code=413, media_type=MEDIA_TYPE)
        return JSONResponse(errors, status_code=413)
    return error_response(ApiError(413, "body_too_large", message))


async def _credentials_refusal(request: Request, credentials: Credentials) -> ApiError | None:
    if credentials is Credentials.CHANNEL_KEY:
        try:
            await channel_of(request, request.app.state.services, request.headers.get("x-api-key"))
        except ApiError as refusal:
            return refusal
        except AppError as error:
            return http_error(error, request_locale(request))
        except UNAVAILABLE:
            # Outside the routes, so the app's 503 handler cannot answer this one.
            return unavailable_error(request_locale(request))
    elif credentials is Credentials.STAFF_SESSION:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            missing = AppError(Refusal.UNAUTHENTICATED, "missing_session", "staff.missing_session")
            return http_error(missing, request_locale(request))
    return None
