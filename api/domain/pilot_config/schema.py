"""The shape of ``pilot.yaml`` as pydantic models, and the rules that tie its entries together.

Field types check each value on its own, Kemendagri codes included, strictly: a YAML ``1872``
is not the string "1872", a 1 is not ``true``. The file model's validator then checks what
spans entries, in the order a reader meets them: duplicates, one office per type and a DINSOS
for every pilot, the expected counts, a Dinas Sosial for every province. A broken rule raises
:class:`PilotConfigError` with its full message; ``errors.py`` words the rest.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from api.domain.pilot_config.model import REGENCY_OFFICE_TYPES, OfficeType, PilotConfigError

_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
_REGIONS_DIR = _DATA_DIR / "regions"

SUPPORTED_VERSION = 1

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- Kemendagri tables --------------------------------------------------------------------


@dataclass(frozen=True)
class KemendagriRegency:
    code: str
    province_code: str
    name: str
    kind: str


@cache
def kemendagri_provinces() -> dict[str, str]:
    with (_REGIONS_DIR / "provinces.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


@cache
def kemendagri_regencies() -> dict[str, KemendagriRegency]:
    with (_REGIONS_DIR / "regencies.csv").open(encoding="utf-8", newline="") as f:
        return {
            row["code"]: KemendagriRegency(
                row["code"], row["province_code"], row["name"], row["kind"]
            )
            for row in csv.DictReader(f)
        }


# --- values -------------------------------------------------------------------------------


def _stripped(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError("empty", "is empty")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise PydanticCustomError("email", "not an email address", {"value": value})
    return value


def _regency_office_type(value: str) -> OfficeType:
    if value not in REGENCY_OFFICE_TYPES:
        raise PydanticCustomError("office_type", "unknown office type", {"value": value})
    return OfficeType(value)


#: A string (never a number YAML read from an unquoted value), stripped, not empty.
Text = Annotated[str, AfterValidator(_stripped)]
Email = Annotated[Text, AfterValidator(_email)]
RegencyOfficeType = Annotated[Text, AfterValidator(_regency_office_type)]


def _kemendagri_regency(code: str) -> str:
    if code not in kemendagri_regencies():
        raise PydanticCustomError("kemendagri_regency", "not a Kemendagri code", {"value": code})
    return code


def _kemendagri_province(code: str) -> str:
    if code not in kemendagri_provinces():
        raise PydanticCustomError("kemendagri_province", "not a Kemendagri code", {"value": code})
    return code


RegencyCode = Annotated[Text, AfterValidator(_kemendagri_regency)]
ProvinceCode = Annotated[Text, AfterValidator(_kemendagri_province)]


# --- entries (fields in the order the "missing ..." message lists them) --------------------


class _Entry(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Desk(_Entry):
    """The national desk, or a coordination region's desk."""

    code: Text
    name: Text
    email: Email


class RegencyOffice(_Entry):
    type: RegencyOfficeType
    code: Text
    name: Text
    email: Email


class RegencyEntry(_Entry):
    code: RegencyCode
    confirmed: bool
    offices: list[RegencyOffice]


class RegionEntry(_Entry):
    code: Text
    name: Text
    example_name: bool
    office: Desk
    regencies: list[RegencyEntry]


class ProvincialEntry(_Entry):
    province: ProvinceCode
    code: Text
    name: Text
    email: Email


class PilotFile(_Entry):
    """The whole file. Validate with ``context={"expected_regions": …, "expected_regencies":
    …}`` (None skips a count)."""

    version: Any
    national_desk: Desk
    coordination_regions: list[RegionEntry]
    provincial_offices: list[ProvincialEntry]

    @field_validator("version")
    @classmethod
    def _supported_version(cls, version: Any) -> Any:
        if version != SUPPORTED_VERSION:
            raise PilotConfigError(
                f"version {version!r} is not supported (expected {SUPPORTED_VERSION})"
            )
        return version

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> PilotFile:
        context = info.context or {}
        offices = _OfficeCodes()
        offices.add(self.national_desk.code, "national_desk")
        regency_count = _check_regions(self.coordination_regions, offices)
        _check_counts(
            regions=[r.code for r in self.coordination_regions],
            regencies=regency_count,
            expected_regions=context.get("expected_regions"),
            expected_regencies=context.get("expected_regencies"),
        )
        _check_provincial_offices(self.provincial_offices, offices)
        return self


