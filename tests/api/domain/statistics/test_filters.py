"""The statistics filter as a URL carries it: what a shared address selects, and the
specific refusal for each malformed part (never a quietly different figure)."""

from __future__ import annotations

from datetime import date

import pytest

from api.domain.statistics.filters import (
    FilterProblem,
    Granularity,
    filter_params,
    granularity,
    parse_filter,
    points,
    previous_period,
)
from api.domain.statistics.queries import StatFilter

TODAY = date(2026, 12, 6)


def test_no_parameters_mean_the_last_thirty_days_by_event():
    where = parse_filter({}, today=TODAY)

    assert (where.start, where.end, where.cohort) == (date(2026, 11, 7), TODAY, False)


def test_every_dimension_is_read_and_written_back_to_the_same_address():
    params = {
        "from": "2026-01-01",
        "to": "2026-06-30",
        "basis": "cohort",
        "region": "wk4",
        "province": "35",
        "regency": "3510",
        "district": "351001",
        "office": "DINSOS-3510",
        "category": "pungli",
        "programme": "PKH",
        "channel": "telegram-bot",
    }
    where = parse_filter(params, today=TODAY)

    assert where == StatFilter(
        start=date(2026, 1, 1),
        end=date(2026, 6, 30),
        cohort=True,
        coordination_region_code="WK4",
        province_code="35",
        regency_code="3510",
        district_code="351001",
        office_code="DINSOS-3510",
        category_code="PUNGLI",
        programme="PKH",
        channel="telegram-bot",
    )
    assert parse_filter(filter_params(where), today=TODAY) == where


@pytest.mark.parametrize(
    ("params", "parameter", "code"),
    [
        ({"from": "2026-13-01"}, "from", "bad_date"),
        ({"to": "kemarin"}, "to", "bad_date"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "from", "reversed"),
        ({"from": "2020-01-01", "to": "2026-12-01"}, "from", "too_long"),
        ({"basis": "month"}, "basis", "bad_basis"),
        ({"province": "3"}, "province", "bad_code"),
        ({"regency": "35100"}, "regency", "bad_code"),
        ({"district": "35100a"}, "district", "bad_code"),
        ({"office": "DINSOS 3510; DROP"}, "office", "bad_code"),
        ({"channel": "tele\ngram"}, "channel", "bad_code"),
        ({"regency": "3510", "district": "320101"}, "district", "mismatch"),
        ({"province": "32", "regency": "3510"}, "regency", "mismatch"),
        ({"province": "32", "district": "351001"}, "district", "mismatch"),
    ],
)
def test_a_malformed_part_is_refused_by_name(params, parameter, code):
    with pytest.raises(FilterProblem) as refused:
        parse_filter(params, today=TODAY)

    assert (refused.value.parameter, refused.value.code) == (parameter, code)


def test_the_previous_period_is_as_long_and_ends_the_day_before():
    where = StatFilter(start=date(2026, 11, 1), end=date(2026, 11, 30), category_code="PUNGLI")

    before = previous_period(where)

    assert (before.start, before.end) == (date(2026, 10, 2), date(2026, 10, 31))
    assert before.category_code == "PUNGLI"


def test_a_cohorts_previous_period_is_the_same_number_of_whole_months():
    where = StatFilter(start=date(2026, 1, 15), end=date(2026, 3, 2), cohort=True)

    before = previous_period(where)

    assert (before.start, before.end) == (date(2025, 10, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("start", "end", "step", "first", "count"),
    [
        (date(2026, 11, 1), date(2026, 11, 30), Granularity.DAY, date(2026, 11, 1), 30),
        # Weeks start on Monday: 1 Sept 2026 is a Tuesday.
        (date(2026, 9, 1), date(2026, 11, 30), Granularity.WEEK, date(2026, 8, 31), 14),
        (date(2026, 1, 1), date(2026, 12, 6), Granularity.MONTH, date(2026, 1, 1), 12),
    ],
)
def test_a_trend_has_a_point_for_every_day_week_or_month_of_the_period(
    start, end, step, first, count
):
    where = StatFilter(start=start, end=end)

    assert granularity(where) is step
    assert points(where)[0] == first
    assert len(points(where)) == count
