"""The open backlog's snapshot: which complaints it holds, their age in working days and
the duties overdue now, as of the time it was taken; refreshed whole, verified against a
count complaint by complaint."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from api.domain.complaints.intake import ComplaintDraft
from api.domain.statistics import backlog as backlog_module
from api.domain.statistics.ageing import AgeBand, backlog_ageing, overdue_now
from api.domain.statistics.backlog import refresh_backlog, verify_backlog
from api.domain.statistics.queries import StatFilter
from api.domain.vocabulary import Action, Deadline
from api.models import StatBacklog
from tests.complaints_support import act, channel_of, file_directly

# Monday 2 November 2026, 09:00 in Jakarta (no holiday in November 2026).
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
EVERYWHERE = StatFilter(start=date(2026, 1, 1), end=date(2026, 12, 31))
# A coordination category (14 working days to resolve) at DINSOS-3510.
OTHER_IN_BANYUWANGI = ComplaintDraft(
    category="LAINNYA", description="Antrean pencairan terlalu panjang.", region_code="351001"
)


def jakarta(day: int, hour: int = 10) -> datetime:
    """``hour`` o'clock in Jakarta on ``day`` November 2026."""
    return datetime(2026, 11, day, hour - 7, 0, tzinfo=UTC)


async def filed(services, api_key, *, at: datetime, draft=None) -> int:
    channel = await channel_of(services, api_key)
    if draft is None:
        return (await file_directly(services, channel, now=at)).id
    return (await file_directly(services, channel, draft, now=at)).id


async def test_open_complaints_are_banded_by_working_days_since_filing_as_of_the_snapshot(
    services, api_key
):
    await filed(services, api_key, at=MONDAY)  # 2 Nov
    await filed(services, api_key, at=MONDAY + timedelta(days=14))  # 16 Nov
    await filed(services, api_key, at=jakarta(20, 8))  # the snapshot's own day

    snapshot = await refresh_backlog(engine=services.engine, now=jakarta(20))
    ageing = await backlog_ageing(services.engine, calendar=services.calendar, where=EVERYWHERE)

    assert (snapshot.open, ageing.as_of, ageing.open) == (3, jakarta(20), 3)
    # Friday 20 November: 14 working days after 2 November, 4 after 16 November, 0 after 20.
    assert ageing.bands == {
        AgeBand.UP_TO_3: 1,
        AgeBand.UP_TO_5: 1,
        AgeBand.UP_TO_14: 1,
        AgeBand.UP_TO_60: 0,
        AgeBand.OVER_60: 0,
    }


async def test_ages_run_to_the_snapshot_not_to_the_page_view(services, api_key):
    await filed(services, api_key, at=MONDAY)
    await refresh_backlog(engine=services.engine, now=jakarta(3))

    ageing = await backlog_ageing(services.engine, calendar=services.calendar, where=EVERYWHERE)

    assert ageing.bands[AgeBand.UP_TO_3] == 1  # one working day old on 3 November


async def test_answered_and_closed_complaints_leave_the_backlog_and_waiting_ones_stay(
    services, api_key
):
    resolved = await filed(services, api_key, at=MONDAY)
    await act(services, resolved, Action.VERIFY, now=MONDAY + timedelta(hours=1))
    await act(services, resolved, Action.RESOLVE, note="Sudah.", now=MONDAY + timedelta(hours=2))
    rejected = await filed(services, api_key, at=MONDAY)
    await act(services, rejected, Action.REJECT, note="Bukan bansos.", now=MONDAY)
    waiting = await filed(services, api_key, at=MONDAY)
    await act(services, waiting, Action.REQUEST_INFO, note="Kapan?", now=MONDAY)
    await filed(services, api_key, at=MONDAY)

    snapshot = await refresh_backlog(engine=services.engine, now=jakarta(3))

    assert snapshot.open == 2
    async with services.engine.connect() as conn:
        statuses = {
            status: count
            for status, count in await conn.execute(
                select(StatBacklog.__table__.c.status, StatBacklog.__table__.c.count)
            )
        }
    assert statuses == {"NEEDS_INFO": 1, "RECEIVED": 1}


async def test_each_duty_is_overdue_once_its_due_date_passed_undone_but_not_while_waiting(
    services, api_key
):
    unverified = await filed(services, api_key, at=MONDAY)
    verified = await filed(services, api_key, at=MONDAY)
    await act(services, verified, Action.VERIFY, now=MONDAY + timedelta(days=1))
    waiting = await filed(services, api_key, at=MONDAY)
    await act(services, waiting, Action.REQUEST_INFO, note="Kapan?", now=MONDAY)
    assert {unverified, verified, waiting}

    # Tuesday 10 November: verification was due by Thursday 5, the follow-up by Monday 9.
    await refresh_backlog(engine=services.engine, now=jakarta(10))
    overdue = await overdue_now(services.engine, where=EVERYWHERE)

    assert overdue.open == 3
    verify, follow_up, resolve = (overdue.stages[d] for d in Deadline)
    assert (verify.pending, verify.overdue, verify.share) == (2, 1, 0.5)  # waiting: not late
    # Asking the citizen is a follow-up; the verified one never had one.
    assert (follow_up.pending, follow_up.overdue, follow_up.share) == (2, 2, 1.0)
    assert (resolve.pending, resolve.overdue) == (3, 0)  # 60 working days for a pungli


