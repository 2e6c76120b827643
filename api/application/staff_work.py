"""What complaint handlers, coordinators and the ministry do: sign in, work their queue,
open a complaint (and reveal who is behind it), act on it, fetch its evidence, and at a
triage desk set the domicile of a complaint that came without one.

Every decision about who may see or do what is :mod:`api.domain.access`'s. A complaint the
member may not see is refused exactly like one that does not exist. Every opening, every
reveal and every action leaves a row in the staff access audit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from api import metrics
from api.application.acting import take_action
from api.application.errors import AppError, Refusal
from api.domain import access
from api.domain.complaints import staff_views, triage
from api.domain.complaints.actions import ActionResult, ActorRef, ComplaintChanged
from api.domain.complaints.queue_filter import DeadlineState
from api.domain.complaints.tracking_id import TrackingIdError, parse_tracking_id
from api.domain.instants import utc_text
from api.domain.place_search import Place, place_of
from api.domain.staff import StaffError, StaffMember, log_in, log_out, staff_for_token
from api.domain.time_zones import WIB
from api.domain.vocabulary import Action, Actor
from api.services import Services


@dataclass(frozen=True)
class Evidence:
    attachment: staff_views.StaffAttachment
    content: bytes


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_at: datetime
    # Attempts on this account that failed or were refused since the owner's last sign-in.
    failed_attempts: int = 0


async def sign_in(
    services: Services,
    *,
    username: str,
    password: str,
    address: str | None = None,
    console: bool = False,
) -> SignedIn:
    """A new session token and its expiry. A wrong password and an unknown user are refused
    alike, in the same time. Guessing is throttled per account and per client ``address``
    (growing delays, then a temporary lock; the refusal says when to retry, and the owner is
    told of the failed attempts at the next sign-in)."""
    throttle = services.sign_in_throttle
    refused = await throttle.claim(username, address)
    if refused is not None:
        metrics.record_rate_limit_refusal("staff_sign_in")
        retry_at = datetime.fromtimestamp(refused.retry_at, UTC)
        raise AppError(
            Refusal.RATE_LIMITED,
            "sign_in_locked" if refused.locked else "sign_in_delayed",
            "staff.sign_in_locked" if refused.locked else "staff.sign_in_delayed",
            retry_after=refused.retry_after,
            params={
                "seconds": refused.retry_after,
                "minutes": max(1, math.ceil(refused.retry_after / 60)),
                # Read on the national clock, named: the account's own zone would tell a
                # stranger guessing at it which office the account works at.
                "time": f"{retry_at.astimezone(WIB.zone):%H:%M}",
            },
            extra={"retry_at": utc_text(retry_at)},
        )
    try:
        token, expires = await log_in(
            services.engine, username=username, password=password, console=console
        )
    except StaffError:
        await throttle.failed(username, address)
        raise AppError(Refusal.UNAUTHENTICATED, "login_failed", "staff.login_failed") from None
    failed = await throttle.succeeded(username, address)
    return SignedIn(token, expires, failed)


async def sign_out(services: Services, token: str) -> None:
    """The session token stops working at once."""
    await log_out(services.engine, token)


async def member_of_session(services: Services, token: str | None) -> StaffMember:
    """The active member whose live session ``token`` is."""
    if not token:
        raise AppError(Refusal.UNAUTHENTICATED, "missing_session", "staff.missing_session")
    member = await staff_for_token(services.engine, token)
    if member is None:
        raise AppError(Refusal.UNAUTHENTICATED, "invalid_session", "staff.invalid_session")
    return member


async def locale_of_session(services: Services, token: str) -> str | None:
    """The language of the member whose live session ``token`` is, None for no such session.
    Only read (the session's last use is not moved): for answering a refusal in it."""
    member = await staff_for_token(services.engine, token, touch=False)
    return None if member is None else member.locale


async def queue(
    services: Services,
    member: StaffMember,
    *,
    status: str | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    triage_only: bool = False,
    deadline: DeadlineState | None = None,
    limit: int = 50,
) -> list[staff_views.QueueItem]:
    """The complaints this member may see, the most urgent first; ``triage_only``: those
    waiting for this member to set their domicile; ``overdue_only``: a deadline breached at
    any stage; ``deadline``: due today, within 2 working days, overdue now, breached ever."""
    return await staff_views.queue(
        services.engine,
        member,
        status=status,
        open_only=open_only,
        overdue_only=overdue_only,
        triage_only=triage_only,
        deadline=deadline,
        calendar=services.calendar,
        limit=limit,
    )


async def visible_complaint(services: Services, member: StaffMember, tracking_id: str):
    """The complaint row if this member may see it; refused as not found otherwise, exactly
    like a tracking ID that does not exist."""
    try:
        canonical = parse_tracking_id(tracking_id)
    except TrackingIdError:
        canonical = None
    row = await staff_views.load_visible(services.engine, member, canonical) if canonical else None
    if row is None:
        raise AppError(Refusal.NOT_FOUND, "complaint_not_found", "staff.not_found")
    return row


async def view_complaint(
    services: Services,
    member: StaffMember,
    tracking_id: str,
    *,
    reveal_reporter: bool = False,
    reveal_subject: bool = False,
) -> staff_views.StaffComplaint:
    """One complaint in full. The reporter (never for ANONIM) and the subject's NIK are
    shown only when revealed; the opening and each reveal are audited."""
    row = await visible_complaint(services, member, tracking_id)
    return await staff_views.complaint_for_staff(
        services.engine,
        services.protector,
        member,
        row,
        reveal_reporter=reveal_reporter,
        reveal_subject=reveal_subject,
    )


async def act_on_complaint(
    services: Services,
    member: StaffMember,
    tracking_id: str,
    *,
    action: Action,
    note: str | None = None,
    public: bool = True,
    to_office: str | None = None,
) -> ActionResult:
    """Verify, start, request information, reply, resolve, reject, forward, flag a field
    check. A complaint the member may see but not act on is refused as forbidden."""
    row = await visible_complaint(services, member, tracking_id)
    if not access.may_act(member, row):
        raise AppError(Refusal.FORBIDDEN, "not_your_complaint", "staff.not_your_complaint")
    if row.in_triage and action not in triage.ACTIONS_IN_TRIAGE:
        raise AppError(Refusal.CONFLICT, "in_triage", "complaints.in_triage")
    result = await take_action(
        services,
        complaint_id=row.id,
        action=action,
        actor=ActorRef(Actor.STAFF, member.username),
        note=note,
        public=public,
        to_office=to_office,
    )
    await staff_views.audit(services.engine, member, row.id, "act")
    return result


async def evidence(
    services: Services, member: StaffMember, tracking_id: str, attachment_id: int
) -> Evidence:
    """An attachment's file, for a member who may see its complaint. Audited."""
    row = await visible_complaint(services, member, tracking_id)
    found = await staff_views.attachment_of(services.engine, row.id, attachment_id)
    if found is None:
        raise AppError(Refusal.NOT_FOUND, "attachment_not_found", "staff.attachment_not_found")
    attachment, storage_key = found
    await staff_views.audit(services.engine, member, row.id, "download_attachment")
    return Evidence(attachment, await services.storage.get(storage_key))


async def domicile_suggestion(
    services: Services, member: StaffMember, tracking_id: str
) -> triage.Domicile | None:
    """The registry's domicile of a triage complaint's subject (None when it has none), for
    the desk officer who sets the domicile; each look is audited as a reveal."""
    row = await _triage_complaint(services, member, tracking_id)
    await staff_views.audit(services.engine, member, row.id, "view_registry_domicile")
    return await triage.registry_suggestion(services.engine, row.subject_nik_hash)


async def set_domicile(
    services: Services, member: StaffMember, tracking_id: str, *, region_code: str
) -> triage.Triaged:
    """Set a triage complaint's domicile and route it as usual; its deadlines stay those
    counted from filing. Audited."""
    row = await _triage_complaint(services, member, tracking_id)
    try:
        domicile = triage.checked_domicile(region_code, regions=services.regions)
        triaged = await triage.set_domicile(
            engine=services.engine,
            protector=services.protector,
            directory=await services.directory.get(),
            complaint_id=row.id,
            domicile=domicile,
            actor=member.username,
        )
    except triage.TriageError as error:
        raise _triage_refusal(error) from None
    except ComplaintChanged:
        raise AppError(Refusal.CONFLICT, "complaint_changed", "complaints.changed") from None
    await staff_views.audit(services.engine, member, row.id, "set_domicile")
    return triaged


@dataclass(frozen=True)
class DomicilePreview:
    """Where a triage complaint would go: what the desk officer confirms."""

    tracking_id: str
    # The domicile as it would be stored: a kecamatan (6 digits) or a desa (10).
    region_code: str
    place: Place
    office_code: str
    office_name: str
    routing_reason: str


async def preview_domicile(
    services: Services, member: StaffMember, tracking_id: str, region_code: str
) -> DomicilePreview:
    """The office a triage complaint would reach with this domicile, and why, decided as
    :func:`set_domicile` decides it; nothing is written."""
    row = await _triage_complaint(services, member, tracking_id)
    try:
        domicile = triage.checked_domicile(region_code, regions=services.regions)
    except triage.TriageError as error:
        raise _triage_refusal(error) from None
    directory = await services.directory.get()
    decision = triage.routing_for(
        directory=directory, category_code=row.category_code, domicile=domicile
    )
    place = place_of(services.regions, domicile.district_code)
    assert place is not None  # checked_domicile found the kecamatan
    return DomicilePreview(
        tracking_id=row.tracking_id,
        region_code=domicile.village_code or domicile.district_code,
        place=place,
        office_code=decision.office_code,
        office_name=directory.office_name(decision.office_code),
        routing_reason=decision.reason.value,
    )


def _triage_refusal(error: triage.TriageError) -> AppError:
    refusal = (
        Refusal.CONFLICT if error.problem == triage.TriageProblem.NOT_IN_TRIAGE else Refusal.INVALID
    )
    return AppError(
        refusal, error.problem.value, f"complaints.{error.problem.value}", field="region_code"
    )


async def _triage_complaint(services: Services, member: StaffMember, tracking_id: str):
    row = await visible_complaint(services, member, tracking_id)
    if not row.in_triage:
        raise AppError(Refusal.CONFLICT, "not_in_triage", "complaints.not_in_triage")
    if not access.may_set_domicile(member, row):
        raise AppError(Refusal.FORBIDDEN, "not_your_complaint", "staff.not_your_complaint")
    return row
