"""The statistics' rollup: counts per day and dimension, and how far the events are counted;
and the snapshots of figures that are states "now" (the open backlog, beneficiaries per
kecamatan), each refreshed whole and stamped with the time it was taken.

See ``api.domain.statistics`` for what each metric means and how the rows are filled.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Column, Date, Index, SmallInteger, String, Table
from sqlmodel import Field, SQLModel

from api.models._types import timestamp_field

#: The dimensions a statistics row is counted under, with their lengths, in key order. An
#: absent dimension (a complaint at a triage desk has no domicile, a category no programme) is
#: stored as "", not NULL: NULLs are never equal, and ``ON CONFLICT`` needs equal keys to add up.
DIMENSION_LENGTHS = {
    "office_code": 32,
    "coordination_region_code": 16,
    "province_code": 2,
    "regency_code": 4,
    "district_code": 6,
    "category_code": 32,
    "programme": 16,
    "channel": 64,
}
DIMENSION_COLUMNS = tuple(DIMENSION_LENGTHS)
#: The columns a ``stat_count`` row is keyed by, in primary-key order.
KEY_COLUMNS = ("day", "metric", "value", *DIMENSION_COLUMNS, "filed_month")


def _dimension(name: str):
    return Field(default="", primary_key=True, max_length=DIMENSION_LENGTHS[name])


class StatCount(SQLModel, table=True):
    """How many times ``metric`` (with ``value``: a histogram bucket or a rating) happened on
    ``day`` (Asia/Jakarta) to complaints of these dimensions filed in ``filed_month``."""

    __tablename__ = "stat_count"
    __table_args__ = (Index("ix_stat_count_metric_day", "metric", "day"),)

    day: date = Field(primary_key=True)
    metric: str = Field(primary_key=True, max_length=24)
    value: int = Field(default=0, sa_column=Column(SmallInteger, primary_key=True))
    office_code: str = _dimension("office_code")
    coordination_region_code: str = _dimension("coordination_region_code")
    province_code: str = _dimension("province_code")
    regency_code: str = _dimension("regency_code")
    district_code: str = _dimension("district_code")
    category_code: str = _dimension("category_code")
    programme: str = _dimension("programme")
    channel: str = _dimension("channel")
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


#: The columns a backlog snapshot row is keyed by, in primary-key order.
BACKLOG_KEY_COLUMNS = (
    "filed_day",
    *DIMENSION_COLUMNS,
    "status",
    "verify_pending",
    "follow_up_pending",
    "verify_overdue",
    "follow_up_overdue",
    "resolve_overdue",
)


def _flag():
    return Field(default=False, sa_column=Column(Boolean, primary_key=True))


class StatBacklog(SQLModel, table=True):
    """How many open complaints (``api.domain.statistics.backlog``) of these dimensions,
    filed on ``filed_day`` (Asia/Jakarta), are in ``status`` with these duties still owed
    and past due, as of the backlog snapshot's ``taken_at`` (``stat_snapshot``)."""

    __tablename__ = "stat_backlog"

    filed_day: date = Field(primary_key=True)
    office_code: str = _dimension("office_code")
    coordination_region_code: str = _dimension("coordination_region_code")
    province_code: str = _dimension("province_code")
    regency_code: str = _dimension("regency_code")
    district_code: str = _dimension("district_code")
    category_code: str = _dimension("category_code")
    programme: str = _dimension("programme")
    channel: str = _dimension("channel")
    status: str = Field(primary_key=True, max_length=16)
    # Still owed: not verified yet; no follow-up (nor answer) yet. Every open complaint
    # still owes its answer, so the resolve duty needs no flag.
    verify_pending: bool = _flag()
    follow_up_pending: bool = _flag()
    # Owed and past its due date at the snapshot (never while waiting for the citizen).
    verify_overdue: bool = _flag()
    follow_up_overdue: bool = _flag()
    resolve_overdue: bool = _flag()
    count: int = Field(sa_column=Column(BigInteger, nullable=False))


class StatBeneficiaries(SQLModel, table=True):
    """People in the beneficiary registry per kecamatan: the hotspots' denominator."""

    __tablename__ = "stat_beneficiaries"

    district_code: str = Field(primary_key=True, max_length=6)
    regency_code: str = Field(max_length=4, index=True)  # the district's first 4 digits
    province_code: str = Field(max_length=2)  # its first 2
    beneficiaries: int = Field(sa_column=Column(BigInteger, nullable=False))


class StatSnapshot(SQLModel, table=True):
    """When a snapshot (``name``: "backlog", "beneficiaries") was last taken: the pages'
    "as of". The row is also the lock that keeps two refreshes of one snapshot apart."""

    __tablename__ = "stat_snapshot"

    name: str = Field(primary_key=True, max_length=32)
    # None until the first refresh.
    taken_at: datetime | None = timestamp_field(nullable=True, default=None)


#: The coarser rollups (``api.domain.statistics.rollups``), each ``stat_count`` summed over
#: every dimension but these, per span of days: name → the dimensions it keeps.
ROLLUP_DIMENSIONS = {
    "stat_rollup_nation": (),
    "stat_rollup_region": ("coordination_region_code",),
    "stat_rollup_place": ("coordination_region_code", "province_code", "regency_code"),
    "stat_rollup_office": ("office_code", "coordination_region_code"),
    "stat_rollup_mix": ("coordination_region_code", "category_code", "programme", "channel"),
}
#: The columns every rollup row is keyed by before its dimensions: the ``span`` ("day",
#: "week", "month" of the event; "cohort": the month the complaint was filed in) starting on
#: ``start``, and the metric and value as in ``stat_count``.
ROLLUP_LEAD_COLUMNS = ("span", "start", "metric", "value")


def _rollup_table(name: str, dimensions: tuple[str, ...]) -> Table:
    return Table(
        name,
        SQLModel.metadata,
        Column("span", String(8), primary_key=True),
        Column("start", Date, primary_key=True),
        Column("metric", String(24), primary_key=True),
        Column("value", SmallInteger, primary_key=True),
        *(Column(name, String(DIMENSION_LENGTHS[name]), primary_key=True) for name in dimensions),
        Column("count", BigInteger, nullable=False),
    )


ROLLUP_TABLES = {name: _rollup_table(name, dims) for name, dims in ROLLUP_DIMENSIONS.items()}

__all__ = [
    "BACKLOG_KEY_COLUMNS",
    "DIMENSION_COLUMNS",
    "DIMENSION_LENGTHS",
    "KEY_COLUMNS",
    "ROLLUP_DIMENSIONS",
    "ROLLUP_LEAD_COLUMNS",
    "ROLLUP_TABLES",
    "StatBacklog",
    "StatBeneficiaries",
    "StatCount",
    "StatSnapshot",
    "StatWatermark",
]
