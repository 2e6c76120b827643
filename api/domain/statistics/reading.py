"""Reading complaint events with what the statistics need of their complaints.

One query for a batch of events in id order (joined to their complaint and office), and one
for the batch's complaints' triage and first-answer event ids: the fill, the rebuild and the
verification all read through here, so they agree on what an event's dimensions are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.domain.statistics.counting import ANSWER_KINDS, TRIAGED_KIND, EventFacts
from api.models import Complaint, ComplaintEvent, Office

_event = ComplaintEvent.__table__
_complaint = Complaint.__table__
_office = Office.__table__


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
        )
        .select_from(
            _event.join(_complaint, c.id == e.complaint_id).outerjoin(
                _office, o.code == e.office_code
            )
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
    triaged, first_answer = await _landmarks(conn, {row.complaint_id for row in rows})
    return [
        _facts(row, triaged.get(row.complaint_id), first_answer.get(row.complaint_id))
        for row in rows
    ]


async def _landmarks(conn: AsyncConnection, complaint_ids: set[int]):
    """Per complaint: the id of its triage event, and of its first answer."""
    e = _event.c
    triaged: dict[int, int] = {}
    first_answer: dict[int, int] = {}
    ids = sorted(complaint_ids)
    for start in range(0, len(ids), 5_000):
        rows = await conn.execute(
            select(e.complaint_id, e.kind, func.min(e.id))
            .where(
                e.complaint_id.in_(ids[start : start + 5_000]),
                e.kind.in_([TRIAGED_KIND, *ANSWER_KINDS]),
            )
            .group_by(e.complaint_id, e.kind)
        )
        for complaint_id, kind, event_id in rows:
            target = triaged if kind == TRIAGED_KIND else first_answer
            target[complaint_id] = min(event_id, target.get(complaint_id, event_id))
    return triaged, first_answer


def _facts(row, triaged_id: int | None, first_answer_id: int | None) -> EventFacts:
    # Before its triage event a complaint had no domicile: its events count under none.
    located = triaged_id is None or row.id >= triaged_id
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
        first_answer=first_answer_id == row.id,
    )
