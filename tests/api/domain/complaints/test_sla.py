"""The deadline job: breaches are marked once and escalate; waited-out complaints close."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from api.domain.complaints.intake import ComplaintDraft, Reporter
from api.domain.complaints.sla import run_deadline_job
from api.domain.complaints.working_days import JAKARTA
from api.domain.vocabulary import Action, Status
from api.models import Complaint, ComplaintEvent
from tests.complaints_support import act as act_on
from tests.complaints_support import channel_of, file_directly


def day(month: int, dd: int, hour: int = 10) -> datetime:
    return datetime(2026 if month > 6 else 2027, month, dd, hour, tzinfo=JAKARTA)


@pytest.fixture
async def filed(services, api_key):
    """A KARTU_REKENING complaint (SIMPLE tier: resolve in 5 working days) filed Mon 2 Nov."""
    return await file_directly(
        services,
        await channel_of(services, api_key),
        ComplaintDraft(
            category="KARTU_REKENING",
            description="Kartu KKS saya terblokir.",
            subject_nik="3510014107900001",
            region_code="351001",
        ),
        reporter=Reporter(channel_user="tg:8"),
        now=day(11, 2, 9),
    )


async def job(services, now):
    return await run_deadline_job(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        calendar=services.calendar,
        now=now,
    )


async def act(services, filed, action, now, **options):
    return await act_on(services, filed.id, action, now=now, **options)


async def state(services, filed):
    async with services.engine.connect() as conn:
        row = (
            await conn.execute(
                select(Complaint.__table__).where(Complaint.__table__.c.id == filed.id)
            )
        ).one()
        events = (
            await conn.execute(
                select(ComplaintEvent.__table__)
                .where(ComplaintEvent.__table__.c.complaint_id == filed.id)
                .order_by(ComplaintEvent.__table__.c.id)
            )
        ).all()
    return row, [(e.kind, e.note, e.office_code, e.public) for e in events[1:]]


async def test_nothing_is_in_breach_before_its_deadline(services, filed):
    report = await job(services, day(11, 5, 23))

    assert report.breaches == 0
    row, events = await state(services, filed)
    assert (row.breaches, row.escalation_level, events) == ("", 0, [])


async def test_an_unverified_complaint_escalates_to_the_coordination_region(services, filed):
    # Verify was due by the end of Thursday 5 November.
    report = await job(services, day(11, 6, 0))
    again = await job(services, day(11, 6, 1))

    row, events = await state(services, filed)
    assert (report.breaches, report.escalations, again.breaches) == (1, 1, 0)
    assert (row.breaches, row.escalation_level) == ("VERIFY", 1)
    assert events == [
        ("breach", "VERIFY", "PENYALUR-3510", False),
        ("escalated", None, "WK4", False),
    ]


async def test_an_unanswered_complaint_past_its_resolve_deadline_goes_to_the_ministry(
    services, filed
):
    await act(services, filed, Action.VERIFY, day(11, 3))
    await act(services, filed, Action.START, day(11, 3))
    # KARTU_REKENING resolves in 5 working days: due by the end of Monday 9 November.
    report = await job(services, day(11, 10))

    row, events = await state(services, filed)
    assert report.breaches == 1
    assert (row.breaches, row.escalation_level) == ("RESOLVE", 2)
    assert events[-2:] == [
        ("breach", "RESOLVE", "PENYALUR-3510", False),
        ("escalated", None, "NASIONAL", False),
    ]


async def test_a_complaint_waiting_for_the_citizen_is_never_in_breach(services, filed):
    await act(services, filed, Action.REQUEST_INFO, day(11, 2, 11), note="Foto kartunya?")

    report = await job(services, day(11, 12))

    assert report.breaches == 0


async def test_an_answer_closes_after_ten_working_days_without_a_rating(services, filed):
    await act(services, filed, Action.VERIFY, day(11, 3))
    await act(services, filed, Action.RESOLVE, day(11, 3), note="Kartu sudah dibuka.")

    # Ten working days after Tue 3 Nov end with Tue 17 Nov.
    still_open = await job(services, day(11, 17, 23))
    closed = await job(services, day(11, 18, 0))

    row, events = await state(services, filed)
    assert (still_open.closed, closed.closed) == (0, 1)
    assert row.status == Status.CLOSED
    assert events[-1][:2] == ("close", None)


async def test_an_unanswered_request_for_information_closes_the_complaint(services, filed):
    await act(services, filed, Action.REQUEST_INFO, day(11, 2, 11), note="Foto kartunya?")

    report = await job(services, day(11, 17))

    row, _ = await state(services, filed)
    assert report.closed == 1
    assert row.status == Status.CLOSED
