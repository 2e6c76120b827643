"""One error shape for every JSON route: ``{"error": {"code", "message", "field"?}}``.

Validation errors never echo the submitted value back: it may be a NIK.
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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return await _api_error(request, http_error(exc, request_locale(request)))

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            _body(exc.code, exc.message, exc.field, exc.extra),
            status_code=exc.status,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(part) for part in first.get("loc", ()) if part != "body"]
        field = ".".join(location) or None
        # Only the field and pydantic's description: never the "input" it echoes by default.
        message = first.get("msg", "invalid request")
        return JSONResponse(
            _body("invalid_request", f"{field}: {message}" if field else message, field),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            _body(f"http_{exc.status_code}", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
