"""Lifecycle actions on stored complaints: deadlines, pausing, forwarding, rating, races."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select

from api.domain.complaints.actions import (
    ActionError,
    ActionProblem,
    ComplaintChanged,
)
from api.domain.complaints.lifecycle import InvalidTransition
from api.domain.complaints.working_days import JAKARTA
from api.domain.vocabulary import Action, Status
from api.models import Complaint, ComplaintEvent, OutboxMessage
from tests.complaints_support import CITIZEN, STAFF, channel_of, file_directly
from tests.complaints_support import act as act_on

# Monday 2 November 2026, 09:00 WIB: no holiday for weeks either side.
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=JAKARTA)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=JAKARTA)


@pytest.fixture
async def filed(services, api_key):
    return await file_directly(services, await channel_of(services, api_key), now=MONDAY)


async def act(services, filed, action, *, actor=STAFF, now, **options):
    return await act_on(services, filed.id, action, actor=actor, now=now, **options)


async def stored(services, filed):
    async with services.engine.connect() as conn:
        table = Complaint.__table__
        return (await conn.execute(select(table).where(table.c.id == filed.id))).one()


async def test_deadlines_count_working_days_from_submission(filed):
    # Filed Monday 2 Nov: verify by end of Thu 5, follow-up by end of Mon 9; PUNGLI is a
    # field-check category: 60 working days.
    assert filed.verify_due == datetime(2026, 11, 6, tzinfo=JAKARTA)
    assert filed.follow_up_due == datetime(2026, 11, 10, tzinfo=JAKARTA)
    assert filed.resolve_due > datetime(2027, 1, 20, tzinfo=JAKARTA)


async def test_waiting_for_the_citizen_moves_every_deadline_by_the_working_days_waited(
    services, filed
):
    await act(services, filed, Action.VERIFY, now=at(3))
    await act(services, filed, Action.REQUEST_INFO, note="Siapa nama pendampingnya?", now=at(3))
    # Asked Tuesday 3, answered Tuesday 10: five working days (4, 5, 6, 9, 10) were paused.
    await act(services, filed, Action.PROVIDE_INFO, actor=CITIZEN, note="Ibu R.", now=at(10))

    row = await stored(services, filed)
    assert row.status == Status.VERIFIED
    assert row.paused_days == 5
    assert row.follow_up_due == datetime(2026, 11, 17, tzinfo=JAKARTA)
    assert row.verify_due == datetime(2026, 11, 13, tzinfo=JAKARTA)


async def test_each_action_is_a_timeline_event_with_actor_time_and_note(services, filed):
    await act(services, filed, Action.VERIFY, now=at(3))
    await act(services, filed, Action.REJECT, note="Bukan wewenang kami.", now=at(4))

    async with services.engine.connect() as conn:
        events = (
            await conn.execute(
                select(ComplaintEvent.__table__).order_by(ComplaintEvent.__table__.c.id)
            )
        ).all()
    assert [(e.kind, e.actor_type, e.actor, e.to_status) for e in events] == [
        ("received", "CITIZEN", "telegram-bot", "RECEIVED"),
        ("verify", "STAFF", "handler-1", "VERIFIED"),
        ("reject", "STAFF", "handler-1", "REJECTED"),
    ]
    assert events[-1].note == "Bukan wewenang kami."
    assert events[-1].at == at(4)


async def test_a_rejection_needs_a_reason(services, filed):
    with pytest.raises(ActionError) as refused:
        await act(services, filed, Action.REJECT, note="  ", now=at(3))

    assert refused.value.problem == ActionProblem.NOTE_REQUIRED
    assert (await stored(services, filed)).status == Status.RECEIVED


async def test_an_invalid_transition_changes_nothing(services, filed):
    with pytest.raises(InvalidTransition):
        await act(services, filed, Action.RESOLVE, note="Selesai", now=at(3))

    row = await stored(services, filed)
    assert (row.status, row.answered_at) == (Status.RECEIVED, None)


async def test_the_fourth_forward_lands_at_the_coordination_region(services, filed):
    destinations = ["DINSOS-3510", "INSPEKTORAT-3578", "DINSOS-3578", "DINSOS-3510"]
    offices = []
    for office in destinations:
        result = await act(
            services, filed, Action.FORWARD, to_office=office, note="Bukan wilayah kami", now=at(3)
        )
        offices.append((result.office_code, result.event_kind))

    assert offices == [
        ("DINSOS-3510", "forwarded"),
        ("INSPEKTORAT-3578", "forwarded"),
        ("DINSOS-3578", "forwarded"),
        ("WK4", "transfer_limit"),
    ]
    assert (await stored(services, filed)).transfer_count == 4


async def test_forwarding_to_an_unknown_office_is_refused(services, filed):
    with pytest.raises(ActionError) as refused:
        await act(services, filed, Action.FORWARD, to_office="NOPE", note="x", now=at(3))

    assert refused.value.problem == ActionProblem.UNKNOWN_OFFICE


async def test_a_rating_after_ten_working_days_is_too_late(services, filed):
    await act(services, filed, Action.VERIFY, now=at(3))
    await act(services, filed, Action.RESOLVE, note="Sudah ditindak.", now=at(3))

    with pytest.raises(ActionError) as refused:
        await act(services, filed, Action.RATE, actor=CITIZEN, rating=4, now=at(18))

    assert refused.value.problem == ActionProblem.RATING_TOO_LATE


async def test_a_second_poor_rating_closes_instead_of_reopening_again(services, filed):
    await act(services, filed, Action.VERIFY, now=at(3))
    await act(services, filed, Action.RESOLVE, note="Sudah ditindak.", now=at(3))
    reopened = await act(services, filed, Action.RATE, actor=CITIZEN, rating=2, now=at(4))
    await act(services, filed, Action.RESOLVE, note="Ditindak ulang.", now=at(5))
    closed = await act(services, filed, Action.RATE, actor=CITIZEN, rating=1, now=at(6))

    assert (reopened.status, reopened.office_code) == (Status.IN_PROGRESS, "WK4")
    assert closed.status == Status.CLOSED
    row = await stored(services, filed)
    assert (row.rating, row.reopened, row.escalation_level) == (1, True, 1)


async def test_staff_reopen_their_rejection_with_a_reason_and_the_citizen_is_told(services, filed):
    await act(services, filed, Action.REJECT, note="Bukan kewenangan kami.", now=at(3))
    with pytest.raises(ActionError) as no_reason:
        await act(services, filed, Action.REOPEN, now=at(4))

    reopened = await act(
        services, filed, Action.REOPEN, note="Ternyata kewenangan kami.", now=at(4)
    )

    assert no_reason.value.problem == ActionProblem.NOTE_REQUIRED
    assert (reopened.status, reopened.office_code) == (Status.IN_PROGRESS, "INSPEKTORAT-3510")
    row = await stored(services, filed)
    assert (row.answered_at, row.rating, row.escalation_level) == (None, None, 0)
    async with services.engine.connect() as conn:
        kinds = (await conn.execute(select(OutboxMessage.__table__.c.kind))).scalars().all()
    assert kinds[-1] == "complaint.reopened"


async def test_the_citizen_is_notified_of_public_changes_only(services, filed):
    await act(services, filed, Action.VERIFY, now=at(3))
    await act(services, filed, Action.REPLY, note="Catatan internal", public=False, now=at(3))
    await act(services, filed, Action.REQUEST_INFO, note="Kapan kejadiannya?", now=at(4))

    async with services.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(OutboxMessage.__table__).order_by(OutboxMessage.__table__.c.id)
            )
        ).all()
    assert [(r.kind, r.channel_user) for r in rows] == [
        ("complaint.received", "tg:5"),
        ("complaint.status_changed", "tg:5"),
        ("complaint.info_requested", "tg:5"),
    ]
    assert "Kapan kejadiannya?" in rows[-1].payload
    assert "Catatan internal" not in "".join(r.payload for r in rows)


async def test_two_handlers_acting_at_once_cannot_both_win(services, filed):
    await act(services, filed, Action.VERIFY, now=at(3))

    outcomes = await asyncio.gather(
        act(services, filed, Action.START, now=at(4)),
        act(services, filed, Action.START, now=at(4)),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1
    assert isinstance(losers[0], ComplaintChanged | InvalidTransition)
    async with services.engine.connect() as conn:
        starts = (
            await conn.execute(
                select(ComplaintEvent.__table__).where(ComplaintEvent.__table__.c.kind == "start")
            )
        ).all()
    assert len(starts) == 1
