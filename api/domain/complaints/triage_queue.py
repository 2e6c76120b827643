"""The triage desk's list: the complaints no office holds yet, the longest waiting first.

The staff queue (:mod:`staff_views`) puts the nearest deadline first; at a triage desk every
complaint is late in the same way (no office has even seen it), so the desk works them in
the order they came. Who sees which is :func:`access.triage_queue`'s decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain import access
from api.domain.complaints.tracking_id import display
from api.domain.staff import StaffMember
from api.models import Complaint

MAX_PAGE = 100
#: How much of the citizen's description the list shows; the complaint page shows it all.
EXCERPT_CHARS = 280

_c = Complaint.__table__.c


@dataclass(frozen=True)
class TriageItem:
    tracking_id: str
    tracking_id_display: str
    category: str
    # The desk it waits at (national or a coordination region's): its clock is the page's.
    office_code: str
    created_at: datetime
    # The citizen's own words, cut at EXCERPT_CHARS; ``cut`` says whether more follows.
    excerpt: str
    cut: bool


@dataclass(frozen=True)
class TriageList:
    items: list[TriageItem]
    # Every complaint waiting for this member, of which ``items`` are the oldest.
    total: int


async def oldest_first(engine: AsyncEngine, member: StaffMember, *, limit: int = 50) -> TriageList:
    """The member's triage queue, the complaint filed first at the top."""
    waiting = access.triage_queue(member)
    query = (
        select(
            _c.tracking_id,
            _c.category_code,
            _c.office_code,
            _c.created_at,
            # One more character than shown tells whether the text goes on.
            func.substr(_c.description, 1, EXCERPT_CHARS + 1).label("start"),
        )
        .where(waiting)
        .order_by(_c.created_at, _c.id)
        .limit(min(max(limit, 1), MAX_PAGE))
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
        total = (await conn.execute(select(func.count()).where(waiting))).scalar_one()
    return TriageList(
        items=[
            TriageItem(
                tracking_id=row.tracking_id,
                tracking_id_display=display(row.tracking_id),
                category=row.category_code,
                office_code=row.office_code,
                created_at=row.created_at,
                excerpt=row.start[:EXCERPT_CHARS],
                cut=len(row.start) > EXCERPT_CHARS,
            )
            for row in rows
        ],
        total=total,
    )
