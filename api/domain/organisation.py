"""Offices and the categories' routing rules, as administrators change them.

Offices are deactivated, never deleted: complaints point at them. An office added here is
``managed_by="admin"`` so reloading the pilot file keeps it. Every change runs in the
caller's transaction (``conn``) and returns the record before and after, for the audit.
Callers refresh the directory cache after a change (``DirectoryCache.invalidate``); other
processes follow within its lifetime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.pilot_config import REGENCY_OFFICE_TYPES, OfficeType
from api.domain.regions import RegionCodes
from api.models import ComplaintCategory, CoordinationRegion, Office


@dataclass(frozen=True)
class CategoryRule:
    code: str
    label_id: str
    office_type: str
    resolve_days: int
    active: bool
    deadline_tier: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class OfficeRecord:
    code: str
    name: str
    type: str
    email: str | None
    regency_code: str | None
    province_code: str | None
    coordination_region_code: str | None
    active: bool


@dataclass(frozen=True)
class NewOffice:
    code: str
    name: str
    type: OfficeType
    email: str | None = None
    regency_code: str | None = None
    province_code: str | None = None
    coordination_region_code: str | None = None


Record = TypeVar("Record")


@dataclass(frozen=True)
class Change(Generic[Record]):  # noqa: UP046 - the project still supports Python 3.11
    before: Record | None
    after: Record


class OrganisationProblem(StrEnum):
    CATEGORY_NOT_FOUND = "category_not_found"
    OFFICE_NOT_FOUND = "office_not_found"
    OFFICE_EXISTS = "office_exists"
    OFFICE_TYPE_INVALID = "office_type_invalid"
    OFFICE_PLACE_MISSING = "office_place_missing"
    REGENCY_UNKNOWN = "regency_unknown"
    PROVINCE_UNKNOWN = "province_unknown"
    REGION_UNKNOWN = "region_unknown"
    CODE_INVALID = "office_code_invalid"
    NAME_INVALID = "office_name_invalid"
    EMAIL_INVALID = "office_email_invalid"


#: The form field each problem is about (a page shows the message next to it).
FIELD_OF = {
    OrganisationProblem.OFFICE_EXISTS: "code",
    OrganisationProblem.CODE_INVALID: "code",
    OrganisationProblem.NAME_INVALID: "name",
    OrganisationProblem.EMAIL_INVALID: "email",
    OrganisationProblem.OFFICE_TYPE_INVALID: "office_type",
    OrganisationProblem.REGENCY_UNKNOWN: "regency_code",
    OrganisationProblem.PROVINCE_UNKNOWN: "province_code",
    OrganisationProblem.REGION_UNKNOWN: "coordination_region_code",
}
_CODE = re.compile(r"^[A-Z0-9-]{2,32}$")
# Enough to catch a slip of the keyboard; the mail server is the judge of the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_office_fields(
    *, code: str | None = None, name: str | None = None, email: str | None = None
) -> None:
    """The rules of an office's own fields, as the JSON API's schema states them."""
    if code is not None and not _CODE.fullmatch(code):
        raise OrganisationError(OrganisationProblem.CODE_INVALID)
    if name is not None and not 3 <= len(name.strip()) <= 200:
        raise OrganisationError(OrganisationProblem.NAME_INVALID)
    if email and (len(email) > 200 or not _EMAIL.fullmatch(email)):
        raise OrganisationError(OrganisationProblem.EMAIL_INVALID)


class OrganisationError(ValueError):
    def __init__(self, problem: OrganisationProblem, **params: str) -> None:
        super().__init__(problem.value)
        self.problem, self.params = problem, params


# Where each kind of office sits: the column that must name its place (None: anywhere).
_PLACE_OF = {
    OfficeType.PROVINSI: "province_code",
    OfficeType.WILAYAH: "coordination_region_code",
    OfficeType.NASIONAL: None,
}


def _category_rule(row) -> CategoryRule:
    return CategoryRule(
        row.code,
        row.label_id,
        row.office_type,
        row.resolve_days,
        row.active,
        deadline_tier=row.deadline_tier,
        label_en=row.label_en,
    )


def _office(row) -> OfficeRecord:
    return OfficeRecord(
        code=row.code,
        name=row.name,
        type=row.type,
        email=row.email,
        regency_code=row.regency_code,
        province_code=row.province_code,
        coordination_region_code=row.coordination_region_code,
        active=row.active,
    )


async def category_rules(engine: AsyncEngine) -> list[CategoryRule]:
    table = ComplaintCategory.__table__
    async with engine.connect() as conn:
        rows = (await conn.execute(select(table).order_by(table.c.position))).all()
    return [_category_rule(row) for row in rows]


async def change_category_rule(
    conn: AsyncConnection, code: str, *, office_type: str | None, active: bool | None
) -> Change[CategoryRule]:
    """Route a category to another office type, or take it out of (or back into) service."""
    if office_type is not None and office_type not in REGENCY_OFFICE_TYPES:
        raise OrganisationError(
            OrganisationProblem.OFFICE_TYPE_INVALID,
            allowed=", ".join(sorted(REGENCY_OFFICE_TYPES)),
        )
    changes = {
        name: value
        for name, value in (("office_type", office_type), ("active", active))
        if value is not None
    }
    table = ComplaintCategory.__table__
    before = (await conn.execute(select(table).where(table.c.code == code))).first()
    if before is None:
        raise OrganisationError(OrganisationProblem.CATEGORY_NOT_FOUND, code=code)
    if changes:
        await conn.execute(update(table).where(table.c.code == code).values(**changes))
    after = (await conn.execute(select(table).where(table.c.code == code))).one()
    return Change(_category_rule(before), _category_rule(after))


async def offices(engine: AsyncEngine) -> list[OfficeRecord]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Office.__table__).order_by(Office.code))).all()
    return [_office(row) for row in rows]


async def add_office(
    conn: AsyncConnection, office: NewOffice, *, regions: RegionCodes
) -> Change[OfficeRecord]:
    """Add an office; its type says where it sits (a kab/kota, a province, a region desk)."""
    check_office_fields(code=office.code, name=office.name, email=office.email)
    needs = _PLACE_OF.get(office.type, "regency_code")
    if needs and getattr(office, needs) is None:
        raise OrganisationError(
            OrganisationProblem.OFFICE_PLACE_MISSING, type=office.type.value, needs=needs
        )
    if office.regency_code and regions.regency(office.regency_code) is None:
        raise OrganisationError(OrganisationProblem.REGENCY_UNKNOWN)
    # Each place is a foreign key: an unknown one is the admin's mistake to be told, not a
    # constraint failure (a 500) at the insert.
    if office.province_code and regions.province(office.province_code) is None:
        raise OrganisationError(OrganisationProblem.PROVINCE_UNKNOWN)
    if office.coordination_region_code and not await conn.scalar(
        select(CoordinationRegion.code).where(
            CoordinationRegion.code == office.coordination_region_code
        )
    ):
        raise OrganisationError(OrganisationProblem.REGION_UNKNOWN)
    table = Office.__table__
    if await conn.scalar(select(table.c.code).where(table.c.code == office.code)):
        raise OrganisationError(OrganisationProblem.OFFICE_EXISTS, code=office.code)
    await conn.execute(
        insert(table).values(
            code=office.code,
            name=office.name,
            type=office.type.value,
            email=office.email,
            regency_code=office.regency_code,
            province_code=office.province_code,
            coordination_region_code=office.coordination_region_code,
            active=True,
            managed_by="admin",
        )
    )
    row = (await conn.execute(select(table).where(table.c.code == office.code))).one()
    return Change(None, _office(row))


async def change_office(
    conn: AsyncConnection,
    code: str,
    *,
    name: str | None = None,
    email: str | None = None,
    active: bool | None = None,
) -> Change[OfficeRecord]:
    """Rename, change the e-mail, or (de)activate an office. Routing follows immediately."""
    check_office_fields(name=name, email=email)
    changes = {
        field: value
        for field, value in (("name", name), ("email", email), ("active", active))
        if value is not None
    }
    table = Office.__table__
    before = (await conn.execute(select(table).where(table.c.code == code))).first()
    if before is None:
        raise OrganisationError(OrganisationProblem.OFFICE_NOT_FOUND, code=code)
    if changes:
        await conn.execute(update(table).where(table.c.code == code).values(**changes))
    after = (await conn.execute(select(table).where(table.c.code == code))).one()
    return Change(_office(before), _office(after))
