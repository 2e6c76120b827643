"""The console's queue: one filter object, a keyset page nearest deadline first, tab counts.

``staff_views.queue`` stays the JSON API's listing; this is the console's. Every query is
``access.visible_complaints(member)`` AND the filter, never wider. For speed the query may
be split into *arms*, each of which only narrows (a coordinator's "own office" and "own
region"), so each arm walks one index in order — ``(office_code, next_due, id)``,
``(coordination_region_code, next_due, id)`` or ``(next_due, id)`` — and a page costs the
same at the start of the list and deep in it, at ten thousand complaints or a million.

Order: ``next_due`` ascending with the complaints that owe nothing (waiting for the citizen,
answered, closed) last, then ``id``. The done tab lists the newest filed first (``id``
descending, on the same indexes: every finished complaint has ``next_due`` NULL).

What a URL may ask for, and its WHERE clauses, are :mod:`queue_filter`'s.

Tab counts stop at :data:`COUNT_CAP`: a tab with more shows "1,000+", so a page view never
counts a hundred thousand rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain import access
from api.domain.complaints.lifecycle import OPEN_STATUSES
from api.domain.complaints.next_due import next_deadline
from api.domain.complaints.queue_filter import (
    QueueFilter,
    Tab,
    arms,
    conditions,
    count_arms,
    tab_condition,
)
from api.domain.complaints.signed_cursor import CursorError, seal, unseal
from api.domain.complaints.tracking_id import display
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.staff import StaffMember
from api.domain.vocabulary import Deadline
from api.models import Complaint, ComplaintAttachment, Staff

MAX_PAGE = 100
COUNT_CAP = 1000

_c = Complaint.__table__.c
_OPEN = [s.value for s in OPEN_STATUSES]
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class QueueRow:
    """What a queue row shows."""

    tracking_id: str
    tracking_id_display: str
    category: str
    programme: str | None
    status: str
    privacy: str
    office_code: str
    regency_code: str | None
    district_code: str | None
    in_triage: bool
    next_due: datetime | None
    next_deadline: Deadline | None
    breaches: list[str]
    escalation_level: int
    assigned_staff_id: int | None
    assigned_staff_name: str | None
    attachments: int
    channel: str
    created_at: datetime


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    # Opaque and url-safe; None on the last page.
    next_cursor: str | None


@dataclass(frozen=True)
class TabCount:
    count: int
    # True when there are more than ``count`` (shown as "1,000+").
    capped: bool


# -- the cursor --------------------------------------------------------------------------


_PURPOSE = b"console-queue-cursor"


def encode_cursor(key: bytes, *, order: str, due: datetime | None, id: int) -> str:
    return seal(key, _PURPOSE, [order, due.astimezone(UTC).isoformat() if due else None, id])


def decode_cursor(key: bytes, cursor: str, *, order: str) -> tuple[datetime | None, int]:
    """(next_due, id) of the last row seen, or :class:`CursorError`."""
    kind, due, last_id = _three(unseal(key, _PURPOSE, cursor))
    if kind != order:
        raise CursorError("a cursor of another tab")
    return (datetime.fromisoformat(due) if due else None), last_id


def _three(values: list) -> list:
    if len(values) != 3:
        raise CursorError("not a cursor of this queue")
    return values


# -- reading -----------------------------------------------------------------------------


async def queue_page(
    engine: AsyncEngine,
    member: StaffMember,
    flt: QueueFilter,
    *,
    calendar: WorkingCalendar,
    cursor_key: bytes,
    now: datetime | None = None,
) -> QueuePage:
    """One page of the member's queue under ``flt``; :class:`CursorError` for a bad cursor."""
    now = now or datetime.now(UTC)
    limit = min(max(flt.limit, 1), MAX_PAGE)
    order = "done" if flt.tab == Tab.DONE else "due"
    after = decode_cursor(cursor_key, flt.cursor, order=order) if flt.cursor else None
    where = conditions(member, flt, calendar=calendar, now=now)
    if flt.tab is not None:
        where.append(tab_condition(flt.tab, now))
    table = Complaint.__table__
    rows: dict[int, object] = {}
    async with engine.connect() as conn:
        for arm in arms(member, flt):
            base = select(table).where(*where, arm)
            walk = _newest_first if order == "done" else _nearest_deadline_first
            for row in await walk(conn, base, after, limit + 1):
                rows[row.id] = row
        ordered = sorted(rows.values(), key=_sort_key(order))[: limit + 1]
        page, more = ordered[:limit], len(ordered) > limit
        names, attachments = await _companions(conn, page)
    last = page[-1] if page else None
    return QueuePage(
        rows=[_row(r, names, attachments) for r in page],
        next_cursor=(
            encode_cursor(cursor_key, order=order, due=last.next_due, id=last.id)
            if more and last is not None
            else None
        ),
    )


async def following(
    engine: AsyncEngine, member: StaffMember, *, after: tuple[datetime | None, int] | None
) -> str | None:
    """The tracking ID of the open complaint after ``after`` (a ``(next_due, id)``) in the
    member's queue, nearest deadline first, or the queue's first when ``after`` is None
    (the complaint page's "next complaint"); None at the end. One row read per arm,
    however long the queue."""
    where = [access.visible_complaints(member), _c.status.in_(_OPEN)]
    found: list = []
    async with engine.connect() as conn:
        for arm in arms(member, QueueFilter()):
            base = select(_c.id, _c.next_due, _c.tracking_id).where(*where, arm)
            found += await _nearest_deadline_first(conn, base, after, 1)
    return min(found, key=_sort_key("due")).tracking_id if found else None


