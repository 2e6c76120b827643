"""The api with other settings than the fixtures' (a limit set low), one client per channel."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx

from api.app import create_app
from api.db import session_scope
from api.domain.api_keys import create_api_key
from api.services import Services
from tests.conftest import make_settings


@asynccontextmanager
async def api_with(
    services, **limits
) -> AsyncIterator[Callable[[str], Awaitable[httpx.AsyncClient]]]:
    """The api with other limits; yields ``client_for(channel)``, an http client per channel
    (each with an API key of its own)."""
    limited = Services.build(
        make_settings(services.settings.database_url, **limits), redis=services.redis
    )
    app = create_app(limited.settings, services=limited)
    async with contextlib.AsyncExitStack() as stack:
        keys: dict[str, httpx.AsyncClient] = {}

        async def client_for(channel: str) -> httpx.AsyncClient:
            if channel not in keys:
                async with session_scope(limited.sessions) as session:
                    key = await create_api_key(session, channel=channel)
                keys[channel] = await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app),
                        base_url="http://t",
                        headers={"X-API-Key": key},
                    )
                )
            return keys[channel]

        yield client_for
    await limited.audit.drain()
    if limited.pool is not None:
        await limited.pool.close()
    await limited.engine.dispose()
