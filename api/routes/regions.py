"""Region look-up for channels: find a kab/kota or kecamatan by typing part of its name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import CurrentChannel, ServicesDep
from api.errors import error_responses
from api.schemas.text import Line

router = APIRouter(
    prefix="/api/v1/regions", tags=["regions"], responses=error_responses(401, 422, 503)
)


class RegionOut(BaseModel):
    code: str
    name: str
    # The kab/kota's province, or the kecamatan's kab/kota, for telling namesakes apart.
    parent_name: str
    in_pilot: bool


@router.get("/regencies", response_model=list[RegionOut])
async def search_regencies(
    services: ServicesDep,
    _: CurrentChannel,
    q: Annotated[Line, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> list[RegionOut]:
    """Kabupaten/kota whose name contains `q`, best matches first."""
    regions, pilot = services.regions, (await services.directory.get()).routing.pilot_regencies
    return [
        RegionOut(
            code=regency.code,
            name=regency.name,
            parent_name=regions.province(regency.province_code).name,
            in_pilot=regency.code in pilot,
        )
        for regency in regions.search_regencies(q, limit=limit)
    ]


@router.get("/regencies/{regency_code}/districts", response_model=list[RegionOut])
async def search_districts(
    regency_code: str,
    services: ServicesDep,
    _: CurrentChannel,
    q: Annotated[Line | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> list[RegionOut]:
    """The kecamatan of a kab/kota whose name contains `q` (all of them, up to `limit`, without)."""
    regions = services.regions
    regency = regions.regency(regency_code)
    if regency is None:
        return []
    pilot = (await services.directory.get()).routing.pilot_regencies
    districts = (
        regions.search_districts(q, regency_code=regency_code, limit=limit)
        if q
        else list(regions.districts_of(regency_code))[:limit]
    )
    return [
        RegionOut(
            code=district.code,
            name=district.name,
            parent_name=regency.name,
            in_pilot=regency_code in pilot,
        )
        for district in districts
    ]
