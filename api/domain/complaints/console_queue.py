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

"Today" and "working days" are the calendar's: Asia/Jakarta for every office, the same
clock the deadlines themselves are counted in (see ``working_days``).

Tab counts stop at :data:`COUNT_CAP`: a tab with more shows "1,000+", so a page view never
counts a hundred thousand rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import (
    and_,
    exists,
    func,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ColumnElement

from api.domain import access
from api.domain.complaints.lifecycle import OPEN_STATUSES
from api.domain.complaints.next_due import next_deadline
from api.domain.complaints.tracking_id import display
from api.domain.complaints.working_days import JAKARTA, WorkingCalendar
from api.domain.staff import StaffMember
from api.domain.vocabulary import Deadline, Role, Status
from api.models import Complaint, ComplaintAttachment, Staff

MAX_PAGE = 100
COUNT_CAP = 1000
MAX_SEARCH = 200

_c = Complaint.__table__.c
_NEVER = datetime.max.replace(tzinfo=UTC)


class Tab(StrEnum):
    NEW = "new"
    WAITING = "waiting"
    FOLLOW_UP = "follow_up"
    OVERDUE = "overdue"
    DONE = "done"


class DeadlineState(StrEnum):
    DUE_TODAY = "due_today"
    DUE_WITHIN_2_WORKING_DAYS = "due_within_2_working_days"
    OVERDUE_NOW = "overdue_now"
    BREACHED_EVER = "breached_ever"


class Assigned(StrEnum):
    ME = "me"
    UNASSIGNED = "unassigned"
    ANYONE = "anyone"


_OPEN = [s.value for s in OPEN_STATUSES]
_TAB_STATUSES = {
    Tab.NEW: [Status.RECEIVED.value],
    Tab.WAITING: [Status.NEEDS_INFO.value],
    Tab.FOLLOW_UP: [Status.VERIFIED.value, Status.IN_PROGRESS.value],
    Tab.OVERDUE: _OPEN,
    Tab.DONE: [Status.RESOLVED.value, Status.REJECTED.value, Status.CLOSED.value],
}


class CursorError(ValueError):
    """The cursor was not made by this queue for this order (edited, truncated, foreign)."""


@dataclass(frozen=True)
class QueueFilter:
    """What the queue page's URL holds; every field None (or ANYONE) means "no filter"."""

    tab: Tab | None = None
    status: str | None = None
    category: str | None = None
    programme: str | None = None
    office_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    deadline: DeadlineState | None = None
    privacy: str | None = None
    has_attachments: bool | None = None
    assigned: Assigned = Assigned.ANYONE
    channel: str | None = None
    # Dates of filing, inclusive, in the calendar's time zone.
    filed_from: date | None = None
    filed_to: date | None = None
    # Case-insensitive substring of the description.
    text: str | None = None
    cursor: str | None = None
    limit: int = 50


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


# -- the WHERE clause --------------------------------------------------------------------


def _filters(
    member: StaffMember, flt: QueueFilter, *, calendar: WorkingCalendar, now: datetime
) -> list[ColumnElement[bool]]:
    """The filter's conditions besides the tab, always with the member's visibility."""
    where: list[ColumnElement[bool]] = [access.visible_complaints(member)]
    for column, value in (
        (_c.status, flt.status),
        (_c.category_code, flt.category),
        (_c.programme, flt.programme),
        (_c.office_code, flt.office_code),
        (_c.regency_code, flt.regency_code),
        (_c.district_code, flt.district_code),
        (_c.privacy, flt.privacy),
        (_c.channel, flt.channel),
    ):
        if value:
            where.append(column == value)
    if flt.deadline is not None:
        where.append(deadline_state(flt.deadline, calendar=calendar, now=now))
    if flt.has_attachments is not None:
        attached = exists().where(ComplaintAttachment.__table__.c.complaint_id == _c.id)
        where.append(attached if flt.has_attachments else ~attached)
    if flt.assigned == Assigned.ME:
        where.append(_c.assigned_staff_id == member.id)
    elif flt.assigned == Assigned.UNASSIGNED:
        where.append(_c.assigned_staff_id.is_(None))
    if flt.filed_from is not None:
        where.append(_c.created_at >= _midnight(flt.filed_from))
    if flt.filed_to is not None:
        where.append(_c.created_at < _midnight(flt.filed_to + timedelta(days=1)))
    text = (flt.text or "").strip()[:MAX_SEARCH]
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(_c.description.ilike(f"%{escaped}%", escape="\\"))
    return where


def deadline_state(
    state: DeadlineState, *, calendar: WorkingCalendar, now: datetime
) -> ColumnElement[bool]:
    """A deadline state as a WHERE clause (the console's filter and the staff API's)."""
    # Deadlines are exclusive midnights (Jakarta): due "today" means it ends tonight.
    if state == DeadlineState.OVERDUE_NOW:
        return _overdue(now)
    if state == DeadlineState.BREACHED_EVER:
        return _c.breaches != ""
    if state == DeadlineState.DUE_TODAY:
        until = _midnight(now.astimezone(JAKARTA).date() + timedelta(days=1))
    else:  # today and the next two working days
        until = calendar.add_working_days(now, 2)
    return and_(_c.next_due > now, _c.next_due <= until)


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(_c.status.in_(_OPEN), _c.next_due <= now)


def _tab(tab: Tab, now: datetime) -> ColumnElement[bool]:
    if tab == Tab.OVERDUE:
        return _overdue(now)
    if tab == Tab.DONE:
        # Finished complaints owe nothing: saying so lets the done tab walk the same
        # (…, next_due, id) indexes, newest first.
        return and_(_c.status.in_(_TAB_STATUSES[tab]), _c.next_due.is_(None))
    return _c.status.in_(_TAB_STATUSES[tab])


def _arms(member: StaffMember, flt: QueueFilter) -> list[ColumnElement[bool]]:
    """Narrowing conditions whose union covers the member's view, one index each.

    Only ever ANDed to the visibility, so a wrong arm could hide complaints, never show
    one: a coordinator's view is "own office OR own region", which no single index serves
    in order, so the two are walked apart and merged."""
    if flt.office_code:
        return [true()]
    if member.role == Role.COORDINATOR and member.region_code is not None:
        return [
            _c.office_code == member.office_code,
            _c.coordination_region_code == member.region_code,
        ]
    return [true()]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=JAKARTA)