async def test_resolution_overdue_and_the_figures_by_one_dimension_under_a_filter(
    services, api_key
):
    await filed(services, api_key, at=MONDAY)  # PUNGLI: INSPEKTORAT-3510, 60 days
    other = await filed(services, api_key, at=MONDAY, draft=OTHER_IN_BANYUWANGI)
    await act(services, other, Action.VERIFY, now=MONDAY + timedelta(days=1))
    await act(services, other, Action.START, now=MONDAY + timedelta(days=1))

    # Monday 23 November: the coordination category's 14 working days ended on Friday 20.
    await refresh_backlog(engine=services.engine, now=jakarta(23))
    by_office = await overdue_now(services.engine, where=EVERYWHERE, by="office_code")
    ages = await backlog_ageing(
        services.engine, calendar=services.calendar, where=EVERYWHERE, by="category_code"
    )
    only_dinsos = await overdue_now(
        services.engine,
        where=StatFilter(start=EVERYWHERE.start, end=EVERYWHERE.end, office_code="DINSOS-3510"),
    )

    assert by_office.by["DINSOS-3510"][Deadline.RESOLVE].overdue == 1
    assert by_office.by["INSPEKTORAT-3510"][Deadline.RESOLVE].overdue == 0
    assert by_office.stages[Deadline.RESOLVE].share == 0.5
    assert ages.by["LAINNYA"][AgeBand.UP_TO_60] == 1
    assert ages.by["PUNGLI"][AgeBand.UP_TO_60] == 1
    assert (only_dinsos.open, only_dinsos.stages[Deadline.RESOLVE].overdue) == (1, 1)


async def test_the_filing_day_is_the_jakarta_day(services, api_key):
    await filed(services, api_key, at=jakarta(2, 23))  # 16:00 UTC, still Monday in Jakarta
    await filed(services, api_key, at=datetime(2026, 11, 2, 17, 30, tzinfo=UTC))  # Tuesday

    await refresh_backlog(engine=services.engine, now=jakarta(4))

    async with services.engine.connect() as conn:
        days = sorted(
            day for (day,) in await conn.execute(select(StatBacklog.__table__.c.filed_day))
        )
    assert days == [date(2026, 11, 2), date(2026, 11, 3)]


async def test_a_refresh_replaces_the_snapshot_whole_and_a_fresh_one_is_left_alone(
    services, api_key
):
    complaint = await filed(services, api_key, at=MONDAY)
    await refresh_backlog(engine=services.engine, now=jakarta(3))
    await act(services, complaint, Action.REJECT, note="Bukan bansos.", now=jakarta(3, 11))

    skipped = await refresh_backlog(
        engine=services.engine, now=jakarta(3, 12), younger_than=timedelta(hours=3)
    )
    assert (skipped.refreshed, skipped.taken_at) == (False, jakarta(3))
    assert (await overdue_now(services.engine, where=EVERYWHERE)).open == 1

    again = await refresh_backlog(engine=services.engine, now=jakarta(3, 12))
    assert (again.refreshed, again.open) == (True, 0)
    figures = await overdue_now(services.engine, where=EVERYWHERE)
    assert (figures.as_of, figures.open) == (jakarta(3, 12), 0)


async def test_before_any_snapshot_the_figures_say_so(services):
    ageing = await backlog_ageing(services.engine, calendar=services.calendar, where=EVERYWHERE)
    overdue = await overdue_now(services.engine, where=EVERYWHERE)

    assert (ageing.as_of, ageing.open, overdue.as_of, overdue.open) == (None, 0, None, 0)
    assert overdue.stages[Deadline.VERIFY].share is None


async def test_verify_finds_the_snapshot_equal_to_a_count_complaint_by_complaint(services, api_key):
    await filed(services, api_key, at=MONDAY)
    other = await filed(services, api_key, at=jakarta(2, 23), draft=OTHER_IN_BANYUWANGI)
    await act(services, other, Action.REQUEST_INFO, note="Kapan?", now=jakarta(3))

    result = await verify_backlog(engine=services.engine, now=jakarta(23))

    assert (result.open, result.drifts) == (2, [])


async def test_verify_reports_a_snapshot_query_that_disagrees_with_the_definition(
    services, api_key, monkeypatch
):
    await filed(services, api_key, at=MONDAY)
    right = backlog_module._grouped
    # A query that reads the due dates a week late: nothing looks overdue yet.
    monkeypatch.setattr(
        backlog_module, "_grouped", lambda dialect, now: right(dialect, now - timedelta(days=7))
    )

    result = await verify_backlog(engine=services.engine, now=jakarta(10))

    assert [(d.key["verify_overdue"], d.stored, d.direct) for d in result.drifts] == [
        (False, 1, 0),
        (True, 0, 1),
    ]


def test_a_grouping_by_something_other_than_a_dimension_is_refused():
    with pytest.raises(ValueError, match="not a statistics dimension"):
        from api.domain.statistics.ageing import _grouping

        _grouping("reporter_hash")
