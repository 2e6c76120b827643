"""What the pilot configuration says, as the rest of the api reads it: offices and their types,
pilot kab/kota, coordination regions, and the routing questions a :class:`PilotConfig` answers.

Built by ``load_pilot_config`` (this package) from a file that passed every check; pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
