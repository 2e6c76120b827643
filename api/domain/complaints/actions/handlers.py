"""What each lifecycle action does to a complaint besides changing its status.

One handler per action, in ``HANDLERS``. A handler is pure: given the stored complaint,
the action's input, the directory, the calendar and the time, it returns an
:class:`Effect` (the columns to change, the office the timeline event is filed under, the
event's kind) or raises :class:`ActionError`. Whether the action is allowed at all was
decided before, by the lifecycle table; writing the effect is ``take_action``'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from api.domain.complaints.actions.problems import ActionError, ActionProblem
from api.domain.complaints.directory import Directory
from api.domain.complaints.routing import RoutingReason, escalation_office, forward
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.vocabulary import (
    CITIZEN_REPLY_DAYS,
    FIELD_CHECK_DAYS,
    FOLLOW_UP_DAYS,
    VERIFY_DAYS,
    Action,
    Actor,
    EscalationLevel,
)

#: Ratings that reopen an answered complaint at the coordination region (once).
POOR_RATINGS = frozenset({1, 2})


@dataclass(frozen=True)
class ActionInput:
    """What the actor supplied beyond the action itself (the note is checked before)."""

    to_office: str | None = None
    rating: int | None = None
    # Who acts, where an action means something else for staff than for the citizen (reopen).
    actor: Actor | None = None


@dataclass(frozen=True)
class Effect:
    """A handler's answer: column changes (besides status and updated_at), and the office
    and kind of the timeline event."""

    event_office: str
    event_kind: str
    changes: Mapping[str, Any] = field(default_factory=dict)


class Handler(Protocol):
    def __call__(
        self,
        row: Any,
        given: ActionInput,
        *,
        directory: Directory,
        calendar: WorkingCalendar,
        now: datetime,
    ) -> Effect:
        """``row`` is the stored complaint (any object with its columns as attributes)."""


def deadlines(
    *, calendar: WorkingCalendar, created_at: datetime, resolve_days: int, paused_days: int
) -> dict[str, datetime]:
    """The three deadlines, counted from submission and moved by the days spent paused."""
    return {
        "verify_due": calendar.add_working_days(created_at, VERIFY_DAYS + paused_days),
        "follow_up_due": calendar.add_working_days(created_at, FOLLOW_UP_DAYS + paused_days),
        "resolve_due": calendar.add_working_days(created_at, resolve_days + paused_days),
    }


def verify(row, given, *, directory, calendar, now) -> Effect:
    return Effect(row.office_code, Action.VERIFY.value, {"verified_at": now})


def start(row, given, *, directory, calendar, now) -> Effect:
    return Effect(row.office_code, Action.START.value, _first_follow_up(row, now))


def reply(row, given, *, directory, calendar, now) -> Effect:
    return Effect(row.office_code, Action.REPLY.value, _first_follow_up(row, now))


def request_info(row, given, *, directory, calendar, now) -> Effect:
    """Pause the clock: remember when, and the status to return to."""
    changes = {**_first_follow_up(row, now), "paused_at": now, "status_before_pause": row.status}
    return Effect(row.office_code, Action.REQUEST_INFO.value, changes)


def provide_info(row, given, *, directory, calendar, now) -> Effect:
    """Restart the clock: every deadline moves by the working days spent waiting."""
    paused_days = row.paused_days + calendar.working_days_between(row.paused_at, now)
    changes = {
        "paused_at": None,
        "status_before_pause": None,
        "paused_days": paused_days,
        **deadlines(
            calendar=calendar,
            created_at=row.created_at,
            resolve_days=resolve_days(row, directory),
            paused_days=paused_days,
        ),
    }
    return Effect(row.office_code, Action.PROVIDE_INFO.value, changes)


def resolve(row, given, *, directory, calendar, now) -> Effect:
    return Effect(row.office_code, Action.RESOLVE.value, _answered(row, now))


def reject(row, given, *, directory, calendar, now) -> Effect:
    return Effect(row.office_code, Action.REJECT.value, _answered(row, now))


def rate(row, given, *, directory, calendar, now) -> Effect:
    """A rating closes the answered complaint."""
    _check_rating(row, given.rating, calendar=calendar, now=now)
    return Effect(row.office_code, Action.RATE.value, {"rating": given.rating, "closed_at": now})


def reopen(row, given, *, directory, calendar, now) -> Effect:
    """A poor first rating: the coordination region takes it up with a fresh resolve
    deadline, counted from now. Staff reopening their own answer keep the complaint at its
    office, with a fresh resolve deadline; no rating is involved."""
    if given.actor == Actor.STAFF:
        changes = {
            "answered_at": None,
            "resolve_due": calendar.add_working_days(now, resolve_days(row, directory)),
        }
        return Effect(row.office_code, Action.REOPEN.value, changes)
    _check_rating(row, given.rating, calendar=calendar, now=now)
    office = escalation_office(regency_code=row.regency_code, table=directory.routing)
    changes = {
        "rating": given.rating,
        "office_code": office,
        "routing_reason": RoutingReason.REOPENED.value,
        "reopened": True,
        "escalation_level": max(row.escalation_level, EscalationLevel.COORDINATION_REGION),
        "answered_at": None,
        "resolve_due": calendar.add_working_days(now, resolve_days(row, directory)),
    }
    return Effect(office, Action.REOPEN.value, changes)


def close(row, given, *, directory, calendar, now) -> Effect:
    return Effect(row.office_code, Action.CLOSE.value, {"closed_at": now, "paused_at": None})


def forward_to(row, given, *, directory, calendar, now) -> Effect:
    """Send it to another active office; past the transfer cap it goes up to the region
    instead, and the event says so (kind ``transfer_limit``)."""
    office = directory.routing.offices.get(given.to_office)
    if office is None or not office.active:
        raise ActionError(ActionProblem.UNKNOWN_OFFICE)
    if given.to_office == row.office_code:
        raise ActionError(ActionProblem.SAME_OFFICE)
    decision = forward(
        regency_code=row.regency_code,
        to_office=given.to_office,
        transfers_so_far=row.transfer_count,
        table=directory.routing,
    )
    changes = {
        "office_code": decision.office_code,
        "routing_reason": decision.reason.value,
        "transfer_count": row.transfer_count + 1,
    }
    kind = "forwarded" if decision.reason == RoutingReason.FORWARDED else "transfer_limit"
    return Effect(decision.office_code, kind, changes)


def flag_field_check(row, given, *, directory, calendar, now) -> Effect:
    """It needs a visit: the resolve deadline becomes the field-check tier's, from filing."""
    changes = {
        "needs_field_check": True,
        "resolve_due": calendar.add_working_days(
            row.created_at, FIELD_CHECK_DAYS + row.paused_days
        ),
    }
    return Effect(row.office_code, Action.FLAG_FIELD_CHECK.value, changes)


