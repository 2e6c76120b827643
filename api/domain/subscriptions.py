""" "Tell me when my aid moves": subscriptions to a person's disbursement stages.

A subscription is made from a status check that found the person: the answer carries a
short signed token (the person's registry id, an expiry, and a MAC bound to the channel user
who asked), so the channel can offer a button without keeping the NIK or the name, and
nobody else can use it. When a disbursement import adds or changes a stage, one outbox
message per subscriber is written in the import's own transaction (see
``registry_import.staging``); the notification relay does the rest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.upsert import upsert
from api.models import Beneficiary, DisbursementSubscription

TOKEN_SECONDS = 24 * 3600
_PAYLOAD = struct.Struct(">QI")  # beneficiary id, expiry (unix seconds)
_MAC_BYTES = 12


class InvalidToken(ValueError):
    """Expired, forged, or made for another channel user."""


def _mac(secret: bytes, payload: bytes, channel: str, channel_user: str) -> bytes:
    message = b"subscription\x1f" + f"{channel}\x1f{channel_user}".encode() + payload
    return hmac.new(secret, message, hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(
    secret: bytes, *, beneficiary_id: int, channel: str, channel_user: str, now: float | None = None
) -> str:
    """A 32-character token (fits a Telegram button's 64 bytes with room to spare)."""
    payload = _PAYLOAD.pack(beneficiary_id, int((now or time.time()) + TOKEN_SECONDS))
    mac = _mac(secret, payload, channel, channel_user)
    return base64.urlsafe_b64encode(payload + mac).decode().rstrip("=")


def read_token(
    secret: bytes, token: str, *, channel: str, channel_user: str, now: float | None = None
) -> int:
    """The beneficiary id the token was made for, or :class:`InvalidToken`."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise InvalidToken("not a token") from None
    if len(raw) != _PAYLOAD.size + _MAC_BYTES:
        raise InvalidToken("not a token")
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    if not hmac.compare_digest(mac, _mac(secret, payload, channel, channel_user)):
        raise InvalidToken("forged or for another user")
    beneficiary_id, expires = _PAYLOAD.unpack(payload)
    if (now or time.time()) > expires:
        raise InvalidToken("expired")
    return beneficiary_id


async def subscribe(
    engine: AsyncEngine, *, beneficiary_id: int, channel: str, channel_user: str, locale: str
) -> None:
    """Idempotent: subscribing twice keeps one subscription (with the latest language).

    :class:`InvalidToken` when the person is no longer in the registry: a replacement
    (``registry_import.replacement``) gives everyone a new id, so a token made before it
    names nobody, and the citizen checks their status again.
    """
    async with engine.begin() as conn:
        kk_hash = (
            await conn.execute(select(Beneficiary.kk_hash).where(Beneficiary.id == beneficiary_id))
        ).scalar_one_or_none()
        if kk_hash is None:
            raise InvalidToken("the registry no longer holds this person under this id")
        await upsert(
            conn,
            DisbursementSubscription.__table__,
            [
                {
                    "beneficiary_id": beneficiary_id,
                    "kk_hash": kk_hash,
                    "channel": channel,
                    "channel_user": channel_user,
                    "locale": locale,
                    "created_at": datetime.now(UTC),
                }
            ],
            key=["beneficiary_id", "channel", "channel_user"],
        )
