"""The statistics' rollup: counts per day and dimension, and how far the events are counted.

See ``api.domain.statistics`` for what each metric means and how the rows are filled.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, SmallInteger
from sqlmodel import Field, SQLModel

from api.models._types import timestamp_field

#: The columns a statistics row is keyed by, in primary-key order. An absent dimension (a
#: complaint at a triage desk has no domicile, a category no programme) is stored as "", not
#: NULL: NULLs are never equal, and ``ON CONFLICT`` needs equal keys to add up.
KEY_COLUMNS = (
    "day",
    "metric",
    "value",
    "office_code",
    "coordination_region_code",
    "province_code",
    "regency_code",
    "district_code",
    "category_code",
    "programme",
    "channel",
    "filed_month",
)


def _dimension(length: int):
    return Field(default="", primary_key=True, max_length=length)


class StatCount(SQLModel, table=True):
    """How many times ``metric`` (with ``value``: a histogram bucket or a rating) happened on
    ``day`` (Asia/Jakarta) to complaints of these dimensions filed in ``filed_month``."""

    __tablename__ = "stat_count"
    __table_args__ = (Index("ix_stat_count_metric_day", "metric", "day"),)

    day: date = Field(primary_key=True)
    metric: str = Field(primary_key=True, max_length=24)
    value: int = Field(default=0, sa_column=Column(SmallInteger, primary_key=True))
    office_code: str = _dimension(32)
    coordination_region_code: str = _dimension(16)
    province_code: str = _dimension(2)
    regency_code: str = _dimension(4)
    district_code: str = _dimension(6)
    category_code: str = _dimension(32)
    programme: str = _dimension(16)
    channel: str = _dimension(64)
    # The first day of the month the complaint was filed in (Asia/Jakarta): its cohort.
    filed_month: date = Field(primary_key=True)
    count: int = Field(sa_column=Column(BigInteger, nullable=False))


class StatWatermark(SQLModel, table=True):
    """The last complaint event counted into ``stat_count`` (one row, ``name`` "counts")."""

    __tablename__ = "stat_watermark"

    name: str = Field(primary_key=True, max_length=32)
    event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # Since when the fill has been waiting at a hole in the event ids (a transaction that
    # may still commit); None when it is not waiting.
    blocked_since: datetime | None = timestamp_field(nullable=True, default=None)
    updated_at: datetime = timestamp_field()


__all__ = ["KEY_COLUMNS", "StatCount", "StatWatermark"]
