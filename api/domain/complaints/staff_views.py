"""What staff read: their queue, and one complaint in full, with every reading audited.

Access decisions come from ``api.domain.access``; this module applies them and records in
``staff_access_audit`` each complaint opened and each piece of personal data revealed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain import access
from api.domain.complaints.lifecycle import OPEN_STATUSES, allowed_actions
from api.domain.complaints.queue_filter import DeadlineState, deadline_state
from api.domain.complaints.tracking_id import display
from api.domain.complaints.triage import ACTIONS_IN_TRIAGE
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.instants import UtcInstant
from api.domain.protection import Protector
from api.domain.staff import StaffMember
from api.domain.vocabulary import Actor, Status
from api.models import Complaint, ComplaintAttachment, ComplaintEvent, StaffAccessAudit

MAX_PAGE = 200


@dataclass(frozen=True)
class QueueItem:
    tracking_id: str
    tracking_id_display: str
    category: str
    status: str
    privacy: str
    office_code: str
    # None while the complaint waits at a triage desk (``in_triage``) for its domicile.
    regency_code: str | None
    in_triage: bool
    created_at: UtcInstant
    verify_due: UtcInstant
    follow_up_due: UtcInstant
    resolve_due: UtcInstant
    breaches: list[str]
    escalation_level: int


@dataclass(frozen=True)
class StaffEvent:
    at: UtcInstant
    kind: str
    actor_type: str
    actor: str
    from_status: str | None
    to_status: str | None
    office_code: str | None
    public: bool
    note: str | None


@dataclass(frozen=True)
class StaffAttachment:
    id: int
    content_type: str
    size: int
    filename: str
    uploaded_by: str


@dataclass(frozen=True)
class StaffComplaint(QueueItem):
    """A queue item with everything else this member may see of the complaint."""

    description: str
    district_code: str | None
    village_code: str | None
    programme: str | None
    tahap: int | None
    latitude: float | None
    longitude: float | None
    address: str | None
    routing_reason: str
    transfer_count: int
    needs_field_check: bool
    subject_nik: str | None
    subject_in_registry: bool
    # None when the complaint is anonymous: the handler never learns who filed it.
    reporter: dict | None
    timeline: list[StaffEvent]
    attachments: list[StaffAttachment]
    actions: list[str]


def _item_fields(row) -> dict:
    return dict(
        tracking_id=row.tracking_id,
        tracking_id_display=display(row.tracking_id),
        category=row.category_code,
        status=row.status,
        privacy=row.privacy,
        office_code=row.office_code,
        regency_code=row.regency_code,
        in_triage=row.in_triage,
        created_at=row.created_at,
        verify_due=row.verify_due,
        follow_up_due=row.follow_up_due,
        resolve_due=row.resolve_due,
        breaches=[b for b in row.breaches.split(";") if b],
        escalation_level=row.escalation_level,
    )


def _item(row) -> QueueItem:
    return QueueItem(**_item_fields(row))


async def queue(
    engine: AsyncEngine,
    member: StaffMember,
    *,
    status: str | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    triage_only: bool = False,
    deadline: DeadlineState | None = None,
    calendar: WorkingCalendar | None = None,
    now: datetime | None = None,
    limit: int = 50,
) -> list[QueueItem]:
    """The complaints this member may see, the most urgent (earliest resolve deadline) first.

    ``overdue_only`` means a deadline was breached at some stage (even if met since);
    ``deadline`` (with the ``calendar``) is one of the console's four deadline states."""
    table = Complaint.__table__
    c = table.c
    visible = access.triage_queue(member) if triage_only else access.visible_complaints(member)
    query = select(table).where(visible)
    if status:
        query = query.where(c.status == status)
    if open_only:
        query = query.where(c.status.in_([s.value for s in OPEN_STATUSES]))
    if overdue_only:
        query = query.where(c.breaches != "")
    if deadline is not None and calendar is not None:
        query = query.where(
            deadline_state(deadline, calendar=calendar, now=now or datetime.now(UTC))
        )
    query = query.order_by(c.resolve_due, c.id).limit(min(max(limit, 1), MAX_PAGE))
    async with engine.connect() as conn:
        return [_item(row) for row in (await conn.execute(query)).all()]


