"""How a deadline stands for the member reading it: met, due in N working days, or late by N.

Counted on the working-day calendar (see working_days): "3 working days left" means three
working days after today up to the deadline's last day; "due today" is the last day itself;
"2 working days late" counts the working days after the last day up to today. While the
complaint waits for the citizen, the clock is paused and its deadlines will move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from api.domain.complaints.working_days import WorkingCalendar

_JUST_BEFORE = timedelta(microseconds=1)


class DeadlineState(StrEnum):
    MET = "met"  # done before the deadline
    MET_LATE = "met_late"  # done, but after it
    PAUSED = "paused"  # waiting for the citizen: the deadline will move
    DUE = "due"  # still open, ``working_days`` left after today
    OVERDUE = "overdue"  # still open, ``working_days`` late


@dataclass(frozen=True)
class Countdown:
    state: DeadlineState
    working_days: int = 0


def countdown(
    calendar: WorkingCalendar,
    deadline: datetime,
    *,
    met_at: datetime | None,
    now: datetime,
    paused: bool = False,
) -> Countdown:
    """Where ``deadline`` (exclusive, see working_days) stands at ``now``."""
    if met_at is not None:
        return Countdown(DeadlineState.MET if met_at < deadline else DeadlineState.MET_LATE)
    if paused:
        return Countdown(DeadlineState.PAUSED)
    if now < deadline:
        return Countdown(
            DeadlineState.DUE, calendar.working_days_between(now, deadline - _JUST_BEFORE)
        )
    return Countdown(
        DeadlineState.OVERDUE, calendar.working_days_between(deadline - _JUST_BEFORE, now)
    )
