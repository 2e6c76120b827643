"""API keys for channels. Only a SHA-256 of each key is stored; the key is shown once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import ApiKey

KEY_PREFIX = "bsk_"


@dataclass(frozen=True, slots=True)
class Channel:
    """The authenticated caller of a channel API."""

    api_key_id: int
    name: str


def prefix_of(key: str) -> str:
    """The key's public part (``bsk_<prefix>_…``): names it in lists and audits."""
    return key.removeprefix(KEY_PREFIX).partition("_")[0]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(session: AsyncSession, *, channel: str) -> str:
    """Create a key for ``channel`` and return it; it cannot be read back later."""
    if not channel.strip() or len(channel) > 64:
        raise ValueError("the channel name must be 1 to 64 characters")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    session.add(ApiKey(channel=channel.strip(), prefix=prefix, key_hash=hash_key(key)))
    await session.flush()
    return key


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A key as listings show it: never the key, only its public prefix."""

    channel: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


async def keys(session: AsyncSession) -> list[KeyRecord]:
    """Every key, live ones first, newest first."""
    rows = (
        await session.execute(
            select(ApiKey.channel, ApiKey.prefix, ApiKey.created_at, ApiKey.revoked_at).order_by(
                ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc()
            )
        )
    ).all()
    return [KeyRecord(row.channel, row.prefix, row.created_at, row.revoked_at) for row in rows]


async def revoke_api_key(session: AsyncSession, *, prefix: str) -> bool:
    key = (
        await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))
    ).scalar_one_or_none()
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = datetime.now(UTC)
    return True


async def authenticate(session: AsyncSession, key: str) -> Channel | None:
    """The channel a presented key belongs to, or None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.channel).where(
                ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None)
            )
        )
    ).one_or_none()
    return Channel(api_key_id=row.id, name=row.channel) if row else None
