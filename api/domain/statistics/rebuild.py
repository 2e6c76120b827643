"""``bansos stats rebuild``: recount every event from the raw tables.

In one transaction: lock the watermark (a running fill waits, then finds it moved and rolls
back), empty ``stat_count``, count every event in id order in batches, derive the coarser
rollups from the counts (``rollups.refill_rollups``), and set the watermark to the last one.
Readers see the old counts until the commit, the new ones after.
An insert still uncommitted when the rebuild reads past its id is missed, as the fill would
after its grace; ``bansos stats verify`` finds such a drift, a second rebuild repairs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.working_days import WorkingCalendar
from api.domain.statistics import counting
from api.domain.statistics.fill import add_counts, advance_watermark, locked_watermark
from api.domain.statistics.reading import read_events
from api.domain.statistics.rollups import refill_rollups
from api.models import StatCount

BATCH = 5_000


@dataclass(frozen=True)
class RebuildReport:
    events: int
    watermark: int


async def rebuild_counts(
    *,
    engine: AsyncEngine,
    calendar: WorkingCalendar,
    batch: int = BATCH,
    now: datetime | None = None,
) -> RebuildReport:
    now = now or datetime.now(UTC)
    async with engine.begin() as conn:
        mark = await locked_watermark(conn, now)
        await conn.execute(delete(StatCount.__table__))
        after = counted = 0
        while events := await read_events(conn, after_id=after, limit=batch):
            # The rollups once at the end, from the finished counts: summing them batch by
            # batch would update the same coarse rows thousands of times.
            await add_counts(conn, counting.count_events(events, calendar), rollups=False)
            after, counted = events[-1].id, counted + len(events)
        await refill_rollups(conn)
        await advance_watermark(conn, mark.event_id, after, None, now)
    return RebuildReport(counted, after)
