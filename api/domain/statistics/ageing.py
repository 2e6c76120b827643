"""Figures of the open backlog "now", read from its snapshot (``stat_backlog``).

The period of a :class:`StatFilter` does not apply (these are states, not events); its
dimensions do. Every figure carries the snapshot's time, the pages' "as of".

* **Backlog ageing**: the open complaints by their age in working days, from the Jakarta
  filing day to the snapshot's day as the deadlines count them (days after the filing day,
  Asia/Jakarta, holidays and cuti bersama skipped, waiting for the citizen included; filed
  today is 0). The bands follow the deadlines: 0–3 within the verification deadline, 4–5
  within the follow-up one, 6–14 within a coordination category's resolution, 15–60 within
  a field check's, over 60 past every deadline.
* **Overdue now**, per duty (verify, follow-up, resolve): how many open complaints still
  owe it, how many of those are past its due date, and that share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.working_days import JAKARTA, WorkingCalendar
from api.domain.statistics.queries import DIMENSIONS, StatFilter
from api.domain.statistics.snapshots import BACKLOG, taken_at
from api.domain.vocabulary import Deadline
from api.models import StatBacklog

_backlog = StatBacklog.__table__


class AgeBand(StrEnum):
    """A band of working days since filing (both ends included)."""

    UP_TO_3 = "0-3"
    UP_TO_5 = "4-5"
    UP_TO_14 = "6-14"
    UP_TO_60 = "15-60"
    OVER_60 = "61+"


_BAND_ENDS = ((3, AgeBand.UP_TO_3), (5, AgeBand.UP_TO_5), (14, AgeBand.UP_TO_14))
_BAND_ENDS += ((60, AgeBand.UP_TO_60),)
# 150 calendar days always hold more than 60 working days (see counting._SURELY_OVER).
_SURELY_OVER = timedelta(days=150)


def age_band(working_days: int) -> AgeBand:
    for last, band in _BAND_ENDS:
        if working_days <= last:
            return band
    return AgeBand.OVER_60


def no_ages() -> dict[AgeBand, int]:
    return dict.fromkeys(AgeBand, 0)


@dataclass(frozen=True)
class Ageing:
    """Open complaints per age band, in total and per value of the ``by`` dimension."""

    as_of: datetime | None  # when the snapshot was taken; None: never yet
    bands: dict[AgeBand, int]
    by: dict[str, dict[AgeBand, int]]  # empty unless grouped; "" = without that dimension

    @property
    def open(self) -> int:
        return sum(self.bands.values())


@dataclass(frozen=True)
class StageOverdue:
    pending: int  # open complaints that still owe this duty
    overdue: int  # of those, past its due date at the snapshot

    @property
    def share(self) -> float | None:
        """``overdue / pending``; None when nothing is pending."""
        return self.overdue / self.pending if self.pending else None


@dataclass(frozen=True)
class OverdueNow:
    as_of: datetime | None
    open: int
    stages: dict[Deadline, StageOverdue]
    by: dict[str, dict[Deadline, StageOverdue]]  # empty unless grouped


async def backlog_ageing(
    engine: AsyncEngine, *, calendar: WorkingCalendar, where: StatFilter, by: str | None = None
) -> Ageing:
    """The open complaints under ``where``'s dimensions by age band (and by ``by``)."""
    group = _grouping(by)
    b = _backlog.c
    async with engine.connect() as conn:
        as_of = await taken_at(conn, BACKLOG)
        rows = (
            await conn.execute(
                select(func.sum(b.count), b.filed_day, *group)
                .where(*where.dimension_conditions(_backlog))
                .group_by(b.filed_day, *group)
            )
        ).all()
    if as_of is None:
        return Ageing(None, no_ages(), {})
    ages = working_ages({row[1] for row in rows}, as_of, calendar)
    bands, grouped = no_ages(), defaultdict(no_ages)
    for count, day, *value in rows:
        band = age_band(ages[day])
        bands[band] += int(count)
        if value:
            grouped[value[0]][band] += int(count)
    return Ageing(as_of, bands, dict(grouped))


async def overdue_now(engine: AsyncEngine, *, where: StatFilter, by: str | None = None):
    """Per duty: pending and overdue open complaints under ``where``'s dimensions."""
    group = _grouping(by)
    b = _backlog.c
    sums = [
        func.sum(b.count),
        func.sum(_if(b.verify_pending)),
        func.sum(_if(b.follow_up_pending)),
        func.sum(_if(b.verify_overdue)),
        func.sum(_if(b.follow_up_overdue)),
        func.sum(_if(b.resolve_overdue)),
    ]
    async with engine.connect() as conn:
        as_of = await taken_at(conn, BACKLOG)
        rows = (
            await conn.execute(
                select(*sums, *group).where(*where.dimension_conditions(_backlog)).group_by(*group)
            )
        ).all()
    total, grouped = [0] * 6, {}
    for row in rows:
        numbers = [int(n or 0) for n in row[:6]]
        total = [a + n for a, n in zip(total, numbers, strict=True)]
        if by is not None:
            grouped[row[6]] = _stages(numbers)
    return OverdueNow(as_of, total[0], _stages(total), grouped)


def working_ages(days: set[date], as_of: datetime, calendar: WorkingCalendar) -> dict[date, int]:
    """Each filing day's age in working days at ``as_of`` (61 for anything past 60)."""
    ages = {}
    for day in days:
        filed = datetime.combine(day, time(12), JAKARTA)
        if as_of - filed > _SURELY_OVER:
            ages[day] = 61  # not worth walking the calendar day by day
        else:
            ages[day] = calendar.working_days_between(filed, as_of)
    return ages


def _stages(numbers: list[int]) -> dict[Deadline, StageOverdue]:
    open_, verify_pending, follow_up_pending, verify, follow_up, resolve = numbers
    return {
        Deadline.VERIFY: StageOverdue(verify_pending, verify),
        Deadline.FOLLOW_UP: StageOverdue(follow_up_pending, follow_up),
        # Every open complaint still owes its answer.
        Deadline.RESOLVE: StageOverdue(open_, resolve),
    }


def _if(flag):
    """The row's count where ``flag`` holds, else 0 (a sum of it counts complaints)."""
    return case((flag, _backlog.c.count), else_=0)


def _grouping(by: str | None) -> list:
    """The column to group by as a list: none for the totals alone."""
    if by is None:
        return []
    if by not in DIMENSIONS:
        raise ValueError(f"{by!r} is not a statistics dimension")
    return [_backlog.c[by]]
