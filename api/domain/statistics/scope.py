"""Whose figures a staff member may see: the ministry all, a coordinator their region, a
handler their office, an administrator none.

This belongs in ``api.domain.access`` (the one place for who sees what), which is under
mutation testing and not changed in this step: move :func:`statistics_scope` there, with
its tests, when the statistics pages arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from api.domain.staff import StaffMember
from api.domain.statistics.queries import StatFilter
from api.domain.vocabulary import Role


@dataclass(frozen=True)
class StatisticsScope:
    """The rows a member may sum: None on a field means any."""

    coordination_region_code: str | None = None
    office_code: str | None = None


NATIONAL = StatisticsScope()


def statistics_scope(member: StaffMember) -> StatisticsScope | None:
    """The member's scope, or None: no complaint figures at all."""
    if member.role == Role.MINISTRY:
        return NATIONAL
    if member.role == Role.COORDINATOR and member.region_code:
        return StatisticsScope(coordination_region_code=member.region_code)
    if member.role == Role.HANDLER and member.office_code:
        return StatisticsScope(office_code=member.office_code)
    return None


def within_scope(where: StatFilter, scope: StatisticsScope | None) -> StatFilter | None:
    """``where`` narrowed to ``scope``; None when it asks for figures outside it."""
    if scope is None:
        return None
    narrowed = where
    for name in ("coordination_region_code", "office_code"):
        allowed = getattr(scope, name)
        if allowed is None:
            continue
        asked = getattr(where, name)
        if asked is not None and asked != allowed:
            return None
        narrowed = replace(narrowed, **{name: allowed})
    return narrowed
