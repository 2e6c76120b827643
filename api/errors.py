"""One error shape for every JSON route: ``{"error": {"code", "message", "field"?}}``.

Validation errors never echo the submitted value back: it may be a NIK. The ones a person
can fix (a character a text may not hold, a text too long, a number out of range) are said
in the request's language (``?locale=`` or Accept-Language). A database or Redis that does
not answer is a 503 with Retry-After in the same shape, never a bare 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

import messages
from api.application.errors import AppError, Phrase, Refusal
from api.domain.unavailable import UNAVAILABLE

#: Seconds a client is asked to wait when the database or Redis is not answering.
RETRY_UNAVAILABLE_AFTER = 5
_PARAMETER_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.headers, self.extra = field, headers, extra or {}


#: How each kind of refusal of the application layer is answered over HTTP.
HTTP_STATUS = {
    Refusal.INVALID: 422,
    Refusal.NOT_FOUND: 404,
    Refusal.CONFLICT: 409,
    Refusal.FORBIDDEN: 403,
    Refusal.TOO_LARGE: 413,
    Refusal.UNAUTHENTICATED: 401,
    Refusal.RATE_LIMITED: 429,
}


class ErrorDetail(BaseModel):
    # A refusal may add fields of its own (the limits a too-large upload broke, say).
    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The body of every error a JSON route answers."""

    error: ErrorDetail


#: What an error status means, wherever it is answered. A route's own wording may replace it.
ERROR_MEANINGS = {
    400: "The body cannot be read (not UTF-8, or not what its Content-Type says)",
    401: "No credential, or an unknown, revoked or expired one",
    403: "This staff member's role may not do this",
    404: "Nothing with this identifier that the caller may see",
    409: "Not possible in the resource's current state",
    413: "The body or the upload is too large",
    422: "The input is malformed; the message says exactly how",
    429: "Too many attempts; wait as long as Retry-After says",
    503: "A service the answer needs (database, Redis) is unavailable",
}


def error_responses(
    *statuses: int, meanings: dict[int, str] | None = None, model: type = ErrorBody
) -> dict[int | str, dict]:
    """``responses=`` for a route or router that answers ``statuses``, with their one shape.

    Every status a route can answer is in its OpenAPI (CI's fuzz run holds this:
    tools/fuzz_api.py); this keeps each route's list to the statuses themselves.
    """
    meanings = meanings or {}
    return {
        status: {"model": model, "description": meanings.get(status, ERROR_MEANINGS[status])}
        for status in statuses
    }


def refusal_text(error: AppError, locale: str | None) -> str:
    """The refusal's message in ``locale`` (Telegram-safe HTML, like every message)."""
    params = {
        name: messages.render(locale, value.key, **value.params)
        if isinstance(value, Phrase)
        else value
        for name, value in error.params.items()
    }
    return messages.render(locale, error.message_key, **params)


def http_error(error: AppError, locale: str | None) -> ApiError:
    headers = None if error.retry_after is None else {"Retry-After": str(error.retry_after)}
    return ApiError(
        HTTP_STATUS[error.refusal],
        error.code,
        refusal_text(error, locale),
        field=error.field,
        headers=headers,
        extra=error.extra,
    )


@contextmanager
def refusals_in(locale: str | None) -> Iterator[None]:
    """Answer the application's refusals in ``locale`` (a route that knows the person's
    language from the body; others are answered in the request's Accept-Language)."""
    try:
        yield
    except AppError as error:
        raise http_error(error, locale) from None


def request_locale(request: Request) -> str:
    return messages.normalize_locale(
        request.query_params.get("locale") or request.headers.get("accept-language")
    )


def _body(code: str, message: str, field: str | None = None, extra: dict | None = None) -> dict:
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    error.update(extra or {})
    return {"error": error}


def error_response(error: ApiError) -> JSONResponse:
    """The one error shape as a response (also for the ASGI middleware, outside the routes)."""
    return JSONResponse(
        _body(error.code, error.message, error.field, error.extra),
        status_code=error.status,
        headers=error.headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return await _api_error(request, http_error(exc, request_locale(request)))

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = validation_field(first)
        message = validation_message(
            first, field, _body_locale(exc.body) or request_locale(request)
        )
        return JSONResponse(_body("invalid_request", message, field), status_code=422)

    async def _unavailable(request: Request, _: Exception) -> JSONResponse:
        # Nothing half-done is kept: each write is one transaction or one statement.
        return error_response(unavailable_error(request_locale(request)))

    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            _body(f"http_{exc.status_code}", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )


def _body_locale(body: object) -> str | None:
    """The ``locale`` a refused JSON body states for its person (top level, or the complaint's
    ``reporter``), so they read the refusal in their language; None if it states none."""
    if not isinstance(body, dict):
        return None
    reporter = body.get("reporter")
    for locale in (
        body.get("locale"),
        reporter.get("locale") if isinstance(reporter, dict) else None,
    ):
        if isinstance(locale, str) and locale.strip():
            return messages.normalize_locale(locale)
    return None


def unavailable_text(locale: str | None) -> str:
    return messages.render_text(locale, "input.unavailable")


def unavailable_error(locale: str | None) -> ApiError:
    """The 503 for a database or Redis that does not answer, with when to try again."""
    return ApiError(
        503,
        "unavailable",
        unavailable_text(locale),
        headers={"Retry-After": str(RETRY_UNAVAILABLE_AFTER)},
    )


def validation_field(error: dict) -> str | None:
    """The field a validation error is about, as the client named it: ``reporter.contact``,
    ``status`` (not ``body.reporter.contact``, ``query.status``)."""
    location = [str(part) for part in error.get("loc", ())]
    if location and location[0] in _PARAMETER_SOURCES:
        location = location[1:]
    return ".".join(location) or None


#: Validation errors a person can fix, as (message key, what the message calls pydantic's
#: context value). Others keep pydantic's own English description.
_SAID = {
    "text_control_character": ("input.text_control_character", None),
    "text_line_break": ("input.text_line_break", None),
    "text_broken_character": ("input.text_broken_character", None),
    # A lone surrogate that Python's JSON parser let through: pydantic's str refuses it.
    "string_unicode": ("input.text_not_unicode", None),
    "string_too_long": ("input.too_long", "max_length"),
    "less_than_equal": ("input.number_too_large", "le"),
    "less_than": ("input.number_too_large", "lt"),
    "greater_than_equal": ("input.number_too_small", "ge"),
    "greater_than": ("input.number_too_small", "gt"),
}


def validation_message(error: dict, field: str | None, locale: str) -> str:
    """A validation error in ``locale`` when it is one a person can fix, else pydantic's
    description; either way without the submitted value."""
    said = fixable_problem_text(error, field, locale)
    if said is not None:
        return said
    message = error.get("msg", "invalid request")
    return f"{field}: {message}" if field else message


def fixable_problem_text(error: dict, field: str | None, locale: str) -> str | None:
    """The sentence in ``locale`` for a validation error a person can fix, or None."""
    said = _SAID.get(error.get("type", ""))
    if said is None or not field:
        return None
    key, limit = said
    context = error.get("ctx") or {}
    if limit is None:
        params = {"position": context.get("position"), "code_point": context.get("code_point")}
    elif limit == "max_length":
        params = {"max_length": context.get(limit)}
    else:
        params = {"limit": context.get(limit)}
    return messages.render_text(locale, key, field=field, **params)
