"""The deadline job: marks breached deadlines, escalates, and closes what waited too long.

Run periodically (the worker). For an open complaint, a deadline is breached once ``now``
reaches it while the duty is undone: not verified (VERIFY), no follow-up yet (FOLLOW_UP),
not answered (RESOLVE). A complaint waiting for the citizen (NEEDS_INFO) has its clock
stopped and is never in breach. Each newly breached deadline is recorded once, as an
internal timeline event, and raises the escalation level: a late verification or
follow-up goes up to the coordination region, a late resolution to the ministry.

Closing: an answered complaint (resolved or rejected) closes after ``CITIZEN_REPLY_DAYS``
working days without a rating, and one waiting for the citizen after as many without a reply.

Every change is a conditional update (unchanged since read), so two workers running at once
record each breach once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints import actions
from api.domain.complaints.directory import Directory
from api.domain.complaints.lifecycle import OPEN_STATUSES
from api.domain.complaints.routing import escalation_office
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.protection import Protector
from api.domain.vocabulary import (
    CITIZEN_REPLY_DAYS,
    Action,
    Actor,
    Deadline,
    EscalationLevel,
    Status,
)
from api.models import Complaint, ComplaintEvent

SYSTEM = actions.ActorRef(Actor.SYSTEM, "deadline-job")
_AT_LEAST = timedelta(days=CITIZEN_REPLY_DAYS + 3)


#: How far up a breach of each deadline sends the complaint.
ESCALATES_TO = {
    Deadline.VERIFY: EscalationLevel.COORDINATION_REGION,
    Deadline.FOLLOW_UP: EscalationLevel.COORDINATION_REGION,
    Deadline.RESOLVE: EscalationLevel.MINISTRY,
}


@dataclass(frozen=True)
class SlaReport:
    breaches: int = 0
    escalations: int = 0
    closed: int = 0


def breached_deadlines(row, now: datetime) -> list[Deadline]:
    """Deadlines of ``row`` that ``now`` has passed with the duty undone (pure)."""
    if row.status not in OPEN_STATUSES:
        return []
    due = []
    if row.verified_at is None and now >= row.verify_due:
        due.append(Deadline.VERIFY)
    if row.followed_up_at is None and row.answered_at is None and now >= row.follow_up_due:
        due.append(Deadline.FOLLOW_UP)
    if row.answered_at is None and now >= row.resolve_due:
        due.append(Deadline.RESOLVE)
    return due


async def run_deadline_job(
    *,
    engine: AsyncEngine,
    protector: Protector,
    directory: Directory,
    calendar: WorkingCalendar,
    now: datetime,
) -> SlaReport:
    breaches, escalations = await _mark_breaches(engine, directory, now)
    closed = await _close_waited_out(engine, protector, directory, calendar, now)
    return SlaReport(breaches, escalations, closed)


async def _mark_breaches(engine: AsyncEngine, directory: Directory, now: datetime):
    table = Complaint.__table__
    c = table.c
    overdue = or_(
        and_(c.verify_due <= now, c.verified_at.is_(None), ~c.breaches.contains("VERIFY")),
        and_(
            c.follow_up_due <= now,
            c.followed_up_at.is_(None),
            ~c.breaches.contains("FOLLOW_UP"),
        ),
        and_(c.resolve_due <= now, c.answered_at.is_(None), ~c.breaches.contains("RESOLVE")),
    )
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(table).where(c.status.in_([s.value for s in OPEN_STATUSES]), overdue)
            )
        ).all()
    breach_count = escalation_count = 0
    for row in rows:
        plan = plan_breaches(row, now, directory)
        if plan is None:
            continue
        async with engine.begin() as conn:
            result = await conn.execute(
                update(table)
                .where(c.id == row.id, c.updated_at == row.updated_at)
                .values(plan.changes)
            )
            if result.rowcount != 1:
                continue  # changed meanwhile: the next run looks again
            await conn.execute(insert(ComplaintEvent.__table__), plan.events)
        breach_count += plan.breaches
        escalation_count += plan.escalated
    return breach_count, escalation_count


@dataclass(frozen=True)
class BreachPlan:
    """What the deadline job writes for one complaint at ``now``: its changed columns, the
    breach events (and the escalation's), and how many breaches and escalations they are."""

    changes: dict
    events: list[dict]
    breaches: int
    escalated: bool


def plan_breaches(row, now: datetime, directory: Directory) -> BreachPlan | None:
    """The newly breached deadlines of ``row`` at ``now`` as rows to write; None when there
    is none. Pure, so that a replay of a complaint's history (the demo's year) marks its
    breaches as the job would have, at the instant each deadline passed."""
    known = set(filter(None, row.breaches.split(";")))
    new = [d for d in breached_deadlines(row, now) if d.value not in known]
    if not new:
        return None
    level = max([row.escalation_level, *(ESCALATES_TO[d] for d in new)])
    events = [
        {
            "complaint_id": row.id,
            "at": now,
            "kind": "breach",
            "actor_type": Actor.SYSTEM.value,
            "actor": SYSTEM.name,
            "from_status": row.status,
            "to_status": row.status,
            "office_code": row.office_code,
            "public": False,
            "note": deadline.value,
        }
        for deadline in new
    ]
    if level > row.escalation_level:
        target = (
            escalation_office(regency_code=row.regency_code, table=directory.routing)
            if level == EscalationLevel.COORDINATION_REGION
            else directory.routing.national_desk
        )
        events.append({**events[0], "kind": "escalated", "office_code": target, "note": None})
    changes = {
        "breaches": ";".join(sorted(known | {d.value for d in new})),
        "escalation_level": level,
        "updated_at": now,
    }
    return BreachPlan(changes, events, len(new), level > row.escalation_level)


async def _close_waited_out(
    engine: AsyncEngine,
    protector: Protector,
    directory: Directory,
    calendar: WorkingCalendar,
    now: datetime,
) -> int:
    table = Complaint.__table__
    c = table.c
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(c.id, c.status, c.answered_at, c.paused_at).where(
                    c.status.in_(
                        [Status.RESOLVED.value, Status.REJECTED.value, Status.NEEDS_INFO.value]
                    ),
                    # Ten working days always span at least two weekends: a cheap prefilter.
                    or_(c.answered_at <= now - _AT_LEAST, c.paused_at <= now - _AT_LEAST),
                )
            )
        ).all()
    closed = 0
    for row in rows:
        since = row.paused_at if row.status == Status.NEEDS_INFO else row.answered_at
        if since is None or now < calendar.add_working_days(since, CITIZEN_REPLY_DAYS):
            continue
        try:
            await actions.take_action(
                engine=engine,
                protector=protector,
                directory=directory,
                calendar=calendar,
                complaint_id=row.id,
                action=Action.CLOSE,
                actor=SYSTEM,
                now=now,
            )
        except actions.ComplaintChanged:
            continue  # the citizen answered or rated meanwhile
        closed += 1
    return closed
