"""The access rules in Python, case by case against the matrix (tests/api/domain/access_matrix.py).

A pure unit test: no database. ``test_access_sql.py`` holds the listing's SQL to the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from api.domain import access
from api.domain.staff import StaffMember
from api.domain.vocabulary import Privacy, Role
from tests.api.domain.access_matrix import (
    CAST,
    DOMICILE_SETTERS,
    EXPECTED,
    LEVELS,
    PLACES,
    Place,
    reporter_shown,
)


@dataclass(frozen=True)
class ComplaintAt:
    """The fields of a complaint that access reads; a database row offers the same."""

    office_code: str
    regency_code: str | None
    coordination_region_code: str | None
    escalation_level: int
    privacy: str
    in_triage: bool


def complaint(place: Place, level: int, privacy: Privacy) -> ComplaintAt:
    return ComplaintAt(
        place.office_code,
        place.regency_code,
        place.coordination_region_code,
        level,
        privacy,
        place.in_triage,
    )


@pytest.mark.parametrize(
    ("member", "place"), list(EXPECTED), ids=[" at ".join(k) for k in EXPECTED]
)
def test_each_member_views_acts_and_sees_the_reporter_as_the_matrix_says(member, place):
    staff, allowed = CAST[member], EXPECTED[(member, place)]
    for level in LEVELS:
        for privacy in Privacy:
            case = complaint(PLACES[place], level, privacy)
            got = (
                access.may_view(staff, case),
                access.may_act(staff, case),
                access.may_see_reporter(staff, case),
            )
            wanted = (allowed.view, str(level) in allowed.act_at, reporter_shown(allowed, privacy))
            assert got == wanted, f"level {level}, {privacy}: (view, act, reporter)"


@pytest.mark.parametrize("place", list(PLACES))
def test_only_who_may_view_a_triage_complaint_at_its_desk_sets_its_domicile(place):
    for name, staff in CAST.items():
        for level in LEVELS:
            for privacy in Privacy:
                case = complaint(PLACES[place], level, privacy)
                wanted = name in DOMICILE_SETTERS.get(place, set())
                assert access.may_set_domicile(staff, case) == wanted, (name, level, privacy)


def test_the_matrix_covers_every_role_and_every_member_at_every_place():
    assert {staff.role for staff in CAST.values()} == set(Role)
    assert set(EXPECTED) == {(member, place) for member in CAST for place in PLACES}


def test_only_an_administrator_manages_the_configuration():
    managers = [name for name, staff in CAST.items() if access.may_manage_configuration(staff)]

    assert managers == ["administrator"]


def test_only_coordinators_and_the_ministry_see_who_looked_at_a_complaint():
    overseers = [name for name, staff in CAST.items() if access.may_see_access_log(staff)]

    assert overseers == ["coordinator", "coordinator without a region", "ministry"]


def test_a_role_the_rules_do_not_know_gets_nothing():
    # A role added to Role but not to the access rules must fail closed, not open.
    stranger = StaffMember(9, "x", "X", "AUDITOR", "NASIONAL", "WK4")  # type: ignore[arg-type]
    case = complaint(PLACES["national desk"], 2, Privacy.BIASA)

    assert not access.may_view(stranger, case)
    assert not access.may_act(stranger, case)
    assert not access.may_see_reporter(stranger, case)
    assert not access.may_set_domicile(stranger, complaint(PLACES["national triage"], 2, "BIASA"))
    assert not access.may_manage_configuration(stranger)
    assert not access.may_see_access_log(stranger)
