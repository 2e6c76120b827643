"""POST /api/v1/status-checks: a channel asks on behalf of a citizen."""

from __future__ import annotations

import json

import orjson
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

import messages
from api.application import status_checks
from api.application.principals import Citizen
from api.deps import CurrentChannel, ServicesDep, channel_of
from api.errors import error_responses, refusals_in
from api.schemas.status import (
    StatusCheckRequest,
    StatusCheckResponse,
    found_body,
    not_found_body,
)
from api.schemas.text import Line
from api.services import Services

# Every route: a channel API key (401) and validated input (422).
router = APIRouter(prefix="/api/v1", tags=["status"], responses=error_responses(401, 422, 503))


# The service's hottest route takes the bare request rather than declared parameters: under
# load FastAPI's dependency resolution and body handling cost more CPU than the check's own
# work. The body is still validated by StatusCheckRequest (pydantic-core straight from the
# JSON bytes) and a bad one gets the same 422 as any other route; the published schema is
# the same model's.
_REQUEST_SCHEMA = StatusCheckRequest.model_json_schema()


@router.post(
    "/status-checks",
    response_model=StatusCheckResponse,
    openapi_extra={
        "parameters": [
            {
                "name": "X-API-Key",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "The channel's API key (bansos create-api-key)",
            },
            {"name": "Accept-Language", "in": "header", "schema": {"type": "string"}},
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _REQUEST_SCHEMA}},
        },
    },
    responses=error_responses(
        413,
        422,
        429,
        meanings={
            422: "The NIK or the name is malformed; the message says exactly how",
            429: "Too many checks for this user or this NIK; see Retry-After",
        },
    ),
)
async def create_status_check(request: Request) -> Response:
    """Eligibility per programme with its reason, and the latest disbursement per tahap.

    An unknown NIK and a wrong name get the same answer, so this is no oracle for NIKs.
    """
    services: Services = request.app.state.services
    channel = await channel_of(request, services, request.headers.get("x-api-key"))
    body = _request_body(await request.body())
    locale = messages.normalize_locale(body.locale or request.headers.get("accept-language"))
    with refusals_in(locale):
        answer = await status_checks.check_status(
            services, Citizen(channel, body.channel_user), nik=body.nik, name=body.name
        )
    if answer.found is None:
        return _json(not_found_body(locale))
    found = found_body(answer.found, locale=locale, regions=services.regions)
    found["subscription_token"] = answer.subscription_token
    return _json(found)


def _request_body(raw: bytes) -> StatusCheckRequest:
    try:
        return StatusCheckRequest.model_validate_json(raw)
    except ValidationError as error:
        errors = error.errors(include_input=False)
    # Only on the way to a refusal: the body as Python reads it, for its ``locale`` (the
    # refusal is said in it) and, as pydantic-core's parser refuses a lone surrogate
    # (``"\\ud800"``) as invalid JSON naming no field, to name the field as elsewhere.
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if body is not None and errors and errors[0]["type"] == "json_invalid":
        try:
            StatusCheckRequest.model_validate(body)
        except ValidationError as named:
            errors = named.errors(include_input=False)
    raise RequestValidationError(errors, body=body)


def _json(body: dict) -> Response:
    # Sent as is: FastAPI neither validates nor re-encodes a Response (see found_body).
    return Response(orjson.dumps(body), media_type="application/json")


class NikCheckRequest(BaseModel):
    nik: Line = Field(max_length=64)
    locale: Line | None = Field(default=None, max_length=16)


class NikCheckResponse(BaseModel):
    nik_masked: str
    region_verified: bool


@router.post(
    "/nik-checks",
    response_model=NikCheckResponse,
    responses=error_responses(
        400, 413, 422, meanings={422: "Not a well-formed NIK; the message says exactly why"}
    ),
)
async def check_nik_format(
    body: NikCheckRequest, _: CurrentChannel, services: ServicesDep
) -> NikCheckResponse:
    """Is this shaped like a NIK? Format only (no registry is read), so a channel can tell a
    citizen at once what is wrong with what they typed; it reveals nothing about anyone."""
    with refusals_in(messages.normalize_locale(body.locale)):
        parsed = status_checks.check_nik_format(services, body.nik)
    return NikCheckResponse(nik_masked=parsed.masked, region_verified=parsed.region_verified)


class SubscriptionRequest(BaseModel):
    token: Line = Field(max_length=64, description="subscription_token of a status check")
    channel_user: Line = Field(min_length=1, max_length=128)
    locale: Line | None = Field(default=None, max_length=16)


class SubscriptionResponse(BaseModel):
    message: str


@router.post(
    "/status-subscriptions",
    status_code=201,
    response_model=SubscriptionResponse,
    responses=error_responses(
        400, 413, 422, meanings={422: "The token is expired or not this user's"}
    ),
)
async def subscribe_to_disbursements(
    body: SubscriptionRequest, channel: CurrentChannel, services: ServicesDep
) -> SubscriptionResponse:
    """ "Tell me when my aid moves": a message for each new or changed disbursement stage."""
    locale = messages.normalize_locale(body.locale)
    with refusals_in(locale):
        await status_checks.subscribe_to_disbursements(
            services, Citizen(channel, body.channel_user), token=body.token, locale=locale
        )
    return SubscriptionResponse(message=messages.render(locale, "status_check.subscribed"))
