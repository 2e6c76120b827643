"""When PostgreSQL or Redis does not answer: a prompt 503 in the JSON error shape, with
Retry-After, and a status check that fails closed (never answered unchecked).

Timing is not asserted: a hung server is detected by ``asyncio.wait_for`` with a bound far
above what the timeouts allow, so a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import fakeredis
import httpx
import pytest

from api.app import create_app
from api.services import Services
from tests.conftest import make_settings
from tests.registry_support import SITI

# Far beyond Redis's 0.3 s and PostgreSQL's connect timeout; reached only by a hang.
HANG = 15
STATUS_CHECK = {"nik": SITI, "name": "Siti Aminah", "channel_user": "tg:1001"}


def closed_port() -> int:
    """A loopback port nothing listens on (bound for a moment, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A server that accepts connections and never answers: a hung Redis or PostgreSQL."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # keep the connection open, say nothing

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    for writer in held:
        writer.close()
    server.close()


async def _client_of(services: Services, api_key: str = "bsk_unknown") -> httpx.AsyncClient:
    app = create_app(services.settings, services=services)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://api.test",
        headers={"X-API-Key": api_key},
    )


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert error["message"]


async def _close(services: Services) -> None:
    if services.pool is not None:
        await services.pool.close()
    await services.redis.aclose()
    await services.engine.dispose()


@pytest.mark.parametrize("hung", [False, True], ids=["closed port", "never answers"])
async def test_an_unreachable_postgresql_is_a_503_json_with_retry_after(hung, silent_server):
    address = silent_server if hung else f"127.0.0.1:{closed_port()}"
    settings = make_settings(
        f"postgresql://bansos@{address}/bansos", DB_CONNECT_TIMEOUT_SECONDS=0.5
    )
    services = Services.build(settings, redis=fakeredis.FakeAsyncRedis())
    try:
        async with await _client_of(services) as client:
            checked = await asyncio.wait_for(
                client.post("/api/v1/status-checks", json=STATUS_CHECK), HANG
            )
            _assert_unavailable(checked)
            listed = await asyncio.wait_for(
                client.get("/open311/v2/requests.json", headers={"Accept-Language": "en"}), HANG
            )
    finally:
        await _close(services)
    assert listed.status_code == 503
    assert int(listed.headers["Retry-After"]) > 0
    [error] = listed.json()  # Open311's own error shape
    assert error["code"] == 503 and "unavailable" in error["description"]


@pytest.mark.parametrize("hung", [False, True], ids=["closed port", "never answers"])
async def test_an_unreachable_redis_fails_the_status_check_closed_with_a_503(
    hung, silent_server, services, api_key, registry
):
    # Siti is registered: were the rate limit skipped, she would be answered.
    address = silent_server if hung else f"127.0.0.1:{closed_port()}"
    settings = make_settings(services.settings.database_url, REDIS_URL=f"redis://{address}/0")
    without_redis = Services.build(settings)
    try:
        async with await _client_of(without_redis, api_key) as client:
            response = await asyncio.wait_for(
                client.post("/api/v1/status-checks", json=STATUS_CHECK), HANG
            )
    finally:
        await _close(without_redis)
    _assert_unavailable(response)
    assert "person" not in response.json()
