"""Whose statistics a staff member sees, and who exports complaints row by row.

Figures are counts, never a complaint's content, but a region's or an office's counts are
still theirs: a coordinator sees their region, a handler their office, the ministry the
country, an administrator nothing. A filter asking for figures outside the scope is refused,
never silently narrowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from api.domain import access
from api.domain.access import NATIONAL, StatisticsScope
from api.domain.staff import StaffMember
from api.domain.vocabulary import Role


def member(role: Role, office: str | None, region: str | None) -> StaffMember:
    return StaffMember(1, "someone", "Someone", role, office, region)


@dataclass(frozen=True)
class Asked:
    """The part of a statistics filter that the scope reads, and one it leaves alone."""

    coordination_region_code: str | None = None
    office_code: str | None = None
    category_code: str | None = None


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        (member(Role.MINISTRY, "NASIONAL", None), NATIONAL),
        (member(Role.MINISTRY, None, None), NATIONAL),
        (member(Role.COORDINATOR, "WK4", "WK4"), StatisticsScope(coordination_region_code="WK4")),
        # A coordinator without a region (an office outside the pilot) sees their office.
        (member(Role.COORDINATOR, "DINSOS-35", None), StatisticsScope(office_code="DINSOS-35")),
        (member(Role.COORDINATOR, None, None), None),
        (member(Role.HANDLER, "DINSOS-3510", "WK4"), StatisticsScope(office_code="DINSOS-3510")),
        (member(Role.HANDLER, None, "WK4"), None),
        (member(Role.ADMIN, "NASIONAL", "WK4"), None),
    ],
)
def test_each_role_sees_the_figures_of_its_own_place(who, scope):
    assert access.statistics_scope(who) == scope


def test_the_ministry_may_ask_for_any_region_or_office():
    ministry = member(Role.MINISTRY, "NASIONAL", None)
    asked = Asked(coordination_region_code="WK1", office_code="DINSOS-3201")

    assert access.within_statistics_scope(ministry, asked) == asked
    assert access.within_statistics_scope(ministry, Asked()) == Asked()


def test_a_coordinators_filter_is_narrowed_to_their_region_and_keeps_the_rest():
    coordinator = member(Role.COORDINATOR, "WK4", "WK4")

    narrowed = access.within_statistics_scope(coordinator, Asked(category_code="PUNGLI"))

    assert narrowed == Asked(coordination_region_code="WK4", category_code="PUNGLI")
    same = Asked(coordination_region_code="WK4", office_code="DINSOS-3510")
    assert access.within_statistics_scope(coordinator, same) == same


def test_a_coordinator_asking_for_another_region_is_refused():
    coordinator = member(Role.COORDINATOR, "WK4", "WK4")

    assert (
        access.within_statistics_scope(coordinator, Asked(coordination_region_code="WK1")) is None
    )


def test_a_handlers_filter_is_narrowed_to_their_office_and_another_office_refused():
    handler = member(Role.HANDLER, "DINSOS-3510", "WK4")

    assert access.within_statistics_scope(handler, Asked()) == Asked(office_code="DINSOS-3510")
    assert access.within_statistics_scope(handler, Asked(office_code="DINSOS-3201")) is None
    # The region stays as asked: the handler's office figures are summed within it.
    in_region = Asked(coordination_region_code="WK4")
    assert access.within_statistics_scope(handler, in_region) == Asked(
        coordination_region_code="WK4", office_code="DINSOS-3510"
    )


def test_an_administrator_sees_no_figure_whatever_is_asked():
    admin = member(Role.ADMIN, "NASIONAL", None)

    assert access.within_statistics_scope(admin, Asked()) is None


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (member(Role.MINISTRY, "NASIONAL", None), True),
        (member(Role.COORDINATOR, "WK4", "WK4"), False),
        (member(Role.HANDLER, "DINSOS-3510", "WK4"), False),
        (member(Role.ADMIN, "NASIONAL", None), False),
    ],
)
def test_only_the_ministry_exports_complaints_row_by_row(who, allowed):
    assert access.may_export_complaint_rows(who) is allowed
