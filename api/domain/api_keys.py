"""API keys. Only a SHA-256 of each key is stored; the key is shown once.

Two kinds, never interchangeable: a **channel** key (the Telegram bot, a partner system)
files complaints and checks status; a **statistics** key (the ministry's own tools) reads
the statistics JSON API and nothing else, the whole country's figures or one coordination
region's, as its administrator chose. Each kind's ``authenticate`` knows no key of the
other kind.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import ApiKey

KEY_PREFIX = "bsk_"


class KeyKind(StrEnum):
    CHANNEL = "channel"
    STATISTICS = "statistics"


@dataclass(frozen=True, slots=True)
class Channel:
    """The authenticated caller of a channel API."""

    api_key_id: int
    name: str


@dataclass(frozen=True, slots=True)
class StatisticsKey:
    """The authenticated caller of the statistics API: a tool, not a person."""

    api_key_id: int
    name: str
    #: The coordination region whose figures it reads; None: the whole country.
    region_code: str | None


def prefix_of(key: str) -> str:
    """The key's public part (``bsk_<prefix>_…``): names it in lists and audits."""
    return key.removeprefix(KEY_PREFIX).partition("_")[0]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(
    session: AsyncSession,
    *,
    channel: str,
    kind: KeyKind = KeyKind.CHANNEL,
    region_code: str | None = None,
) -> str:
    """Create a key for ``channel`` (a statistics key: its name; ``region_code`` its
    coordination region, None for the whole country) and return it; it cannot be read back."""
    if not channel.strip() or len(channel) > 64:
        raise ValueError("the channel name must be 1 to 64 characters")
    if kind is KeyKind.CHANNEL and region_code is not None:
        raise ValueError("a channel key has no region")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiKey(
            channel=channel.strip(),
            kind=kind.value,
            region_code=region_code,
            prefix=prefix,
            key_hash=hash_key(key),
        )
    )
    await session.flush()
    return key


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A key as listings show it: never the key, only its public prefix."""

    channel: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    kind: KeyKind = KeyKind.CHANNEL
    #: A statistics key's coordination region (None: the whole country).
    region_code: str | None = None


async def keys(session: AsyncSession) -> list[KeyRecord]:
    """Every key, live ones first, newest first."""
    rows = (
        await session.execute(
            select(
                ApiKey.channel,
                ApiKey.prefix,
                ApiKey.created_at,
                ApiKey.revoked_at,
                ApiKey.kind,
                ApiKey.region_code,
            ).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    ).all()
    return [
        KeyRecord(
            row.channel,
            row.prefix,
            row.created_at,
            row.revoked_at,
            KeyKind(row.kind),
            row.region_code,
        )
        for row in rows
    ]


async def revoke_api_key(session: AsyncSession, *, prefix: str) -> bool:
    key = (
        await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))
    ).scalar_one_or_none()
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = datetime.now(UTC)
    return True


async def authenticate(session: AsyncSession, key: str) -> Channel | None:
    """The channel a presented key belongs to, or None for an unknown or revoked key, or a
    statistics key (it files nothing and checks no status)."""
    row = await _live_key(session, key, KeyKind.CHANNEL)
    return Channel(api_key_id=row.id, name=row.channel) if row else None


async def authenticate_statistics(session: AsyncSession, key: str) -> StatisticsKey | None:
    """The statistics key presented, or None for an unknown or revoked key, or a channel's
    (a channel reads no statistics)."""
    row = await _live_key(session, key, KeyKind.STATISTICS)
    if row is None:
        return None
    return StatisticsKey(api_key_id=row.id, name=row.channel, region_code=row.region_code)


async def _live_key(session: AsyncSession, key: str, kind: KeyKind):
    if not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    return (
        await session.execute(
            select(ApiKey.id, ApiKey.channel, ApiKey.region_code).where(
                ApiKey.key_hash == hash_key(key),
                ApiKey.revoked_at.is_(None),
                ApiKey.kind == kind.value,
            )
        )
    ).one_or_none()