# --- rules across entries -----------------------------------------------------------------


class _OfficeCodes:
    """Refuses an office code used twice, naming both places."""

    def __init__(self) -> None:
        self._where: dict[str, str] = {}

    def add(self, code: str, where: str) -> None:
        first = self._where.get(code)
        if first is not None:
            raise PilotConfigError(
                f"{where}: office code {code} is duplicated (first used at {first})"
            )
        self._where[code] = where


def regency_place(code: str, name: str, region_code: str) -> str:
    """How messages name a pilot kab/kota: ``regency "3510" (Kabupaten Banyuwangi, in WK4)``."""
    return f'regency "{code}" ({name}, in {region_code})'


def _check_regions(regions: list[RegionEntry], offices: _OfficeCodes) -> int:
    """Every region and its regencies; returns how many pilot regencies there are."""
    known = kemendagri_regencies()
    region_of_regency: dict[str, str] = {}
    seen_regions: set[str] = set()
    for region in regions:
        where = f"coordination region {region.code}"
        if region.code in seen_regions:
            raise PilotConfigError(f"{where}: region code {region.code} is duplicated")
        seen_regions.add(region.code)
        offices.add(region.office.code, f"{where} office")
        if not region.regencies:
            raise PilotConfigError(f"{where}: lists no pilot regencies")
        for entry in region.regencies:
            regency = known[entry.code]
            first = region_of_regency.get(entry.code)
            if first is not None:
                raise PilotConfigError(
                    f'regency "{entry.code}" ({regency.name}) is listed twice, '
                    f"{_twice(first, region.code)}; a pilot kab/kota belongs to exactly one region"
                )
            region_of_regency[entry.code] = region.code
            _check_regency_offices(entry, regency.name, region.code, offices)
    return len(region_of_regency)


def _twice(first: str, second: str) -> str:
    if first == second:
        return f"in coordination region {second}"
    return f"in coordination regions {first} and {second}"


def _check_regency_offices(
    entry: RegencyEntry, name: str, region_code: str, offices: _OfficeCodes
) -> None:
    place = regency_place(entry.code, name, region_code)
    seen_types: set[OfficeType] = set()
    for office in entry.offices:
        where = f"{place} office {office.code}"
        if office.type in seen_types:
            raise PilotConfigError(
                f"{where}: a second {office.type.value} office for regency "
                f'"{entry.code}"; list one office per type'
            )
        seen_types.add(office.type)
        offices.add(office.code, where)
    if OfficeType.DINSOS not in seen_types:
        raise PilotConfigError(
            f"pilot {place} has no DINSOS office; every pilot kab/kota needs its Dinas Sosial"
        )


def _check_counts(
    *,
    regions: list[str],
    regencies: int,
    expected_regions: int | None,
    expected_regencies: int | None,
) -> None:
    if expected_regions is not None and len(regions) != expected_regions:
        raise PilotConfigError(
            f"expected {expected_regions} coordination regions, found {len(regions)} "
            f"({', '.join(regions) or 'none'})"
        )
    if expected_regencies is not None and regencies != expected_regencies:
        raise PilotConfigError(f"expected {expected_regencies} pilot regencies, found {regencies}")


def _check_provincial_offices(entries: list[ProvincialEntry], offices: _OfficeCodes) -> None:
    provinces = kemendagri_provinces()
    office_of_province: dict[str, str] = {}
    for entry in entries:
        where = f'provincial office for province "{entry.province}"'
        if entry.province in office_of_province:
            raise PilotConfigError(
                f'{where}: province "{entry.province}" ({provinces[entry.province]}) has more '
                f"than one provincial office (first: {office_of_province[entry.province]})"
            )
        office_of_province[entry.province] = entry.code
        offices.add(entry.code, f"{where} (office {entry.code})")
    missing = [code for code in provinces if code not in office_of_province]
    if missing:
        listed = ", ".join(f'"{code}" ({provinces[code]})' for code in missing)
        raise PilotConfigError(f"provincial_offices: no provincial office for province(s) {listed}")
