"""Reading complaints back: the reporter's own view, with its public timeline.

A tracking ID only opens a complaint for the channel user who filed it. Someone else's ID
and an ID that does not exist give the same "not found", so IDs cannot be probed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.lifecycle import allowed_actions
from api.domain.protection import Protector
from api.domain.vocabulary import Action, Actor, Status
from api.models import Complaint, ComplaintAttachment, ComplaintEvent


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    status: str | None
    office_code: str | None
    note: str | None


@dataclass(frozen=True)
class ReporterView:
    id: int
    tracking_id: str
    status: Status
    category: str
    privacy: str
    office_code: str
    district_code: str | None
    # At a triage desk until a desk officer sets the domicile.
    in_triage: bool
    programme: str | None
    tahap: int | None
    description: str
    created_at: datetime
    verify_due: datetime
    follow_up_due: datetime
    resolve_due: datetime
    rating: int | None
    attachments: int
    timeline: list[TimelineEntry]
    # What the reporter can do now (provide_info, rate), for channels to offer.
    citizen_actions: list[str]


@dataclass(frozen=True)
class ReporterListItem:
    tracking_id: str
    status: Status
    category: str
    created_at: datetime
    updated_at: datetime
    in_triage: bool = False


async def complaints_of_reporter(
    engine: AsyncEngine, protector: Protector, *, channel: str, channel_user: str, limit: int
) -> list[ReporterListItem]:
    """The complaints this channel user filed, the most recently changed first."""
    table = Complaint.__table__
    c = table.c
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    c.tracking_id,
                    c.status,
                    c.category_code,
                    c.created_at,
                    c.updated_at,
                    c.in_triage,
                )
                .where(c.reporter_hash == protector.reporter_hash(channel, channel_user))
                .order_by(c.updated_at.desc(), c.id.desc())
                .limit(limit)
            )
        ).all()
    return [
        ReporterListItem(
            tracking_id=row.tracking_id,
            status=Status(row.status),
            category=row.category_code,
            created_at=row.created_at,
            updated_at=row.updated_at,
            in_triage=row.in_triage,
        )
        for row in rows
    ]


async def complaint_id_for_reporter(
    engine: AsyncEngine, protector: Protector, *, tracking_id: str, channel: str, channel_user: str
) -> int | None:
    """The complaint's id if this channel user filed it; None otherwise (whatever the reason)."""
    table = Complaint.__table__
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(table.c.id, table.c.reporter_hash).where(table.c.tracking_id == tracking_id)
            )
        ).first()
    expected = protector.reporter_hash(channel, channel_user)
    if row is None or not hmac.compare_digest(row.reporter_hash, expected):
        return None
    return row.id


async def reporter_view(engine: AsyncEngine, complaint_id: int) -> ReporterView:
    table, events = Complaint.__table__, ComplaintEvent.__table__
    attachments = ComplaintAttachment.__table__
    async with engine.connect() as conn:
        row = (await conn.execute(select(table).where(table.c.id == complaint_id))).one()
        timeline = (
            await conn.execute(
                select(events)
                .where(events.c.complaint_id == complaint_id, events.c.public.is_(True))
                .order_by(events.c.id)
            )
        ).all()
        attachment_count = (
            await conn.execute(
                select(func.count()).where(attachments.c.complaint_id == complaint_id)
            )
        ).scalar_one()
    status = Status(row.status)
    return ReporterView(
        id=row.id,
        tracking_id=row.tracking_id,
        status=status,
        category=row.category_code,
        privacy=row.privacy,
        office_code=row.office_code,
        district_code=row.district_code,
        in_triage=row.in_triage,
        programme=row.programme,
        tahap=row.tahap,
        description=row.description,
        created_at=row.created_at,
        verify_due=row.verify_due,
        follow_up_due=row.follow_up_due,
        resolve_due=row.resolve_due,
        rating=row.rating,
        attachments=attachment_count,
        timeline=[
            TimelineEntry(
                at=event.at,
                kind=event.kind,
                status=event.to_status,
                office_code=event.office_code,
                note=event.note,
            )
            for event in timeline
        ],
        citizen_actions=[
            action.value
            for action in allowed_actions(status, Actor.CITIZEN)
            if action != Action.REOPEN  # reached through a poor rating, not offered as such
        ],
    )
