"""The worker's fill counts each complaint event once, under the dimensions it happened in,
and rolls back whole when interrupted or overtaken."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from sqlalchemy import delete, select, update

from api.domain.complaints import triage
from api.domain.complaints.intake import ComplaintDraft
from api.domain.complaints.sla import run_deadline_job
from api.domain.statistics import fill as fill_module
from api.domain.statistics.counting import Metric
from api.domain.statistics.fill import WatermarkMoved, fill_counts, lag
from api.domain.statistics.queries import StatFilter, distribution, time_to, totals
from api.domain.statistics.rebuild import rebuild_counts
from api.domain.statistics.verify import verify_counts
from api.domain.vocabulary import Action
from api.models import ComplaintEvent, StatCount, StatWatermark
from tests.complaints_support import CITIZEN, act, channel_of, file_directly

# Monday 2 November 2026, 09:00 in Jakarta.
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
NOVEMBER = StatFilter(start=date(2026, 11, 1), end=date(2026, 11, 30))
NO_DOMICILE = ComplaintDraft(category="PUNGLI", description="Diminta uang oleh agen.")


async def fill_all(services, **options) -> int:
    counted = 0
    while (
        report := await fill_counts(
            engine=services.engine, calendar=services.calendar, gap_grace=timedelta(0), **options
        )
    ).counted:
        counted += report.counted
    return counted


async def stored_rows(services) -> list[tuple]:
    table = StatCount.__table__
    async with services.engine.connect() as conn:
        return sorted(tuple(row) for row in await conn.execute(select(table)))


async def worked_complaint(services, api_key, *, rating: int = 4) -> int:
    """Filed Monday, verified Tuesday, answered Thursday, rated the Friday after."""
    filed = await file_directly(services, await channel_of(services, api_key), now=MONDAY)
    await act(services, filed.id, Action.VERIFY, now=MONDAY + timedelta(days=1))
    await act(services, filed.id, Action.RESOLVE, note="Sudah.", now=MONDAY + timedelta(days=3))
    await act(
        services,
        filed.id,
        Action.RATE,
        actor=CITIZEN,
        rating=rating,
        now=MONDAY + timedelta(days=11),
    )
    return filed.id


async def test_a_worked_complaint_counts_each_step_on_its_day_with_its_time(services, api_key):
    await worked_complaint(services, api_key)

    assert await fill_all(services) == 4
    figures = await totals(services.engine, NOVEMBER)
    assert {m: n for m, n in figures.items() if n} == {
        Metric.RECEIVED: 1,
        Metric.VERIFIED: 1,
        Metric.ANSWERED: 1,
        Metric.CLOSED: 1,
        Metric.RATED: 1,
        Metric.DAYS_TO_VERIFY: 1,
        Metric.DAYS_TO_ANSWER: 1,
        Metric.DAYS_TO_CLOSE: 1,
        # Verified (verify), first sign of work and first answer (resolve, both), on time.
        Metric.DEADLINE_OUTCOME: 3,
    }
    assert await distribution(services.engine, NOVEMBER, Metric.DAYS_TO_VERIFY) == {1: 1}
    assert await distribution(services.engine, NOVEMBER, Metric.DAYS_TO_ANSWER) == {3: 1}
    # Friday 13 November: nine working days after Monday 2 November.
    assert await distribution(services.engine, NOVEMBER, Metric.DAYS_TO_CLOSE) == {9: 1}
    assert await distribution(services.engine, NOVEMBER, Metric.RATED) == {4: 1}
    summary = await time_to(services.engine, NOVEMBER, Metric.DAYS_TO_ANSWER)
    assert (summary.count, summary.median, summary.p90) == (1, 3, 3)


async def test_the_office_of_each_event_and_the_complaints_domicile_are_its_dimensions(
    services, api_key
):
    await worked_complaint(services, api_key)
    await fill_all(services)

    banyuwangi = StatFilter(
        start=NOVEMBER.start, end=NOVEMBER.end, regency_code="3510", category_code="PUNGLI"
    )
    assert (await totals(services.engine, banyuwangi))[Metric.RECEIVED] == 1
    elsewhere = StatFilter(start=NOVEMBER.start, end=NOVEMBER.end, regency_code="1872")
    assert (await totals(services.engine, elsewhere))[Metric.RECEIVED] == 0
    by_office = StatFilter(start=NOVEMBER.start, end=NOVEMBER.end, office_code="INSPEKTORAT-3510")
    assert (await totals(services.engine, by_office))[Metric.VERIFIED] == 1


async def test_a_poor_first_rating_counts_as_a_rating_and_a_reopening(services, api_key):
    complaint_id = await worked_complaint(services, api_key, rating=1)
    await act(services, complaint_id, Action.RESOLVE, note="Lagi.", now=MONDAY + timedelta(14))
    await act(
        services, complaint_id, Action.RATE, actor=CITIZEN, rating=5, now=MONDAY + timedelta(15)
    )
    await fill_all(services)

    figures = await totals(services.engine, NOVEMBER)
    assert (figures[Metric.REOPENED], figures[Metric.ANSWERED], figures[Metric.CLOSED]) == (1, 2, 1)
    assert await distribution(services.engine, NOVEMBER, Metric.RATED) == {1: 1, 5: 1}
    # Time to the first answer is measured once.
    assert await distribution(services.engine, NOVEMBER, Metric.DAYS_TO_ANSWER) == {3: 1}


async def test_events_before_triage_count_under_no_domicile_and_after_under_the_set_one(
    services, api_key
):
    filed = await file_directly(
        services, await channel_of(services, api_key), NO_DOMICILE, now=MONDAY
    )
    assert filed.in_triage
    await triage.set_domicile(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        complaint_id=filed.id,
        domicile=triage.checked_domicile("351001", regions=services.regions),
        actor="desk",
        now=MONDAY + timedelta(hours=2),
    )
    await act(services, filed.id, Action.VERIFY, now=MONDAY + timedelta(days=1))
    await fill_all(services)

    nowhere = StatFilter(start=NOVEMBER.start, end=NOVEMBER.end, regency_code="")
    banyuwangi = StatFilter(start=NOVEMBER.start, end=NOVEMBER.end, regency_code="3510")
    assert (await totals(services.engine, nowhere))[Metric.RECEIVED] == 1
    assert (await totals(services.engine, banyuwangi))[Metric.RECEIVED] == 0
    assert (await totals(services.engine, banyuwangi))[Metric.TRIAGED] == 1
    assert (await totals(services.engine, banyuwangi))[Metric.VERIFIED] == 1


async def test_breaches_and_escalations_count_by_deadline_and_level(services, api_key):
    await file_directly(services, await channel_of(services, api_key), now=MONDAY)
    for days in (10, 120):
        await run_deadline_job(
            engine=services.engine,
            protector=services.protector,
            directory=await services.directory.get(),
            calendar=services.calendar,
            now=MONDAY + timedelta(days=days),
        )
    await fill_all(services)

    everything = StatFilter(start=date(2026, 1, 1), end=date(2027, 12, 31))
    figures = await totals(services.engine, everything)
    assert (figures[Metric.ESCALATED_REGION], figures[Metric.ESCALATED_MINISTRY]) == (1, 1)
    assert await distribution(services.engine, everything, Metric.BREACHED) == {1: 1, 2: 1, 3: 1}


async def test_the_cohort_filter_selects_by_filing_month_not_event_day(services, api_key):
    complaint_id = (
        await file_directly(services, await channel_of(services, api_key), now=MONDAY)
    ).id
    await act(services, complaint_id, Action.VERIFY, now=datetime(2026, 12, 1, 3, tzinfo=UTC))
    await fill_all(services)

    december = StatFilter(start=date(2026, 12, 1), end=date(2026, 12, 31))
    filed_in_november = StatFilter(start=NOVEMBER.start, end=NOVEMBER.end, cohort=True)
    assert (await totals(services.engine, december))[Metric.VERIFIED] == 1
    assert (await totals(services.engine, NOVEMBER))[Metric.VERIFIED] == 0
    assert (await totals(services.engine, filed_in_november))[Metric.VERIFIED] == 1


async def test_a_fill_counts_at_most_its_limit_and_the_next_goes_on(services, api_key):
    await worked_complaint(services, api_key)

    first = await fill_counts(
        engine=services.engine, calendar=services.calendar, limit=3, gap_grace=timedelta(0)
    )
    assert first.counted == 3
    assert (await lag(services.engine)).events == 1
    assert await fill_all(services) == 1
    assert (await lag(services.engine)).events == 0
    assert (await totals(services.engine, NOVEMBER))[Metric.CLOSED] == 1


async def test_a_fill_interrupted_after_writing_leaves_nothing_and_the_next_counts_once(
    services, api_key
):
    await worked_complaint(services, api_key)
    real = fill_module.add_counts

    async def write_then_die(conn, counts, **options):
        await real(conn, counts, **options)
        raise RuntimeError("worker killed")

    with mock.patch.object(fill_module, "add_counts", write_then_die), pytest.raises(RuntimeError):
        await fill_counts(
            engine=services.engine, calendar=services.calendar, gap_grace=timedelta(0)
        )
    assert await stored_rows(services) == []

    await fill_all(services)
    assert (await totals(services.engine, NOVEMBER))[Metric.RECEIVED] == 1


async def test_a_fill_overtaken_by_another_rolls_back(services, api_key):
    await worked_complaint(services, api_key)
    await fill_counts(
        engine=services.engine, calendar=services.calendar, limit=1, gap_grace=timedelta(0)
    )
    real = fill_module.locked_watermark

    async def overtaken(conn, now):
        mark = await real(conn, now)
        # Another fill advanced the watermark after this one read it.
        table = StatWatermark.__table__
        await conn.execute(update(table).values(event_id=table.c.event_id + 1))
        return mark

    with (
        mock.patch.object(fill_module, "locked_watermark", overtaken),
        pytest.raises(WatermarkMoved),
    ):
        await fill_counts(
            engine=services.engine, calendar=services.calendar, gap_grace=timedelta(0)
        )
    assert (await totals(services.engine, NOVEMBER))[Metric.RECEIVED] == 1
    assert sum((await totals(services.engine, NOVEMBER)).values()) == 1


async def test_a_fresh_hole_in_the_event_ids_is_waited_at_then_crossed(services, api_key):
    await worked_complaint(services, api_key)
    await fill_all(services)
    channel = await channel_of(services, api_key)
    first = await file_directly(services, channel)
    await file_directly(services, channel)
    # The first one's event stands for an insert whose transaction has not committed yet.
    async with services.engine.begin() as conn:
        await conn.execute(
            delete(ComplaintEvent.__table__).where(
                ComplaintEvent.__table__.c.complaint_id == first.id
            )
        )
    now = datetime.now(UTC)

    def fill(at):
        return fill_counts(
            engine=services.engine,
            calendar=services.calendar,
            now=at,
            gap_grace=timedelta(seconds=60),
        )

    waiting = await fill(now)
    assert (waiting.counted, waiting.waiting_at_gap) == (0, True)
    still = await fill(now + timedelta(seconds=30))
    assert (still.counted, still.waiting_at_gap) == (0, True)
    crossed = await fill(now + timedelta(seconds=61))
    assert (crossed.counted, crossed.waiting_at_gap) == (1, False)


async def test_rebuild_recounts_the_same_rows_and_verify_finds_no_drift(services, api_key):
    await worked_complaint(services, api_key, rating=2)
    await fill_all(services)
    before = await stored_rows(services)

    report = await rebuild_counts(engine=services.engine, calendar=services.calendar)

    assert report.events == 4
    assert await stored_rows(services) == before
    result = await verify_counts(
        engine=services.engine, calendar=services.calendar, start=NOVEMBER.start, end=NOVEMBER.end
    )
    assert (result.events, result.drifts) == (4, [])


async def test_verify_reports_a_doubled_count_as_drift(services, api_key):
    await worked_complaint(services, api_key)
    await fill_all(services)
    table = StatCount.__table__
    async with services.engine.begin() as conn:
        await conn.execute(
            update(table).where(table.c.metric == "received").values(count=table.c.count + 1)
        )

    result = await verify_counts(
        engine=services.engine, calendar=services.calendar, start=NOVEMBER.start, end=NOVEMBER.end
    )

    assert [(d.key["metric"], d.counted, d.direct) for d in result.drifts] == [("received", 2, 1)]


async def test_verify_ignores_events_not_counted_yet(services, api_key):
    await worked_complaint(services, api_key)
    await fill_counts(
        engine=services.engine, calendar=services.calendar, limit=2, gap_grace=timedelta(0)
    )

    result = await verify_counts(
        engine=services.engine, calendar=services.calendar, start=NOVEMBER.start, end=NOVEMBER.end
    )

    assert (result.events, result.drifts) == (2, [])


async def test_a_fill_with_nothing_to_count_writes_nothing(services, api_key):
    await worked_complaint(services, api_key)
    await fill_all(services)
    table = StatWatermark.__table__
    async with services.engine.connect() as conn:
        before = (await conn.execute(select(table))).one()

    report = await fill_counts(
        engine=services.engine, calendar=services.calendar, now=MONDAY + timedelta(days=400)
    )

    async with services.engine.connect() as conn:
        assert (await conn.execute(select(table))).one() == before
    assert (report.counted, report.watermark) == (0, before.event_id)
