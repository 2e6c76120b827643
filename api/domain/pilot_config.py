"""The 2026 digital-bansos pilot as configuration: regions, pilot kab/kota and their offices.

The data lives in ``api/data/pilot.yaml`` (see its header for where it comes from and which
entries are example data). This module reads it, checks it against the Kemendagri region
tables in ``api/data/regions/`` and answers routing questions: is a kab/kota in the pilot,
which coordination region it belongs to, which office of a given type serves it, and which
provincial Dinas Sosial serves a province outside the pilot.

Pure: no database, no network. Loading fails loudly with :class:`PilotConfigError`, whose
message names the entry that is wrong.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DEFAULT_PILOT_PATH",
    "REGENCY_OFFICE_TYPES",
    "CoordinationRegion",
    "OfficeSpec",
    "OfficeType",
    "PilotConfig",
    "PilotConfigError",
    "PilotRegency",
    "load_pilot_config",
]

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_PILOT_PATH = _DATA_DIR / "pilot.yaml"
_REGIONS_DIR = _DATA_DIR / "regions"

SUPPORTED_VERSION = 1


class PilotConfigError(ValueError):
    """The pilot configuration is malformed or inconsistent; the message says where."""


class OfficeType(StrEnum):
    """What an office does. Members compare equal to their plain string values."""

    DINSOS = "DINSOS"  # Dinas Sosial of a pilot kab/kota: default for aid matters
    DUKCAPIL = "DUKCAPIL"  # civil-registry (population) data
    INSPEKTORAT = "INSPEKTORAT"  # pungli and abuse by officials or agents
    PENYALUR = "PENYALUR"  # bank (Himbara) / PT Pos desk: KKS card and account problems
    PROVINSI = "PROVINSI"  # a province's Dinas Sosial (outside the pilot)
    WILAYAH = "WILAYAH"  # a coordination region's desk
    NASIONAL = "NASIONAL"  # the national complaint desk


#: Office types a pilot kab/kota may list in the YAML file.
REGENCY_OFFICE_TYPES: frozenset[OfficeType] = frozenset(
    {OfficeType.DINSOS, OfficeType.DUKCAPIL, OfficeType.INSPEKTORAT, OfficeType.PENYALUR}
)


@dataclass(frozen=True)
class OfficeSpec:
    code: str
    name: str
    type: OfficeType
    email: str
    regency_code: str | None = None
    province_code: str | None = None
    coordination_region: str | None = None


@dataclass(frozen=True)
class PilotRegency:
    code: str  # 4-digit Kemendagri code, e.g. "3510"
    name: str  # as in regencies.csv, e.g. "Kabupaten Banyuwangi"
    kind: str  # "kabupaten" or "kota"
    province_code: str
    confirmed: bool  # press-confirmed pilot; False = example data awaiting the ministry's list
    coordination_region: str  # code of its CoordinationRegion, e.g. "WK4"


@dataclass(frozen=True)
class CoordinationRegion:
    code: str
    name: str
    example_name: bool  # True while the official name is unpublished
    office: OfficeSpec


@dataclass(frozen=True)
class PilotConfig:
    national_desk: OfficeSpec
    regions: tuple[CoordinationRegion, ...]
    regencies: tuple[PilotRegency, ...]
    offices: tuple[OfficeSpec, ...]  # every office: national, regional, per regency, provincial

    _regency_by_code: dict[str, PilotRegency] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _region_by_code: dict[str, CoordinationRegion] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _office_by_code: dict[str, OfficeSpec] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _office_by_regency_type: dict[tuple[str, str], OfficeSpec] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _provincial_by_province: dict[str, OfficeSpec] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regency_by_code", {r.code: r for r in self.regencies})
        object.__setattr__(self, "_region_by_code", {r.code: r for r in self.regions})
        object.__setattr__(self, "_office_by_code", {o.code: o for o in self.offices})
        object.__setattr__(
            self,
            "_office_by_regency_type",
            {
                (o.regency_code, str(o.type)): o
                for o in self.offices
                if o.regency_code is not None and o.type in REGENCY_OFFICE_TYPES
            },
        )
        object.__setattr__(
            self,
            "_provincial_by_province",
            {
                o.province_code: o
                for o in self.offices
                if o.type is OfficeType.PROVINSI and o.province_code is not None
            },
        )

    def regency(self, code: str) -> PilotRegency | None:
        """The pilot kab/kota with this 4-digit code, or None when it is not in the pilot."""
        return self._regency_by_code.get(code)

    def is_pilot(self, regency_code: str) -> bool:
        return regency_code in self._regency_by_code

    def region(self, code: str) -> CoordinationRegion | None:
        """The coordination region with this code (e.g. "WK1"), or None."""
        return self._region_by_code.get(code)

    def region_of(self, regency_code: str) -> CoordinationRegion | None:
        """The coordination region of a pilot kab/kota; None outside the pilot."""
        regency = self._regency_by_code.get(regency_code)
        return None if regency is None else self._region_by_code[regency.coordination_region]

    def office(self, code: str) -> OfficeSpec | None:
        """Any office (national, regional, regency or provincial) by its code, or None."""
        return self._office_by_code.get(code)

    def office_for(self, regency_code: str, office_type: str) -> OfficeSpec | None:
        """The pilot kab/kota's office of this type (DINSOS, DUKCAPIL, INSPEKTORAT,
        PENYALUR), or None when the regency is not in the pilot or lists no such office."""
        return self._office_by_regency_type.get((regency_code, str(office_type)))

    def provincial_office(self, province_code: str) -> OfficeSpec | None:
        """The Dinas Sosial of a province (2-digit code), or None for an unknown province."""
        return self._provincial_by_province.get(province_code)


# --- Kemendagri tables --------------------------------------------------------------------


@dataclass(frozen=True)
class _KemendagriRegency:
    code: str
    province_code: str
    name: str
    kind: str


@cache
def _kemendagri_provinces() -> dict[str, str]:
    with (_REGIONS_DIR / "provinces.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


@cache
def _kemendagri_regencies() -> dict[str, _KemendagriRegency]:
    with (_REGIONS_DIR / "regencies.csv").open(encoding="utf-8", newline="") as f:
        return {
            row["code"]: _KemendagriRegency(
                row["code"], row["province_code"], row["name"], row["kind"]
            )
            for row in csv.DictReader(f)
        }


# --- loading ------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _mapping(
    value: Any, where: str, required: Iterable[str], optional: Iterable[str] = ()
) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PilotConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    required = tuple(required)
    allowed = set(required) | set(optional)
    missing = [key for key in required if key not in value]
    if missing:
        raise PilotConfigError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise PilotConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PilotConfigError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _text(mapping: Mapping[str, Any], key: str, where: str) -> str:
    value = mapping[key]
    if isinstance(value, bool) or not isinstance(value, str):
        hint = f' (write it quoted: "{value}")' if isinstance(value, int) else ""
        raise PilotConfigError(f"{where}: {key} must be a string, got {value!r}{hint}")
    value = value.strip()
    if not value:
        raise PilotConfigError(f"{where}: {key} is empty")
    return value


def _flag(mapping: Mapping[str, Any], key: str, where: str) -> bool:
    value = mapping[key]
    if not isinstance(value, bool):
        raise PilotConfigError(f"{where}: {key} must be true or false, got {value!r}")
    return value


def _email(mapping: Mapping[str, Any], where: str) -> str:
    value = _text(mapping, "email", where)
    if not _EMAIL.match(value):
        raise PilotConfigError(f"{where}: email {value!r} is not an email address")
    return value


class _Offices:
    """Collects offices and refuses a code used twice, naming both places."""

    def __init__(self) -> None:
        self.items: list[OfficeSpec] = []
        self._where: dict[str, str] = {}

    def add(self, office: OfficeSpec, where: str) -> None:
        first = self._where.get(office.code)
        if first is not None:
            raise PilotConfigError(
                f"{where}: office code {office.code} is duplicated (first used at {first})"
            )
        self._where[office.code] = where
        self.items.append(office)


def load_pilot_config(
    path: Path | None = None,
    *,
    expected_regions: int | None = 7,
    expected_regencies: int | None = 40,
) -> PilotConfig:
    """Read and validate the pilot configuration (default: the packaged api/data/pilot.yaml).

    ``expected_regions`` / ``expected_regencies`` are the programme's 7 coordination regions
    and 40 pilot kab/kota; pass other numbers (or None to skip the check) for test files.
    Raises :class:`PilotConfigError` naming the offending entry.
    """
    path = DEFAULT_PILOT_PATH if path is None else Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PilotConfigError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return _parse(raw, expected_regions, expected_regencies)
    except PilotConfigError as exc:
        raise PilotConfigError(f"{path}: {exc}") from None


def _parse(raw: Any, expected_regions: int | None, expected_regencies: int | None) -> PilotConfig:
    kemendagri_regencies = _kemendagri_regencies()
    kemendagri_provinces = _kemendagri_provinces()

    top = _mapping(
        raw,
        "top level",
        required=("version", "national_desk", "coordination_regions", "provincial_offices"),
    )
    if top["version"] != SUPPORTED_VERSION:
        raise PilotConfigError(
            f"version {top['version']!r} is not supported (expected {SUPPORTED_VERSION})"
        )

    offices = _Offices()

    where = "national_desk"
    desk = _mapping(top["national_desk"], where, required=("code", "name", "email"))
    national_desk = OfficeSpec(
        code=_text(desk, "code", where),
        name=_text(desk, "name", where),
        type=OfficeType.NASIONAL,
        email=_email(desk, where),
    )
    offices.add(national_desk, where)

    regions: list[CoordinationRegion] = []
    regencies: list[PilotRegency] = []
    regency_where: dict[str, str] = {}

    raw_regions = _list(top["coordination_regions"], "coordination_regions")
    for i, raw_region in enumerate(raw_regions):
        where = f"coordination_regions[{i}]"
        region = _mapping(
            raw_region,
            where,
            required=("code", "name", "example_name", "office", "regencies"),
        )
        region_code = _text(region, "code", where)
        where = f"coordination region {region_code}"
        if any(r.code == region_code for r in regions):
            raise PilotConfigError(f"{where}: region code {region_code} is duplicated")

        office_where = f"{where} office"
        raw_office = _mapping(region["office"], office_where, required=("code", "name", "email"))
        region_office = OfficeSpec(
            code=_text(raw_office, "code", office_where),
            name=_text(raw_office, "name", office_where),
            type=OfficeType.WILAYAH,
            email=_email(raw_office, office_where),
            coordination_region=region_code,
        )
        offices.add(region_office, office_where)
        regions.append(
            CoordinationRegion(
                code=region_code,
                name=_text(region, "name", where),
                example_name=_flag(region, "example_name", where),
                office=region_office,
            )
        )

        raw_regencies = _list(region["regencies"], f"{where} regencies")
        if not raw_regencies:
            raise PilotConfigError(f"{where}: lists no pilot regencies")
        for j, raw_regency in enumerate(raw_regencies):
            entry_where = f"{where} regencies[{j}]"
            entry = _mapping(raw_regency, entry_where, required=("code", "confirmed", "offices"))
            code = _text(entry, "code", entry_where)
            known = kemendagri_regencies.get(code)
            if known is None:
                raise PilotConfigError(
                    f'{where}: regency "{code}" is not a Kemendagri kabupaten/kota code '
                    f"(see api/data/regions/regencies.csv)"
                )
            first = regency_where.get(code)
            if first is not None:
                places = (
                    f"in coordination region {region_code}"
                    if first == region_code
                    else f"in coordination regions {first} and {region_code}"
                )
                raise PilotConfigError(
                    f'regency "{code}" ({known.name}) is listed twice, {places}; '
                    f"a pilot kab/kota belongs to exactly one region"
                )
            regency_where[code] = region_code
            regency_where_here = f'regency "{code}" ({known.name}, in {region_code})'

            regencies.append(
                PilotRegency(
                    code=code,
                    name=known.name,
                    kind=known.kind,
                    province_code=known.province_code,
                    confirmed=_flag(entry, "confirmed", regency_where_here),
                    coordination_region=region_code,
                )
            )

            seen_types: set[OfficeType] = set()
            raw_offices = _list(entry["offices"], f"{regency_where_here} offices")
            for k, raw_office in enumerate(raw_offices):
                office_where = f"{regency_where_here} offices[{k}]"
                office = _mapping(
                    raw_office, office_where, required=("type", "code", "name", "email")
                )
                office_code = _text(office, "code", office_where)
                office_where = f"{regency_where_here} office {office_code}"
                type_text = _text(office, "type", office_where)
                if type_text not in REGENCY_OFFICE_TYPES:
                    allowed = ", ".join(t.value for t in OfficeType if t in REGENCY_OFFICE_TYPES)
                    raise PilotConfigError(
                        f'{office_where}: unknown office type "{type_text}"; allowed: {allowed}'
                    )
                office_type = OfficeType(type_text)
                if office_type in seen_types:
                    raise PilotConfigError(
                        f"{office_where}: a second {office_type.value} office for regency "
                        f'"{code}"; list one office per type'
                    )
                seen_types.add(office_type)
                offices.add(
                    OfficeSpec(
                        code=office_code,
                        name=_text(office, "name", office_where),
                        type=office_type,
                        email=_email(office, office_where),
                        regency_code=code,
                        province_code=known.province_code,
                        coordination_region=region_code,
                    ),
                    office_where,
                )
            if OfficeType.DINSOS not in seen_types:
                raise PilotConfigError(
                    f'pilot regency "{code}" ({known.name}, in {region_code}) has no DINSOS '
                    f"office; every pilot kab/kota needs its Dinas Sosial"
                )

    if expected_regions is not None and len(regions) != expected_regions:
        raise PilotConfigError(
            f"expected {expected_regions} coordination regions, found {len(regions)} "
            f"({', '.join(r.code for r in regions) or 'none'})"
        )
    if expected_regencies is not None and len(regencies) != expected_regencies:
        raise PilotConfigError(
            f"expected {expected_regencies} pilot regencies, found {len(regencies)}"
        )

    provincial_where: dict[str, str] = {}
    raw_provincial = _list(top["provincial_offices"], "provincial_offices")
    for i, raw_office in enumerate(raw_provincial):
        where = f"provincial_offices[{i}]"
        office = _mapping(raw_office, where, required=("province", "code", "name", "email"))
        province = _text(office, "province", where)
        where = f'provincial office for province "{province}"'
        if province not in kemendagri_provinces:
            raise PilotConfigError(
                f"{where}: {province} is not a Kemendagri province code "
                f"(see api/data/regions/provinces.csv)"
            )
        if province in provincial_where:
            raise PilotConfigError(
                f'{where}: province "{province}" ({kemendagri_provinces[province]}) has more '
                f"than one provincial office (first: {provincial_where[province]})"
            )
        office_code = _text(office, "code", where)
        provincial_where[province] = office_code
        offices.add(
            OfficeSpec(
                code=office_code,
                name=_text(office, "name", where),
                type=OfficeType.PROVINSI,
                email=_email(office, where),
                province_code=province,
            ),
            f"{where} (office {office_code})",
        )
    missing = [code for code in kemendagri_provinces if code not in provincial_where]
    if missing:
        listed = ", ".join(f'"{code}" ({kemendagri_provinces[code]})' for code in missing)
        raise PilotConfigError(f"provincial_offices: no provincial office for province(s) {listed}")

    return PilotConfig(
        national_desk=national_desk,
        regions=tuple(regions),
        regencies=tuple(regencies),
        offices=tuple(offices.items),
    )
