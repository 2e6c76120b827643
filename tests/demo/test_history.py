"""The demo's year of complaints: a story every statistics chart can tell, written as the
application would have written it, and counted without drift."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from api.domain.complaints.lifecycle import OPEN_STATUSES
from api.domain.complaints.working_days import JAKARTA
from api.domain.pilot_config import load_pilot_config
from api.domain.statistics.counting import Metric
from api.domain.statistics.queries import StatFilter, distribution, per_day, totals
from api.domain.statistics.verify import verify_counts
from api.models import Complaint
from demo.history import already_seeded, seed_history
from demo.history.story import (
    DISBURSEMENT_MONTHS,
    PERSONA_REGENCIES,
    SLOW_OFFICE,
    SPIKE_CATEGORY,
    SPIKE_REGENCY,
    spike_window,
)
from demo.seed import pilot_district_codes

#: A Monday in the pilot year; the demo uses the real today.
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
YEAR_START, TODAY = date(2025, 11, 24), date(2026, 11, 23)
COMPLAINTS = 500


@pytest.fixture
async def year(services):
    districts = pilot_district_codes(load_pilot_config(), services.regions)
    seeded = await seed_history(
        services, district_codes=districts, complaints=COMPLAINTS, seed=11, now=NOW
    )
    async with services.engine.connect() as conn:
        rows = (await conn.execute(select(Complaint.__table__))).all()
    return seeded, rows


def months(first: date, last: date) -> list[date]:
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return found


async def test_the_year_spans_twelve_months_ending_today_with_complaints_in_every_month(
    services, year
):
    seeded, rows = year
    assert seeded.complaints == len(rows) > 0.95 * COMPLAINTS
    filed = [row.created_at.astimezone(JAKARTA).date() for row in rows]
    assert min(filed) >= YEAR_START and max(filed) <= TODAY
    received = await per_day(
        services.engine, StatFilter(YEAR_START, TODAY, cohort=True), Metric.RECEIVED
    )
    # 13 calendar months touched (the year starts on the 24th), each with complaints.
    assert sorted(received) == months(YEAR_START, TODAY)
    assert all(count > 0 for count in received.values())


async def test_disbursement_months_bring_more_complaints_than_the_months_between(year):
    _, rows = year
    first, last = spike_window(NOW)
    filed = [row.created_at.astimezone(JAKARTA).date() for row in rows]
    by_month = Counter(
        day.month
        for day, row in zip(filed, rows, strict=True)
        if day.replace(day=1) >= YEAR_START
        and day < TODAY.replace(day=1)  # whole months
        and not (row.regency_code == SPIKE_REGENCY and first <= day <= last)
    )
    paid = [n for month, n in by_month.items() if month in DISBURSEMENT_MONTHS]
    between = [n for month, n in by_month.items() if month not in DISBURSEMENT_MONTHS]
    assert sum(paid) / len(paid) > 1.2 * sum(between) / len(between)


async def test_aid_not_received_spikes_in_one_kab_kota_after_its_failed_tahap(services, year):
    _, rows = year
    first, last = spike_window(NOW)
    in_window = Counter(
        row.regency_code
        for row in rows
        if row.category_code == SPIKE_CATEGORY
        and first <= row.created_at.astimezone(JAKARTA).date() <= last
    )
    spike, *others = in_window.most_common()
    assert spike[0] == SPIKE_REGENCY
    assert spike[1] >= 5 * max([count for _, count in others] or [1])
    # The statistics show it too, under the kab/kota filter.
    where = StatFilter(first, last, regency_code=SPIKE_REGENCY, category_code=SPIKE_CATEGORY)
    assert (await totals(services.engine, where))[Metric.RECEIVED] == spike[1]


async def test_the_slow_office_breaches_verification_and_the_region_takes_it_up(services, year):
    slow = await totals(services.engine, StatFilter(YEAR_START, TODAY, office_code=SLOW_OFFICE))
    others = await totals(services.engine, StatFilter(YEAR_START, TODAY))
    slow_share = slow[Metric.BREACHED] / max(slow[Metric.RECEIVED], 1)
    overall_share = others[Metric.BREACHED] / others[Metric.RECEIVED]
    assert slow_share > 2 * overall_share
    assert others[Metric.ESCALATED_REGION] > 0 and others[Metric.ESCALATED_MINISTRY] > 0


async def test_ratings_are_mostly_good_and_poor_ones_reopened_as_appeals(services, year):
    where = StatFilter(YEAR_START, TODAY)
    ratings = await distribution(services.engine, where, Metric.RATED)
    assert ratings[4] + ratings[5] > 2 * (ratings.get(1, 0) + ratings.get(2, 0)) > 0
    counted = await totals(services.engine, where)
    assert counted[Metric.REOPENED] > 0
    assert counted[Metric.FORWARDED] > 0 and counted[Metric.TRIAGED] > 0
    assert counted[Metric.CLOSED] > 0 and counted[Metric.REJECTED] > 0


async def test_a_backlog_of_every_age_is_open_today_some_over_sixty_working_days(services, year):
    _, rows = year
    ages = [
        services.calendar.working_days_between(row.created_at, NOW)
        for row in rows
        if row.status in {s.value for s in OPEN_STATUSES}
    ]
    assert any(age <= 3 for age in ages) and any(15 <= age <= 60 for age in ages)
    assert any(age > 60 for age in ages)


async def test_the_personas_kab_kota_get_none_of_the_year(year):
    _, rows = year
    assert not {row.regency_code for row in rows} & PERSONA_REGENCIES


async def test_the_counts_equal_a_direct_recount_no_drift(services, year):
    checked = await verify_counts(
        engine=services.engine, calendar=services.calendar, start=YEAR_START, end=TODAY
    )
    assert checked.events > 4 * COMPLAINTS * 0.9
    assert checked.drifts == []


async def test_the_year_is_seeded_once(services, year):
    assert await already_seeded(services)
    again = await seed_history(
        services,
        district_codes=pilot_district_codes(load_pilot_config(), services.regions),
        complaints=COMPLAINTS,
        seed=11,
        now=NOW,
    )
    assert again.complaints == 0
