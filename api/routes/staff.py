"""The staff API: log in, see the queue, open a complaint, act on it, fetch its evidence.

Each route is one call of ``api.application.staff_work``, where every decision about who may
see or do what is made (by ``api.domain.access``); a complaint the member may not see
answers 404, like one that does not exist. Refusals are answered in the member's language
(``staff.locale``; Accept-Language before the member is known), each with a stable code.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

import messages
from api.application import staff_work
from api.deps import CurrentStaff, ServicesDep
from api.domain.complaints import staff_views
from api.domain.complaints.queue_filter import DeadlineState
from api.domain.instants import UtcInstant
from api.domain.vocabulary import Action
from api.errors import error_responses, request_locale
from api.schemas.text import DatabaseId, Line, Text

# Every route: a staff session (401) and validated input (422).
router = APIRouter(prefix="/api/v1/staff", tags=["staff"], responses=error_responses(401, 422, 503))
_NOT_VISIBLE = {404: "No complaint (or attachment) with this identifier that the member may see"}


class LoginIn(BaseModel):
    username: Line = Field(max_length=64)
    # Any character a keyboard types, spaces included; never a NUL or a control character.
    password: Line = Field(max_length=256)


class SessionOut(BaseModel):
    token: str
    expires_at: UtcInstant
    failed_attempts: int = Field(
        default=0, description="Sign-in attempts on this account that failed since the last one"
    )
    notice: str | None = Field(default=None, description="Tells the member about them")


class ActionIn(BaseModel):
    action: Action
    note: Text | None = Field(default=None, max_length=20000)
    public: bool = Field(default=True, description="False keeps a reply or note internal")
    to_office: Line | None = Field(default=None, max_length=32, description="For forward")


class DomicileIn(BaseModel):
    region_code: str = Field(max_length=32, description="Kecamatan (6 digits) or desa (10)")


class TriagedOut(BaseModel):
    tracking_id: str
    office_code: str
    routing_reason: str


class DomicileSuggestionOut(BaseModel):
    """The registry's domicile of the subject; both null when it has none. Audited."""

    district_code: str | None
    village_code: str | None


class ActionOut(BaseModel):
    tracking_id: str
    status: str
    office_code: str
    event: str


@router.post(
    "/sessions",
    response_model=SessionOut,
    status_code=201,
    responses=error_responses(
        400,
        413,
        401,
        429,
        meanings={
            401: "Wrong user name or password",
            429: "Too many failed sign-ins: wait (Retry-After) or the account is locked",
        },
    ),
)
async def create_session(body: LoginIn, request: Request, services: ServicesDep) -> SessionOut:
    """Log in; send the token as `Authorization: Bearer …` afterwards. Repeated failures
    are answered 429 with `Retry-After` (growing delays, then a temporary lock)."""
    signed_in = await staff_work.sign_in(
        services,
        username=body.username,
        password=body.password,
        address=request.client.host if request.client else None,
    )
    notice = None
    if signed_in.failed_attempts:
        # Told to the member who just signed in: in their own language.
        locale = await staff_work.locale_of_session(services, signed_in.token)
        notice = messages.render_text(
            locale or request_locale(request),
            "staff.failed_attempts",
            count=signed_in.failed_attempts,
        )
    return SessionOut(
        token=signed_in.token,
        expires_at=signed_in.expires_at,
        failed_attempts=signed_in.failed_attempts,
        notice=notice,
    )


@router.delete("/sessions/current", status_code=204)
async def end_session(request: Request, _: CurrentStaff, services: ServicesDep) -> Response:
    """Log out: the token stops working at once."""
    await staff_work.sign_out(services, request.headers["authorization"].partition(" ")[2].strip())
    return Response(status_code=204)


