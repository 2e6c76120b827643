"""One error shape for every JSON route: ``{"error": {"code", "message", "field"?}}``.

Every message is in the person's language, from messages/<locale>/: a signed-in staff
member's own (``staff.locale``), else the body's ``locale`` (a citizen's), else ``?locale=``
or Accept-Language. ``code`` is stable for programs; a validation error (422) has the code
``invalid_request`` and says which rule the input broke in ``problem`` (``missing``,
``not_one_of``, ``too_long`` …). Validation errors never echo the submitted value back: it
may be a NIK. A database or Redis that does not answer is a 503 with Retry-After in the same
shape, never a bare 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

import messages
from api.application import staff_work
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
    problem: str | None = Field(
        default=None,
        description=(
            "For a 422 validation error: the rule the input broke (missing, not_one_of, "
            "too_long, too_short, wrong_form, not_json …)"
        ),
    )


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


#: Where api.deps notes the signed-in member's language, for the refusals that follow.
MEMBER_LOCALE = "member_locale"


def note_member_locale(request: Request, locale: str) -> None:
    """Answer this request's refusals in the signed-in member's ``locale``."""
    setattr(request.state, MEMBER_LOCALE, messages.normalize_locale(locale))


async def person_locale(request: Request) -> str | None:
    """The signed-in member's language, or None when no member is signed in.

    A refusal raised before the session was read (a body that is not JSON, an address with no
    route) looks the bearer token up itself, so the member still reads their own language.
    """
    noted = getattr(request.state, MEMBER_LOCALE, None)
    if noted is not None:
        return noted
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    services = getattr(request.app.state, "services", None)
    if scheme.lower() != "bearer" or not token.strip() or services is None:
        return None
    try:
        locale = await staff_work.locale_of_session(services, token.strip())
    except UNAVAILABLE:
        return None  # the refusal itself must still be answered
    return None if locale is None else messages.normalize_locale(locale)


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
        locale = await person_locale(request) or request_locale(request)
        return await _api_error(request, http_error(exc, locale))

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        locale = await person_locale(request) or _body_locale(exc.body) or request_locale(request)
        problem, message, field = validation_problem(first, locale)
        return JSONResponse(
            _body("invalid_request", message, field, {"problem": problem}), status_code=422
        )

    async def _unavailable(request: Request, _: Exception) -> JSONResponse:
        # Nothing half-done is kept: each write is one transaction or one statement.
        return error_response(unavailable_error(request_locale(request)))

    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        locale = await person_locale(request) or request_locale(request)
        code, key = _HTTP_SAID.get(exc.status_code, (f"http_{exc.status_code}", None))
        if key is None:
            message = messages.render_text(locale, "input.http_refused", status=exc.status_code)
        elif exc.status_code == 405:
            message = messages.render_text(locale, key, method=request.method)
        else:
            message = messages.render_text(locale, key)
        return JSONResponse(
            _body(code, message),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )


#: What the HTTP layer refuses before a route runs: (stable code, message key).
_HTTP_SAID = {
    400: ("body_unreadable", "input.body_unreadable"),
    404: ("no_such_address", "input.no_such_address"),
    405: ("method_not_allowed", "input.method_not_allowed"),
}


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


#: Every other validation error: pydantic's type -> (the stable ``problem`` word, which is
#: also the message's name in messages/<locale>/input.j2; pydantic's context value it names).
_PROBLEMS: dict[str, tuple[str, str | None]] = {
    "missing": ("missing", None),
    "enum": ("not_one_of", "expected"),
    "literal_error": ("not_one_of", "expected"),
    "bool_parsing": ("not_boolean", None),
    "bool_type": ("not_boolean", None),
    "int_parsing": ("not_whole_number", None),
    "int_type": ("not_whole_number", None),
    "int_from_float": ("not_whole_number", None),
    "float_parsing": ("not_number", None),
    "float_type": ("not_number", None),
    "string_type": ("not_text", None),
    "date_parsing": ("not_date", None),
    "date_type": ("not_date", None),
    "date_from_datetime_parsing": ("not_date", None),
    "datetime_parsing": ("not_instant", None),
    "datetime_type": ("not_instant", None),
    "datetime_from_date_parsing": ("not_instant", None),
    "timezone_aware": ("not_instant", None),
    "string_too_short": ("too_short", "min_length"),
    # A text of a type with its own checks (api.schemas.text.Text) and a max_length.
    "too_long": ("too_long", "max_length"),
    "string_pattern_mismatch": ("wrong_form", "pattern"),
    "model_attributes_type": ("not_object", None),
    "model_type": ("not_object", None),
    "dict_type": ("not_object", None),
    "list_type": ("not_list", None),
    "extra_forbidden": ("unexpected_field", None),
    "json_invalid": ("not_json", None),
    "json_type": ("not_json", None),
}
#: The context value of each problem, as its message calls it.
_PARAMETER = {
    "expected": "allowed",
    "min_length": "min_length",
    "max_length": "max_length",
    "pattern": "pattern",
}


def validation_problem(error: dict, locale: str) -> tuple[str, str, str | None]:
    """``(problem, message, field)`` for a validation error: a stable word for the rule the
    input broke, the sentence in ``locale`` naming the field, and the field (None for the
    body as a whole). Never the submitted value, nor pydantic's English."""
    field = validation_field(error)
    kind = error.get("type", "")
    if kind in ("json_invalid", "json_type"):
        field = None  # pydantic puts the character's position where the field goes
    said = fixable_problem_text(error, field, locale)
    if said is not None:
        return _SAID[kind][0].removeprefix("input."), said, field
    problem, context_name = _PROBLEMS.get(kind, ("invalid", None))
    if kind == "too_long" and (error.get("ctx") or {}).get("field_type") == "List":
        problem, context_name = "invalid", None  # the sentence counts characters
    if field is None and problem not in ("not_json", "not_object", "invalid"):
        # About the body as a whole: a missing body is one that is not an object.
        problem, context_name = ("not_object" if problem == "missing" else "invalid"), None
    params: dict[str, object] = {}
    if context_name is not None:
        value = (error.get("ctx") or {}).get(context_name)
        params[_PARAMETER[context_name]] = _choices(value) if context_name == "expected" else value
    if problem != "not_json":
        params["field"] = field
    return problem, messages.render_text(locale, f"input.{problem}", **params), field


def _choices(expected: object) -> str:
    """``'verify', 'start' or 'reply'`` (pydantic's English) -> ``verify, start, reply``."""
    text = str(expected or "")
    values = re.findall(r"'([^']*)'", text)
    return ", ".join(values) if values else text


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