def _sort_key(order: str):
    if order == "done":
        return lambda row: -row.id
    # NULLS LAST: a row owing nothing sorts after every due date.
    return lambda row: (row.next_due is None, row.next_due or _NEVER, row.id)


async def _nearest_deadline_first(conn, base, after, n: int) -> list:
    # From the start, one walk: due dates first, then the rows that owe nothing (NULLS LAST,
    # PostgreSQL's index order). No "next_due IS NOT NULL" here: PostgreSQL would take it as
    # independent of the tab's status (every RECEIVED complaint has a due date), guess a
    # few hundred rows, and sort them all instead of walking the index (27 ms, not 1, for a
    # coordinator at a million complaints).
    if after is None:
        first = base.order_by(_c.next_due.asc().nulls_last(), _c.id).limit(n)
        return list((await conn.execute(first)).all())
    # After a cursor, two ranges, each one index walk: the due dates after it, then the
    # rows that owe nothing. (One "… > cursor OR next_due IS NULL" would not walk in order.)
    rows: list = []
    if after[0] is not None:
        # A row comparison is never true for a NULL due date: dated rows only.
        dated = base.where(
            tuple_(_c.next_due, _c.id)
            > tuple_(literal(after[0], _c.next_due.type), literal(after[1], _c.id.type))
        )
        rows = list((await conn.execute(dated.order_by(_c.next_due, _c.id).limit(n))).all())
    if len(rows) < n:
        undated = base.where(_c.next_due.is_(None))
        if after[0] is None:
            undated = undated.where(_c.id > after[1])
        # "next_due, id" although next_due is NULL throughout: so the (…, next_due, id)
        # indexes serve this walk too. Ordered by id alone, PostgreSQL may walk the primary
        # key instead and discard every other office's rows (a region desk that owes
        # nothing: 800 ms at a million complaints).
        undated = undated.order_by(_c.next_due, _c.id).limit(n - len(rows))
        rows += (await conn.execute(undated)).all()
    return rows


async def _newest_first(conn, base, after, n: int) -> list:
    if after is not None:
        base = base.where(_c.id < after[1])
    # next_due is NULL on every finished complaint: ordering by it too lets the
    # (…, next_due, id) indexes serve the walk backwards.
    newest = base.order_by(_c.next_due.desc(), _c.id.desc()).limit(n)
    return list((await conn.execute(newest)).all())


async def _companions(conn, page) -> tuple[dict[int, str], dict[int, int]]:
    """Display names of the assignees and attachment counts, for the page's rows only."""
    staff_ids = {r.assigned_staff_id for r in page if r.assigned_staff_id is not None}
    names: dict[int, str] = {}
    if staff_ids:
        s = Staff.__table__.c
        result = await conn.execute(select(s.id, s.display_name).where(s.id.in_(staff_ids)))
        names = {staff_id: name for staff_id, name in result}
    counts: dict[int, int] = {}
    if page:
        a = ComplaintAttachment.__table__.c
        result = await conn.execute(
            select(a.complaint_id, func.count())
            .where(a.complaint_id.in_([r.id for r in page]))
            .group_by(a.complaint_id)
        )
        counts = {complaint_id: n for complaint_id, n in result}
    return names, counts


def _row(r, names: dict[int, str], attachments: dict[int, int]) -> QueueRow:
    return QueueRow(
        tracking_id=r.tracking_id,
        tracking_id_display=display(r.tracking_id),
        category=r.category_code,
        programme=r.programme,
        status=r.status,
        privacy=r.privacy,
        office_code=r.office_code,
        regency_code=r.regency_code,
        district_code=r.district_code,
        in_triage=r.in_triage,
        next_due=r.next_due,
        next_deadline=next_deadline(r._mapping),
        breaches=[b for b in r.breaches.split(";") if b],
        escalation_level=r.escalation_level,
        assigned_staff_id=r.assigned_staff_id,
        assigned_staff_name=names.get(r.assigned_staff_id),
        attachments=attachments.get(r.id, 0),
        channel=r.channel,
        created_at=r.created_at,
    )


async def tab_counts(
    engine: AsyncEngine,
    member: StaffMember,
    flt: QueueFilter,
    *,
    calendar: WorkingCalendar,
    now: datetime | None = None,
) -> dict[Tab, TabCount]:
    """How many complaints each tab holds under ``flt`` (its own tab ignored), each count
    stopping at :data:`COUNT_CAP` + 1 so it costs at most that many index entries."""
    now = now or datetime.now(UTC)
    where = conditions(member, flt, calendar=calendar, now=now)
    counts: dict[Tab, TabCount] = {}
    async with engine.connect() as conn:
        for tab in Tab:
            total = 0
            for arm in count_arms(member, flt):
                # "SELECT 1", not the id: with the default filters everything the count
                # reads is in one index (see the model's), so PostgreSQL never visits a row.
                capped = (
                    select(literal(1))
                    .where(*where, tab_condition(tab, now), arm)
                    .limit(COUNT_CAP + 1)
                    .subquery()
                )
                total += await conn.scalar(select(func.count()).select_from(capped)) or 0
            counts[tab] = TabCount(min(total, COUNT_CAP), total > COUNT_CAP)
    return counts