# -- the cursor --------------------------------------------------------------------------


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"console-queue-cursor\0" + payload, hashlib.sha256).digest()[:12]


def encode_cursor(key: bytes, *, order: str, due: datetime | None, id: int) -> str:
    payload = json.dumps(
        [order, due.astimezone(UTC).isoformat() if due else None, id], separators=(",", ":")
    ).encode()
    token = payload + _signature(key, payload)
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode_cursor(key: bytes, cursor: str, *, order: str) -> tuple[datetime | None, int]:
    """(next_due, id) of the last row seen, or :class:`CursorError`."""
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise CursorError("not a cursor") from None
    payload, signature = token[:-12], token[-12:]
    if len(token) <= 12 or not hmac.compare_digest(signature, _signature(key, payload)):
        raise CursorError("not a cursor of this queue")
    kind, due, last_id = json.loads(payload)
    if kind != order:
        raise CursorError("a cursor of another tab")
    return (datetime.fromisoformat(due) if due else None), last_id


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
    where = _filters(member, flt, calendar=calendar, now=now)
    if flt.tab is not None:
        where.append(_tab(flt.tab, now))
    table = Complaint.__table__
    rows: dict[int, object] = {}
    async with engine.connect() as conn:
        for arm in _arms(member, flt):
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


def _sort_key(order: str):
    if order == "done":
        return lambda row: -row.id
    # NULLS LAST: a row owing nothing sorts after every due date.
    return lambda row: (row.next_due is None, row.next_due or _NEVER, row.id)


async def _nearest_deadline_first(conn, base, after, n: int) -> list:
    # Two ranges, each one index walk: the due dates after the cursor, then the rows that
    # owe nothing. (One "next_due > … OR next_due IS NULL" would not walk an index in order.)
    rows: list = []
    if after is None or after[0] is not None:
        dated = base.where(_c.next_due.is_not(None))
        if after is not None:
            dated = dated.where(
                tuple_(_c.next_due, _c.id)
                > tuple_(literal(after[0], _c.next_due.type), literal(after[1], _c.id.type))
            )
        rows = list((await conn.execute(dated.order_by(_c.next_due, _c.id).limit(n))).all())
    if len(rows) < n:
        undated = base.where(_c.next_due.is_(None))
        if after is not None and after[0] is None:
            undated = undated.where(_c.id > after[1])
        rows += (await conn.execute(undated.order_by(_c.id).limit(n - len(rows)))).all()
    return rows


async def _newest_first(conn, base, after, n: int) -> list:
    if after is not None:
        base = base.where(_c.id < after[1])
    return list((await conn.execute(base.order_by(_c.id.desc()).limit(n))).all())


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
    stopping at :data:`COUNT_CAP` + 1 so it costs at most that many rows."""
    now = now or datetime.now(UTC)
    where = _filters(member, flt, calendar=calendar, now=now)
    counts: dict[Tab, TabCount] = {}
    async with engine.connect() as conn:
        for tab in Tab:
            ids: set[int] = set()
            for arm in _arms(member, flt):
                capped = select(_c.id).where(*where, _tab(tab, now), arm).limit(COUNT_CAP + 1)
                ids.update(i for (i,) in await conn.execute(capped))
            counts[tab] = TabCount(min(len(ids), COUNT_CAP), len(ids) > COUNT_CAP)
    return counts
