"""The triage desk's list: the complaints no office holds yet, the longest waiting first.

The staff queue (:mod:`staff_views`) puts the nearest deadline first; at a triage desk every
complaint is late in the same way (no office has even seen it), so the desk works them in
the order they came. Who sees which is :func:`access.triage_queue`'s decision.

Pages follow a keyset cursor over ``(created_at, id)`` — the triage partial index's order —
so a desk with thousands waiting opens its tenth page as fast as its first; the cursor is
signed (like the queue's), so an edited one is refused rather than read. The total waiting
stops at :data:`COUNT_CAP` ("1,000+"): a page never counts a backlog row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain import access

# The queue's cap: both pages say "1,000+" at the same point.
from api.domain.complaints.console_queue import COUNT_CAP
from api.domain.complaints.signed_cursor import CursorError, seal, unseal
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
    # Every complaint waiting for this member, up to COUNT_CAP; ``capped``: more than that.
    total: int
    capped: bool = False
    # How many come before ``items`` (0 on the first page), and the cursor of the page after
    # them (None on the last).
    skipped: int = 0
    next_cursor: str | None = None


_PURPOSE = b"triage-desk-cursor"


def encode_cursor(key: bytes, *, created_at: datetime, id: int, skipped: int) -> str:
    return seal(key, _PURPOSE, [created_at.astimezone(UTC).isoformat(), id, skipped])


def decode_cursor(key: bytes, cursor: str) -> tuple[datetime, int, int]:
    """(created_at, id) of the last complaint seen and how many were seen, or
    :class:`CursorError`."""
    values = unseal(key, _PURPOSE, cursor)
    if len(values) != 3:
        raise CursorError("not a cursor of the triage desk")
    created_at, last_id, skipped = values
    return datetime.fromisoformat(created_at), last_id, skipped


async def oldest_first(
    engine: AsyncEngine,
    member: StaffMember,
    *,
    limit: int = 50,
    cursor: str | None = None,
    cursor_key: bytes = b"",
) -> TriageList:
    """A page of the member's triage queue, the complaint filed first at the top; after the
    complaint ``cursor`` names when given (:class:`CursorError` for one this desk did not
    make)."""
    waiting = access.triage_queue(member)
    limit = min(max(limit, 1), MAX_PAGE)
    where = [waiting]
    skipped = 0
    if cursor:
        after, after_id, skipped = decode_cursor(cursor_key, cursor)
        where.append(or_(_c.created_at > after, and_(_c.created_at == after, _c.id > after_id)))
    query = (
        select(
            _c.id,
            _c.tracking_id,
            _c.category_code,
            _c.office_code,
            _c.created_at,
            # One more character than shown tells whether the text goes on.
            func.substr(_c.description, 1, EXCERPT_CHARS + 1).label("start"),
        )
        .where(*where)
        .order_by(_c.created_at, _c.id)
        # One more row than shown tells whether a next page exists.
        .limit(limit + 1)
    )
    capped_count = select(_c.id).where(waiting).limit(COUNT_CAP + 1).subquery()
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
        total = (await conn.execute(select(func.count()).select_from(capped_count))).scalar_one()
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor(
            cursor_key, created_at=last.created_at, id=last.id, skipped=skipped + len(rows)
        )
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
        total=min(total, COUNT_CAP),
        capped=total > COUNT_CAP,
        skipped=skipped,
        next_cursor=next_cursor,
    )
