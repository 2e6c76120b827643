""" "Tell me when my aid moves": a subscription from a status check, notified by imports."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from api.domain import subscriptions
from api.models import OutboxMessage
from tests.registry_support import KK, SITI, RegistryRows, import_payments

ANAK = "3510016504150002"  # Siti's daughter: PBI-JK for herself


@pytest.fixture
def registry_rows() -> RegistryRows:
    """Siti holds PKH for the family, her daughter PBI-JK for herself."""
    return RegistryRows(
        beneficiaries=(
            f"{SITI},{KK},Siti Aminah,351001,3,PKH,",
            f"{ANAK},{KK},Dewi Aminah,351001,3,PBI_JK,",
        )
    )


async def import_stages(services, tmp_path, name: str, *rows: str):
    return await import_payments(services, tmp_path, *rows, name=name)


async def notifications(services) -> list[dict]:
    table = OutboxMessage.__table__
    async with services.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(table).where(table.c.kind == "disbursement.updated").order_by(table.c.id)
            )
        ).all()
    return [{"user": r.channel_user, **json.loads(r.payload)} for r in rows]


async def subscribe_as(client, user: str, nik: str, name: str):
    check = await client.post(
        "/api/v1/status-checks", json={"nik": nik, "name": name, "channel_user": user}
    )
    token = check.json()["subscription_token"]
    return await client.post(
        "/api/v1/status-subscriptions", json={"token": token, "channel_user": user}
    )


async def test_a_found_status_check_offers_a_subscription_and_an_unknown_one_does_not(
    client, registry
):
    found = await client.post(
        "/api/v1/status-checks",
        json={"nik": SITI, "name": "Siti Aminah", "channel_user": "tg:1"},
    )
    unknown = await client.post(
        "/api/v1/status-checks",
        json={"nik": SITI, "name": "Siti Rahayu", "channel_user": "tg:1"},
    )

    assert len(found.json()["subscription_token"]) == 32
    assert unknown.json()["subscription_token"] is None


async def test_a_new_stage_is_told_to_the_subscriber_once(client, services, registry, tmp_path):
    subscribed = await subscribe_as(client, "tg:1", SITI, "Siti Aminah")
    row = f"{SITI},PKH,2026,4,SPM,PROSES,BRI,750000,2026-11-02"

    await import_stages(services, tmp_path, "d1.csv", row)
    await import_stages(services, tmp_path, "d2.csv", row)  # the same file again: no news

    assert subscribed.status_code == 201
    assert "kami akan mengabari" in subscribed.json()["message"]
    assert await notifications(services) == [
        {
            "user": "tg:1",
            "programme": "PKH",
            "year": 2026,
            "tahap": 4,
            "stage": "SPM",
            "status": "PROSES",
            "channel": "BRI",
            "amount": 750000,
            "date": "2026-11-02",
        }
    ]


async def test_family_programme_stages_reach_every_subscribed_member_personal_ones_do_not(
    client, services, registry, tmp_path
):
    await subscribe_as(client, "tg:anak", ANAK, "Dewi Aminah")

    await import_stages(
        services,
        tmp_path,
        "d.csv",
        f"{SITI},PKH,2026,4,SI,SUKSES,BRI,750000,2026-11-03",
        f"{SITI},PBI_JK,2026,4,SI,SUKSES,POS,42000,2026-11-03",
    )

    assert [(n["user"], n["programme"]) for n in await notifications(services)] == [
        ("tg:anak", "PKH")
    ]


async def test_someone_elses_token_is_refused(client, registry):
    check = await client.post(
        "/api/v1/status-checks",
        json={"nik": SITI, "name": "Siti Aminah", "channel_user": "tg:1"},
    )

    response = await client.post(
        "/api/v1/status-subscriptions",
        json={"token": check.json()["subscription_token"], "channel_user": "tg:2"},
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "subscription_token_invalid"


def test_a_token_expires_and_cannot_be_forged():
    secret = b"k" * 32
    token = subscriptions.make_token(
        secret, beneficiary_id=7, channel="bot", channel_user="u", now=1_000
    )

    assert subscriptions.read_token(secret, token, channel="bot", channel_user="u", now=2_000) == 7
    for tampered, now in ((token, 1_000 + 86_401), (token[:-2] + "AA", 2_000)):
        with pytest.raises(subscriptions.InvalidToken):
            subscriptions.read_token(secret, tampered, channel="bot", channel_user="u", now=now)
