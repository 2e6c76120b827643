"""The lifecycle transition table (SP4N-LAPOR! style)."""

from __future__ import annotations

import pytest

from api.domain.complaints.lifecycle import InvalidTransition, allowed_actions, next_status
from api.domain.vocabulary import Action, Actor, Status


@pytest.mark.parametrize(
    ("status", "action", "actor", "expected"),
    [
        (Status.RECEIVED, Action.VERIFY, Actor.STAFF, Status.VERIFIED),
        (Status.VERIFIED, Action.START, Actor.STAFF, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Action.RESOLVE, Actor.STAFF, Status.RESOLVED),
        (Status.VERIFIED, Action.RESOLVE, Actor.STAFF, Status.RESOLVED),
        (Status.RECEIVED, Action.REJECT, Actor.STAFF, Status.REJECTED),
        (Status.IN_PROGRESS, Action.REQUEST_INFO, Actor.STAFF, Status.NEEDS_INFO),
        (Status.RESOLVED, Action.RATE, Actor.CITIZEN, Status.CLOSED),
        (Status.REJECTED, Action.REOPEN, Actor.CITIZEN, Status.IN_PROGRESS),
        (Status.REJECTED, Action.REOPEN, Actor.STAFF, Status.IN_PROGRESS),
        (Status.RESOLVED, Action.REOPEN, Actor.STAFF, Status.IN_PROGRESS),
        (Status.RESOLVED, Action.CLOSE, Actor.SYSTEM, Status.CLOSED),
        (Status.NEEDS_INFO, Action.CLOSE, Actor.SYSTEM, Status.CLOSED),
        (Status.IN_PROGRESS, Action.FORWARD, Actor.STAFF, Status.IN_PROGRESS),
    ],
)
def test_the_table_allows_the_sp4n_lapor_moves(status, action, actor, expected):
    assert next_status(status, action, actor) == expected


def test_providing_information_returns_to_the_status_that_was_paused():
    assert (
        next_status(
            Status.NEEDS_INFO, Action.PROVIDE_INFO, Actor.CITIZEN, paused_status=Status.IN_PROGRESS
        )
        == Status.IN_PROGRESS
    )


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    [
        (Status.RECEIVED, Action.RESOLVE, Actor.STAFF),  # verify first
        (Status.CLOSED, Action.VERIFY, Actor.STAFF),
        (Status.RESOLVED, Action.REJECT, Actor.STAFF),
        (Status.RECEIVED, Action.RATE, Actor.CITIZEN),  # nothing to rate yet
        (Status.RECEIVED, Action.VERIFY, Actor.CITIZEN),  # citizens do not verify
        (Status.RESOLVED, Action.RATE, Actor.STAFF),  # staff do not rate themselves
        (Status.VERIFIED, Action.PROVIDE_INFO, Actor.CITIZEN),  # nobody asked
        (Status.CLOSED, Action.FORWARD, Actor.STAFF),
        (Status.CLOSED, Action.REOPEN, Actor.STAFF),  # closed is closed
        (Status.IN_PROGRESS, Action.REOPEN, Actor.STAFF),  # nothing to reopen
    ],
)
def test_anything_else_is_an_invalid_transition(status, action, actor):
    with pytest.raises(InvalidTransition) as refused:
        next_status(status, action, actor)
    assert (refused.value.status, refused.value.action) == (status, action)


def test_a_closed_complaint_offers_nobody_anything():
    assert all(allowed_actions(Status.CLOSED, actor) == [] for actor in Actor)


def test_staff_see_what_they_may_do_in_table_order():
    assert allowed_actions(Status.RECEIVED, Actor.STAFF) == [
        Action.VERIFY,
        Action.REQUEST_INFO,
        Action.REJECT,
        Action.REPLY,
        Action.FORWARD,
        Action.FLAG_FIELD_CHECK,
    ]


def test_staff_may_take_back_an_answer_until_the_complaint_closes():
    assert allowed_actions(Status.REJECTED, Actor.STAFF) == [Action.REOPEN]
    assert allowed_actions(Status.RESOLVED, Actor.STAFF) == [Action.REOPEN]
