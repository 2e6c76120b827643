"""Who may see or change which complaint: the one place that decides.

Every staff route asks here, and listings filter with :func:`visible_complaints`, the same
rules written as SQL; a test holds the two forms to each other.

- A handler works the complaints currently at their own office.
- A coordinator sees every complaint of their coordination region and acts on those at the
  region's desk or escalated to the region.
- The ministry sees every complaint and acts on those at the national desk or escalated to
  the ministry.
- An administrator manages categories, routing and offices, and sees no complaint.
- Nobody sees the reporter of an anonymous (ANONIM) complaint.
- Whoever may act on a complaint may take it, hand it back (unassign) or assign it to a
  member of the complaint's office who may act on it too: a handler within their office, a
  coordinator within any office whose complaint they may act on.
- Coordinators and the ministry, who oversee other members' work, see who opened a complaint
  they may view and when (its access log); a handler does not watch colleagues.
- A complaint whose domicile is not known waits at a triage desk (the national desk, or a
  coordination region's); whoever may view it there sets its domicile: the desk's own
  officers, the coordinators of that region, the ministry.
- Statistics (counts, never a complaint's content): the ministry sees the whole country, a
  coordinator their coordination region (their office when it has none), a handler their
  office, an administrator no complaint figure. Only the ministry exports complaints row by
  row, and only it may ask for their descriptions in that export.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from sqlalchemy import and_, false, or_, true
from sqlalchemy.sql import ColumnElement

from api.domain.staff import StaffMember
from api.domain.vocabulary import EscalationLevel, Privacy, Role
from api.models import Complaint


def may_view(member: StaffMember, complaint) -> bool:
    match member.role:
        case Role.HANDLER:
            return complaint.office_code == member.office_code
        case Role.COORDINATOR:
            return complaint.office_code == member.office_code or _in_region(member, complaint)
        case Role.MINISTRY:
            return True
    return False


def may_act(member: StaffMember, complaint) -> bool:
    match member.role:
        case Role.HANDLER:
            return complaint.office_code == member.office_code
        case Role.COORDINATOR:
            return complaint.office_code == member.office_code or (
                _in_region(member, complaint)
                and complaint.escalation_level >= EscalationLevel.COORDINATION_REGION
            )
        case Role.MINISTRY:
            return (
                complaint.office_code == member.office_code
                or complaint.escalation_level >= EscalationLevel.MINISTRY
            )
    return False


def _in_region(member: StaffMember, complaint) -> bool:
    # A member without a region (an office outside the pilot) has none to share: the
    # complaints from outside the pilot have no region either, and None == None.
    return (
        member.region_code is not None and complaint.coordination_region_code == member.region_code
    )


def may_see_reporter(member: StaffMember, complaint) -> bool:
    return may_view(member, complaint) and complaint.privacy != Privacy.ANONIM


def may_see_access_log(member: StaffMember) -> bool:
    """Who looked at a complaint and when: for those who oversee (the complaint itself must
    be one they may view, which the caller has checked with :func:`may_view`)."""
    return member.role in (Role.COORDINATOR, Role.MINISTRY)


def may_set_domicile(member: StaffMember, complaint) -> bool:
    return complaint.in_triage and may_view(member, complaint)


def may_assign(member: StaffMember, complaint, assignee: StaffMember | None) -> bool:
    """May ``member`` make ``assignee`` (an active member; None: nobody) work ``complaint``?"""
    if not may_act(member, complaint):
        return False
    if assignee is None or assignee.id == member.id:
        return True
    return assignee.office_code == complaint.office_code and may_act(assignee, complaint)


def may_manage_configuration(member: StaffMember) -> bool:
    return member.role == Role.ADMIN


def visible_complaints(member: StaffMember) -> ColumnElement[bool]:
    """:func:`may_view` as a WHERE clause over the complaint table."""
    c = Complaint.__table__.c
    match member.role:
        case Role.HANDLER:
            return c.office_code == member.office_code
        case Role.COORDINATOR:
            if member.region_code is None:  # "== None" would be IS NULL: see _in_region
                return c.office_code == member.office_code
            return or_(
                c.office_code == member.office_code,
                c.coordination_region_code == member.region_code,
            )
        case Role.MINISTRY:
            return true()
    return false()


def triage_queue(member: StaffMember) -> ColumnElement[bool]:
    """:func:`may_set_domicile` as a WHERE clause: the member's triage queue."""
    return and_(Complaint.__table__.c.in_triage, visible_complaints(member))


@dataclass(frozen=True)
class StatisticsScope:
    """The statistics rows a member may sum: None on a field means any."""

    coordination_region_code: str | None = None
    office_code: str | None = None


_Filter = TypeVar("_Filter")

#: The whole country: the ministry's scope.
NATIONAL = StatisticsScope()


def statistics_scope(member: StaffMember) -> StatisticsScope | None:
    """Whose figures ``member`` may see; None: no complaint figure at all."""
    match member.role:
        case Role.MINISTRY:
            return NATIONAL
        case Role.COORDINATOR if member.region_code is not None:
            return StatisticsScope(coordination_region_code=member.region_code)
        case Role.COORDINATOR | Role.HANDLER if member.office_code is not None:
            return StatisticsScope(office_code=member.office_code)
    return None


def within_statistics_scope(member: StaffMember, asked: _Filter) -> _Filter | None:
    """``asked`` (a filter with ``coordination_region_code`` and ``office_code`` fields)
    narrowed to the member's scope; None when the member may see no figure or it asks for
    another region's or office's figures (refused, never silently narrowed to nothing)."""
    scope = statistics_scope(member)
    if scope is None:
        return None
    narrowed = asked
    for name in ("coordination_region_code", "office_code"):
        allowed = getattr(scope, name)
        if allowed is None:
            continue
        wanted = getattr(asked, name)
        if wanted is not None and wanted != allowed:
            return None
        narrowed = replace(narrowed, **{name: allowed})
    return narrowed


def may_export_complaint_rows(member: StaffMember) -> bool:
    """The row-level export of complaints (no reporter, no NIK) is the ministry's."""
    return member.role == Role.MINISTRY
