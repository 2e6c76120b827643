"""The admin API: routing rules (a category's office type) and offices, without a release.

Changes take effect at once in this process and within the directory cache's lifetime
(30 s) in the others. Offices are deactivated, never deleted: complaints point at them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import insert, select, update

from api.deps import CurrentStaff, ServicesDep
from api.domain import access
from api.domain.pilot_config import REGENCY_OFFICE_TYPES, OfficeType
from api.domain.staff import StaffMember
from api.errors import ApiError
from api.models import ComplaintCategory, Office

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


async def require_admin(member: CurrentStaff) -> StaffMember:
    if not access.may_manage_configuration(member):
        raise ApiError(403, "admin_only", "Only administrators manage routing and offices.")
    return member


Admin = Annotated[StaffMember, Depends(require_admin)]


class CategoryRuleOut(BaseModel):
    code: str
    label_id: str
    office_type: str
    resolve_days: int
    active: bool


class CategoryRuleIn(BaseModel):
    office_type: OfficeType | None = None
    active: bool | None = None


class OfficeOut(BaseModel):
    code: str
    name: str
    type: str
    email: str | None
    regency_code: str | None
    province_code: str | None
    coordination_region_code: str | None
    active: bool


class OfficeIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9-]{2,32}$")
    name: str = Field(min_length=3, max_length=200)
    type: OfficeType
    email: str | None = Field(default=None, max_length=200)
    regency_code: str | None = Field(default=None, pattern=r"^\d{4}$")
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    coordination_region_code: str | None = Field(default=None, max_length=16)


class OfficeChange(BaseModel):
    name: str | None = Field(default=None, min_length=3, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    active: bool | None = None


@router.get("/categories", response_model=list[CategoryRuleOut])
async def list_category_rules(_: Admin, services: ServicesDep) -> list[CategoryRuleOut]:
    table = ComplaintCategory.__table__
    async with services.engine.connect() as conn:
        rows = (await conn.execute(select(table).order_by(table.c.position))).all()
    return [CategoryRuleOut.model_validate(row, from_attributes=True) for row in rows]


@router.patch("/categories/{code}", response_model=CategoryRuleOut)
async def change_category_rule(
    code: str, body: CategoryRuleIn, _: Admin, services: ServicesDep
) -> CategoryRuleOut:
    """Route a category to another office type, or take it out of (or back into) service."""
    if body.office_type is not None and body.office_type not in REGENCY_OFFICE_TYPES:
        allowed = ", ".join(sorted(REGENCY_OFFICE_TYPES))
        raise ApiError(422, "office_type_invalid", f"office_type must be one of {allowed}.")
    changes = body.model_dump(exclude_none=True)
    table = ComplaintCategory.__table__
    async with services.engine.begin() as conn:
        if changes:
            await conn.execute(update(table).where(table.c.code == code).values(**changes))
        row = (await conn.execute(select(table).where(table.c.code == code))).first()
    if row is None:
        raise ApiError(404, "category_not_found", f"No category {code}.")
    services.directory.invalidate()
    return CategoryRuleOut.model_validate(row, from_attributes=True)


@router.get("/offices", response_model=list[OfficeOut])
async def list_offices(_: Admin, services: ServicesDep) -> list[OfficeOut]:
    async with services.engine.connect() as conn:
        rows = (await conn.execute(select(Office.__table__).order_by(Office.code))).all()
    return [OfficeOut.model_validate(row, from_attributes=True) for row in rows]


@router.post("/offices", response_model=OfficeOut, status_code=201)
async def create_office(body: OfficeIn, _: Admin, services: ServicesDep) -> OfficeOut:
    """Add an office; its type says where it sits (a kab/kota, a province, a region desk)."""
    needs = {
        OfficeType.PROVINSI: "province_code",
        OfficeType.WILAYAH: "coordination_region_code",
        OfficeType.NASIONAL: None,
    }.get(body.type, "regency_code")
    if needs and getattr(body, needs) is None:
        raise ApiError(422, "office_place_missing", f"A {body.type} office needs {needs}.")
    if body.regency_code and services.regions.regency(body.regency_code) is None:
        raise ApiError(422, "regency_unknown", "regency_code is not a Kemendagri kab/kota code.")
    table = Office.__table__
    async with services.engine.begin() as conn:
        if await conn.scalar(select(table.c.code).where(table.c.code == body.code)):
            raise ApiError(409, "office_exists", f"Office {body.code} exists; change it instead.")
        await conn.execute(
            insert(table).values(**body.model_dump(mode="json"), active=True, managed_by="admin")
        )
        row = (await conn.execute(select(table).where(table.c.code == body.code))).one()
    services.directory.invalidate()
    return OfficeOut.model_validate(row, from_attributes=True)


@router.patch("/offices/{code}", response_model=OfficeOut)
async def change_office(
    code: str, body: OfficeChange, _: Admin, services: ServicesDep
) -> OfficeOut:
    """Rename, change the e-mail, or (de)activate an office. Routing follows immediately."""
    table = Office.__table__
    changes = body.model_dump(exclude_none=True)
    async with services.engine.begin() as conn:
        if changes:
            await conn.execute(update(table).where(table.c.code == code).values(**changes))
        row = (await conn.execute(select(table).where(table.c.code == code))).first()
    if row is None:
        raise ApiError(404, "office_not_found", f"No office {code}.")
    services.directory.invalidate()
    return OfficeOut.model_validate(row, from_attributes=True)
