"""Open311 GeoReport v2 under ``/open311/v2``: services, requests and tokens, JSON or XML.

The format is the path's suffix (``services.json``, ``requests/7K3-M9Q-X2P.xml``). Errors
are the spec's list of ``{code, description}`` with the same HTTP status, in the requested
format (JSON when the suffix itself is unknown). One jurisdiction: ``jurisdiction_id`` is
accepted and ignored. Only ``POST requests`` needs a key, sent as the spec's ``api_key``
parameter (not the channel API's header). What the mapping decides (location, privacy,
tokens, media_url) is described in ``api.domain.complaints.open311``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

import messages
from api.application import complaint_intake
from api.application.errors import AppError, Refusal
from api.application.principals import Citizen
from api.deps import ServicesDep
from api.domain.api_keys import Channel, authenticate
from api.domain.complaints import open311
from api.domain.complaints.intake import IntakeError
from api.domain.complaints.tracking_id import display
from api.domain.unavailable import UNAVAILABLE
from api.errors import (
    HTTP_STATUS,
    RETRY_UNAVAILABLE_AFTER,
    error_responses,
    fixable_problem_text,
    refusal_text,
    unavailable_text,
)
from api.open311_format import MEDIA_TYPE, to_xml
from api.schemas.text import Line, Text
from api.services import Services

FORMATS = ("json", "xml")


class Open311Error(Exception):
    """Answered as the spec's error list with ``status`` as both HTTP status and code."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _say(locale: str) -> Callable[..., str]:
    """Rendered messages as plain text: JSON and XML escape for themselves."""
    return lambda key, **params: messages.render_text(locale, key, **params)


def _request_locale(request: Request) -> str:
    return messages.normalize_locale(
        request.query_params.get("locale") or request.headers.get("accept-language")
    )


def _answer(
    fmt: str, root: str, data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    if fmt == "xml":
        return Response(
            to_xml(root, data), status_code=status, media_type=MEDIA_TYPE, headers=headers
        )
    return JSONResponse(data, status_code=status, headers=headers)


def _errors(
    fmt: str | None, status: int, description: str, headers: dict[str, str] | None = None
) -> Response:
    body = [{"code": status, "description": description}]
    return _answer(fmt if fmt in FORMATS else "json", "errors", body, status, headers)


class Open311Route(APIRoute):
    """Turns refusals (ours and FastAPI's validation) into the spec's error list."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            fmt = request.path_params.get("fmt")
            try:
                return await handler(request)
            except Open311Error as error:
                return _errors(fmt, error.status, error.description)
            except RequestValidationError as error:
                first = error.errors()[0] if error.errors() else {}
                field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "?"
                language = _request_locale(request)
                precise = fixable_problem_text(first, field, language)
                say = _say(language)
                return _errors(fmt, 400, precise or say("open311.request_invalid", field=field))
            except UNAVAILABLE:
                language = _request_locale(request)
                retry = {"Retry-After": str(RETRY_UNAVAILABLE_AFTER)}
                return _errors(fmt, 503, unavailable_text(language), retry)

        return guarded


class Open311ErrorItem(BaseModel):
    """The spec's error: the body is a list of these (as <errors> in XML)."""

    code: int
    description: str


# Every route: a malformed parameter (400) and an unknown format or identifier (404), in the
# spec's error list rather than the api's error shape.
router = APIRouter(
    prefix="/open311/v2",
    tags=["open311"],
    route_class=Open311Route,
    responses=error_responses(
        400,
        404,
        503,
        model=list[Open311ErrorItem],
        meanings={
            400: "A parameter is malformed; the description says which",
            404: "Unknown format, or nothing with this code or id",
            503: "A service the answer needs is unavailable; see Retry-After",
        },
    ),
)

Locale = Annotated[Line | None, Query(max_length=16, description="id (default) or en")]
AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]
Jurisdiction = Annotated[Line | None, Query(max_length=64, description="Ignored: one jurisdiction")]
Filter = Annotated[Line | None, Query(max_length=16000)]


