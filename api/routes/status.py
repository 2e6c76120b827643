"""POST /api/v1/status-checks: a channel asks on behalf of a citizen."""

from __future__ import annotations

import math
from typing import Annotated

import orjson
from fastapi import APIRouter, Header
from fastapi.responses import Response
from pydantic import BaseModel, Field

import messages
from api.deps import CurrentChannel, ServicesDep
from api.domain import status_check
from api.domain.nik import NikError, parse_nik
from api.errors import ApiError
from api.schemas.status import (
    StatusCheckRequest,
    StatusCheckResponse,
    found_body,
    not_found_body,
)

router = APIRouter(prefix="/api/v1", tags=["status"])


@router.post(
    "/status-checks",
    response_model=StatusCheckResponse,
    responses={
        422: {"description": "The NIK or the name is malformed; the message says exactly how"},
        429: {"description": "Too many checks for this user or this NIK; see Retry-After"},
    },
)
async def create_status_check(
    body: StatusCheckRequest,
    channel: CurrentChannel,
    services: ServicesDep,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    """Eligibility per programme with its reason, and the latest disbursement per tahap.

    An unknown NIK and a wrong name get the same answer, so this is no oracle for NIKs.
    """
    locale = messages.normalize_locale(body.locale or accept_language)
    result = await status_check.check_status(
        reader=services.reader,
        pool=services.pool,
        audit=services.audit,
        redis=services.redis,
        protector=services.protector,
        rules=services.rules,
        regions=services.regions,
        limits=services.lookup_limits,
        channel=channel,
        channel_user=body.channel_user,
        nik=body.nik,
        name=body.name,
    )
    match result:
        case status_check.Found():
            return _json(found_body(result, locale=locale, regions=services.regions))
        case status_check.NotFound():
            return _json(not_found_body(locale))
        case status_check.InvalidNik(error=error):
            raise ApiError(
                422,
                f"nik_{error.problem.value}",
                messages.render(locale, f"nik.{error.problem.value}", **error.params),
                field="nik",
                extra={"params": error.params},
            )
        case status_check.InvalidName():
            raise ApiError(
                422,
                "name_required",
                messages.render(locale, "status_check.name_required"),
                field="name",
            )
        case status_check.RateLimited(retry_after=seconds):
            raise ApiError(
                429,
                "rate_limited",
                messages.render(
                    locale, "status_check.rate_limited", minutes=max(1, math.ceil(seconds / 60))
                ),
                headers={"Retry-After": str(seconds)},
            )


def _json(body: dict) -> Response:
    # Sent as is: FastAPI neither validates nor re-encodes a Response (see found_body).
    return Response(orjson.dumps(body), media_type="application/json")


class NikCheckRequest(BaseModel):
    nik: str = Field(max_length=64)
    locale: str | None = Field(default=None, max_length=16)


class NikCheckResponse(BaseModel):
    nik_masked: str
    region_verified: bool


@router.post(
    "/nik-checks",
    response_model=NikCheckResponse,
    responses={422: {"description": "Not a well-formed NIK; the message says exactly why"}},
)
async def check_nik_format(
    body: NikCheckRequest, _: CurrentChannel, services: ServicesDep
) -> NikCheckResponse:
    """Is this shaped like a NIK? Format only (no registry is read), so a channel can tell a
    citizen at once what is wrong with what they typed; it reveals nothing about anyone."""
    locale = messages.normalize_locale(body.locale)
    try:
        parsed = parse_nik(body.nik, regions=services.regions)
    except NikError as error:
        raise ApiError(
            422,
            f"nik_{error.problem.value}",
            messages.render(locale, f"nik.{error.problem.value}", **error.params),
            field="nik",
        ) from None
    return NikCheckResponse(nik_masked=parsed.masked, region_verified=parsed.region_verified)
