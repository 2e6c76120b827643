"""What one event adds to the statistics, by the definitions (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from api.domain.complaints.working_days import WorkingCalendar
from api.domain.statistics.counting import EventFacts, Metric, metrics_of
from api.domain.statistics.queries import percentile, summarise

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
)


@pytest.mark.parametrize(
    ("kind", "office_type", "note", "expected"),
    [
        ("transfer_limit", "WILAYAH", None, [(Metric.TRANSFER_LIMIT, 0)]),
        ("forwarded", "DUKCAPIL", None, [(Metric.FORWARDED, 0)]),
        ("escalated", "WILAYAH", None, [(Metric.ESCALATED_REGION, 0)]),
        ("escalated", "NASIONAL", None, [(Metric.ESCALATED_MINISTRY, 0)]),
        ("breach", "DINSOS", "FOLLOW_UP", [(Metric.BREACHED, 2)]),
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
    assert metrics_of(event, CALENDAR) == [(Metric.REOPENED, 0), (Metric.RATED, 2)]


def test_median_and_p90_come_from_summed_buckets():
    histogram = {0: 5, 2: 3, 7: 1, 61: 1}
    assert (percentile(histogram, 0.5), percentile(histogram, 0.9)) == (0, 7)
    summary = summarise(histogram)
    assert (summary.count, summary.median, summary.p90) == (10, 0, 7)
    assert summary.mean == pytest.approx((6 + 7 + 61) / 10)
    assert summarise({}).median is None
