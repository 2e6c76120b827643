"""Routing: which office receives a complaint, and why (a pure function over data)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from api.domain.complaints.routing import (
    MAX_TRANSFERS,
    NoOfficeError,
    OfficeInfo,
    RoutingDecision,
    RoutingReason,
    RoutingTable,
    escalation_office,
    forward,
    route,
    triage_desk,
)
from api.domain.pilot_config import REGENCY_OFFICE_TYPES, load_pilot_config


def _pilot_office(code: str, type_: str, regency: str, *, active: bool = True) -> OfficeInfo:
    # As api/data/pilot.yaml describes them: a pilot kab/kota's office carries its province and
    # coordination region too, and routing must still tell it from the desks above it.
    return OfficeInfo(code, type_, regency, regency[:2], "WK4", active)


OFFICES = [
    _pilot_office("DINSOS-3510", "DINSOS", "3510"),
    _pilot_office("INSPEKTORAT-3510", "INSPEKTORAT", "3510"),
    _pilot_office("DUKCAPIL-3510", "DUKCAPIL", "3510", active=False),
    _pilot_office("DINSOS-3578", "DINSOS", "3578"),
    OfficeInfo("WK4", "WILAYAH", coordination_region_code="WK4"),
    OfficeInfo("DINSOS-PROV-35", "PROVINSI", province_code="35"),
    OfficeInfo("NASIONAL", "NASIONAL"),
]
# 3510 and 3578 are pilots in WK4; 3599 is a pilot whose offices are not set up yet.
TABLE = RoutingTable.from_offices(
    OFFICES, pilot_regencies={"3510": "WK4", "3578": "WK4", "3599": "WK4"}
)


def test_a_pilot_kab_kota_office_of_the_categorys_type_receives_it():
    assert route(regency_code="3510", office_type="INSPEKTORAT", table=TABLE) == RoutingDecision(
        "INSPEKTORAT-3510", RoutingReason.PILOT_OFFICE
    )


def test_without_an_active_office_of_that_type_the_dinas_sosial_receives_it():
    # DUKCAPIL-3510 exists but is inactive; PENYALUR does not exist at all.
    for office_type in ("DUKCAPIL", "PENYALUR"):
        assert route(regency_code="3510", office_type=office_type, table=TABLE) == (
            RoutingDecision("DINSOS-3510", RoutingReason.PILOT_DEFAULT_DINSOS)
        )


def test_a_pilot_kab_kota_without_offices_goes_to_its_coordination_region():
    assert route(regency_code="3599", office_type="DINSOS", table=TABLE) == RoutingDecision(
        "WK4", RoutingReason.PILOT_REGION_DESK
    )


def test_route_falls_back_to_province_when_region_not_piloted():
    assert route(regency_code="3525", office_type="DINSOS", table=TABLE) == RoutingDecision(
        "DINSOS-PROV-35", RoutingReason.PROVINCE_OUTSIDE_PILOT
    )


def test_a_province_without_its_dinas_goes_to_the_national_desk():
    assert route(regency_code="9471", office_type="DINSOS", table=TABLE) == RoutingDecision(
        "NASIONAL", RoutingReason.NATIONAL_DESK
    )


def test_a_complaint_naming_a_pilot_kab_kota_waits_at_its_regions_triage_desk():
    assert triage_desk(regency_code="3510", table=TABLE) == RoutingDecision(
        "WK4", RoutingReason.TRIAGE_REGION_DESK
    )


@pytest.mark.parametrize("regency_code", [None, "", "3525"], ids=["none", "blank", "not pilot"])
def test_a_complaint_naming_no_pilot_kab_kota_waits_at_the_national_triage_desk(regency_code):
    assert triage_desk(regency_code=regency_code, table=TABLE) == RoutingDecision(
        "NASIONAL", RoutingReason.TRIAGE_NATIONAL_DESK
    )


def test_triage_without_a_national_desk_is_a_configuration_error():
    with pytest.raises(NoOfficeError):
        triage_desk(regency_code=None, table=RoutingTable.from_offices([], pilot_regencies={}))


def test_no_national_desk_at_all_is_a_configuration_error():
    empty = RoutingTable.from_offices([], pilot_regencies={})

    with pytest.raises(NoOfficeError) as caught:
        route(regency_code="9471", office_type="DINSOS", table=empty)
    # The operator reads what to do.
    assert str(caught.value) == "no active national desk; run `bansos load-reference`"


def test_the_table_knows_every_office_by_code_even_an_inactive_one():
    # A forward names its office by code: an inactive one must be recognised to be refused.
    assert dict(TABLE.offices) == {office.code: office for office in OFFICES}
    assert not TABLE.offices["DUKCAPIL-3510"].active


def test_a_forward_goes_where_asked_until_the_transfer_limit():
    for transfers in range(MAX_TRANSFERS):
        assert forward(
            regency_code="3510", to_office="DINSOS-3578", transfers_so_far=transfers, table=TABLE
        ) == RoutingDecision("DINSOS-3578", RoutingReason.FORWARDED)


def test_after_three_transfers_a_complaint_goes_to_the_coordination_region():
    assert forward(
        regency_code="3510", to_office="DINSOS-3578", transfers_so_far=3, table=TABLE
    ) == RoutingDecision("WK4", RoutingReason.TRANSFER_LIMIT)


def test_above_an_office_outside_the_pilot_is_the_national_desk():
    assert escalation_office(regency_code="3510", table=TABLE) == "WK4"
    assert escalation_office(regency_code="3525", table=TABLE) == "NASIONAL"


# -- the real pilot offices (api/data/pilot.yaml) ---------------------------------------

PILOT = load_pilot_config()


def _real_offices() -> list[OfficeInfo]:
    # The same mapping as api/domain/reference_data.py writes into the office table.
    return [
        OfficeInfo(o.code, str(o.type), o.regency_code, o.province_code, o.coordination_region)
        for o in PILOT.offices
    ]


def _real_table(offices: list[OfficeInfo] | None = None) -> RoutingTable:
    return RoutingTable.from_offices(
        _real_offices() if offices is None else offices,
        pilot_regencies={r.code: r.coordination_region for r in PILOT.regencies},
    )


REAL = _real_table()


def test_every_pilot_kab_kota_routes_each_office_type_to_its_own_office():
    for regency in PILOT.regencies:
        for office_type in REGENCY_OFFICE_TYPES:
            decision = route(regency_code=regency.code, office_type=office_type, table=REAL)
            assert decision == RoutingDecision(
                f"{office_type}-{regency.code}", RoutingReason.PILOT_OFFICE
            ), regency.code


def test_the_real_desks_above_the_offices_are_the_seven_regions_the_provinces_and_the_nation():
    assert dict(REAL.region_desks) == {r.code: r.office.code for r in PILOT.regions}
    assert set(REAL.province_desks.values()) == {
        o.code for o in PILOT.offices if o.type == "PROVINSI"
    }
    assert REAL.national_desk == "NASIONAL"
    assert len(REAL.by_regency_and_type) == 4 * len(PILOT.regencies)


def test_every_kab_kota_outside_the_pilot_goes_to_its_provinces_dinas_sosial():
    regencies = Path(__file__).resolve().parents[4] / "api" / "data" / "regions" / "regencies.csv"
    with regencies.open(encoding="utf-8", newline="") as f:
        outside = [row for row in csv.DictReader(f) if not PILOT.is_pilot(row["code"])]

    assert len(outside) > 400
    for row in outside:
        decision = route(regency_code=row["code"], office_type="INSPEKTORAT", table=REAL)
        assert decision == RoutingDecision(
            f"DINSOS-PROV-{row['province_code']}", RoutingReason.PROVINCE_OUTSIDE_PILOT
        ), row["code"]


def test_a_real_pilot_whose_offices_are_all_closed_goes_to_its_regions_desk():
    closed = [replace(o, active=False) if o.regency_code == "1872" else o for o in _real_offices()]

    decision = route(regency_code="1872", office_type="DINSOS", table=_real_table(closed))

    assert decision == RoutingDecision("WK1", RoutingReason.PILOT_REGION_DESK)


def test_above_a_real_pilot_office_is_its_regions_desk_and_above_the_rest_the_nation():
    for regency in PILOT.regencies:
        assert escalation_office(regency_code=regency.code, table=REAL) == (
            PILOT.region(regency.coordination_region).office.code
        )
    assert escalation_office(regency_code="3525", table=REAL) == "NASIONAL"
