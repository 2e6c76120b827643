"""The 2026 digital-bansos pilot as configuration: regions, pilot kab/kota and their offices.

The data lives in ``api/data/pilot.yaml`` (see its header for where it comes from and which
entries are example data). This package reads it, checks it against the Kemendagri region
tables in ``api/data/regions/`` and answers routing questions: is a kab/kota in the pilot,
which coordination region it belongs to, which office of a given type serves it, and which
provincial Dinas Sosial serves a province outside the pilot.

``model`` holds what the rest of the api reads, ``schema`` the file's shape (pydantic) and
the rules across its entries, ``errors`` the wording of what is wrong.

Pure: no database, no network. Loading fails loudly with :class:`PilotConfigError`, whose
message names the entry that is wrong.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from api.domain.pilot_config import errors
from api.domain.pilot_config.model import (
    REGENCY_OFFICE_TYPES,
    CoordinationRegion,
    OfficeSpec,
    OfficeType,
    PilotConfig,
    PilotConfigError,
    PilotRegency,
)
from api.domain.pilot_config.schema import PilotFile, kemendagri_regencies

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

DEFAULT_PILOT_PATH = Path(__file__).resolve().parents[2] / "data" / "pilot.yaml"


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
    counts = {"expected_regions": expected_regions, "expected_regencies": expected_regencies}
    try:
        checked = PilotFile.model_validate(raw, context=counts)
    except ValidationError as exc:
        raise PilotConfigError(f"{path}: {errors.message(exc, raw)}") from None
    return _built(checked)


def _built(checked: PilotFile) -> PilotConfig:
    """The checked file as the api reads it: offices typed, regencies named by Kemendagri."""
    known = kemendagri_regencies()
    desk = checked.national_desk
    national_desk = OfficeSpec(desk.code, desk.name, OfficeType.NASIONAL, desk.email)
    offices = [national_desk]
    regions: list[CoordinationRegion] = []
    regencies: list[PilotRegency] = []
    for region in checked.coordination_regions:
        desk = region.office
        region_office = OfficeSpec(
            desk.code, desk.name, OfficeType.WILAYAH, desk.email, coordination_region=region.code
        )
        offices.append(region_office)
        regions.append(
            CoordinationRegion(region.code, region.name, region.example_name, region_office)
        )
        for entry in region.regencies:
            kemendagri = known[entry.code]
            regencies.append(
                PilotRegency(
                    code=entry.code,
                    name=kemendagri.name,
                    kind=kemendagri.kind,
                    province_code=kemendagri.province_code,
                    confirmed=entry.confirmed,
                    coordination_region=region.code,
                )
            )
            offices += [
                OfficeSpec(
                    code=office.code,
                    name=office.name,
                    type=office.type,
                    email=office.email,
                    regency_code=entry.code,
                    province_code=kemendagri.province_code,
                    coordination_region=region.code,
                )
                for office in entry.offices
            ]
    offices += [
        OfficeSpec(p.code, p.name, OfficeType.PROVINSI, p.email, province_code=p.province)
        for p in checked.provincial_offices
    ]
    return PilotConfig(
        national_desk=national_desk,
        regions=tuple(regions),
        regencies=tuple(regencies),
        offices=tuple(offices),
    )
