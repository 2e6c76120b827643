"""The admin API: routing rules (a category's office type) and offices, without a release.

Each route is one call of ``api.application.administration``, which refuses anyone but an
administrator. Changes take effect at once in this process and within the directory
cache's lifetime (30 s) in the others. Offices are deactivated, never deleted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.application import administration
from api.deps import CurrentStaff, ServicesDep
from api.domain.organisation import CategoryRule, NewOffice, OfficeRecord
from api.domain.pilot_config import OfficeType
from api.errors import error_responses
from api.schemas.text import Line

# Every route: a staff session (401) of an administrator (403).
router = APIRouter(
    prefix="/api/v1/admin", tags=["admin"], responses=error_responses(401, 403, 422, 503)
)

Code = Annotated[Line, Path(max_length=32)]


class CategoryRuleIn(BaseModel):
    office_type: OfficeType | None = None
    active: bool | None = None


class OfficeIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9-]{2,32}$")
    name: Line = Field(min_length=3, max_length=200)
    type: OfficeType
    email: Line | None = Field(default=None, max_length=200)
    regency_code: str | None = Field(default=None, pattern=r"^\d{4}$")
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    coordination_region_code: Line | None = Field(default=None, max_length=16)


class OfficeChange(BaseModel):
    name: Line | None = Field(default=None, min_length=3, max_length=200)
    email: Line | None = Field(default=None, max_length=200)
    active: bool | None = None


@router.get("/categories", response_model=list[CategoryRule])
async def list_category_rules(member: CurrentStaff, services: ServicesDep) -> list[CategoryRule]:
    return await administration.category_rules(services, member)


@router.patch(
    "/categories/{code}", response_model=CategoryRule, responses=error_responses(400, 413, 404)
)
async def change_category_rule(
    code: Code, body: CategoryRuleIn, member: CurrentStaff, services: ServicesDep
) -> CategoryRule:
    """Route a category to another office type, or take it out of (or back into) service."""
    rule = await administration.change_category_rule(
        services, member, code, office_type=body.office_type, active=body.active
    )
    return rule


@router.get("/offices", response_model=list[OfficeRecord])
async def list_offices(member: CurrentStaff, services: ServicesDep) -> list[OfficeRecord]:
    return await administration.offices(services, member)


@router.post(
    "/offices",
    response_model=OfficeRecord,
    status_code=201,
    responses=error_responses(400, 413, 409, meanings={409: "An office with this code exists"}),
)
async def create_office(
    body: OfficeIn, member: CurrentStaff, services: ServicesDep
) -> OfficeRecord:
    """Add an office; its type says where it sits (a kab/kota, a province, a region desk)."""
    office = await administration.add_office(services, member, NewOffice(**body.model_dump()))
    return office


@router.patch(
    "/offices/{code}", response_model=OfficeRecord, responses=error_responses(400, 413, 404)
)
async def change_office(
    code: Code, body: OfficeChange, member: CurrentStaff, services: ServicesDep
) -> OfficeRecord:
    """Rename, change the e-mail, or (de)activate an office. Routing follows immediately."""
    office = await administration.change_office(
        services, member, code, name=body.name, email=body.email, active=body.active
    )
    return office
