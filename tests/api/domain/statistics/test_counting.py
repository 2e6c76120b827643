"""What one event adds to the statistics, by the definitions (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from api.domain.complaints.working_days import WorkingCalendar
from api.domain.statistics.counting import EventFacts, Metric, metrics_of
from api.domain.statistics.deadlines import (
    Outcome,
    compliance_from,
    outcome_value,
    parse_outcome_value,
)
from api.domain.statistics.figures import appeals_from
from api.domain.statistics.queries import percentile, summarise
from api.domain.vocabulary import Deadline, DeadlineTier

CALENDAR = WorkingCalendar()
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
EVENT = EventFacts(
    id=1,
    kind="received",
    at=MONDAY,
    office_code="DINSOS-3510",
    office_type="DINSOS",
    rating=None,
    note=None,
    filed_at=MONDAY,
    category_code="PUNGLI",
    programme=None,
    channel="telegram-bot",
    coordination_region_code="WK4",
    province_code="35",
    regency_code="3510",
    district_code="351001",
    first_answer=False,
    tier=DeadlineTier.SIMPLE,
)


@pytest.mark.parametrize(
    ("kind", "office_type", "note", "expected"),
    [
        ("transfer_limit", "WILAYAH", None, [(Metric.TRANSFER_LIMIT, 0)]),
        ("forwarded", "DUKCAPIL", None, [(Metric.FORWARDED, 0)]),
        ("escalated", "WILAYAH", None, [(Metric.ESCALATED_REGION, 0)]),
        ("escalated", "NASIONAL", None, [(Metric.ESCALATED_MINISTRY, 0)]),
        (
            "breach",
            "DINSOS",
            "FOLLOW_UP",
            # The follow-up deadline (2) of the SIMPLE tier (1), breached (3).
            [(Metric.BREACHED, 2), (Metric.DEADLINE_OUTCOME, 213)],
        ),
        ("reply", "DINSOS", None, []),
        ("assigned", "DINSOS", None, []),
    ],
)
def test_each_kind_of_event_counts_as_defined(kind, office_type, note, expected):
    event = replace(EVENT, kind=kind, office_type=office_type, note=note)
    assert metrics_of(event, CALENDAR) == expected


def test_a_late_close_falls_in_the_over_sixty_bucket():
    event = replace(EVENT, kind="close", at=MONDAY + timedelta(days=120))
    assert metrics_of(event, CALENDAR) == [(Metric.CLOSED, 0), (Metric.DAYS_TO_CLOSE, 61)]


def test_only_the_first_answer_is_timed():
    answer = replace(EVENT, kind="reject", at=MONDAY + timedelta(days=1))
    assert metrics_of(answer, CALENDAR) == [(Metric.ANSWERED, 0), (Metric.REJECTED, 0)]
    assert (Metric.DAYS_TO_ANSWER, 1) in metrics_of(replace(answer, first_answer=True), CALENDAR)


def test_a_poor_rating_that_reopens_counts_as_a_rating():
    event = replace(EVENT, kind="reopen", rating=2)
    assert metrics_of(event, CALENDAR) == [
        (Metric.REOPENED, 0),
        (Metric.RATED, 2),
        (Metric.APPEALED, 0),
    ]


def test_median_and_p90_come_from_summed_buckets():
    histogram = {0: 5, 2: 3, 7: 1, 61: 1}
    assert (percentile(histogram, 0.5), percentile(histogram, 0.9)) == (0, 7)
    summary = summarise(histogram)
    assert (summary.count, summary.median, summary.p90) == (10, 0, 7)
    assert summary.mean == pytest.approx((6 + 7 + 61) / 10)
    assert summarise({}).median is None


def test_the_deadline_outcome_value_reads_stage_tier_and_outcome_in_decimal():
    assert outcome_value(Deadline.RESOLVE, DeadlineTier.SIMPLE, Outcome.MET) == 311
    assert outcome_value(Deadline.VERIFY, DeadlineTier.FIELD_CHECK, Outcome.LATE) == 132
    assert outcome_value(Deadline.FOLLOW_UP, None, Outcome.BREACHED) == 203
    for stage in Deadline:
        for tier in [None, *DeadlineTier]:
            for outcome in Outcome:
                value = outcome_value(stage, tier, outcome)
                assert parse_outcome_value(value) == (stage, tier, outcome)
                assert value <= 32767  # a smallint
    with pytest.raises(ValueError):
        parse_outcome_value(411)


def test_verifying_completes_the_verify_stage_met_when_no_breach_came_first():
    verified = replace(EVENT, kind="verify", at=MONDAY + timedelta(days=1))
    assert (Metric.DEADLINE_OUTCOME, 111) in metrics_of(verified, CALENDAR)
    late = replace(verified, breached_before=frozenset({Deadline.VERIFY}))
    assert (Metric.DEADLINE_OUTCOME, 112) in metrics_of(late, CALENDAR)
    # A breach of another stage does not make the verification late.
    other = replace(verified, breached_before=frozenset({Deadline.RESOLVE}))
    assert (Metric.DEADLINE_OUTCOME, 111) in metrics_of(other, CALENDAR)


def test_a_first_answer_completes_follow_up_and_resolve_at_once_under_the_tier_of_the_time():
    answer = replace(
        EVENT,
        kind="resolve",
        first_answer=True,
        first_follow_up=True,
        tier=DeadlineTier.FIELD_CHECK,
        breached_before=frozenset({Deadline.FOLLOW_UP}),
    )
    outcomes = [
        value for metric, value in metrics_of(answer, CALENDAR) if metric == "deadline_outcome"
    ]
    assert outcomes == [232, 331]  # follow-up late, resolve met; field-check tier


def test_a_later_answer_or_sign_of_work_completes_nothing_again():
    again = replace(EVENT, kind="resolve", first_answer=False, first_follow_up=False)
    assert Metric.DEADLINE_OUTCOME not in [metric for metric, _ in metrics_of(again, CALENDAR)]
    reply = replace(EVENT, kind="reply", first_follow_up=True)
    assert metrics_of(reply, CALENDAR) == [(Metric.DEADLINE_OUTCOME, 211)]


def test_compliance_shares_are_of_the_completed_stages_per_tier_and_overall():
    figures = compliance_from({311: 6, 312: 2, 321: 1, 301: 1, 313: 4, 113: 1})
    resolve = {f.tier: f for f in figures if f.stage == Deadline.RESOLVE}
    overall = resolve[None]
    assert (overall.completed, overall.met, overall.late, overall.breached) == (10, 8, 2, 4)
    assert (overall.share_met, overall.share_late) == (0.8, 0.2)
    simple = resolve[DeadlineTier.SIMPLE]
    assert (simple.completed, simple.share_met, simple.breached) == (8, 0.75, 4)
    assert resolve[DeadlineTier.FIELD_CHECK].share_met is None  # none completed
    verify = [f for f in figures if f.stage == Deadline.VERIFY and f.tier is None][0]
    assert (verify.completed, verify.breached) == (0, 1)
    assert len(figures) == 12  # three stages, each overall and per tier, empty ones too


def test_hours_to_route_are_whole_clock_hours_capped_at_seventy_two():
    routed = replace(EVENT, kind="triaged", at=MONDAY + timedelta(hours=5, minutes=59))
    assert metrics_of(routed, CALENDAR) == [(Metric.TRIAGED, 0), (Metric.HOURS_TO_ROUTE, 5)]
    weekend = replace(routed, at=MONDAY + timedelta(days=4))
    assert (Metric.HOURS_TO_ROUTE, 72) in metrics_of(weekend, CALENDAR)


def test_only_a_poor_rating_that_reopens_is_an_appeal():
    appeal = replace(EVENT, kind="reopen", rating=1)
    assert (Metric.APPEALED, 0) in metrics_of(appeal, CALENDAR)
    staff_reopen = replace(EVENT, kind="reopen", rating=None)
    assert metrics_of(staff_reopen, CALENDAR) == [(Metric.REOPENED, 0)]
    closing_poor = replace(EVENT, kind="rate", rating=2)
    assert (Metric.APPEALED, 0) not in metrics_of(closing_poor, CALENDAR)


def test_the_appeal_share_is_of_poor_ratings_only():
    appeals = appeals_from({1: 2, 2: 2, 3: 5, 5: 10}, appealed=3)
    assert (appeals.poor, appeals.appealed, appeals.share_appealed) == (4, 3, 0.75)
    assert appeals_from({5: 1}, appealed=0).share_appealed is None
