"""The channel of an API key: cached briefly, and a revoked key stops working within seconds."""

from __future__ import annotations

import time
from types import SimpleNamespace

from api import deps
from api.db import session_scope
from api.domain.api_keys import prefix_of, revoke_api_key

URL = "/api/v1/complaint-categories"


class Clock:
    """The monotonic clock the key cache reads, moved by hand (no sleeping in tests)."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now


async def test_a_revoked_key_stops_working_within_five_seconds(
    client, services, api_key, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(deps, "time", SimpleNamespace(monotonic=clock.monotonic))
    assert (await client.get(URL)).status_code == 200  # the key is now cached

    async with session_scope(services.sessions) as session:
        assert await revoke_api_key(session, prefix=prefix_of(api_key))
    clock.now += 5.01
    refused = await client.get(URL)

    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"


async def test_a_valid_key_is_read_from_the_cache_between_checks(
    client, services, api_key, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(deps, "time", SimpleNamespace(monotonic=clock.monotonic))
    assert (await client.get(URL)).status_code == 200
    async with session_scope(services.sessions) as session:
        await revoke_api_key(session, prefix=prefix_of(api_key))
    clock.now += 1
    # Within the cache's few seconds the key is not read again (the documented trade-off).
    assert (await client.get(URL)).status_code == 200


async def test_a_missing_or_unknown_key_is_refused_in_the_requests_language(client):
    missing = await client.get(URL, headers={"X-API-Key": "", "Accept-Language": "en"})
    unknown = await client.get(URL, headers={"X-API-Key": "no-such-key", "Accept-Language": "id"})

    assert missing.status_code == unknown.status_code == 401
    assert missing.json()["error"] == {
        "code": "missing_api_key",
        "message": "Send the channel's API key in X-API-Key.",
    }
    assert unknown.json()["error"] == {
        "code": "invalid_api_key",
        "message": (
            "Kunci API tidak dikenal, sudah dicabut, atau bukan kunci kanal"
            " (kunci statistik hanya membaca statistik)."
        ),
    }
