"""GET /api/v1/channel: a key learns which channel it is, whatever it was named."""

from __future__ import annotations

from api.db import session_scope
from api.domain.api_keys import create_api_key


async def test_a_key_learns_the_channel_it_was_created_for(client, services):
    async with session_scope(services.sessions) as session:
        key = await create_api_key(session, channel="telegram")

    response = await client.get("/api/v1/channel", headers={"X-API-Key": key})

    assert response.status_code == 200
    assert response.json() == {"name": "telegram"}


async def test_the_bots_usual_key_is_told_its_usual_channel(client):
    response = await client.get("/api/v1/channel")

    assert response.json() == {"name": "telegram-bot"}


async def test_without_a_valid_key_nothing_is_told(client):
    unknown = await client.get("/api/v1/channel", headers={"X-API-Key": "bsk_00000000_nope"})
    missing = await client.get("/api/v1/channel", headers={"X-API-Key": ""})

    assert unknown.status_code == missing.status_code == 401
    assert unknown.json()["error"]["code"] == "invalid_api_key"
    assert "telegram" not in unknown.text


async def test_the_openapi_describes_the_answer(client):
    schema = (await client.get("/openapi.json")).json()
    operation = schema["paths"]["/api/v1/channel"]["get"]

    assert {"200", "401"} <= set(operation["responses"])
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/ChannelOut"}
    assert schema["components"]["schemas"]["ChannelOut"]["required"] == ["name"]
