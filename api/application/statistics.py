"""The operator's statistics duties: recount the rollup and retake the snapshots, reconcile
them with the raw tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.application.principals import Operator
from api.domain.statistics.backlog import (
    BacklogSnapshot,
    BacklogVerification,
    refresh_backlog,
    verify_backlog,
)
from api.domain.statistics.hotspots import DenominatorSnapshot, refresh_beneficiaries
from api.domain.statistics.rebuild import RebuildReport, rebuild_counts
from api.domain.statistics.verify import Verification, verify_counts
from api.services import Services


@dataclass(frozen=True)
class Rebuilt:
    counts: RebuildReport
    backlog: BacklogSnapshot
    beneficiaries: DenominatorSnapshot


async def rebuild(services: Services, operator: Operator) -> Rebuilt:
    """Recount every statistic from ``complaint`` and ``complaint_event``, and retake the
    backlog and beneficiary snapshots."""
    counts = await rebuild_counts(engine=services.engine, calendar=services.calendar)
    backlog = await refresh_backlog(engine=services.engine)
    beneficiaries = await refresh_beneficiaries(engine=services.engine)
    return Rebuilt(counts, backlog, beneficiaries)


async def verify(services: Services, operator: Operator, *, start: date, end: date) -> Verification:
    """The counts of the days ``start``..``end`` against a direct count of their events."""
    return await verify_counts(
        engine=services.engine, calendar=services.calendar, start=start, end=end
    )


async def verify_backlog_snapshot(services: Services, operator: Operator) -> BacklogVerification:
    """Retake the backlog snapshot and check it against the open complaints one by one."""
    return await verify_backlog(engine=services.engine)


async def refresh_hotspot_denominators(services: Services) -> DenominatorSnapshot:
    """Recount the beneficiaries per kecamatan (after the registry changed)."""
    return await refresh_beneficiaries(engine=services.engine)
