"""The countdown a handler reads next to each deadline, in working days."""

from __future__ import annotations

from datetime import datetime

from api.domain.complaints.countdown import Countdown, DeadlineState, countdown
from api.domain.complaints.working_days import JAKARTA, WorkingCalendar

CALENDAR = WorkingCalendar()
# The end of Thursday 5 November 2026 (00:00 on Friday 6): no holiday nearby.
DEADLINE = datetime(2026, 11, 6, tzinfo=JAKARTA)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=JAKARTA)


def test_an_open_deadline_counts_the_working_days_left_after_today():
    assert countdown(CALENDAR, DEADLINE, met_at=None, now=at(2)) == Countdown(DeadlineState.DUE, 3)
    assert countdown(CALENDAR, DEADLINE, met_at=None, now=at(5, 23)) == Countdown(
        DeadlineState.DUE, 0
    )


def test_a_missed_deadline_counts_the_working_days_late_skipping_the_weekend():
    assert countdown(CALENDAR, DEADLINE, met_at=None, now=at(6, 0)) == Countdown(
        DeadlineState.OVERDUE, 1
    )
    # Friday 6 and Monday 9 are the two working days since the last day.
    assert countdown(CALENDAR, DEADLINE, met_at=None, now=at(9)) == Countdown(
        DeadlineState.OVERDUE, 2
    )


def test_a_deadline_met_says_so_whether_on_time_or_late():
    assert countdown(CALENDAR, DEADLINE, met_at=at(5, 23), now=at(20)).state == DeadlineState.MET
    assert countdown(CALENDAR, DEADLINE, met_at=at(6, 0), now=at(20)).state == (
        DeadlineState.MET_LATE
    )


def test_while_waiting_for_the_citizen_the_clock_is_paused():
    assert countdown(CALENDAR, DEADLINE, met_at=None, now=at(9), paused=True).state == (
        DeadlineState.PAUSED
    )
