"""The operator's statistics duties: recount the rollup, reconcile it with the raw tables."""

from __future__ import annotations

from datetime import date

from api.application.principals import Operator
from api.domain.statistics.rebuild import RebuildReport, rebuild_counts
from api.domain.statistics.verify import Verification, verify_counts
from api.services import Services


async def rebuild(services: Services, operator: Operator) -> RebuildReport:
    """Recount every statistic from ``complaint`` and ``complaint_event``."""
    return await rebuild_counts(engine=services.engine, calendar=services.calendar)


async def verify(services: Services, operator: Operator, *, start: date, end: date) -> Verification:
    """The counts of the days ``start``..``end`` against a direct count of their events."""
    return await verify_counts(
        engine=services.engine, calendar=services.calendar, start=start, end=end
    )
