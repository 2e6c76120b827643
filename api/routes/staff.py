"""The staff API: log in, see the queue, open a complaint, act on it, fetch its evidence.

Every decision about who may see or do what is made in ``api.domain.access``; a complaint
the member may not see answers 404, like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field

import messages
from api.deps import CurrentStaff, ServicesDep
from api.domain import access
from api.domain.complaints import staff_views
from api.domain.complaints.actions import ActorRef
from api.domain.complaints.tracking_id import TrackingIdError, parse_tracking_id
from api.domain.staff import StaffError, log_in, log_out
from api.domain.vocabulary import Action, Actor
from api.errors import ApiError
from api.routes.complaints import run_action
from api.services import Services

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class SessionOut(BaseModel):
    token: str
    expires_at: datetime


class ActionIn(BaseModel):
    action: Action
    note: str | None = Field(default=None, max_length=20000)
    public: bool = Field(default=True, description="False keeps a reply or note internal")
    to_office: str | None = Field(default=None, max_length=32, description="For forward")


class ActionOut(BaseModel):
    tracking_id: str
    status: str
    office_code: str
    event: str


@router.post("/sessions", response_model=SessionOut, status_code=201)
async def create_session(body: LoginIn, services: ServicesDep) -> SessionOut:
    """Log in; send the token as `Authorization: Bearer …` afterwards."""
    try:
        token, expires = await log_in(
            services.engine, username=body.username, password=body.password
        )
    except StaffError:
        raise ApiError(401, "login_failed", "Unknown username or wrong password.") from None
    return SessionOut(token=token, expires_at=expires)


@router.delete("/sessions/current", status_code=204)
async def end_session(request: Request, _: CurrentStaff, services: ServicesDep) -> Response:
    """Log out: the token stops working at once."""
    await log_out(services.engine, request.headers["authorization"].partition(" ")[2].strip())
    return Response(status_code=204)


@router.get("/complaints", response_model=list[staff_views.QueueItem])
async def list_complaints(
    member: CurrentStaff,
    services: ServicesDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    open_only: bool = False,
    overdue_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=staff_views.MAX_PAGE)] = 50,
) -> list[staff_views.QueueItem]:
    """The member's queue, most urgent first."""
    return await staff_views.queue(
        services.engine,
        member,
        status=status,
        open_only=open_only,
        overdue_only=overdue_only,
        limit=limit,
    )


@router.get("/complaints/{tracking_id}", response_model=staff_views.StaffComplaint)
async def get_complaint(
    tracking_id: str, member: CurrentStaff, services: ServicesDep
) -> staff_views.StaffComplaint:
    """One complaint in full; `reporter` is null when anonymous. Every opening is audited."""
    row = await _visible(services, member, tracking_id)
    return await staff_views.complaint_for_staff(services.engine, services.protector, member, row)


@router.post("/complaints/{tracking_id}/actions", response_model=ActionOut)
async def act_on_complaint(
    tracking_id: str,
    body: ActionIn,
    member: CurrentStaff,
    services: ServicesDep,
    accept_language: Annotated[str | None, Header()] = None,
) -> ActionOut:
    """Verify, start, request information, reply, resolve, reject, forward, flag a field check.

    Refused with 409 when the complaint's status does not allow it, 403 when the member may
    see the complaint but not act on it (for example a coordinator before an escalation).
    """
    row = await _visible(services, member, tracking_id)
    if not access.may_act(member, row):
        raise ApiError(403, "not_your_complaint", "You may view this complaint but not act on it.")
    result = await run_action(
        services,
        complaint_id=row.id,
        action=body.action,
        actor=ActorRef(Actor.STAFF, member.username),
        locale=messages.normalize_locale(accept_language),
        note=body.note,
        public=body.public,
        to_office=body.to_office,
    )
    await staff_views.audit(services.engine, member, row.id, "act")
    return ActionOut(
        tracking_id=result.tracking_id,
        status=result.status.value,
        office_code=result.office_code,
        event=result.event_kind,
    )


@router.get("/complaints/{tracking_id}/attachments/{attachment_id}")
async def download_attachment(
    tracking_id: str, attachment_id: int, member: CurrentStaff, services: ServicesDep
) -> Response:
    """The file itself, served as a download (never rendered inline). Audited."""
    row = await _visible(services, member, tracking_id)
    found = await staff_views.attachment_of(services.engine, row.id, attachment_id)
    if found is None:
        raise ApiError(404, "attachment_not_found", "No such attachment on this complaint.")
    attachment, storage_key = found
    await staff_views.audit(services.engine, member, row.id, "download_attachment")
    return Response(
        await services.storage.get(storage_key),
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _visible(services: Services, member, tracking_id: str):
    try:
        canonical = parse_tracking_id(tracking_id)
    except TrackingIdError:
        canonical = None
    row = await staff_views.load_visible(services.engine, member, canonical) if canonical else None
    if row is None:
        raise ApiError(404, "complaint_not_found", "No such complaint in your scope.")
    return row
