"""Hotspots: complaints received per 10,000 beneficiaries, by kab/kota or by kecamatan.

**The denominator** is how many people the beneficiary registry holds per kecamatan
(``beneficiary.district_code``; the kab/kota is its first 4 digits, the province its first
2), kept in ``stat_beneficiaries``: :func:`refresh_beneficiaries` rewrites it from one GROUP
BY after each registry import and on ``bansos stats rebuild``, never per page view.

**The numerator** comes from the rollup (``stat_count``) under the filter's period and
dimensions: the complaints received from the place, i.e. the ``received`` events counted
under that domicile, plus the ``triaged`` ones. A complaint filed without a domicile is
received under none and gets its place when a triage desk sets it (its ``triaged`` event
counts there); without those it would be missing from every place.

**The rate** is received × 10,000 / beneficiaries. A place is listed when it has
beneficiaries within the filter's area (coordination region, province, kab/kota,
kecamatan) or received complaints under the filter; one without beneficiaries shows no
rate and ranks after every rate. Ranked by rate, then received, then code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.statistics.counting import Metric
from api.domain.statistics.queries import StatFilter
from api.domain.statistics.snapshots import BENEFICIARIES, lock_snapshot, stamp_snapshot, taken_at
from api.models import Beneficiary, PilotRegency, StatBeneficiaries, StatCount

PER = 10_000
#: The rollup's metrics that together count the complaints received from a place.
RECEIVED_FROM_PLACE = (Metric.RECEIVED.value, Metric.TRIAGED.value)

_beneficiary = Beneficiary.__table__
_denominator = StatBeneficiaries.__table__
_pilot = PilotRegency.__table__
_count = StatCount.__table__


class PlaceLevel(StrEnum):
    """The place a hotspot is ranked at: the column it is keyed by."""

    REGENCY = "regency_code"  # kab/kota
    DISTRICT = "district_code"  # kecamatan


@dataclass(frozen=True)
class DenominatorSnapshot:
    taken_at: datetime
    districts: int
    beneficiaries: int


@dataclass(frozen=True)
class Hotspot:
    code: str
    received: int
    beneficiaries: int

    @property
    def rate(self) -> float | None:
        """Complaints received per 10,000 beneficiaries; None without beneficiaries."""
        return self.received * PER / self.beneficiaries if self.beneficiaries else None


@dataclass(frozen=True)
class Hotspots:
    as_of: datetime | None  # when the denominators were counted; None: never yet
    places: list[Hotspot]  # ranked, highest rate first


async def refresh_beneficiaries(
    *, engine: AsyncEngine, now: datetime | None = None
) -> DenominatorSnapshot:
    """Rewrite ``stat_beneficiaries`` from the registry, in one transaction."""
    now = now or datetime.now(UTC)
    b = _beneficiary.c
    district = b.district_code
    per_district = select(
        district,
        func.substr(district, 1, 4),
        func.substr(district, 1, 2),
        func.count(),
    ).group_by(district)
    async with engine.begin() as conn:
        await lock_snapshot(conn, BENEFICIARIES)
        await conn.execute(delete(_denominator))
        await conn.execute(
            _denominator.insert().from_select(
                ["district_code", "regency_code", "province_code", "beneficiaries"], per_district
            )
        )
        districts, people = (
            await conn.execute(
                select(func.count(), func.coalesce(func.sum(_denominator.c.beneficiaries), 0))
            )
        ).one()
        await stamp_snapshot(conn, BENEFICIARIES, now)
    return DenominatorSnapshot(now, int(districts), int(people))


async def hotspots(engine: AsyncEngine, *, where: StatFilter, level: PlaceLevel) -> Hotspots:
    """Complaints received per 10,000 beneficiaries per place under ``where``, ranked."""
    column = level.value
    c, d = _count.c, _denominator.c
    received_query = (
        select(c[column], func.sum(c.count))
        .where(c.metric.in_(RECEIVED_FROM_PLACE), c[column] != "", *where.conditions())
        .group_by(c[column])
    )
    denominator_query = select(d[column], func.sum(d.beneficiaries)).group_by(d[column])
    for name in ("province_code", "regency_code", "district_code"):
        if getattr(where, name) is not None:
            denominator_query = denominator_query.where(d[name] == getattr(where, name))
    if where.coordination_region_code is not None:
        # The pilot's regions are configuration (``pilot_regency``), read as they are now.
        denominator_query = denominator_query.join(
            _pilot, _pilot.c.regency_code == d.regency_code
        ).where(_pilot.c.coordination_region_code == where.coordination_region_code)
    async with engine.connect() as conn:
        as_of = await taken_at(conn, BENEFICIARIES)
        received = {code: int(n) for code, n in await conn.execute(received_query)}
        people = {code: int(n) for code, n in await conn.execute(denominator_query)}
    places = [
        Hotspot(code, received.get(code, 0), people.get(code, 0))
        for code in received.keys() | people.keys()
    ]
    places.sort(key=_rank)
    return Hotspots(as_of, places)


def _rank(place: Hotspot):
    rate = place.rate
    return (rate is None, -(rate or 0.0), -place.received, place.code)