HANDLERS: dict[Action, Handler] = {
    Action.VERIFY: verify,
    Action.START: start,
    Action.REPLY: reply,
    Action.REQUEST_INFO: request_info,
    Action.PROVIDE_INFO: provide_info,
    Action.RESOLVE: resolve,
    Action.REJECT: reject,
    Action.RATE: rate,
    Action.REOPEN: reopen,
    Action.CLOSE: close,
    Action.FORWARD: forward_to,
    Action.FLAG_FIELD_CHECK: flag_field_check,
}


def resolve_days(row, directory: Directory) -> int:
    """Working days the complaint has to be resolved: the field-check tier once flagged,
    else its category's (the field-check tier if the category has since disappeared)."""
    if row.needs_field_check:
        return FIELD_CHECK_DAYS
    category = directory.categories.get(row.category_code)
    return category.resolve_days if category else FIELD_CHECK_DAYS


def _first_follow_up(row, now: datetime) -> dict[str, datetime]:
    # The follow-up deadline is met by the first sign of work, not the latest.
    return {} if row.followed_up_at is not None else {"followed_up_at": now}


def _answered(row, now: datetime) -> dict[str, datetime]:
    return {"answered_at": now, **_first_follow_up(row, now)}


def _check_rating(row, rating: int | None, *, calendar: WorkingCalendar, now: datetime) -> None:
    if rating is None or not 1 <= rating <= 5:
        raise ActionError(ActionProblem.RATING_INVALID)
    if now >= calendar.add_working_days(row.answered_at, CITIZEN_REPLY_DAYS):
        raise ActionError(ActionProblem.RATING_TOO_LATE, days=CITIZEN_REPLY_DAYS)
