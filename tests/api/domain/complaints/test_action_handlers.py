"""Each lifecycle action's effect on a complaint, handler by handler: pure, no database.

The complaint was filed Monday 2 November 2026 at 09:00 WIB (no holiday for weeks either
side) in a category resolved within 5 working days. Deadlines are exclusive: 00:00 Jakarta
of the day after the last working day. Whether an action is allowed at all is the lifecycle
table's business (test_lifecycle); writing the effect is take_action's (test_actions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pytest

from api.domain.complaints.actions import HANDLERS, ActionError, ActionInput, ActionProblem
from api.domain.complaints.categories import Category
from api.domain.complaints.directory import Directory
from api.domain.complaints.routing import OfficeInfo, RoutingReason, RoutingTable
from api.domain.complaints.working_days import JAKARTA, WorkingCalendar
from api.domain.vocabulary import FIELD_CHECK_DAYS, Action, Actor, EscalationLevel, Status

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=JAKARTA)
CALENDAR = WorkingCalendar()
ROUTING = RoutingTable.from_offices(
    [
        OfficeInfo("DINSOS-3510", "DINSOS", regency_code="3510"),
        OfficeInfo("INSPEKTORAT-3510", "INSPEKTORAT", regency_code="3510"),
        OfficeInfo("DUKCAPIL-3510", "DUKCAPIL", regency_code="3510", active=False),
        OfficeInfo("WK4", "WILAYAH", coordination_region_code="WK4"),
        OfficeInfo("NASIONAL", "NASIONAL"),
    ],
    pilot_regencies={"3510": "WK4"},
)
DIRECTORY = Directory(
    categories={
        "BANSOS_TELAT": Category(
            code="BANSOS_TELAT",
            office_type="DINSOS",
            requires_subject_nik=False,
            deadline_tier="SIMPLE",
            resolve_days=5,
            label={"id": "Bansos terlambat", "en": "Late aid"},
            description={"id": "", "en": ""},
        )
    },
    routing=ROUTING,
    office_names={},
)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=JAKARTA)


@dataclass(frozen=True)
class StoredComplaint:
    """The columns the handlers read, as a stored complaint has them."""

    status: str = Status.RECEIVED.value
    office_code: str = "DINSOS-3510"
    regency_code: str = "3510"
    category_code: str = "BANSOS_TELAT"
    created_at: datetime = MONDAY
    followed_up_at: datetime | None = None
    answered_at: datetime | None = None
    paused_at: datetime | None = None
    paused_days: int = 0
    needs_field_check: bool = False
    transfer_count: int = 0
    escalation_level: int = EscalationLevel.OFFICE
    reopened: bool = False


FILED = StoredComplaint()
ANSWERED = replace(FILED, status=Status.RESOLVED.value, followed_up_at=at(3), answered_at=at(3))


def handle(action: Action, row: StoredComplaint = FILED, *, now: datetime, **given):
    return HANDLERS[action](
        row, ActionInput(**given), directory=DIRECTORY, calendar=CALENDAR, now=now
    )


def refusal(action: Action, row: StoredComplaint = FILED, *, now: datetime, **given):
    with pytest.raises(ActionError) as refused:
        handle(action, row, now=now, **given)
    return refused.value.problem


def test_every_action_has_a_handler():
    assert set(HANDLERS) == set(Action)


def test_an_action_is_filed_under_the_complaints_office_and_named_for_itself():
    effect = handle(Action.VERIFY, now=at(3))

    assert (effect.event_office, effect.event_kind) == ("DINSOS-3510", "verify")
    assert effect.changes == {"verified_at": at(3)}


@pytest.mark.parametrize("action", [Action.START, Action.REPLY, Action.REQUEST_INFO])
def test_the_first_sign_of_work_meets_the_follow_up_duty(action):
    assert handle(action, now=at(3)).changes["followed_up_at"] == at(3)


@pytest.mark.parametrize("action", [Action.START, Action.REPLY, Action.RESOLVE, Action.REJECT])
def test_later_work_does_not_move_when_the_complaint_was_first_followed_up(action):
    followed_up = replace(FILED, followed_up_at=at(3))

    assert "followed_up_at" not in handle(action, followed_up, now=at(5)).changes


def test_asking_the_citizen_pauses_the_clock_and_remembers_the_status_to_return_to():
    verified = replace(FILED, status=Status.VERIFIED.value)

    changes = handle(Action.REQUEST_INFO, verified, now=at(3)).changes

    assert (changes["paused_at"], changes["status_before_pause"]) == (at(3), Status.VERIFIED)


def test_the_citizens_answer_moves_every_deadline_by_the_working_days_paused():
    # Asked Tuesday 3, answered Tuesday 10: five working days (4, 5, 6, 9, 10) were paused,
    # so verify (3 days) ends Thursday 12, follow-up (5) and resolve (5) Monday 16.
    paused = replace(FILED, paused_at=at(3), status=Status.NEEDS_INFO.value)

    changes = handle(Action.PROVIDE_INFO, paused, now=at(10)).changes

    assert changes == {
        "paused_at": None,
        "status_before_pause": None,
        "paused_days": 5,
        "verify_due": datetime(2026, 11, 13, tzinfo=JAKARTA),
        "follow_up_due": datetime(2026, 11, 17, tzinfo=JAKARTA),
        "resolve_due": datetime(2026, 11, 17, tzinfo=JAKARTA),
    }


def test_a_second_pause_adds_to_the_days_already_paused():
    paused_before = replace(FILED, paused_at=at(3), paused_days=2)

    assert handle(Action.PROVIDE_INFO, paused_before, now=at(4)).changes["paused_days"] == 3


@pytest.mark.parametrize("action", [Action.RESOLVE, Action.REJECT])
def test_an_answer_is_dated_and_counts_as_follow_up(action):
    changes = handle(action, now=at(4)).changes

    assert changes == {"answered_at": at(4), "followed_up_at": at(4)}


def test_a_good_rating_closes_the_complaint():
    effect = handle(Action.RATE, ANSWERED, now=at(4), rating=4)

    assert effect.changes == {"rating": 4, "closed_at": at(4)}
    assert (effect.event_office, effect.event_kind) == ("DINSOS-3510", "rate")


def test_a_poor_first_rating_reopens_at_the_coordination_region_with_a_fresh_resolve_deadline():
    # Rated Wednesday 4: five working days from then (5, 6, 9, 10, 11) end Wednesday 11.
    effect = handle(Action.REOPEN, ANSWERED, now=at(4), rating=2)

    assert (effect.event_office, effect.event_kind) == ("WK4", "reopen")
    assert effect.changes == {
        "rating": 2,
        "office_code": "WK4",
        "routing_reason": RoutingReason.REOPENED,
        "reopened": True,
        "escalation_level": EscalationLevel.COORDINATION_REGION,
        "answered_at": None,
        "resolve_due": datetime(2026, 11, 12, tzinfo=JAKARTA),
    }


def test_reopening_never_lowers_an_escalation_already_at_the_ministry():
    escalated = replace(ANSWERED, escalation_level=EscalationLevel.MINISTRY)

    changes = handle(Action.REOPEN, escalated, now=at(4), rating=1).changes

    assert changes["escalation_level"] == EscalationLevel.MINISTRY


def test_staff_reopening_their_answer_keep_it_at_their_office_with_a_fresh_resolve_deadline():
    effect = handle(Action.REOPEN, ANSWERED, now=at(4), actor=Actor.STAFF)

    assert (effect.event_office, effect.event_kind) == ("DINSOS-3510", "reopen")
    # Wednesday 4 plus the category's 5 working days: Wednesday 11 is the last day.
    assert effect.changes == {"answered_at": None, "resolve_due": at(12, hour=0)}


@pytest.mark.parametrize("action", [Action.RATE, Action.REOPEN])
@pytest.mark.parametrize("rating", [None, 0, 6])
def test_a_rating_must_be_one_to_five(action, rating):
    assert refusal(action, ANSWERED, now=at(4), rating=rating) == ActionProblem.RATING_INVALID


@pytest.mark.parametrize("action", [Action.RATE, Action.REOPEN])
def test_a_rating_ten_working_days_after_the_answer_is_too_late(action):
    # Answered Tuesday 3: the tenth working day after it is Tuesday 17.
    assert handle(action, ANSWERED, now=at(17, hour=23), rating=4).changes["rating"] == 4
    assert refusal(action, ANSWERED, now=at(18, hour=0), rating=4) == (
        ActionProblem.RATING_TOO_LATE
    )


def test_closing_ends_any_pause():
    paused = replace(FILED, status=Status.NEEDS_INFO.value, paused_at=at(3))

    assert handle(Action.CLOSE, paused, now=at(20)).changes == {
        "closed_at": at(20),
        "paused_at": None,
    }


def test_forwarding_sends_it_to_the_chosen_office_and_counts_the_transfer():
    effect = handle(Action.FORWARD, now=at(3), to_office="INSPEKTORAT-3510")

    assert (effect.event_office, effect.event_kind) == ("INSPEKTORAT-3510", "forwarded")
    assert effect.changes == {
        "office_code": "INSPEKTORAT-3510",
        "routing_reason": RoutingReason.FORWARDED,
        "transfer_count": 1,
    }


def test_forwarding_to_the_office_that_has_it_is_refused():
    assert refusal(Action.FORWARD, now=at(3), to_office="DINSOS-3510") == (
        ActionProblem.SAME_OFFICE
    )


@pytest.mark.parametrize("office", [None, "NOPE", "DUKCAPIL-3510"])
def test_forwarding_to_an_unknown_or_inactive_office_is_refused(office):
    assert refusal(Action.FORWARD, now=at(3), to_office=office) == ActionProblem.UNKNOWN_OFFICE


def test_past_the_transfer_cap_a_forward_goes_to_the_coordination_region():
    transferred_thrice = replace(FILED, transfer_count=3)

    effect = handle(Action.FORWARD, transferred_thrice, now=at(3), to_office="INSPEKTORAT-3510")

    assert (effect.event_office, effect.event_kind) == ("WK4", "transfer_limit")
    assert effect.changes == {
        "office_code": "WK4",
        "routing_reason": RoutingReason.TRANSFER_LIMIT,
        "transfer_count": 4,
    }


def test_a_field_check_gives_the_field_check_tier_from_filing_plus_the_days_paused():
    paused_twice = replace(FILED, paused_days=2)

    changes = handle(Action.FLAG_FIELD_CHECK, paused_twice, now=at(5)).changes

    assert changes["needs_field_check"] is True
    assert changes["resolve_due"] == CALENDAR.add_working_days(MONDAY, FIELD_CHECK_DAYS + 2)
    assert changes["resolve_due"] > datetime(2027, 1, 20, tzinfo=JAKARTA)


def test_once_flagged_a_reopened_complaint_keeps_the_field_check_tier():
    flagged = replace(ANSWERED, needs_field_check=True)

    resolve_due = handle(Action.REOPEN, flagged, now=at(4), rating=1).changes["resolve_due"]

    assert resolve_due == CALENDAR.add_working_days(at(4), FIELD_CHECK_DAYS)
