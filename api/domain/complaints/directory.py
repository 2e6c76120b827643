"""Categories and offices as the running service sees them: read from the database, cached.

An administrator can change a category's routing rule or an office through the admin API;
the process that made the change drops its cache at once, the others within
``CACHE_SECONDS`` (the same bound as API keys).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.categories import Category
from api.domain.complaints.routing import OfficeInfo, RoutingTable
from api.domain.time_zones import TimeZone, zone_of_province
from api.models import ComplaintCategory, Office, PilotRegency

CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class Directory:
    categories: Mapping[str, Category]  # every category, active or not, in file order
    routing: RoutingTable
    office_names: Mapping[str, str]

    def active_categories(self) -> list[Category]:
        return [category for category in self.categories.values() if category.active]

    def office_name(self, code: str) -> str:
        return self.office_names.get(code, code)

    def office_zone(self, code: str) -> TimeZone:
        """The zone an office keeps (WIB for a national desk, or an office not known)."""
        office = self.routing.offices.get(code)
        return zone_of_province(office.province_code if office else None)


def category_from_row(row) -> Category:
    return Category(
        code=row.code,
        office_type=row.office_type,
        requires_subject_nik=row.requires_subject_nik,
        deadline_tier=row.deadline_tier,
        resolve_days=row.resolve_days,
        label={"id": row.label_id, "en": row.label_en},
        description={"id": row.description_id, "en": row.description_en},
        position=row.position,
        active=row.active,
        public_description=row.public_description,
    )


async def read_directory(engine: AsyncEngine) -> Directory:
    category_table, office_table = ComplaintCategory.__table__, Office.__table__
    async with engine.connect() as conn:
        categories = (
            await conn.execute(select(category_table).order_by(category_table.c.position))
        ).all()
        offices = (await conn.execute(select(office_table))).all()
        pilots = (await conn.execute(select(PilotRegency.__table__))).all()
    return Directory(
        categories={row.code: category_from_row(row) for row in categories},
        routing=RoutingTable.from_offices(
            (
                OfficeInfo(
                    code=row.code,
                    type=row.type,
                    regency_code=row.regency_code,
                    province_code=row.province_code,
                    coordination_region_code=row.coordination_region_code,
                    active=row.active,
                )
                for row in offices
            ),
            pilot_regencies={row.regency_code: row.coordination_region_code for row in pilots},
        ),
        office_names={row.code: row.name for row in offices},
    )


class DirectoryCache:
    """One :class:`Directory` per process, refreshed at most every ``CACHE_SECONDS``."""

    def __init__(self, engine: AsyncEngine, *, ttl: float = CACHE_SECONDS) -> None:
        self._engine, self._ttl = engine, ttl
        self._directory: Directory | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> Directory:
        if self._directory is not None and time.monotonic() < self._expires:
            return self._directory
        async with self._lock:  # one reload however many requests arrive at once
            if self._directory is None or time.monotonic() >= self._expires:
                self._directory = await read_directory(self._engine)
                self._expires = time.monotonic() + self._ttl
        return self._directory

    def invalidate(self) -> None:
        self._expires = 0.0
