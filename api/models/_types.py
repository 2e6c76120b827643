"""Column helpers shared by the table modules."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary
from sqlmodel import Column, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp_field(*, index: bool = False, nullable: bool = False, default=utcnow):
    """A timezone-aware timestamp column (naive datetimes are refused by the domain)."""
    return Field(
        default_factory=default if default is not None else None,
        sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index),
    )


def bytes_field(
    *, length: int | None = None, unique: bool = False, index: bool = False, nullable: bool = False
):
    return Field(
        sa_column=Column(LargeBinary(length), unique=unique, index=index, nullable=nullable)
    )


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


def bigint_id_field():
    return Field(default=None, sa_column=Column(BigIntId, primary_key=True, autoincrement=True))
