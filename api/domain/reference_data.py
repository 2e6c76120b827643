"""Loads the region code tables and the pilot configuration into the database.

Idempotent: running it again changes nothing; an edited pilot file updates in place.
Offices that vanished from the file are deactivated, never deleted, because complaints keep
pointing at them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from api.domain.complaints.categories import Category, load_categories
from api.domain.pilot_config import PilotConfig
from api.domain.regions import RegionCodes
from api.domain.upsert import upsert
from api.models import (
    ComplaintCategory,
    CoordinationRegion,
    District,
    Office,
    PilotRegency,
    Province,
    Regency,
)


@dataclass(frozen=True)
class ReferenceCounts:
    provinces: int
    regencies: int
    districts: int
    coordination_regions: int
    pilot_regencies: int
    offices: int
    categories: int


async def load_reference_data(
    conn: AsyncConnection,
    *,
    regions: RegionCodes,
    pilot: PilotConfig,
    categories: Sequence[Category] | None = None,
    reset_routing: bool = False,
) -> ReferenceCounts:
    """Upsert regions, the pilot's organisation and the complaint categories.

    A category's office type (its routing rule) is taken from the file only when the
    category is new or ``reset_routing`` is set: after that the database owns it, so a rule
    changed through the admin API survives the next deployment's reload.
    """
    categories = load_categories() if categories is None else categories
    provinces = [{"code": p.code, "name": p.name} for p in regions.provinces()]
    regencies = [
        {"code": r.code, "province_code": r.province_code, "name": r.name, "kind": r.kind}
        for p in regions.provinces()
        for r in regions.regencies_of(p.code)
    ]
    districts = [
        {"code": d.code, "regency_code": d.regency_code, "name": d.name}
        for r in regencies
        for d in regions.districts_of(r["code"])
    ]
    await upsert(conn, Province.__table__, provinces, key=["code"])
    await upsert(conn, Regency.__table__, regencies, key=["code"])
    await upsert(conn, District.__table__, districts, key=["code"])

    await upsert(
        conn,
        CoordinationRegion.__table__,
        [{"code": r.code, "name": r.name, "example_name": r.example_name} for r in pilot.regions],
        key=["code"],
    )
    await upsert(
        conn,
        PilotRegency.__table__,
        [
            {
                "regency_code": r.code,
                "coordination_region_code": r.coordination_region,
                "confirmed": r.confirmed,
            }
            for r in pilot.regencies
        ],
        key=["regency_code"],
    )
    # A kab/kota dropped from the pilot file leaves the pilot (its offices are kept, inactive).
    await conn.execute(
        delete(PilotRegency).where(
            PilotRegency.regency_code.not_in([r.code for r in pilot.regencies])
        )
    )
    offices = [
        {
            "code": o.code,
            "name": o.name,
            "type": str(o.type),
            "email": o.email,
            "regency_code": o.regency_code,
            "province_code": o.province_code,
            "coordination_region_code": o.coordination_region,
            "active": True,
            "managed_by": "file",
        }
        for o in pilot.offices
    ]
    await upsert(conn, Office.__table__, offices, key=["code"])
    await conn.execute(
        update(Office)
        .where(Office.managed_by == "file", Office.code.not_in([o["code"] for o in offices]))
        .values(active=False)
    )
    await upsert(
        conn,
        ComplaintCategory.__table__,
        [
            {
                "code": c.code,
                "office_type": c.office_type,
                "requires_subject_nik": c.requires_subject_nik,
                "deadline_tier": c.deadline_tier,
                "resolve_days": c.resolve_days,
                "label_id": c.label["id"],
                "label_en": c.label["en"],
                "description_id": c.description["id"],
                "description_en": c.description["en"],
                "position": c.position,
                "active": True,
                "public_description": c.public_description,
            }
            for c in categories
        ],
        key=["code"],
        keep=() if reset_routing else ["office_type"],
    )
    await conn.execute(
        update(ComplaintCategory)
        .where(ComplaintCategory.code.not_in([c.code for c in categories]))
        .values(active=False)
    )
    return ReferenceCounts(
        len(provinces),
        len(regencies),
        len(districts),
        len(pilot.regions),
        len(pilot.regencies),
        len(offices),
        len(categories),
    )
