"""What the console's queue asks of the service: a page of the queue and its tab counts,
the forgiving tracking-ID box, assignment (one complaint or a selection), bulk verify, and
each member's saved views.

Like ``staff_work`` (whose calls the bulk actions reuse), every decision about who may see
or do what is :mod:`api.domain.access`'s, a complaint outside the member's view is refused
exactly like one that does not exist, and refusals are ``AppError`` with message keys of
``messages/<locale>/console_queue.j2``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from api.application import staff_work
from api.application.errors import AppError, Refusal
from api.domain import access, saved_views
from api.domain.complaints import assignment, console_queue
from api.domain.complaints.actions import ComplaintChanged
from api.domain.complaints.staff_views import audit
from api.domain.complaints.tracking_id import candidates
from api.domain.staff import StaffMember
from api.domain.vocabulary import Action, Role
from api.models import Complaint
from api.services import Services

#: The most complaints one bulk action takes (a queue page holds at most 100).
MAX_BULK = 100


def _cursor_key(services: Services) -> bytes:
    secret = services.settings.secret_key.get_secret_value().encode()
    return hashlib.sha256(b"console-queue-cursor\0" + secret).digest()


async def queue_page(
    services: Services, member: StaffMember, queue_filter: console_queue.QueueFilter
) -> console_queue.QueuePage:
    """One page of what the member may see under the filter, nearest deadline first."""
    try:
        return await console_queue.queue_page(
            services.engine,
            member,
            queue_filter,
            calendar=services.calendar,
            cursor_key=_cursor_key(services),
        )
    except console_queue.CursorError:
        raise AppError(
            Refusal.INVALID, "bad_cursor", "console_queue.bad_cursor", field="cursor"
        ) from None


async def tab_counts(
    services: Services, member: StaffMember, queue_filter: console_queue.QueueFilter
) -> dict[console_queue.Tab, console_queue.TabCount]:
    """Per tab, how many complaints the filter leaves (capped at 1,000: "1,000+")."""
    return await console_queue.tab_counts(
        services.engine, member, queue_filter, calendar=services.calendar
    )


async def find_tracking_id(services: Services, member: StaffMember, typed: str) -> list[str]:
    """The visible complaints the typed ID can mean (one symbol mistyped or two swapped),
    canonical IDs; NOT_FOUND when none of them is in the member's view, so the box tells
    nothing about complaints elsewhere."""
    possible = candidates(typed)
    c = Complaint.__table__.c
    found: list[str] = []
    if possible:
        async with services.engine.connect() as conn:
            result = await conn.execute(
                select(c.tracking_id)
                .where(c.tracking_id.in_(possible), access.visible_complaints(member))
                .order_by(c.tracking_id)
            )
            found = [tracking_id for (tracking_id,) in result]
    if not found:
        raise AppError(Refusal.NOT_FOUND, "complaint_not_found", "console_queue.not_found")
    return found


async def assign(
    services: Services, member: StaffMember, tracking_id: str, to_staff_id: int | None
) -> bool:
    """Make ``to_staff_id`` (the member, an active colleague of the complaint's office, or
    None: nobody) work the complaint; False when it already did. Audited as an act, and an
    internal timeline event shows who assigned whom."""
    row = await staff_work.visible_complaint(services, member, tracking_id)
    assignee = None
    if to_staff_id is not None:
        assignee = await assignment.active_member(services.engine, to_staff_id)
        if assignee is None:
            raise AppError(
                Refusal.INVALID,
                "assignee_unknown",
                "console_queue.assignee_unknown",
                field="to_staff_id",
            )
    if not access.may_assign(member, row, assignee):
        if not access.may_act(member, row):
            raise AppError(
                Refusal.FORBIDDEN, "not_your_complaint", "console_queue.not_your_complaint"
            )
        # Named, so a bulk result over several offices says which colleague did not fit.
        raise AppError(
            Refusal.FORBIDDEN,
            "may_not_assign",
            "console_queue.may_not_assign",
            params={"name": assignee.display_name if assignee else ""},
            field="to_staff_id",
        )
    try:
        changed = await assignment.set_assignee(
            engine=services.engine, row=row, assignee=assignee, actor=member.username
        )
    except ComplaintChanged:
        raise AppError(Refusal.CONFLICT, "complaint_changed", "complaints.changed") from None
    if changed:
        await audit(services.engine, member, row.id, "act")
    return changed


@dataclass(frozen=True)
class Assignment:
    """Who works a complaint now, and whom this member may give it to (empty: nobody,
    the member may not assign it)."""

    assignee_id: int | None
    assignee_name: str | None
    candidates: list[tuple[int, str]]


async def assignment_of(services: Services, member: StaffMember, tracking_id: str) -> Assignment:
    row = await staff_work.visible_complaint(services, member, tracking_id)
    colleagues = await assignment.active_members_of(services.engine, row.office_code)
    current = next((c for c in colleagues if c.id == row.assigned_staff_id), None)
    if current is None and row.assigned_staff_id is not None:
        current = await assignment.active_member(services.engine, row.assigned_staff_id)
    allowed = [c for c in colleagues if access.may_assign(member, row, c)]
    if access.may_assign(member, row, member) and all(c.id != member.id for c in allowed):
        allowed.insert(0, member)
    return Assignment(
        row.assigned_staff_id,
        current.display_name if current else None,
        [(c.id, c.display_name) for c in allowed],
    )


async def bulk_assignees(
    services: Services, member: StaffMember, office_codes: Sequence[str]
) -> list[tuple[str, list[tuple[int, str]]]]:
    """Whom a selection of complaints at ``office_codes`` (those of a queue page) may be
    given to, per office: its active members who may act on its complaints (an
    administrator works none). The member may pick a colleague of one office for
    complaints of another: :func:`assign` then refuses those complaints one by one."""
    codes = sorted(set(office_codes))
    if member.role == Role.HANDLER:
        # A handler's queue holds only their office's complaints.
        codes = [member.office_code] if member.office_code else []
    members = await assignment.active_members_of_offices(services.engine, codes)
    by_office: dict[str, list[tuple[int, str]]] = {code: [] for code in codes}
    for colleague in members:
        if colleague.role != Role.ADMIN and colleague.office_code in by_office:
            by_office[colleague.office_code].append((colleague.id, colleague.display_name))
    return [(code, people) for code, people in by_office.items() if people]


async def assignee_name(services: Services, staff_id: int | None) -> str | None:
    """The display name of an active account (the results page names whom a selection
    went to); None for nobody or an account gone."""
    found = await assignment.active_member(services.engine, staff_id) if staff_id else None
    return found.display_name if found else None


class BulkKind(StrEnum):
    ASSIGN_TO_ME = "assign_to_me"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    VERIFY = "verify"


@dataclass(frozen=True)
class BulkAction:
    kind: BulkKind
    # For ASSIGN: whom (None: nobody, as UNASSIGN).
    to_staff_id: int | None = None


@dataclass(frozen=True)
class BulkResult:
    tracking_id: str
    ok: bool
    # Why it was refused (a message key of the refusal and its parameters), None when done.
    message_key: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


async def bulk_act(
    services: Services, member: StaffMember, tracking_ids: Sequence[str], action: BulkAction
) -> list[BulkResult]:
    """The action on each selected complaint in turn, each through the same call as one
    complaint and in its own transaction: one refusal undoes nothing of the others."""
    selection = list(dict.fromkeys(tracking_ids))
    if not selection or len(selection) > MAX_BULK:
        raise AppError(
            Refusal.INVALID,
            "bulk_selection",
            "console_queue.bulk_selection",
            params={"max": MAX_BULK},
        )
    results = []
    for tracking_id in selection:
        try:
            if action.kind == BulkKind.VERIFY:
                await staff_work.act_on_complaint(
                    services, member, tracking_id, action=Action.VERIFY
                )
            else:
                to = {
                    BulkKind.ASSIGN_TO_ME: member.id,
                    BulkKind.UNASSIGN: None,
                }.get(action.kind, action.to_staff_id)
                await assign(services, member, tracking_id, to)
        except AppError as refused:
            results.append(
                BulkResult(tracking_id, False, refused.message_key, dict(refused.params))
            )
        else:
            results.append(BulkResult(tracking_id, True))
    return results


_VIEW_REFUSALS = {
    saved_views.SavedViewProblem.NAME_LENGTH: Refusal.INVALID,
    saved_views.SavedViewProblem.QUERY_TOO_LONG: Refusal.INVALID,
    saved_views.SavedViewProblem.NAME_TAKEN: Refusal.CONFLICT,
    saved_views.SavedViewProblem.TOO_MANY: Refusal.CONFLICT,
}


async def saved_views_of(services: Services, member: StaffMember) -> list[saved_views.View]:
    return await saved_views.views_of(services.engine, member.id)


async def save_view(
    services: Services, member: StaffMember, *, name: str, query: str
) -> saved_views.View:
    """Keep the queue's query string under a name (at most 20 per member, names 1–64
    characters, each name once)."""
    try:
        return await saved_views.save_view(services.engine, member.id, name=name, query=query)
    except saved_views.SavedViewError as error:
        code = error.problem.value
        refusal = _VIEW_REFUSALS[error.problem]
        raise AppError(
            refusal,
            code,
            f"console_queue.{code}",
            params={"max": saved_views.MAX_VIEWS, "length": saved_views.MAX_NAME},
            field="query" if code == "view_query_too_long" else "name",
        ) from None


async def delete_view(services: Services, member: StaffMember, view_id: int) -> None:
    if not await saved_views.delete_view(services.engine, member.id, view_id):
        raise AppError(Refusal.NOT_FOUND, "view_not_found", "console_queue.view_not_found")
