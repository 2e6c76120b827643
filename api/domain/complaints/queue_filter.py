"""The console queue's filter: what a queue URL may ask for, as WHERE clauses.

Every condition here only narrows; :func:`conditions` always includes the member's
visibility (:mod:`api.domain.access`), so no filter, however forged, shows a complaint the
member may not see. :func:`index_arms` splits a view that no single index serves in order
(a coordinator's "own office OR own region") into arms, each walked apart.

"Today" and "working days" are the calendar's: Asia/Jakarta for every office, the same
clock the deadlines themselves are counted in (see ``working_days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import and_, exists, or_, true
from sqlalchemy.sql import ColumnElement

from api.domain import access
from api.domain.complaints.lifecycle import OPEN_STATUSES
from api.domain.complaints.working_days import JAKARTA, WorkingCalendar
from api.domain.staff import StaffMember
from api.domain.vocabulary import Role, Status
from api.models import Complaint, ComplaintAttachment

MAX_SEARCH = 200

_c = Complaint.__table__.c


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


# -- the WHERE clause --------------------------------------------------------------------


def conditions(
    member: StaffMember, flt: QueueFilter, *, calendar: WorkingCalendar, now: datetime
) -> list[ColumnElement[bool]]:
    """The filter's conditions besides the tab, always with the member's visibility."""
    where: list[ColumnElement[bool]] = [access.visible_complaints(member)]
    for column, value in (
        (_c.status, flt.status),
        (_c.office_code, flt.office_code),
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
    return where + stable_conditions(flt)


#: The filter's fields that working a complaint never changes (its category, place, privacy,
#: channel, filing date, words). A page watching for changes (the live bar) applies these
#: only: a complaint that leaves a status, tab, deadline state or assignee the page filters
#: on is a change the page must learn of, so those must not hide it.
STABLE_FIELDS = (
    "category", "programme", "regency_code", "district_code", "privacy", "channel",
    "filed_from", "filed_to", "text",
)  # fmt: skip
_LONGEST = {"category": 32, "programme": 16, "regency_code": 4, "district_code": 6}


def stable_conditions(flt: QueueFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    for column, value in (
        (_c.category_code, flt.category),
        (_c.programme, flt.programme),
        (_c.regency_code, flt.regency_code),
        (_c.district_code, flt.district_code),
        (_c.privacy, flt.privacy),
        (_c.channel, flt.channel),
    ):
        if value:
            where.append(column == value)
    if flt.filed_from is not None:
        where.append(_c.created_at >= _midnight(flt.filed_from))
    if flt.filed_to is not None:
        where.append(_c.created_at < _midnight(flt.filed_to + timedelta(days=1)))
    text = (flt.text or "").strip()[:MAX_SEARCH]
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(_c.description.ilike(f"%{escaped}%", escape="\\"))
    return where


def stable_part(flt: QueueFilter) -> dict[str, str]:
    """The stable fields that are set, as text (for a URL); :func:`from_stable_part` reads
    them back."""
    return {
        name: value.isoformat() if isinstance(value, date) else str(value)
        for name in STABLE_FIELDS
        if (value := getattr(flt, name)) not in (None, "")
    }


def from_stable_part(fields: dict[str, object]) -> QueueFilter:
    """The filter of :func:`stable_part`'s fields; anything unknown or malformed is dropped
    (the filter only narrows, so a dropped field shows more changes, never more rows)."""
    kept: dict[str, object] = {}
    for name in STABLE_FIELDS:
        value = fields.get(name)
        if not isinstance(value, str) or not value:
            continue
        if name in ("filed_from", "filed_to"):
            try:
                kept[name] = date.fromisoformat(value)
            except ValueError:
                continue
        else:
            kept[name] = value[: _LONGEST.get(name, MAX_SEARCH)]
    return QueueFilter(**kept)


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


def tab_condition(tab: Tab, now: datetime) -> ColumnElement[bool]:
    if tab == Tab.OVERDUE:
        return _overdue(now)
    if tab == Tab.DONE:
        # Finished complaints owe nothing: saying so lets the done tab walk the same
        # (…, next_due, id) indexes, newest first.
        return and_(_c.status.in_(_TAB_STATUSES[tab]), _c.next_due.is_(None))
    return _c.status.in_(_TAB_STATUSES[tab])


def arms(member: StaffMember, flt: QueueFilter) -> list[ColumnElement[bool]]:
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


def count_arms(member: StaffMember, flt: QueueFilter) -> list[ColumnElement[bool]]:
    """Like :func:`arms` but disjoint, so counts over them add up: a coordinator's own
    region, then the complaints of their own office from elsewhere (a region desk holds a
    few)."""
    if flt.office_code:
        return [true()]
    if member.role == Role.COORDINATOR and member.region_code is not None:
        return [
            _c.coordination_region_code == member.region_code,
            and_(
                _c.office_code == member.office_code,
                or_(
                    _c.coordination_region_code.is_(None),
                    _c.coordination_region_code != member.region_code,
                ),
            ),
        ]
    return [true()]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=JAKARTA)