@router.get("/complaints", response_model=list[staff_views.QueueItem])
async def list_complaints(
    member: CurrentStaff,
    services: ServicesDep,
    status: Annotated[Line | None, Query(max_length=16)] = None,
    open_only: bool = False,
    overdue_only: Annotated[
        bool, Query(description="A deadline was breached at some stage (even if met since).")
    ] = False,
    triage_only: bool = False,
    deadline: DeadlineState | None = None,
    limit: Annotated[int, Query(ge=1, le=staff_views.MAX_PAGE)] = 50,
) -> list[staff_views.QueueItem]:
    """The member's queue, most urgent first; `triage_only`: the complaints waiting for
    this member to set their domicile; `overdue_only`: breached at any stage; `deadline`:
    due_today, due_within_2_working_days, overdue_now (open and past its next deadline) or
    breached_ever."""
    return await staff_work.queue(
        services,
        member,
        status=status,
        open_only=open_only,
        overdue_only=overdue_only,
        triage_only=triage_only,
        deadline=deadline,
        limit=limit,
    )


@router.get(
    "/complaints/{tracking_id}",
    response_model=staff_views.StaffComplaint,
    responses=error_responses(404, meanings=_NOT_VISIBLE),
)
async def get_complaint(
    tracking_id: str, member: CurrentStaff, services: ServicesDep
) -> staff_views.StaffComplaint:
    """One complaint in full; `reporter` is null when anonymous. Every opening is audited."""
    return await staff_work.view_complaint(
        services, member, tracking_id, reveal_reporter=True, reveal_subject=True
    )


@router.post(
    "/complaints/{tracking_id}/actions",
    response_model=ActionOut,
    responses=error_responses(
        400,
        413,
        403,
        404,
        409,
        meanings={
            **_NOT_VISIBLE,
            403: "The member may see the complaint but not act on it",
            409: "The complaint's status does not allow this action",
        },
    ),
)
async def act_on_complaint(
    tracking_id: str,
    body: ActionIn,
    member: CurrentStaff,
    services: ServicesDep,
) -> ActionOut:
    """Verify, start, request information, reply, resolve, reject, forward, flag a field check.

    Refused with 409 when the complaint's status does not allow it, 403 when the member may
    see the complaint but not act on it (for example a coordinator before an escalation).
    """
    result = await staff_work.act_on_complaint(
        services,
        member,
        tracking_id,
        action=body.action,
        note=body.note,
        public=body.public,
        to_office=body.to_office,
    )
    return ActionOut(
        tracking_id=result.tracking_id,
        status=result.status.value,
        office_code=result.office_code,
        event=result.event_kind,
    )


@router.get(
    "/complaints/{tracking_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as a download",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("image/jpeg", "image/png", "image/webp", "application/pdf")
            },
        },
        **error_responses(404, meanings=_NOT_VISIBLE),
    },
)
async def download_attachment(
    tracking_id: str,
    attachment_id: Annotated[DatabaseId, Path()],
    member: CurrentStaff,
    services: ServicesDep,
) -> Response:
    """The file itself, served as a download (never rendered inline). Audited."""
    evidence = await staff_work.evidence(services, member, tracking_id, attachment_id)
    attachment = evidence.attachment
    return Response(
        evidence.content,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/complaints/{tracking_id}/domicile-suggestion",
    response_model=DomicileSuggestionOut,
    responses=error_responses(
        403,
        404,
        409,
        meanings={**_NOT_VISIBLE, 409: "The complaint is not (or no longer) waiting at triage"},
    ),
)
async def suggest_domicile(
    tracking_id: str, member: CurrentStaff, services: ServicesDep
) -> DomicileSuggestionOut:
    """For a desk officer: where the registry says the subject lives. Audited as a reveal;
    409 once the complaint has left triage."""
    found = await staff_work.domicile_suggestion(services, member, tracking_id)
    return DomicileSuggestionOut(
        district_code=found.district_code if found else None,
        village_code=found.village_code if found else None,
    )


@router.post(
    "/complaints/{tracking_id}/domicile",
    response_model=TriagedOut,
    responses=error_responses(400, 403, 404, 409, 413, meanings=_NOT_VISIBLE),
)
async def set_domicile(
    tracking_id: str, body: DomicileIn, member: CurrentStaff, services: ServicesDep
) -> TriagedOut:
    """Set a triage complaint's domicile: it is routed as usual, its deadlines unchanged."""
    triaged = await staff_work.set_domicile(
        services, member, tracking_id, region_code=body.region_code
    )
    return TriagedOut(
        tracking_id=triaged.tracking_id,
        office_code=triaged.office_code,
        routing_reason=triaged.routing_reason,
    )
