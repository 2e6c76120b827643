"""Statistics in tests: every event filed so far counted, as the worker's fill would."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from api.domain.statistics.fill import add_counts, fill_counts
from api.models.statistics import DIMENSION_COLUMNS


async def count_every_event(services) -> None:
    """Fill until nothing is left (no grace at holes: a test's inserts have all committed)."""
    while (
        await fill_counts(
            engine=services.engine, calendar=services.calendar, gap_grace=timedelta(0)
        )
    ).counted:
        pass


async def add_count(services, *, day: date, metric: str, count: int, value: int = 0, **dimensions):
    """``count`` of ``metric`` (with ``value``) on ``day``, under ``dimensions`` (any of
    ``DIMENSION_COLUMNS``, the rest ""), filed that month: written as the fill writes its
    counts, into ``stat_count`` and every coarser rollup."""
    unknown = set(dimensions) - set(DIMENSION_COLUMNS)
    assert not unknown, f"not statistics dimensions: {unknown}"
    key = (
        day,
        metric,
        value,
        *(dimensions.get(name, "") for name in DIMENSION_COLUMNS),
        day.replace(day=1),
    )
    async with services.engine.begin() as conn:
        await add_counts(conn, Counter({key: count}))
