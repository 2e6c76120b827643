"""FastAPI dependencies, so route signatures read like prose."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Header, Request

import messages
from api.application import staff_work
from api.domain.api_keys import Channel, authenticate, hash_key
from api.domain.staff import StaffMember
from api.errors import ApiError, note_member_locale, request_locale
from api.services import Services

# A revoked key keeps working this long at most, in every process (docs/security.md). Five
# seconds still spares the key table all but one read per key per process under load.
API_KEY_CACHE_SECONDS = 5.0


async def get_services(request: Request) -> Services:
    # async on purpose: FastAPI runs a plain `def` dependency in a thread pool, a thread
    # hand-off on every request for what is an attribute read.
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_channel(
    request: Request,
    services: ServicesDep,
    x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> Channel:
    return await channel_of(request, services, x_api_key)


async def channel_of(request: Request, services: Services, key: str | None) -> Channel:
    """The channel of the request's API key (X-API-Key, or a Bearer token), or a 401."""
    if key is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        key = token if scheme.lower() == "bearer" else None
    if not key:
        raise _key_refused(request, "missing_api_key")
    # A short cache keeps the key table off the hot path; a revoked key stops working within
    # API_KEY_CACHE_SECONDS in every process.
    cache: dict[str, tuple[Channel, float]] = request.app.state.api_key_cache
    digest = hash_key(key)
    cached = cache.get(digest)
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    async with services.sessions() as session:
        channel = await authenticate(session, key)
    if channel is None:
        cache.pop(digest, None)
        raise _key_refused(request, "invalid_api_key")
    cache[digest] = (channel, time.monotonic() + API_KEY_CACHE_SECONDS)
    return channel


def _key_refused(request: Request, code: str) -> ApiError:
    """A 401 for a missing or unknown key, said in the request's language."""
    return ApiError(401, code, messages.render_text(request_locale(request), f"requests.{code}"))


CurrentChannel = Annotated[Channel, Depends(get_channel)]


async def get_staff(request: Request, services: ServicesDep) -> StaffMember:
    """The staff member of the bearer token (a session from POST /api/v1/staff/sessions)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else None
    member = await staff_work.member_of_session(services, bearer)
    # Every refusal from here on (404, 409, 422 …) is in the member's own language.
    note_member_locale(request, member.locale)
    return member


CurrentStaff = Annotated[StaffMember, Depends(get_staff)]
