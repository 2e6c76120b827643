"""Watching a list for changes: a stamp a page can poll cheaply to learn it went stale.

A stamp is the number of complaints in the list and the latest ``updated_at`` among them:
a new complaint raises both, any change to one (every action, a forward, a triage) moves the
latest ``updated_at``, and one that leaves the list lowers the count. One aggregate query,
over the same rows the list shows (:mod:`api.domain.access` decides which).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ColumnElement

from api.domain import access
from api.domain.complaints.lifecycle import OPEN_STATUSES
from api.domain.staff import StaffMember
from api.models import Complaint

_c = Complaint.__table__.c


class WatchedList(StrEnum):
    # The queue's default: the open complaints the member may see.
    QUEUE = "queue"
    # The triage desk: the complaints waiting for the member to set their domicile.
    TRIAGE = "triage"


def rows_of(watched: WatchedList, member: StaffMember) -> ColumnElement[bool]:
    if watched == WatchedList.TRIAGE:
        return access.triage_queue(member)
    return and_(access.visible_complaints(member), _c.status.in_([s.value for s in OPEN_STATUSES]))


@dataclass(frozen=True)
class Watch:
    count: int
    latest_change: datetime | None
    # Rows of the list changed (or filed) after the instant the caller asked about.
    changed_since: int

    @property
    def stamp(self) -> str:
        """Opaque; equal stamps mean nothing was filed into, changed in or left the list."""
        latest = int(self.latest_change.timestamp() * 1_000_000) if self.latest_change else 0
        return f"{self.count}-{latest}"


async def watch(
    engine: AsyncEngine, member: StaffMember, watched: WatchedList, *, since: datetime
) -> Watch:
    rows = rows_of(watched, member)
    query = select(
        func.count(),
        func.max(_c.updated_at),
        func.coalesce(func.sum(case((_c.updated_at > since, 1), else_=0)), 0),
    ).where(rows)
    async with engine.connect() as conn:
        count, latest, changed = (await conn.execute(query)).one()
    return Watch(count=count, latest_change=_aware(latest), changed_since=int(changed))


def _aware(value: datetime | str | None) -> datetime | None:
    # Should an aggregate lose the column's type (SQLite keeps UTC as naive text), read it
    # back as the column would.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
