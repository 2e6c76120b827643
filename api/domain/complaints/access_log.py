"""Who looked at a complaint and when, read back from the staff access audit.

The audit (``staff_access_audit``) is written by ``staff_views`` at every opening, reveal,
download and action; this module only reads it, newest first, with each member's name.
Who may read it is :func:`api.domain.access.may_see_access_log`'s decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.models import Staff, StaffAccessAudit

#: Enough for any complaint's working life; a longer history belongs in an export.
MAX_ENTRIES = 200


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    username: str
    display_name: str
    office_code: str | None
    # view, view_reporter, view_subject, view_registry, download_attachment, act …
    what: str


async def access_log(engine: AsyncEngine, complaint_id: int) -> list[AccessEntry]:
    audit, staff = StaffAccessAudit.__table__, Staff.__table__
    query = (
        select(
            audit.c.at, staff.c.username, staff.c.display_name, staff.c.office_code, audit.c.what
        )
        .join(staff, staff.c.id == audit.c.staff_id)
        .where(audit.c.complaint_id == complaint_id)
        .order_by(audit.c.id.desc())
        .limit(MAX_ENTRIES)
    )
    async with engine.connect() as conn:
        return [AccessEntry(*row) for row in (await conn.execute(query)).all()]
