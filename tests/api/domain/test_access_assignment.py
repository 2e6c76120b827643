"""Who may assign a complaint to whom: those who may act on it, to themselves, to nobody,
or to a colleague of the complaint's office who may act on it too."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain import access
from api.domain.staff import StaffMember
from api.domain.vocabulary import EscalationLevel, Privacy, Role


@dataclass(frozen=True)
class ComplaintAt:
    office_code: str
    coordination_region_code: str | None
    escalation_level: int = EscalationLevel.OFFICE
    privacy: str = Privacy.BIASA
    in_triage: bool = False


def member(id: int, role: Role, office: str, region: str | None = "WK4") -> StaffMember:
    return StaffMember(id, f"m{id}", f"Member {id}", role, office, region)


ANA = member(1, Role.HANDLER, "DINSOS-3510")
BUDI = member(2, Role.HANDLER, "DINSOS-3510")
CITRA = member(3, Role.HANDLER, "DINSOS-3509")
ADMIN_AT_OFFICE = member(4, Role.ADMIN, "DINSOS-3510")
COORDINATOR = member(5, Role.COORDINATOR, "KOORD-WK4")
AT_BANYUWANGI = ComplaintAt("DINSOS-3510", "WK4")
ESCALATED = ComplaintAt("DINSOS-3510", "WK4", EscalationLevel.COORDINATION_REGION)


def test_a_handler_takes_and_hands_back_a_complaint_of_their_office():
    assert access.may_assign(ANA, AT_BANYUWANGI, ANA)
    assert access.may_assign(ANA, AT_BANYUWANGI, None)


def test_a_handler_assigns_a_colleague_of_the_same_office():
    assert access.may_assign(ANA, AT_BANYUWANGI, BUDI)


def test_nobody_assigns_a_member_of_another_office():
    assert not access.may_assign(ANA, AT_BANYUWANGI, CITRA)


def test_an_account_that_may_not_act_on_complaints_is_no_assignee():
    assert not access.may_assign(ANA, AT_BANYUWANGI, ADMIN_AT_OFFICE)


def test_whoever_may_not_act_on_it_assigns_nothing_not_even_to_themselves():
    assert not access.may_assign(CITRA, AT_BANYUWANGI, CITRA)
    assert not access.may_assign(CITRA, AT_BANYUWANGI, None)
    assert not access.may_assign(CITRA, AT_BANYUWANGI, ANA)


def test_a_coordinator_assigns_within_an_office_whose_escalated_complaint_they_act_on():
    assert access.may_assign(COORDINATOR, ESCALATED, ANA)
    assert access.may_assign(COORDINATOR, ESCALATED, COORDINATOR)
    assert not access.may_assign(COORDINATOR, AT_BANYUWANGI, ANA)
