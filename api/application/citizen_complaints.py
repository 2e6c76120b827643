"""What a citizen does with their complaints after filing: list, follow, add evidence,
answer the office's question, rate the answer.

A tracking ID opens a complaint only for the channel user who filed it; anyone else is told
it does not exist, exactly as for an ID that was never given.
"""

from __future__ import annotations

from api.application.acting import take_action
from api.application.errors import AppError, Refusal
from api.application.principals import Citizen
from api.domain.complaints import queries
from api.domain.complaints.actions import ActionResult, ActorRef
from api.domain.complaints.attachments import AttachmentError
from api.domain.complaints.evidence import ComplaintClosed, StoredAttachment, add_attachment
from api.domain.complaints.tracking_id import TrackingIdError, parse_tracking_id
from api.domain.vocabulary import Action, Actor
from api.services import Services


async def own_complaints(
    services: Services, citizen: Citizen, *, limit: int
) -> list[queries.ReporterListItem]:
    """The complaints this citizen filed through this channel, most recently changed first."""
    return await queries.complaints_of_reporter(
        services.engine,
        services.protector,
        channel=citizen.channel.name,
        channel_user=citizen.user,
        limit=limit,
    )


async def own_complaint(services: Services, citizen: Citizen, tracking_id: str) -> int:
    """The id of the complaint this citizen filed under ``tracking_id``, else not found."""
    try:
        canonical = parse_tracking_id(tracking_id)
    except TrackingIdError as error:
        raise AppError(
            Refusal.INVALID,
            f"tracking_id_{error.problem.value}",
            f"complaints.tracking_{error.problem.value}",
            field="tracking_id",
        ) from None
    complaint_id = await queries.complaint_id_for_reporter(
        services.engine,
        services.protector,
        tracking_id=canonical,
        channel=citizen.channel.name,
        channel_user=citizen.user,
    )
    if complaint_id is None:
        raise AppError(Refusal.NOT_FOUND, "complaint_not_found", "complaints.not_found")
    return complaint_id


async def follow_complaint(
    services: Services, citizen: Citizen, tracking_id: str
) -> queries.ReporterView:
    """The complaint's status and its public timeline, as its reporter sees them."""
    complaint_id = await own_complaint(services, citizen, tracking_id)
    return await queries.reporter_view(services.engine, complaint_id)


async def attach_evidence(
    services: Services,
    citizen: Citizen,
    tracking_id: str,
    *,
    data: bytes,
    declared_type: str | None,
    filename: str | None,
) -> StoredAttachment:
    """Add a photo or PDF (type checked from the content; at most a few per complaint)."""
    complaint_id = await own_complaint(services, citizen, tracking_id)
    try:
        return await add_attachment(
            engine=services.engine,
            storage=services.storage,
            complaint_id=complaint_id,
            data=data,
            declared_type=declared_type,
            filename=filename,
            actor=Actor.CITIZEN,
            actor_name=citizen.channel.name,
        )
    except AttachmentError as error:
        problem = error.problem.value
        raise AppError(
            Refusal.TOO_LARGE if problem == "too_large" else Refusal.INVALID,
            f"attachment_{problem}",
            f"complaints.attachment_{problem}",
            field="file",
            params={k: v for k, v in error.params.items() if v is not None},
        ) from None
    except ComplaintClosed:
        raise AppError(
            Refusal.CONFLICT, "complaint_closed", "complaints.attachment_closed"
        ) from None


async def provide_information(
    services: Services, citizen: Citizen, tracking_id: str, *, message: str
) -> ActionResult:
    """The citizen answers the office's request for information; the clock runs again."""
    return await _act_as_citizen(services, citizen, tracking_id, Action.PROVIDE_INFO, note=message)


async def rate_answer(
    services: Services,
    citizen: Citizen,
    tracking_id: str,
    *,
    rating: int,
    comment: str | None,
) -> ActionResult:
    """Rate the answer 1–5; a first rating of 1 or 2 reopens it at the coordination region."""
    return await _act_as_citizen(
        services, citizen, tracking_id, Action.RATE, note=comment, rating=rating
    )


async def _act_as_citizen(
    services: Services, citizen: Citizen, tracking_id: str, action: Action, **options
) -> ActionResult:
    complaint_id = await own_complaint(services, citizen, tracking_id)
    return await take_action(
        services,
        complaint_id=complaint_id,
        action=action,
        actor=ActorRef(Actor.CITIZEN, citizen.channel.name),
        **options,
    )
