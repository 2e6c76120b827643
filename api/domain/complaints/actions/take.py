"""``take_action``: one lifecycle action on a stored complaint, in one transaction.

validate the note → load the complaint → ``lifecycle.next_status`` (may the actor do this
now?) → ``HANDLERS[action]`` (what else changes) → write: the conditional update, the
timeline event and, when the citizen should hear of it, the outbox message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.actions.handlers import HANDLERS, POOR_RATINGS, ActionInput
from api.domain.complaints.actions.problems import (
    ActionError,
    ActionProblem,
    ComplaintChanged,
    ComplaintNotFound,
)
from api.domain.complaints.directory import Directory
from api.domain.complaints.lifecycle import next_status
from api.domain.complaints.next_due import next_due
from api.domain.complaints.outbox import notify_reporter
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.protection import Protector
from api.domain.vocabulary import Action, Actor, Status
from api.models import Complaint, ComplaintEvent

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
    note = _checked_note(action, note, actor.kind)

    table = Complaint.__table__
    async with engine.begin() as conn:
        row = (await conn.execute(select(table).where(table.c.id == complaint_id))).first()
        if row is None:
            raise ComplaintNotFound(complaint_id)
        plan = plan_action(
            row,
            row._mapping,
            action=action,
            actor=actor,
            note=note,
            public=public,
            to_office=to_office,
            rating=rating,
            directory=directory,
            calendar=calendar,
            now=now,
        )
        result = await conn.execute(
            update(table)
            .where(table.c.id == row.id, table.c.updated_at == row.updated_at)
            .values(plan.changes)
        )
        if result.rowcount != 1:
            raise ComplaintChanged(row.tracking_id)
        await conn.execute(insert(ComplaintEvent.__table__).values(plan.event))
        if plan.notification:
            await notify_reporter(
                conn,
                protector,
                row,
                kind=plan.notification,
                status=plan.status.value,
                action=plan.action.value,
                note=note,
                office_code=plan.event["office_code"],
                now=now,
            )
    return ActionResult(row.tracking_id, plan.status, plan.event["office_code"], plan.event["kind"])


@dataclass(frozen=True)
class PlannedAction:
    """What taking an action writes, decided without the database: the complaint's changed
    columns (``updated_at`` included), its timeline event, and the notification kind the
    reporter gets (None: not told)."""

    action: Action  # the action taken (a poor first rating becomes REOPEN)
    status: Status
    changes: dict
    event: dict
    notification: str | None


def plan_action(
    row,
    columns: Mapping[str, object],
    *,
    action: Action,
    actor: ActorRef,
    note: str | None,
    public: bool,
    to_office: str | None,
    rating: int | None,
    directory: Directory,
    calendar: WorkingCalendar,
    now: datetime,
) -> PlannedAction:
    """The rows ``take_action`` writes for ``row`` (its columns as attributes, and by name in
    ``columns``), the note already checked; InvalidTransition or ActionError when refused.
    Pure, so that a replay of a complaint's history (the demo's year) writes what this
    module would."""
    status = Status(row.status)
    paused = Status(row.status_before_pause) if row.status_before_pause else None
    if action == Action.RATE and rating in POOR_RATINGS and not row.reopened:
        action = Action.REOPEN  # the table decides whether the citizen may do that now
    target = next_status(status, action, actor.kind, paused_status=paused)
    effect = HANDLERS[action](
        row,
        ActionInput(to_office=to_office, rating=rating, actor=actor.kind),
        directory=directory,
        calendar=calendar,
        now=now,
    )

    changes = {**effect.changes, "status": target.value}
    if changes.get("office_code", row.office_code) != row.office_code:
        # The office it leaves learns it from the live bar (see watching.py).
        changes["previous_office_code"] = row.office_code
    # The queue's order follows every change of status, deadline or duty done.
    changes["next_due"] = next_due({**columns, **changes})
    changes["updated_at"] = now
    event = {
        "complaint_id": row.id,
        "at": now,
        "kind": effect.event_kind,
        "actor_type": actor.kind.value,
        "actor": actor.name,
        "from_status": status.value,
        "to_status": target.value,
        "office_code": effect.event_office,
        "public": public,
        "note": note,
        "rating": effect.changes.get("rating"),
    }
    notification = _NOTIFY.get(action) if public else None
    return PlannedAction(action, target, changes, event, notification)


def _checked_note(action: Action, note: str | None, actor: Actor) -> str | None:
    """The trimmed note, None when blank; refused when the action needs one or it is too long."""
    note = note.strip() if note and note.strip() else None
    # Staff reopening an answer say why; the citizen's reopening is their rating.
    needed = action in _NOTE_REQUIRED or (action == Action.REOPEN and actor == Actor.STAFF)
    if needed and note is None:
        raise ActionError(ActionProblem.NOTE_REQUIRED)
    if note is not None and len(note) > MAX_NOTE:
        raise ActionError(ActionProblem.NOTE_TOO_LONG, max=MAX_NOTE, length=len(note))
    return note
