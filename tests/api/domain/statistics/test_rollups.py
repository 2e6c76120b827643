"""The coarser rollups: a period read as the fewest whole spans, each figure from the
smallest rollup that keeps its dimensions, and the rollups kept equal to ``stat_count``."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from api.domain.statistics.rollups import (
    Span,
    blocks,
    covering,
    project,
    whole_spans,
)

periods = st.tuples(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(0, 800)).map(
    lambda p: (p[0], p[0] + timedelta(days=p[1]))
)


def days_of(span: Span, first: date) -> list[date]:
    if span is Span.DAY:
        return [first]
    if span is Span.WEEK:
        return [first + timedelta(days=n) for n in range(7)]
    days, day = [], first
    while day.month == first.month:
        days.append(day)
        day += timedelta(days=1)
    return days


@given(periods)
def test_the_spans_of_a_period_hold_each_of_its_days_once(period):
    start, end = period
    spans = blocks(start, end)
    covered = [day for span, firsts in spans.items() for f in firsts for day in days_of(span, f)]
    assert sorted(covered) == [start + timedelta(days=n) for n in range((end - start).days + 1)]


@given(periods)
def test_any_period_reads_its_whole_months_and_at_most_eight_weeks_and_24_days(period):
    start, end = period
    found = blocks(start, end)
    # Before the first whole month: up to 6 days to a Monday, 4 weeks, 6 days to the 1st;
    # after the last, the same.
    assert len(found.get(Span.DAY, [])) <= 24
    assert len(found.get(Span.WEEK, [])) <= 8


def test_a_calendar_month_is_one_span_thirty_days_at_most_twelve_a_year_thirty():
    assert blocks(date(2026, 11, 1), date(2026, 11, 30)) == {Span.MONTH: [date(2026, 11, 1)]}
    # 7 Nov 2026 is a Saturday: two days, then four whole weeks to Sunday 6 Dec.
    assert blocks(date(2026, 11, 7), date(2026, 12, 6)) == {
        Span.DAY: [date(2026, 11, 7), date(2026, 11, 8)],
        Span.WEEK: [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)],
    }
    starts = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    for days, most in ((30, 12), (365, 30)):
        spans = (blocks(s, s + timedelta(days=days - 1)) for s in starts)
        assert max(sum(map(len, found.values())) for found in spans) == most


def test_each_figure_reads_the_smallest_rollup_keeping_its_dimensions():
    assert covering(set()).name == "stat_rollup_nation"
    assert covering({"coordination_region_code"}).name == "stat_rollup_region"
    assert covering({"coordination_region_code", "regency_code"}).name == "stat_rollup_place"
    assert covering({"office_code", "coordination_region_code"}).name == "stat_rollup_office"
    assert covering({"category_code", "programme"}).name == "stat_rollup_mix"
    # A kecamatan, or an office with a category: only stat_count keeps them together.
    assert covering({"district_code"}) is None
    assert covering({"office_code", "category_code"}) is None


def test_a_count_goes_to_its_day_week_month_and_filing_month_in_every_rollup():
    key = (
        date(2026, 12, 3),  # a Thursday
        "received",
        0,
        "DINSOS-3510",
        "WK4",
        "35",
        "3510",
        "351001",
        "PUNGLI",
        "PKH",
        "telegram-bot",
        date(2026, 11, 1),
    )
    projected = {rollup.name: counts for rollup, counts in project(Counter({key: 2})).items()}

    assert projected["stat_rollup_nation"] == Counter(
        {
            ("day", date(2026, 12, 3), "received", 0): 2,
            ("week", date(2026, 11, 30), "received", 0): 2,
            ("month", date(2026, 12, 1), "received", 0): 2,
            ("cohort", date(2026, 11, 1), "received", 0): 2,
        }
    )
    assert ("week", date(2026, 11, 30), "received", 0, "DINSOS-3510", "WK4") in projected[
        "stat_rollup_office"
    ]
    assert ("month", date(2026, 12, 1), "received", 0, "WK4", "PUNGLI", "PKH", "telegram-bot") in (
        projected["stat_rollup_mix"]
    )


def test_the_spans_checked_by_verify_lie_wholly_in_the_period():
    start, end = date(2026, 11, 3), date(2026, 12, 31)
    assert whole_spans(Span.MONTH, start, end) == [date(2026, 12, 1)]
    assert whole_spans(Span.COHORT, start, end) == [date(2026, 12, 1)]
    assert whole_spans(Span.WEEK, start, end)[0] == date(2026, 11, 9)
    assert whole_spans(Span.WEEK, start, end)[-1] == date(2026, 12, 21)  # the 28th runs past
    assert len(whole_spans(Span.DAY, start, end)) == 59
