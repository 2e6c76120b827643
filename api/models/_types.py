"""Column helpers shared by the table modules."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary, TypeDecorator
from sqlmodel import Column, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """``timestamptz`` on PostgreSQL; on SQLite, UTC stored naive and read back aware.

    SQLite has no time zones: without this, a value written aware comes back naive, and
    working-day arithmetic (which refuses naive datetimes) would break on the embedded
    default only. Naive values are refused on the way in for the same reason.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def timestamp_field(*, index: bool = False, nullable: bool = False, default=utcnow):
    """A timezone-aware timestamp column (naive datetimes are refused)."""
    return Field(
        default_factory=default if default is not None else None,
        sa_column=Column(UtcDateTime(), nullable=nullable, index=index),
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
