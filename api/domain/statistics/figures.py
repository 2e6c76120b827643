"""Deadline compliance and appeals under one filter, whole or per value of one dimension.

Both read ``stat_count`` only (``deadline_outcome``; ``rated`` and ``appealed``), each in one
query; what the rows mean is in ``deadlines`` and ``counting``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.actions import POOR_RATINGS
from api.domain.statistics.counting import Metric
from api.domain.statistics.deadlines import StageCompliance, compliance_from
from api.domain.statistics.queries import StatFilter, distribution, histograms_by


@dataclass(frozen=True)
class Appeals:
    """Poor ratings (1 or 2) given in the period, and how many of them were appeals: a
    citizen's poor first rating reopens the complaint at the coordination region; a poor
    rating after that closes it."""

    poor: int
    appealed: int

    @property
    def share_appealed(self) -> float | None:
        return self.appealed / self.poor if self.poor else None


async def stage_compliance(engine: AsyncEngine, where: StatFilter) -> list[StageCompliance]:
    """Per stage (verify, follow-up, resolve), all tiers then each tier: completed, met,
    late and their shares, and breaches, in the period."""
    return compliance_from(await distribution(engine, where, Metric.DEADLINE_OUTCOME))


async def compliance_by(
    engine: AsyncEngine, where: StatFilter, dimension: str
) -> dict[str, list[StageCompliance]]:
    """:func:`compliance` per value of ``dimension`` (an office's league-table row), in one
    query; a value appears when a deadline completed or was breached under it."""
    grouped = await histograms_by(engine, where, dimension, [Metric.DEADLINE_OUTCOME])
    return {
        value: compliance_from(metrics[Metric.DEADLINE_OUTCOME])
        for value, metrics in grouped.items()
    }


def appeals_from(ratings: dict[int, int], appealed: int) -> Appeals:
    """From the ``rated`` distribution (rating → count) and the ``appealed`` count."""
    return Appeals(sum(n for rating, n in ratings.items() if rating in POOR_RATINGS), appealed)


async def appeals(engine: AsyncEngine, where: StatFilter) -> Appeals:
    return (await appeals_by(engine, where, None)).get("", Appeals(0, 0))


async def appeals_by(
    engine: AsyncEngine, where: StatFilter, dimension: str | None
) -> dict[str, Appeals]:
    """:class:`Appeals` per value of ``dimension`` (None: one entry, keyed ""), one query.

    The office of a rating is the one that answered; of an appeal, the coordination region
    that took it up: split by office, the share reads best per region, not per office."""
    grouped = await histograms_by(engine, where, dimension, [Metric.RATED, Metric.APPEALED])
    return {
        value: appeals_from(
            per_metric.get(Metric.RATED, {}), sum(per_metric.get(Metric.APPEALED, {}).values())
        )
        for value, per_metric in grouped.items()
    }