async def load_visible(engine: AsyncEngine, member: StaffMember, tracking_id: str):
    """The complaint row if this member may see it; None for unknown and forbidden alike."""
    table = Complaint.__table__
    async with engine.connect() as conn:
        row = (await conn.execute(select(table).where(table.c.tracking_id == tracking_id))).first()
    return row if row is not None and access.may_view(member, row) else None


async def attachment_of(
    engine: AsyncEngine, complaint_id: int, attachment_id: int
) -> tuple[StaffAttachment, str] | None:
    """An attachment of the complaint and its storage key; None if it has no such file."""
    table = ComplaintAttachment.__table__
    async with engine.connect() as conn:
        f = (
            await conn.execute(
                select(table).where(
                    table.c.id == attachment_id, table.c.complaint_id == complaint_id
                )
            )
        ).first()
    if f is None:
        return None
    return StaffAttachment(f.id, f.content_type, f.size, f.filename, f.uploaded_by), f.storage_key


async def audit(engine: AsyncEngine, member: StaffMember, complaint_id: int, *what: str) -> None:
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(StaffAccessAudit.__table__),
            [
                {"at": now, "staff_id": member.id, "complaint_id": complaint_id, "what": w}
                for w in what
            ],
        )


async def complaint_for_staff(
    engine: AsyncEngine,
    protector: Protector,
    member: StaffMember,
    row,
    *,
    reveal_reporter: bool,
    reveal_subject: bool,
) -> StaffComplaint:
    """The whole complaint as this member may see it; the reading is audited first.

    The reporter and the subject's NIK are shown only when asked for (and allowed: never
    the reporter of an ANONIM complaint), and each one shown is its own audit row.
    """
    show_reporter = reveal_reporter and access.may_see_reporter(member, row)
    show_subject = reveal_subject and row.subject_encrypted is not None
    revealed = ["view"]
    if show_reporter:
        revealed.append("view_reporter")
    if show_subject:
        revealed.append("view_subject")
    await audit(engine, member, row.id, *revealed)

    events, attachments = ComplaintEvent.__table__, ComplaintAttachment.__table__
    async with engine.connect() as conn:
        timeline = (
            await conn.execute(
                select(events).where(events.c.complaint_id == row.id).order_by(events.c.id)
            )
        ).all()
        files = (
            await conn.execute(
                select(attachments)
                .where(attachments.c.complaint_id == row.id)
                .order_by(attachments.c.id)
            )
        ).all()
    reporter = None
    if show_reporter:
        stored = json.loads(protector.decrypt(row.reporter_encrypted, column="complaint.reporter"))
        reporter = {"channel": row.channel, "user": stored["user"], "contact": stored["contact"]}
    status = Status(row.status)
    may_act = access.may_act(member, row)
    return StaffComplaint(
        **_item_fields(row),
        description=row.description,
        district_code=row.district_code,
        village_code=row.village_code,
        programme=row.programme,
        tahap=row.tahap,
        latitude=row.latitude,
        longitude=row.longitude,
        address=row.address,
        routing_reason=row.routing_reason,
        transfer_count=row.transfer_count,
        needs_field_check=row.needs_field_check,
        subject_nik=(
            protector.decrypt(row.subject_encrypted, column="complaint.subject")
            if show_subject
            else None
        ),
        subject_in_registry=row.subject_in_registry,
        reporter=reporter,
        timeline=[
            StaffEvent(
                at=e.at,
                kind=e.kind,
                actor_type=e.actor_type,
                actor=e.actor,
                from_status=e.from_status,
                to_status=e.to_status,
                office_code=e.office_code,
                public=e.public,
                note=e.note,
            )
            for e in timeline
        ],
        attachments=[
            StaffAttachment(
                id=f.id,
                content_type=f.content_type,
                size=f.size,
                filename=f.filename,
                uploaded_by=f.uploaded_by,
            )
            for f in files
        ],
        actions=[
            a.value
            for a in allowed_actions(status, Actor.STAFF)
            if may_act and (not row.in_triage or a in ACTIONS_IN_TRIAGE)
        ],
    )
