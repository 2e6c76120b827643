"""Watching a list for changes: a stamp a page can poll cheaply to learn it went stale.

Every change to a complaint moves its ``updated_at`` forward: filing, every action, a
forward, a triage decision, a breach. So a page drawn at instant *T* went stale exactly when
some complaint it could list (or just listed) was changed after *T*. The stamp reads only
those: the complaints of the member's view changed in a window starting a little before
*T* (:data:`WINDOW_MARGIN`: a change made before *T* but committed after the page read its
list is still seen), newest first — a short walk down ``(office_code, updated_at)``,
``(coordination_region_code, updated_at)`` or ``(updated_at)`` that costs the same at ten
thousand complaints or a million, where counting the whole view did not.

A complaint that leaves the view (forwarded away, routed out of a triage desk) is no longer
visible to the member, but it remembers ``previous_office_code``: the office it left reads
that arm too. The stamp says nothing about those complaints but that they changed.

The page's filter narrows the stamp only by what working a complaint never changes
(:data:`~api.domain.complaints.queue_filter.STABLE_FIELDS`): one that leaves the page's
tab or status is a change the page must show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ColumnElement

from api.domain import access
from api.domain.complaints.queue_filter import QueueFilter, arms, stable_conditions
from api.domain.staff import StaffMember
from api.models import Complaint

_c = Complaint.__table__.c

#: How far before the page was drawn the window opens: longer than any transaction that
#: changes a complaint takes between stamping ``updated_at`` and committing.
WINDOW_MARGIN = timedelta(seconds=5)
#: At most this many changed complaints are read per arm; a list with more changes than
#: that since it was drawn is stale whatever they are.
PROBE_ROWS = 1000


class WatchedList(StrEnum):
    # The queue: the complaints the member may see (its filter narrows further).
    QUEUE = "queue"
    # The triage desk: the complaints waiting for the member to set their domicile.
    TRIAGE = "triage"


@dataclass(frozen=True)
class Watch:
    # Complaints of the list changed in the window (capped per arm at PROBE_ROWS).
    count: int
    latest_change: datetime | None
    # Of those, the ones changed after the instant the page was drawn.
    changed_since: int

    @property
    def stamp(self) -> str:
        """Opaque; equal stamps mean nothing was filed into, changed in or left the list."""
        latest = int(self.latest_change.timestamp() * 1_000_000) if self.latest_change else 0
        return f"{self.count}-{latest}"


def _walks(
    member: StaffMember, watched: WatchedList, flt: QueueFilter
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    """The index walks whose union holds every complaint whose change the page must learn
    of, and the conditions that narrow what they find to the page's list."""
    visible = access.visible_complaints(member)
    walks = [and_(arm, visible) for arm in arms(member, QueueFilter())]
    if member.office_code is not None:
        walks.append(_c.previous_office_code == member.office_code)
    narrowing = stable_conditions(flt)
    if watched == WatchedList.TRIAGE:
        # A complaint routed out of triage remembers the desk it left: its region's (whose
        # office code is the region's code) or the national one (the member's own).
        left_triage = _c.previous_office_code.is_not(None) & or_(
            _c.previous_office_code == _c.coordination_region_code,
            _c.previous_office_code == member.office_code,
        )
        narrowing.append(or_(_c.in_triage, left_triage))
    return walks, narrowing


async def watch(
    engine: AsyncEngine,
    member: StaffMember,
    watched: WatchedList,
    *,
    since: datetime,
    flt: QueueFilter | None = None,
) -> Watch:
    """The stamp of ``watched`` for a page drawn at ``since``, under ``flt``'s stable part."""
    window = since - WINDOW_MARGIN
    walks, narrowing = _walks(member, watched, flt or QueueFilter())
    changed: dict[int, datetime] = {}
    newest_walked: datetime | None = None
    async with engine.connect() as conn:
        for walk in walks:
            # First the walk alone, bounded (an index range, newest first), then the
            # page's narrowing over what it found: the narrowing never lengthens the walk.
            recent = (
                select(_c.id, _c.updated_at)
                .where(walk, _c.updated_at > window)
                .order_by(_c.updated_at.desc())
                .limit(PROBE_ROWS)
            )
            found = {i: _aware(at) for i, at in await conn.execute(recent)}
            if len(found) == PROBE_ROWS:
                # Too many changes to tell whether the page's own rows are among them:
                # every further change counts.
                newest_walked = max([*found.values(), newest_walked or window])
            if found and narrowing:
                kept = select(_c.id).where(_c.id.in_(list(found)), *narrowing)
                found = {i: found[i] for (i,) in await conn.execute(kept)}
            changed.update(found)
    latest = max([*changed.values(), *([newest_walked] if newest_walked else [])], default=None)
    return Watch(
        count=len(changed),
        latest_change=latest,
        changed_since=sum(1 for at in changed.values() if at > since),
    )


def _aware(value: datetime | str) -> datetime:
    # SQLite keeps UTC as naive text: read it back as the column would.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