@dataclass(frozen=True)
class Answering:
    """What every route answers in: the format of its path suffix and the caller's language."""

    fmt: str
    language: str
    say: Callable[..., str]


async def answering(
    fmt: str, locale: Locale = None, accept_language: AcceptLanguage = None
) -> Answering:
    language = messages.normalize_locale(locale or accept_language)
    say = _say(language)
    if fmt not in FORMATS:
        raise Open311Error(404, say("open311.format_unknown"))
    return Answering(fmt, language, say)


Answer = Annotated[Answering, Depends(answering)]


@router.get("/services.{fmt}")
async def list_services(
    answer: Answer,
    services: ServicesDep,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """Every active complaint category as a service; `group` is the handling office type."""
    language, fmt = answer.language, answer.fmt
    directory = await services.directory.get()
    records = [open311.service_record(c, language) for c in directory.active_categories()]
    return _answer(fmt, "services", records)


@router.get("/services/{service_code}.{fmt}")
async def service_definition(
    service_code: str,
    answer: Answer,
    services: ServicesDep,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """The attributes a request for this service carries (region, privacy, programme …)."""
    say, fmt = answer.say, answer.fmt
    category = (await services.directory.get()).categories.get(service_code.strip().upper())
    if category is None or not category.active:
        raise Open311Error(404, say("open311.service_not_found"))
    definition = open311.service_definition(
        category, programmes=sorted(services.programmes), text=say
    )
    return _answer(fmt, "service_definition", definition)


class RequestForm(BaseModel):
    """The spec's POST parameters; our own fields are ``attribute[code]``."""

    model_config = ConfigDict(populate_by_name=True)

    api_key: Line | None = None
    jurisdiction_id: Line | None = None
    service_code: Line | None = None
    lat: Line | None = None
    long: Line | None = None
    address_string: Text | None = None
    address_id: Line | None = Field(default=None, description="Ignored")
    description: Text | None = Field(default=None, description="At most 4000 characters")
    email: Line | None = None
    device_id: Line | None = None
    account_id: Line | None = None
    first_name: Line | None = Field(default=None, description="Not stored")
    last_name: Line | None = Field(default=None, description="Not stored")
    phone: Line | None = None
    media_url: Line | None = Field(default=None, description="Ignored: never fetched or stored")
    subject_nik: Line | None = Field(default=None, alias="attribute[subject_nik]")
    region_code: Line | None = Field(default=None, alias="attribute[region_code]")
    privacy: Line | None = Field(default=None, alias="attribute[privacy]")
    programme: Line | None = Field(default=None, alias="attribute[programme]")
    tahap: Line | None = Field(default=None, alias="attribute[tahap]")


@router.post(
    "/requests.{fmt}",
    status_code=201,
    responses=error_responses(
        400,
        403,
        413,
        429,
        model=list[Open311ErrorItem],
        meanings={
            400: "The request cannot be filed; the description says why",
            403: "api_key missing, unknown or revoked",
        },
    ),
)
async def create_request(
    answer: Answer,
    form: Annotated[RequestForm, Form()],
    services: ServicesDep,
) -> Response:
    """File a complaint (form-encoded, as the spec). `attribute[region_code]` routes it; a
    request without one (say only `lat`/`long` and `address_string`) is accepted for triage:
    an officer sets the domicile. Limited per account and per subject NIK (429).

    **What becomes public** in `GET requests`: the service, status, agency, public office
    notes, dates and the kecamatan (`address_id`) — never the reporter (e-mail, phone,
    names, device or account), the desa/kelurahan or a NIK. `description`, `address` and
    `lat`/`long` are published only for the services whose description says so (those
    not about a person) and only with `attribute[privacy]` BIASA, with phone numbers,
    e-mail addresses and NIK/KK numbers masked; RAHASIA requests are never listed. Tell
    the citizen this before sending."""
    language, say, fmt = answer.language, answer.say, answer.fmt
    channel = await _channel(services, form.api_key, say)
    fields = form.model_dump(by_alias=True)
    try:
        submission = open311.submission_from_fields(fields)
        filing = await complaint_intake.file_complaint(
            services,
            Citizen(channel, submission.channel_user),
            submission.draft,
            locale=language,
            contact=submission.contact,
        )
    except IntakeError as error:
        raise _refused(complaint_intake.intake_refused(error), language) from None
    except AppError as error:
        raise _refused(error, language) from None
    filed, notice = filing.filed, html.unescape(filing.confirmation)
    record = {
        "service_request_id": display(filed.tracking_id),
        "service_notice": notice,
        "account_id": None,
    }
    return _answer(fmt, "service_requests", [record], status=201)


@router.get("/requests.{fmt}")
async def list_requests(
    answer: Answer,
    services: ServicesDep,
    service_request_id: Filter = None,
    service_code: Filter = None,
    start_date: Annotated[Line | None, Query(max_length=64)] = None,
    end_date: Annotated[Line | None, Query(max_length=64)] = None,
    status: Annotated[Line | None, Query(max_length=32)] = None,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """Public requests, newest first, at most 1000; the last 90 days unless dated.

    `service_request_id` (comma-separated) overrides every other filter. RAHASIA
    complaints never appear; no record says anything about the reporter.
    """
    language, say, fmt = answer.language, answer.say, answer.fmt
    try:
        where = open311.parse_filter(
            service_request_id=service_request_id,
            service_code=service_code,
            start_date=start_date,
            end_date=end_date,
            status=status,
            now=datetime.now(UTC),
        )
    except open311.FilterError as error:
        problem = say(f"open311.{error.problem}", field=error.field, **error.params)
        raise Open311Error(400, problem) from None
    rows = await open311.public_requests(services.engine, where)
    directory = await services.directory.get()
    records = [open311.request_record(row, directory, language) for row in rows]
    return _answer(fmt, "service_requests", records)


@router.get("/requests/{service_request_id}.{fmt}")
async def get_request(
    service_request_id: str,
    answer: Answer,
    services: ServicesDep,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """One request as a one-element list. Unknown, malformed and RAHASIA ids: the same 404."""
    language, say, fmt = answer.language, answer.say, answer.fmt
    row = await _public_row(services, service_request_id, say)
    record = open311.request_record(row, await services.directory.get(), language)
    return _answer(fmt, "service_requests", [record])


@router.get("/tokens/{token}.{fmt}")
async def get_token(
    token: str,
    answer: Answer,
    services: ServicesDep,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """Intake is synchronous, so the token IS the service_request_id the POST returned."""
    say, fmt = answer.say, answer.fmt
    row = await _public_row(services, token, say)
    return _answer(fmt, "service_requests", [open311.token_record(row.tracking_id)])


def _refused(error: AppError, language: str) -> Open311Error:
    """A refused submission is the spec's 400 (a replayed key cannot happen: none is sent)."""
    status = 400 if error.refusal == Refusal.INVALID else HTTP_STATUS[error.refusal]
    return Open311Error(status, html.unescape(refusal_text(error, language)))


async def _public_row(services: Services, text: str, say: Callable[..., str]):
    canonical = open311.tracking_id_or_none(text)
    rows = (
        await open311.public_requests(
            services.engine, open311.RequestFilter(tracking_ids=(canonical,))
        )
        if canonical
        else []
    )
    if not rows:
        raise Open311Error(404, say("open311.request_not_found"))
    return rows[0]


async def _channel(services: Services, api_key: str | None, say: Callable[..., str]) -> Channel:
    if not api_key or not api_key.strip():
        raise Open311Error(403, say("open311.api_key_missing"))
    async with services.sessions() as session:
        channel = await authenticate(session, api_key.strip())
    if channel is None:
        raise Open311Error(403, say("open311.api_key_invalid"))
    return channel
