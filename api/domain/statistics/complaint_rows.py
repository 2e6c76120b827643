"""The complaint-level export for the ministry's analysts: which complaints, which columns,
and what each privacy level lets out.

Never exported, whatever is asked: the reporter (who, how to reach them, their language), the
subject's NIK, the village, the address and the coordinates, the staff who worked it, the
timeline's notes. Besides, by privacy (docs/security.md, "Statistics exports"):

- **BIASA** and **ANONIM**: place down to the kecamatan; the citizen's description only
  when the export asks for it (and the export is audited). ANONIM hides the reporter, who is
  never exported anyway.
- **RAHASIA**: place down to the kab/kota only (the kecamatan left empty) and never a
  description, even when asked. A filter naming a kecamatan leaves RAHASIA complaints out
  altogether: the filter would place them in it.

The filter is the statistics filter (``StatFilter``) read against the complaint itself: the
period is the filing date (Asia/Jakarta, ``from``..``to`` inclusive, whatever the basis), the
office is the one holding the complaint now, the places are its domicile.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import Select, select

from api.domain.complaints.working_days import JAKARTA
from api.domain.statistics.queries import StatFilter
from api.domain.vocabulary import DeadlineTier, Privacy
from api.models import Complaint

_complaint = Complaint.__table__

#: The export's columns, in order; ``description`` is added at the end when asked for.
COLUMNS = (
    "tracking_id",
    "filed_at",
    "status",
    "category",
    "programme",
    "channel",
    "office",
    "region",
    "province",
    "regency",
    "district",
    "privacy",
    "deadline_tier",
    "verify_due",
    "follow_up_due",
    "resolve_due",
    "verified_at",
    "followed_up_at",
    "answered_at",
    "closed_at",
    "escalation_level",
    "breaches",
    "transfers",
    "rating",
    "reopened",
)
DESCRIPTION = "description"


class Shape(StrEnum):
    """How a column's values are written: a CODE or a NUMBER as it is, an INSTANT as a
    moment in time, TEXT guarded against spreadsheet formulas, a FLAG as 1 or 0."""

    CODE = "code"
    NUMBER = "number"
    INSTANT = "instant"
    TEXT = "text"
    FLAG = "flag"


#: Each column's shape, in the order of :data:`COLUMNS` (+ the description).
SHAPES = {
    "tracking_id": Shape.CODE,
    "filed_at": Shape.INSTANT,
    "status": Shape.CODE,
    "category": Shape.CODE,
    "programme": Shape.CODE,
    # Named by whoever made the key, or the office: text, to be safe.
    "channel": Shape.TEXT,
    "office": Shape.TEXT,
    "region": Shape.TEXT,
    "province": Shape.CODE,
    "regency": Shape.CODE,
    "district": Shape.CODE,
    "privacy": Shape.CODE,
    "deadline_tier": Shape.CODE,
    "verify_due": Shape.INSTANT,
    "follow_up_due": Shape.INSTANT,
    "resolve_due": Shape.INSTANT,
    "verified_at": Shape.INSTANT,
    "followed_up_at": Shape.INSTANT,
    "answered_at": Shape.INSTANT,
    "closed_at": Shape.INSTANT,
    "escalation_level": Shape.NUMBER,
    "breaches": Shape.CODE,
    "transfers": Shape.NUMBER,
    "rating": Shape.NUMBER,
    "reopened": Shape.FLAG,
    DESCRIPTION: Shape.TEXT,
}

#: What the query reads: the columns above (the field-check flag where the deadline tier
#: goes), nothing personal.
_READ = (
    _complaint.c.tracking_id,
    _complaint.c.created_at,
    _complaint.c.status,
    _complaint.c.category_code,
    _complaint.c.programme,
    _complaint.c.channel,
    _complaint.c.office_code,
    _complaint.c.coordination_region_code,
    _complaint.c.province_code,
    _complaint.c.regency_code,
    _complaint.c.district_code,
    _complaint.c.privacy,
    _complaint.c.needs_field_check,
    _complaint.c.verify_due,
    _complaint.c.follow_up_due,
    _complaint.c.resolve_due,
    _complaint.c.verified_at,
    _complaint.c.followed_up_at,
    _complaint.c.answered_at,
    _complaint.c.closed_at,
    _complaint.c.escalation_level,
    _complaint.c.breaches,
    _complaint.c.transfer_count,
    _complaint.c.rating,
    _complaint.c.reopened,
)

#: StatFilter field → the complaint's column.
_DIMENSIONS = {
    "coordination_region_code": _complaint.c.coordination_region_code,
    "province_code": _complaint.c.province_code,
    "regency_code": _complaint.c.regency_code,
    "district_code": _complaint.c.district_code,
    "office_code": _complaint.c.office_code,
    "category_code": _complaint.c.category_code,
    "programme": _complaint.c.programme,
    "channel": _complaint.c.channel,
}


def columns(*, with_description: bool) -> tuple[str, ...]:
    return (*COLUMNS, DESCRIPTION) if with_description else COLUMNS


def query(where: StatFilter, *, with_description: bool) -> Select:
    """The complaints filed in ``where``'s period under its dimensions, oldest first."""
    start = datetime.combine(where.start, time(), JAKARTA)
    end = datetime.combine(where.end + timedelta(days=1), time(), JAKARTA)
    read = (*_READ, _complaint.c.description) if with_description else _READ
    statement = select(*read).where(_complaint.c.created_at >= start, _complaint.c.created_at < end)
    for name, column in _DIMENSIONS.items():
        value = getattr(where, name)
        if value is not None:
            statement = statement.where(column == value)
    if where.district_code is not None:
        statement = statement.where(_complaint.c.privacy != Privacy.RAHASIA.value)
    return statement.order_by(_complaint.c.created_at, _complaint.c.id)


_RAHASIA = Privacy.RAHASIA.value
_FIELD_CHECK = DeadlineTier.FIELD_CHECK.value
#: The fields a record holds, in the order :func:`query` reads them (+ the description).
READ = (*(column.name for column in _READ), DESCRIPTION)
_DISTRICT, _PRIVACY, _NEEDS_FIELD_CHECK, _BREACHES = 10, 11, 12, 21
_CATEGORY, _LAST = 3, len(_READ)


def export_row(record, *, tiers: Mapping[str, str], with_description: bool) -> tuple:
    """One complaint (a row of :func:`query`, fields in :data:`READ`'s order) as the export
    writes it, the privacy rules applied (``tiers``: the categories' deadline tiers by code).

    By position rather than by name: a million rows make the difference."""
    row = list(record[:_LAST])
    confidential = row[_PRIVACY] == _RAHASIA
    row[_NEEDS_FIELD_CHECK] = (
        _FIELD_CHECK if row[_NEEDS_FIELD_CHECK] else tiers.get(row[_CATEGORY], _FIELD_CHECK)
    )
    row[_BREACHES] = row[_BREACHES] or None
    if confidential:
        row[_DISTRICT] = None
    if with_description:
        row.append(None if confidential else record[_LAST])
    return tuple(row)
