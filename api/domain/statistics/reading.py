"""Reading complaint events with what the statistics need of their complaints.

One query for a batch of events in id order (joined to their complaint, its category and the
event's office), and one for the batch's complaints' landmarks (the first event id of each
kind that decides something: triage, answers, signs of work, field check, each deadline's
breach): the fill, the rebuild and the verification all read through here, so they agree on
what an event's dimensions are. A landmark compares ids only, so an event is read the same
way whether the events after it exist yet or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.domain.statistics.counting import (
    ANSWER_KINDS,
    BREACH_KIND,
    FIELD_CHECK_KIND,
    FOLLOW_UP_KINDS,
    TRIAGED_KIND,
    EventFacts,
)
from api.domain.vocabulary import Deadline, DeadlineTier
from api.models import Complaint, ComplaintCategory, ComplaintEvent, Office

_event = ComplaintEvent.__table__
_complaint = Complaint.__table__
_office = Office.__table__
_category = ComplaintCategory.__table__
_LANDMARK_KINDS = sorted(
    {TRIAGED_KIND, FIELD_CHECK_KIND, BREACH_KIND, *ANSWER_KINDS, *FOLLOW_UP_KINDS}
)


@dataclass
class Landmarks:
    """One complaint's first event ids that decide how its events count."""

    triaged: int | None = None
    first_answer: int | None = None
    first_follow_up: int | None = None
    field_check: int | None = None
    breaches: dict[Deadline, int] = field(default_factory=dict)


async def read_events(
    conn: AsyncConnection,
    *,
    after_id: int,
    limit: int,
    up_to_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[EventFacts]:
    """Up to ``limit`` events with ``id > after_id`` (and ``<= up_to_id``; ``at`` in
    [``since``, ``until``) when given), in id order."""
    e, c, o = _event.c, _complaint.c, _office.c
    query = (
        select(
            e.id,
            e.complaint_id,
            e.kind,
            e.at,
            e.office_code,
            o.type.label("office_type"),
            e.rating,
            # Only a breach's note is read (the deadline's name); no one's words are.
            case((e.kind == "breach", e.note), else_=None).label("note"),
            c.created_at,
            c.category_code,
            c.programme,
            c.channel,
            c.coordination_region_code,
            c.province_code,
            c.regency_code,
            c.district_code,
            _category.c.deadline_tier,
        )
        .select_from(
            _event.join(_complaint, c.id == e.complaint_id)
            .outerjoin(_office, o.code == e.office_code)
            .outerjoin(_category, _category.c.code == c.category_code)
        )
        .where(e.id > after_id)
        .order_by(e.id)
        .limit(limit)
    )
    if up_to_id is not None:
        query = query.where(e.id <= up_to_id)
    if since is not None:
        query = query.where(e.at >= since)
    if until is not None:
        query = query.where(e.at < until)
    rows = (await conn.execute(query)).all()
    if not rows:
        return []
    landmarks = await _landmarks(conn, {row.complaint_id for row in rows})
    return [_facts(row, landmarks.get(row.complaint_id, Landmarks())) for row in rows]


def _earliest(current: int | None, event_id: int) -> int:
    return event_id if current is None else min(current, event_id)


async def _landmarks(conn: AsyncConnection, complaint_ids: set[int]) -> dict[int, Landmarks]:
    """Per complaint, its :class:`Landmarks`."""
    e = _event.c
    # Only a breach's note is read (the deadline's name), to tell the deadlines apart.
    deadline = case((e.kind == BREACH_KIND, e.note), else_=None).label("deadline")
    found: dict[int, Landmarks] = {}
    ids = sorted(complaint_ids)
    for start in range(0, len(ids), 5_000):
        rows = await conn.execute(
            select(e.complaint_id, e.kind, deadline, func.min(e.id))
            .where(
                e.complaint_id.in_(ids[start : start + 5_000]),
                e.kind.in_(_LANDMARK_KINDS),
            )
            .group_by(e.complaint_id, e.kind, deadline)
        )
        for complaint_id, kind, note, event_id in rows:
            marks = found.setdefault(complaint_id, Landmarks())
            if kind == TRIAGED_KIND:
                marks.triaged = _earliest(marks.triaged, event_id)
            if kind == FIELD_CHECK_KIND:
                marks.field_check = _earliest(marks.field_check, event_id)
            if kind in ANSWER_KINDS:
                marks.first_answer = _earliest(marks.first_answer, event_id)
            if kind in FOLLOW_UP_KINDS:
                marks.first_follow_up = _earliest(marks.first_follow_up, event_id)
            if kind == BREACH_KIND and note in Deadline.__members__:
                stage = Deadline(note)
                marks.breaches[stage] = _earliest(marks.breaches.get(stage), event_id)
    return found


def _facts(row, marks: Landmarks) -> EventFacts:
    # Before its triage event a complaint had no domicile: its events count under none.
    located = marks.triaged is None or row.id >= marks.triaged
    flagged = marks.field_check is not None and marks.field_check < row.id
    if flagged:
        tier = DeadlineTier.FIELD_CHECK
    elif row.deadline_tier in DeadlineTier.__members__:
        tier = DeadlineTier(row.deadline_tier)
    else:
        tier = None  # a category no longer configured
    return EventFacts(
        id=row.id,
        kind=row.kind,
        at=row.at,
        office_code=row.office_code,
        office_type=row.office_type,
        rating=row.rating,
        note=row.note,
        filed_at=row.created_at,
        category_code=row.category_code,
        programme=row.programme,
        channel=row.channel,
        coordination_region_code=row.coordination_region_code if located else None,
        province_code=row.province_code if located else None,
        regency_code=row.regency_code if located else None,
        district_code=row.district_code if located else None,
        first_answer=marks.first_answer == row.id,
        first_follow_up=marks.first_follow_up == row.id,
        tier=tier,
        breached_before=frozenset(
            stage for stage, breach_id in marks.breaches.items() if breach_id < row.id
        ),
    )
