"""Routing: which office receives a complaint, and why (a pure function over data)."""

from __future__ import annotations

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
)

OFFICES = [
    OfficeInfo("DINSOS-3510", "DINSOS", regency_code="3510"),
    OfficeInfo("INSPEKTORAT-3510", "INSPEKTORAT", regency_code="3510"),
    OfficeInfo("DUKCAPIL-3510", "DUKCAPIL", regency_code="3510", active=False),
    OfficeInfo("DINSOS-3578", "DINSOS", regency_code="3578"),
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


def test_no_national_desk_at_all_is_a_configuration_error():
    empty = RoutingTable.from_offices([], pilot_regencies={})

    with pytest.raises(NoOfficeError):
        route(regency_code="9471", office_type="DINSOS", table=empty)


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
