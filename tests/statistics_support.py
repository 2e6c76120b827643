"""Statistics in tests: every event filed so far counted, as the worker's fill would."""

from __future__ import annotations

from datetime import timedelta

from api.domain.statistics.fill import fill_counts


async def count_every_event(services) -> None:
    """Fill until nothing is left (no grace at holes: a test's inserts have all committed)."""
    while (
        await fill_counts(
            engine=services.engine, calendar=services.calendar, gap_grace=timedelta(0)
        )
    ).counted:
        pass
