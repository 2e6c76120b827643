"""Audit of every status lookup: which channel and user asked about which NIK, and when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from api.models._types import bigint_id_field, bytes_field, timestamp_field


class LookupAudit(SQLModel, table=True):
    __tablename__ = "lookup_audit"

    id: int | None = bigint_id_field()
    at: datetime = timestamp_field(index=True)
    api_key_id: int | None = Field(default=None, foreign_key="api_key.id", index=True)
    channel: str = Field(max_length=64)
    channel_user: str = Field(max_length=128, index=True)
    # The NIK by keyed hash only; None when the request carried no well-formed NIK.
    nik_hash: bytes | None = bytes_field(length=32, index=True, nullable=True)
    outcome: str = Field(max_length=24)
