"""``complaint.next_due``: the queue's "nearest deadline" stays true through every change."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from api.domain.complaints.next_due import next_deadline, next_due
from api.domain.complaints.sla import run_deadline_job
from api.domain.complaints.working_days import JAKARTA
from api.domain.vocabulary import Action, Deadline, Status
from api.models import Complaint
from tests.complaints_support import CITIZEN, channel_of, file_directly
from tests.complaints_support import act as act_on

# Monday 2 November 2026, 09:00 WIB: no holiday for weeks either side.
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=JAKARTA)
VERIFY_BY = datetime(2026, 11, 6, tzinfo=JAKARTA)
FOLLOW_UP_BY = datetime(2026, 11, 10, tzinfo=JAKARTA)
RESOLVE_BY = datetime(2027, 2, 1, tzinfo=JAKARTA)


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=JAKARTA)


def row(**overrides) -> dict:
    return {
        "status": Status.RECEIVED.value,
        "verify_due": VERIFY_BY,
        "follow_up_due": FOLLOW_UP_BY,
        "resolve_due": RESOLVE_BY,
        "verified_at": None,
        "followed_up_at": None,
        "answered_at": None,
        "closed_at": None,
        **overrides,
    }


@pytest.mark.parametrize(
    ("changes", "due", "deadline"),
    [
        ({}, VERIFY_BY, Deadline.VERIFY),
        ({"status": "VERIFIED", "verified_at": MONDAY}, FOLLOW_UP_BY, Deadline.FOLLOW_UP),
        (
            {"status": "IN_PROGRESS", "verified_at": MONDAY, "followed_up_at": MONDAY},
            RESOLVE_BY,
            Deadline.RESOLVE,
        ),
        # Followed up (a reply) before verifying: verification is still owed first.
        ({"followed_up_at": MONDAY}, VERIFY_BY, Deadline.VERIFY),
        ({"status": "NEEDS_INFO"}, None, None),
        ({"status": "RESOLVED", "answered_at": MONDAY}, None, None),
        ({"status": "REJECTED", "answered_at": MONDAY}, None, None),
        ({"status": "CLOSED", "closed_at": MONDAY}, None, None),
    ],
)
def test_next_due_is_the_earliest_deadline_still_owed(changes, due, deadline):
    assert next_due(row(**changes)) == due
    assert next_deadline(row(**changes)) == deadline


def test_a_tie_is_named_for_the_earlier_duty():
    tied = row(verified_at=MONDAY, resolve_due=FOLLOW_UP_BY)

    assert (next_due(tied), next_deadline(tied)) == (FOLLOW_UP_BY, Deadline.FOLLOW_UP)


def test_a_reopened_complaint_owes_its_new_resolution_even_if_earlier_duties_were_met():
    reopened = row(status="IN_PROGRESS", verified_at=MONDAY, followed_up_at=MONDAY)

    assert next_deadline(reopened) == Deadline.RESOLVE


@pytest.fixture
async def filed(services, api_key):
    return await file_directly(services, await channel_of(services, api_key), now=MONDAY)


async def stored(services, filed):
    table = Complaint.__table__
    async with services.engine.connect() as conn:
        return (await conn.execute(select(table).where(table.c.id == filed.id))).one()


async def test_intake_stores_the_verification_deadline_as_next_due(services, filed):
    assert (await stored(services, filed)).next_due == VERIFY_BY


async def test_each_action_moves_next_due_to_the_next_duty(services, filed):
    await act_on(services, filed.id, Action.VERIFY, now=at(3))
    assert (await stored(services, filed)).next_due == FOLLOW_UP_BY

    await act_on(services, filed.id, Action.START, now=at(4))
    assert (await stored(services, filed)).next_due == (await stored(services, filed)).resolve_due

    await act_on(services, filed.id, Action.RESOLVE, note="Sudah dikembalikan.", now=at(5))
    assert (await stored(services, filed)).next_due is None


async def test_while_paused_nothing_is_due_and_the_answer_brings_the_moved_deadline(
    services, filed
):
    await act_on(services, filed.id, Action.REQUEST_INFO, note="Siapa namanya?", now=at(3))
    assert (await stored(services, filed)).next_due is None

    # Asked Tuesday 3, answered Tuesday 10: five working days paused, verify by end of Thu 12.
    await act_on(services, filed.id, Action.PROVIDE_INFO, actor=CITIZEN, note="Ibu R.", now=at(10))
    assert (await stored(services, filed)).next_due == datetime(2026, 11, 13, tzinfo=JAKARTA)


async def test_a_breach_keeps_the_missed_deadline_due_so_it_shows_as_overdue(services, filed):
    await run_deadline_job(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        calendar=services.calendar,
        now=at(9),
    )

    breached = await stored(services, filed)
    assert breached.breaches == "VERIFY"
    assert breached.next_due == VERIFY_BY


async def test_closing_a_complaint_that_waited_out_the_citizen_clears_next_due(services, filed):
    await act_on(services, filed.id, Action.REQUEST_INFO, note="Siapa namanya?", now=at(3))
    await run_deadline_job(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        calendar=services.calendar,
        now=at(1, month=12),
    )

    closed = await stored(services, filed)
    assert (closed.status, closed.next_due) == (Status.CLOSED, None)
