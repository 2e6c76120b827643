"""What happens to a complaint after intake: each lifecycle action, in one transaction.

``take_action`` loads the complaint, asks the transition table (``lifecycle``) whether the
actor may take the action now, applies its effects (deadlines, routing, rating), appends the
timeline event and, when the citizen should hear of it, the outbox message, and commits. The
update is conditional on the complaint being unchanged since it was read, so two handlers
acting at once cannot both win: the second gets :class:`ComplaintChanged` and may retry.

Who may act on which complaint (offices, roles) is decided before this by ``access``;
this module only knows the three kinds of actor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.directory import Directory
from api.domain.complaints.lifecycle import next_status
from api.domain.complaints.outbox import outbox_row
from api.domain.complaints.routing import RoutingReason, escalation_office, forward
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.protection import Protector
from api.domain.vocabulary import (
    CITIZEN_REPLY_DAYS,
    FIELD_CHECK_DAYS,
    FOLLOW_UP_DAYS,
    VERIFY_DAYS,
    Action,
    Actor,
    EscalationLevel,
    Status,
)
from api.models import Complaint, ComplaintEvent, OutboxMessage

#: Ratings that reopen an answered complaint at the coordination region (once).
POOR_RATINGS = frozenset({1, 2})
MAX_NOTE = 4000

# Actions the citizen is told about, and under which notification kind.
_NOTIFY = {
    Action.VERIFY: "complaint.status_changed",
    Action.START: "complaint.status_changed",
    Action.RESOLVE: "complaint.answered",
    Action.REJECT: "complaint.answered",
    Action.REQUEST_INFO: "complaint.info_requested",
    Action.REPLY: "complaint.reply",
    Action.FORWARD: "complaint.forwarded",
    Action.REOPEN: "complaint.reopened",
    Action.CLOSE: "complaint.closed",
}
# Actions whose note is the point of the action: refused without one.
_NOTE_REQUIRED = {
    Action.REQUEST_INFO,
    Action.PROVIDE_INFO,
    Action.RESOLVE,
    Action.REJECT,
    Action.REPLY,
    Action.FORWARD,
}


class ActionProblem(StrEnum):
    NOTE_REQUIRED = "note_required"
    NOTE_TOO_LONG = "note_too_long"
    RATING_INVALID = "rating_invalid"
    RATING_TOO_LATE = "rating_too_late"
    UNKNOWN_OFFICE = "unknown_office"
    SAME_OFFICE = "same_office"


class ActionError(ValueError):
    def __init__(self, problem: ActionProblem, **params: int | str) -> None:
        super().__init__(problem.value)
        self.problem, self.params = problem, params


class ComplaintNotFound(LookupError):
    pass


class ComplaintChanged(RuntimeError):
    """Someone else changed the complaint between our read and our write."""


@dataclass(frozen=True)
class ActorRef:
    kind: Actor
    # A staff member's id, the channel's name for a citizen, the job's name for the system.
    name: str


@dataclass(frozen=True)
class ActionResult:
    tracking_id: str
    status: Status
    office_code: str
    event_kind: str


def deadlines(
    *, calendar: WorkingCalendar, created_at: datetime, resolve_days: int, paused_days: int
) -> dict[str, datetime]:
    """The three deadlines, counted from submission and moved by the days spent paused."""
    return {
        "verify_due": calendar.add_working_days(created_at, VERIFY_DAYS + paused_days),
        "follow_up_due": calendar.add_working_days(created_at, FOLLOW_UP_DAYS + paused_days),
        "resolve_due": calendar.add_working_days(created_at, resolve_days + paused_days),
    }


async def take_action(
    *,
    engine: AsyncEngine,
    protector: Protector,
    directory: Directory,
    calendar: WorkingCalendar,
    complaint_id: int,
    action: Action,
    actor: ActorRef,
    note: str | None = None,
    public: bool = True,
    to_office: str | None = None,
    rating: int | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Apply ``action`` by ``actor``; raises InvalidTransition, ActionError or ComplaintChanged."""
    now = now or datetime.now(UTC)
    note = note.strip() if note and note.strip() else None
    if action in _NOTE_REQUIRED and note is None:
        raise ActionError(ActionProblem.NOTE_REQUIRED)
    if note is not None and len(note) > MAX_NOTE:
        raise ActionError(ActionProblem.NOTE_TOO_LONG, max=MAX_NOTE, length=len(note))

    table = Complaint.__table__
    async with engine.begin() as conn:
        row = (await conn.execute(select(table).where(table.c.id == complaint_id))).first()
        if row is None:
            raise ComplaintNotFound(complaint_id)
        status = Status(row.status)
        paused = Status(row.status_before_pause) if row.status_before_pause else None
        if action == Action.RATE and rating in POOR_RATINGS and not row.reopened:
            action = Action.REOPEN  # the table decides whether the citizen may do that now
        target = next_status(status, action, actor.kind, paused_status=paused)

        changes: dict = {"status": target.value, "updated_at": now}
        event_office = row.office_code
        kind = action.value
        if action == Action.VERIFY:
            changes["verified_at"] = now
        elif action in (Action.START, Action.REPLY, Action.REQUEST_INFO):
            if row.followed_up_at is None:
                changes["followed_up_at"] = now
            if action == Action.REQUEST_INFO:
                changes["paused_at"] = now
                changes["status_before_pause"] = status.value
        elif action == Action.PROVIDE_INFO:
            paused_days = row.paused_days + calendar.working_days_between(row.paused_at, now)
            changes.update(
                paused_at=None,
                status_before_pause=None,
                paused_days=paused_days,
                **deadlines(
                    calendar=calendar,
                    created_at=row.created_at,
                    resolve_days=_resolve_days(row, directory),
                    paused_days=paused_days,
                ),
            )
        elif action in (Action.RESOLVE, Action.REJECT):
            changes["answered_at"] = now
            if row.followed_up_at is None:
                changes["followed_up_at"] = now
        elif action in (Action.RATE, Action.REOPEN):
            if rating is None or not 1 <= rating <= 5:
                raise ActionError(ActionProblem.RATING_INVALID)
            if now >= calendar.add_working_days(row.answered_at, CITIZEN_REPLY_DAYS):
                raise ActionError(ActionProblem.RATING_TOO_LATE, days=CITIZEN_REPLY_DAYS)
            changes["rating"] = rating
            if action == Action.RATE:
                changes["closed_at"] = now
            else:
                # A poor first rating: the coordination region takes it up with a fresh
                # resolve deadline, counted from now.
                event_office = escalation_office(
                    regency_code=row.regency_code, table=directory.routing
                )
                changes.update(
                    office_code=event_office,
                    routing_reason=RoutingReason.REOPENED.value,
                    reopened=True,
                    escalation_level=max(row.escalation_level, EscalationLevel.COORDINATION_REGION),
                    answered_at=None,
                    resolve_due=calendar.add_working_days(now, _resolve_days(row, directory)),
                )
        elif action == Action.CLOSE:
            changes["closed_at"] = now
            changes["paused_at"] = None
        elif action == Action.FORWARD:
            if (
                to_office not in directory.routing.offices
                or not directory.routing.offices[to_office].active
            ):
                raise ActionError(ActionProblem.UNKNOWN_OFFICE)
            if to_office == row.office_code:
                raise ActionError(ActionProblem.SAME_OFFICE)
            decision = forward(
                regency_code=row.regency_code,
                to_office=to_office,
                transfers_so_far=row.transfer_count,
                table=directory.routing,
            )
            event_office = decision.office_code
            changes.update(
                office_code=decision.office_code,
                routing_reason=decision.reason.value,
                transfer_count=row.transfer_count + 1,
            )
            kind = "forwarded" if decision.reason == RoutingReason.FORWARDED else "transfer_limit"
        elif action == Action.FLAG_FIELD_CHECK:
            changes.update(
                needs_field_check=True,
                resolve_due=calendar.add_working_days(
                    row.created_at, FIELD_CHECK_DAYS + row.paused_days
                ),
            )

        result = await conn.execute(
            update(table)
            .where(table.c.id == row.id, table.c.updated_at == row.updated_at)
            .values(**changes)
        )
        if result.rowcount != 1:
            raise ComplaintChanged(row.tracking_id)
        await conn.execute(
            insert(ComplaintEvent.__table__).values(
                complaint_id=row.id,
                at=now,
                kind=kind,
                actor_type=actor.kind.value,
                actor=actor.name,
                from_status=status.value,
                to_status=target.value,
                office_code=event_office,
                public=public,
                note=note,
            )
        )
        notification = _NOTIFY.get(action)
        if notification and public:
            reporter = json.loads(
                protector.decrypt(row.reporter_encrypted, column="complaint.reporter")
            )
            await conn.execute(
                insert(OutboxMessage.__table__).values(
                    outbox_row(
                        channel=row.channel,
                        channel_user=reporter["user"],
                        locale=row.reporter_locale,
                        kind=notification,
                        payload={
                            "tracking_id": row.tracking_id,
                            "status": target.value,
                            "action": action.value,
                            "note": note,
                            "office_code": event_office,
                        },
                        now=now,
                    )
                )
            )
    return ActionResult(row.tracking_id, target, event_office, kind)


def _resolve_days(row, directory: Directory) -> int:
    if row.needs_field_check:
        return FIELD_CHECK_DAYS
    category = directory.categories.get(row.category_code)
    return category.resolve_days if category else FIELD_CHECK_DAYS
