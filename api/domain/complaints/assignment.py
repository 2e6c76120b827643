"""Who of the office works a complaint: ``complaint.assigned_staff_id``.

Whether a member may assign whom is ``access.may_assign``'s; this module loads an assignee
and writes the change. The change is an internal timeline event (kind ``assigned`` or
``unassigned``, the actor's username, the assignee's display name as the note): the
complaint page shows its history to everyone on the case, and "who had it when" is part of
that history. ``staff_access_audit`` stays the record of who *saw* what.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.actions import ComplaintChanged
from api.domain.staff import StaffMember
from api.domain.vocabulary import Actor, Role
from api.models import Complaint, ComplaintEvent, Office, Staff

ASSIGNED = "assigned"
UNASSIGNED = "unassigned"


async def _active_members(engine: AsyncEngine, *where) -> list[StaffMember]:
    """Active accounts as members (with their office's region), by name."""
    staff, offices = Staff.__table__, Office.__table__
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    staff.c.id,
                    staff.c.username,
                    staff.c.display_name,
                    staff.c.role,
                    staff.c.office_code,
                    offices.c.coordination_region_code,
                )
                .select_from(staff.outerjoin(offices, offices.c.code == staff.c.office_code))
                .where(staff.c.active.is_(True), *where)
                .order_by(staff.c.display_name, staff.c.id)
            )
        ).all()
    return [
        StaffMember(
            r.id,
            r.username,
            r.display_name,
            Role(r.role),
            r.office_code,
            r.coordination_region_code,
        )
        for r in rows
    ]


async def active_member(engine: AsyncEngine, staff_id: int) -> StaffMember | None:
    """The active account ``staff_id``; None if there is none or it was deactivated."""
    found = await _active_members(engine, Staff.__table__.c.id == staff_id)
    return found[0] if found else None


async def active_members_of(engine: AsyncEngine, office_code: str) -> list[StaffMember]:
    """The active accounts of an office: whom a complaint there may be given to."""
    return await _active_members(engine, Staff.__table__.c.office_code == office_code)


async def active_members_of_offices(
    engine: AsyncEngine, office_codes: Sequence[str]
) -> list[StaffMember]:
    """The active accounts of several offices in one reading (a queue page's offices)."""
    if not office_codes:
        return []
    return await _active_members(engine, Staff.__table__.c.office_code.in_(list(office_codes)))


async def set_assignee(
    *,
    engine: AsyncEngine,
    row,
    assignee: StaffMember | None,
    actor: str,
    now: datetime | None = None,
) -> bool:
    """Make ``assignee`` (None: nobody) work the complaint ``row`` as read; False when it
    already was. ComplaintChanged when someone changed the complaint since it was read."""
    new_id = assignee.id if assignee else None
    if row.assigned_staff_id == new_id:
        return False
    now = now or datetime.now(UTC)
    table = Complaint.__table__
    async with engine.begin() as conn:
        changed = await conn.execute(
            update(table)
            .where(table.c.id == row.id, table.c.updated_at == row.updated_at)
            .values(assigned_staff_id=new_id, updated_at=now)
        )
        if changed.rowcount != 1:
            raise ComplaintChanged(row.tracking_id)
        await conn.execute(
            insert(ComplaintEvent.__table__).values(
                complaint_id=row.id,
                at=now,
                kind=ASSIGNED if assignee else UNASSIGNED,
                actor_type=Actor.STAFF.value,
                actor=actor,
                from_status=row.status,
                to_status=row.status,
                office_code=row.office_code,
                public=False,
                note=assignee.display_name if assignee else None,
            )
        )
    return True
