"""Deadline compliance, appeals, time to route and the league tables' grouped figures, as
the pages read them from the filled counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from api.domain.complaints import triage
from api.domain.complaints.intake import ComplaintDraft
from api.domain.complaints.sla import run_deadline_job
from api.domain.statistics.counting import Metric
from api.domain.statistics.figures import appeals, appeals_by, compliance_by, stage_compliance
from api.domain.statistics.queries import StatFilter, time_to, times_by, totals, totals_by
from api.domain.vocabulary import Action, Deadline, DeadlineTier
from tests.api.domain.statistics.test_fill import MONDAY, fill_all, worked_complaint
from tests.complaints_support import CITIZEN, act, channel_of, file_directly

EVERYTHING = StatFilter(start=date(2026, 1, 1), end=date(2027, 12, 31))
OTHER_IN_METRO = ComplaintDraft(category="LAINNYA", description="Lain.", region_code="187201")
NO_DOMICILE = ComplaintDraft(category="LAINNYA", description="Tidak tahu di mana.")


async def deadline_job(services, at):
    await run_deadline_job(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        calendar=services.calendar,
        now=at,
    )


def row(figures, stage, tier=None):
    return next(f for f in figures if f.stage == stage and f.tier == tier)


async def test_stages_done_on_time_count_as_met_under_the_complaints_tier(services, api_key):
    # PUNGLI is of the field-check tier; verified Tuesday, answered Thursday.
    await worked_complaint(services, api_key)
    await fill_all(services)

    figures = await stage_compliance(services.engine, EVERYTHING)
    for stage in Deadline:
        overall, tier = row(figures, stage), row(figures, stage, DeadlineTier.FIELD_CHECK)
        assert (overall.completed, overall.met, overall.late, overall.share_met) == (1, 1, 0, 1.0)
        assert tier == overall.__class__(stage, DeadlineTier.FIELD_CHECK, 1, 1, 0, 0)
        assert row(figures, stage, DeadlineTier.SIMPLE).completed == 0


async def test_a_stage_done_after_its_breach_counts_late_and_the_breach_on_its_day(
    services, api_key
):
    filed = await file_directly(services, await channel_of(services, api_key), now=MONDAY)
    # Verify is due after 3 working days, follow-up after 5: the job finds both breached
    # the next Wednesday.
    await deadline_job(services, MONDAY + timedelta(days=9))
    await act(services, filed.id, Action.VERIFY, now=MONDAY + timedelta(days=10))
    await fill_all(services)

    figures = await stage_compliance(services.engine, EVERYTHING)
    verify = row(figures, Deadline.VERIFY)
    assert (verify.completed, verify.met, verify.late, verify.breached) == (1, 0, 1, 1)
    assert (verify.share_met, verify.share_late) == (0.0, 1.0)
    follow_up = row(figures, Deadline.FOLLOW_UP)
    assert (follow_up.completed, follow_up.breached) == (0, 1)  # breached, not done yet
    # A period holding only the breach shows it, and no completion.
    breach_day = MONDAY.date() + timedelta(days=9)
    that_day = await stage_compliance(services.engine, StatFilter(start=breach_day, end=breach_day))
    assert (row(that_day, Deadline.VERIFY).breached, row(that_day, Deadline.VERIFY).completed) == (
        1,
        0,
    )


async def test_a_field_check_flag_moves_later_completions_to_the_field_check_tier(
    services, api_key
):
    filed = await file_directly(
        services, await channel_of(services, api_key), OTHER_IN_METRO, now=MONDAY
    )
    await act(services, filed.id, Action.VERIFY, now=MONDAY + timedelta(hours=1))
    await act(services, filed.id, Action.FLAG_FIELD_CHECK, now=MONDAY + timedelta(hours=2))
    await act(services, filed.id, Action.RESOLVE, note="Sudah.", now=MONDAY + timedelta(days=2))
    await fill_all(services)

    figures = await stage_compliance(services.engine, EVERYTHING)
    assert row(figures, Deadline.VERIFY, DeadlineTier.COORDINATION).met == 1
    assert row(figures, Deadline.RESOLVE, DeadlineTier.FIELD_CHECK).met == 1
    assert row(figures, Deadline.RESOLVE, DeadlineTier.COORDINATION).completed == 0


async def test_an_answer_after_a_reopening_completes_no_stage_again(services, api_key):
    complaint_id = await worked_complaint(services, api_key, rating=1)
    await act(services, complaint_id, Action.RESOLVE, note="Lagi.", now=MONDAY + timedelta(14))
    await fill_all(services)

    assert row(await stage_compliance(services.engine, EVERYTHING), Deadline.RESOLVE).completed == 1
    assert (await totals(services.engine, EVERYTHING))[Metric.ANSWERED] == 2


async def test_the_appeal_share_counts_a_poor_first_rating_and_not_a_poor_second(services, api_key):
    appealed = await worked_complaint(services, api_key, rating=2)
    await act(services, appealed, Action.RESOLVE, note="Lagi.", now=MONDAY + timedelta(days=14))
    await act(services, appealed, Action.RATE, actor=CITIZEN, rating=1, now=MONDAY + timedelta(15))
    await worked_complaint(services, api_key, rating=5)
    await fill_all(services)

    figures = await appeals(services.engine, EVERYTHING)
    assert (figures.poor, figures.appealed, figures.share_appealed) == (2, 1, 0.5)
    by_region = await appeals_by(services.engine, EVERYTHING, "coordination_region_code")
    assert by_region["WK4"].share_appealed == 0.5


async def test_time_to_route_is_counted_in_clock_hours_from_filing_to_triage(services, api_key):
    channel = await channel_of(services, api_key)
    directory = await services.directory.get()
    for hours in (2, 5, 100):
        filed = await file_directly(services, channel, NO_DOMICILE, now=MONDAY)
        await triage.set_domicile(
            engine=services.engine,
            protector=services.protector,
            directory=directory,
            complaint_id=filed.id,
            domicile=triage.checked_domicile("187201", regions=services.regions),
            actor="desk",
            now=MONDAY + timedelta(hours=hours, minutes=30),
        )
    await fill_all(services)

    summary = await time_to(services.engine, EVERYTHING, Metric.HOURS_TO_ROUTE)
    assert (summary.count, summary.median, summary.p90) == (3, 5, 72)
    assert summary.mean == pytest.approx((2 + 5 + 72) / 3)


async def test_grouped_totals_times_and_compliance_are_one_query_each_and_add_up(services, api_key):
    await worked_complaint(services, api_key)
    filed = await file_directly(
        services, await channel_of(services, api_key), OTHER_IN_METRO, now=MONDAY
    )
    await act(services, filed.id, Action.VERIFY, now=MONDAY + timedelta(days=2))
    await fill_all(services)
    statements = []

    def count(*_):
        statements.append(1)

    event.listen(services.engine.sync_engine, "before_cursor_execute", count)
    try:
        by_regency = await totals_by(services.engine, EVERYTHING, "regency_code")
        assert len(statements) == 1
        times = await times_by(services.engine, EVERYTHING, "regency_code")
        assert len(statements) == 2
        by_office = await compliance_by(services.engine, EVERYTHING, "office_code")
        assert len(statements) == 3
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", count)

    assert by_regency["3510"][Metric.CLOSED] == 1
    assert by_regency["1872"][Metric.VERIFIED] == 1
    assert by_regency["1872"][Metric.CLOSED] == 0
    whole = await totals(services.engine, EVERYTHING)
    assert {m: sum(t[m] for t in by_regency.values()) for m in Metric} == whole
    assert times["1872"][Metric.DAYS_TO_VERIFY].median == 2
    assert times["3510"][Metric.DAYS_TO_ANSWER].median == 3
    assert times["1872"][Metric.DAYS_TO_ANSWER].count == 0
    # PUNGLI is verified by the inspectorate, LAINNYA in Metro by its Dinsos.
    assert row(by_office["INSPEKTORAT-3510"], Deadline.VERIFY).met == 1
    assert row(by_office["DINSOS-1872"], Deadline.VERIFY).met == 1


async def test_a_grouping_by_anything_but_a_dimension_is_refused(services):
    with pytest.raises(ValueError):
        await totals_by(services.engine, EVERYTHING, "count; DROP TABLE stat_count")
    with pytest.raises(ValueError):
        await times_by(services.engine, EVERYTHING, "office_code", [Metric.RECEIVED])
