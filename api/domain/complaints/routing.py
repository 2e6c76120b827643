"""Which office receives a complaint, and why: a pure function over data.

The model is FixMyStreet's: offices cover areas, and a category names the type of office
that handles it. For a complaint from kab/kota R about a category handled by type T:

1. R is a pilot kab/kota with an active office of type T → that office.
2. R is a pilot kab/kota without one → its Dinas Sosial (the default for aid matters).
3. R is a pilot kab/kota with neither → its coordination region's desk.
4. R is outside the pilot → the Dinas Sosial of R's province.
5. Nothing above exists → the national desk.

A complaint whose domicile is not known yet waits at a triage desk (:func:`triage_desk`)
until a desk officer sets it and it is routed by the rules above.

The decision carries its reason, which is stored with the complaint and shown to handlers.
Forwarding ("no wrong door") and escalation use the same table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from api.domain.pilot_config import OfficeType

#: After this many transfers, a further forward goes to the coordination region instead.
MAX_TRANSFERS = 3


class RoutingReason(StrEnum):
    PILOT_OFFICE = "pilot_office"
    PILOT_DEFAULT_DINSOS = "pilot_default_dinsos"
    PILOT_REGION_DESK = "pilot_region_desk"
    PROVINCE_OUTSIDE_PILOT = "province_outside_pilot"
    NATIONAL_DESK = "national_desk"
    FORWARDED = "forwarded"
    TRANSFER_LIMIT = "transfer_limit"
    REOPENED = "reopened"
    TRIAGE_REGION_DESK = "triage_region_desk"
    TRIAGE_NATIONAL_DESK = "triage_national_desk"
    TRIAGED = "triaged"


@dataclass(frozen=True, slots=True)
class OfficeInfo:
    code: str
    type: str
    regency_code: str | None = None
    province_code: str | None = None
    coordination_region_code: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    office_code: str
    reason: RoutingReason


@dataclass(frozen=True)
class RoutingTable:
    """The offices, indexed the ways routing asks for them. Build with :meth:`from_offices`."""

    # pilot kab/kota code → its coordination region code
    pilot_regencies: Mapping[str, str]
    offices: Mapping[str, OfficeInfo] = field(default_factory=dict)
    by_regency_and_type: Mapping[tuple[str, str], str] = field(default_factory=dict)
    province_desks: Mapping[str, str] = field(default_factory=dict)
    region_desks: Mapping[str, str] = field(default_factory=dict)
    national_desk: str | None = None

    @classmethod
    def from_offices(
        cls, offices: Iterable[OfficeInfo], *, pilot_regencies: Mapping[str, str]
    ) -> RoutingTable:
        all_offices, by_regency_and_type, provinces, regions = {}, {}, {}, {}
        national = None
        for office in offices:
            all_offices[office.code] = office
            if not office.active:
                continue
            if office.type == OfficeType.NASIONAL:
                national = office.code
            elif office.type == OfficeType.WILAYAH and office.coordination_region_code:
                regions[office.coordination_region_code] = office.code
            elif office.type == OfficeType.PROVINSI and office.province_code:
                provinces[office.province_code] = office.code
            elif office.regency_code:
                by_regency_and_type[(office.regency_code, office.type)] = office.code
        return cls(
            pilot_regencies=dict(pilot_regencies),
            offices=all_offices,
            by_regency_and_type=by_regency_and_type,
            province_desks=provinces,
            region_desks=regions,
            national_desk=national,
        )

    def region_desk_for(self, regency_code: str) -> str | None:
        region = self.pilot_regencies.get(regency_code)
        return self.region_desks.get(region) if region else None


class NoOfficeError(LookupError):
    """Not even a national desk is configured: the reference data was never loaded."""


def route(*, regency_code: str, office_type: str, table: RoutingTable) -> RoutingDecision:
    """The office for a complaint from ``regency_code`` handled by ``office_type``."""
    if regency_code in table.pilot_regencies:
        own = table.by_regency_and_type.get((regency_code, office_type))
        if own:
            return RoutingDecision(own, RoutingReason.PILOT_OFFICE)
        dinsos = table.by_regency_and_type.get((regency_code, OfficeType.DINSOS))
        if dinsos:
            return RoutingDecision(dinsos, RoutingReason.PILOT_DEFAULT_DINSOS)
        desk = table.region_desk_for(regency_code)
        if desk:
            return RoutingDecision(desk, RoutingReason.PILOT_REGION_DESK)
    else:
        province = table.province_desks.get(regency_code[:2])
        if province:
            return RoutingDecision(province, RoutingReason.PROVINCE_OUTSIDE_PILOT)
    return RoutingDecision(_national(table), RoutingReason.NATIONAL_DESK)


def triage_desk(*, regency_code: str | None, table: RoutingTable) -> RoutingDecision:
    """Where a complaint whose domicile is not known waits for a desk officer: the
    coordination region's desk when the reporter named one of its pilot kab/kota, else the
    national desk."""
    desk = table.region_desk_for(regency_code) if regency_code else None
    if desk:
        return RoutingDecision(desk, RoutingReason.TRIAGE_REGION_DESK)
    return RoutingDecision(_national(table), RoutingReason.TRIAGE_NATIONAL_DESK)


def escalation_office(*, regency_code: str, table: RoutingTable) -> str:
    """Above an office: its coordination region's desk, or the national desk outside the pilot."""
    return table.region_desk_for(regency_code) or _national(table)


def forward(
    *, regency_code: str, to_office: str, transfers_so_far: int, table: RoutingTable
) -> RoutingDecision:
    """Where a forwarded complaint lands: the requested office, or above it past the limit."""
    if transfers_so_far >= MAX_TRANSFERS:
        return RoutingDecision(
            escalation_office(regency_code=regency_code, table=table),
            RoutingReason.TRANSFER_LIMIT,
        )
    return RoutingDecision(to_office, RoutingReason.FORWARDED)


def _national(table: RoutingTable) -> str:
    if table.national_desk is None:
        raise NoOfficeError("no active national desk; run `bansos load-reference`")
    return table.national_desk
