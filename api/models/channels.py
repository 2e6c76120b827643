"""Channels (the Telegram bot, partner systems) and their API keys; and the read-only
statistics keys of the ministry's own tools."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from api.models._types import timestamp_field


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    # A channel key's channel; a statistics key's name (whose tool it is).
    channel: str = Field(index=True, max_length=64)
    # "channel" files complaints and checks status; "statistics" reads statistics only.
    kind: str = Field(
        default="channel", max_length=16, sa_column_kwargs={"server_default": "channel"}
    )
    # A statistics key's coordination region; None: the whole country. None for a channel.
    region_code: str | None = Field(
        default=None, foreign_key="coordination_region.code", max_length=16
    )
    # The first characters of the key, shown in listings so a key can be recognised.
    prefix: str = Field(unique=True, max_length=16)
    # SHA-256 of the whole key: a database copy does not give anyone a working key.
    key_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True, default=None)
