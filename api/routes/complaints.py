"""The channel complaint API: file, attach, follow, answer a question, rate.

Thin on purpose: each route turns the request into a domain call and the domain's refusal
into an error in the citizen's language. A tracking ID opens a complaint only for the
channel user who filed it; anyone else gets the same 404 as for an ID that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, Response, UploadFile

import messages
from api.deps import CurrentChannel, ServicesDep
from api.domain.api_keys import Channel
from api.domain.complaints import actions as complaint_actions
from api.domain.complaints.attachments import MAX_ATTACHMENT_BYTES, AttachmentError
from api.domain.complaints.directory import Directory
from api.domain.complaints.evidence import ComplaintClosed, add_attachment
from api.domain.complaints.intake import (
    ComplaintDraft,
    FiledComplaint,
    IntakeError,
    IntakeProblem,
    Reporter,
    file_complaint,
)
from api.domain.complaints.lifecycle import Action, Actor, InvalidTransition
from api.domain.complaints.queries import (
    complaint_id_for_reporter,
    complaints_of_reporter,
    reporter_view,
)
from api.domain.complaints.tracking_id import TrackingIdError, display, parse_tracking_id
from api.domain.complaints.working_days import last_day
from api.errors import ApiError
from api.schemas.complaints import (
    ActionOut,
    AttachmentOut,
    CategoryOut,
    ComplaintCreate,
    ComplaintCreated,
    ComplaintListItemOut,
    ComplaintOut,
    InformationIn,
    RatingIn,
    category_out,
    complaint_out,
    created_out,
    office_out,
)
from api.services import Services

router = APIRouter(prefix="/api/v1", tags=["complaints"])

_ERRORS = {
    404: {"description": "No complaint with this tracking ID for this channel user"},
    409: {"description": "Not possible in the complaint's current status"},
    422: {"description": "The input is malformed; the message says exactly how"},
}


def status_labeller(locale: str):
    return lambda status: messages.render(locale, f"complaints.status_{status}")


@router.get("/complaint-categories", response_model=list[CategoryOut])
async def list_categories(
    services: ServicesDep,
    _: CurrentChannel,
    locale: Annotated[str | None, Query(max_length=16)] = None,
) -> list[CategoryOut]:
    """The kinds of complaint a citizen can file, in the citizen's language."""
    directory = await services.directory.get()
    language = messages.normalize_locale(locale)
    return [category_out(c, language) for c in directory.active_categories()]


@router.post("/complaints", status_code=201, response_model=ComplaintCreated, responses=_ERRORS)
async def create_complaint(
    body: ComplaintCreate,
    channel: CurrentChannel,
    services: ServicesDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> ComplaintCreated:
    """File a complaint. Answered only once it is stored durably.

    Send an `Idempotency-Key` so a retry after a timeout returns the same complaint
    (`Idempotent-Replayed: true`, status 200) instead of filing it twice.
    """
    locale = messages.normalize_locale(body.reporter.locale)
    directory = await services.directory.get()
    try:
        filed = await file_for_channel(
            services,
            channel,
            Reporter(
                channel_user=body.reporter.channel_user,
                locale=locale,
                contact=body.reporter.contact,
            ),
            ComplaintDraft(
                category=body.category,
                description=body.description,
                privacy=body.privacy,
                subject_nik=body.subject_nik,
                region_code=body.region_code,
                programme=body.programme,
                tahap=body.tahap,
                latitude=body.location.latitude if body.location else None,
                longitude=body.location.longitude if body.location else None,
                address=body.address,
            ),
            idempotency_key=idempotency_key,
        )
    except IntakeError as error:
        raise intake_error(error, locale) from None
    if filed.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return created_out(filed, directory, confirmation(filed, directory, locale))


@router.get("/complaints", response_model=list[ComplaintListItemOut])
async def list_own_complaints(
    channel: CurrentChannel,
    services: ServicesDep,
    channel_user: Annotated[str, Query(min_length=1, max_length=128)],
    locale: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[ComplaintListItemOut]:
    """The complaints this channel user filed, most recently changed first."""
    language = messages.normalize_locale(locale)
    items = await complaints_of_reporter(
        services.engine,
        services.protector,
        channel=channel.name,
        channel_user=channel_user.strip(),
        limit=limit,
    )
    directory = await services.directory.get()
    label = status_labeller(language)
    return [
        ComplaintListItemOut(
            tracking_id=item.tracking_id,
            tracking_id_display=display(item.tracking_id),
            status=item.status.value,
            status_label=label(item.status.value),
            category=item.category,
            category_label=(
                directory.categories[item.category].label_in(language)
                if item.category in directory.categories
                else item.category
            ),
            created_at=item.created_at,
            updated_at=item.updated_at,
        )
        for item in items
    ]


@router.get("/complaints/{tracking_id}", response_model=ComplaintOut, responses=_ERRORS)
async def get_complaint(
    tracking_id: str,
    channel: CurrentChannel,
    services: ServicesDep,
    channel_user: Annotated[str, Query(min_length=1, max_length=128)],
    locale: Annotated[str | None, Query(max_length=16)] = None,
) -> ComplaintOut:
    """A complaint's status and public timeline, for the channel user who filed it."""
    language = messages.normalize_locale(locale)
    complaint_id = await _own_complaint(services, channel, tracking_id, channel_user, language)
    view = await reporter_view(services.engine, complaint_id)
    directory = await services.directory.get()
    return complaint_out(view, directory, locale=language, status_label=status_labeller(language))


@router.post("/complaints/{tracking_id}/information", response_model=ActionOut, responses=_ERRORS)
async def provide_information(
    tracking_id: str, body: InformationIn, channel: CurrentChannel, services: ServicesDep
) -> ActionOut:
    """The citizen answers the office's request for information; the clock runs again."""
    locale = messages.normalize_locale(body.locale)
    complaint_id = await _own_complaint(services, channel, tracking_id, body.channel_user, locale)
    return await _citizen_action(
        services, channel, complaint_id, Action.PROVIDE_INFO, locale, note=body.message
    )


@router.post("/complaints/{tracking_id}/rating", response_model=ActionOut, responses=_ERRORS)
async def rate_complaint(
    tracking_id: str, body: RatingIn, channel: CurrentChannel, services: ServicesDep
) -> ActionOut:
    """Rate the answer 1–5. A first rating of 1 or 2 reopens it at the coordination region."""
    locale = messages.normalize_locale(body.locale)
    complaint_id = await _own_complaint(services, channel, tracking_id, body.channel_user, locale)
    return await _citizen_action(
        services,
        channel,
        complaint_id,
        Action.RATE,
        locale,
        note=body.comment,
        rating=body.rating,
    )


@router.post(
    "/complaints/{tracking_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses=_ERRORS,
)
async def upload_attachment(
    tracking_id: str,
    channel: CurrentChannel,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="A photo (JPEG, PNG, WebP) or a PDF, ≤ 10 MB")],
    channel_user: Annotated[str, Form(min_length=1, max_length=128)],
    locale: Annotated[str | None, Form(max_length=16)] = None,
) -> AttachmentOut:
    """Attach evidence (at most 5 files per complaint); the type is checked from the content."""
    language = messages.normalize_locale(locale)
    complaint_id = await _own_complaint(services, channel, tracking_id, channel_user, language)
    # One byte past the limit is enough to know it is too large, without reading it all.
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    try:
        stored = await add_attachment(
            engine=services.engine,
            storage=services.storage,
            complaint_id=complaint_id,
            data=data,
            declared_type=file.content_type,
            filename=file.filename,
            actor=Actor.CITIZEN,
            actor_name=channel.name,
        )
    except AttachmentError as error:
        raise ApiError(
            413 if error.problem == "too_large" else 422,
            f"attachment_{error.problem.value}",
            messages.render(
                language,
                f"complaints.attachment_{error.problem.value}",
                **{k: v for k, v in error.params.items() if v is not None},
            ),
            field="file",
        ) from None
    except ComplaintClosed:
        raise ApiError(
            409, "complaint_closed", messages.render(language, "complaints.attachment_closed")
        ) from None
    return AttachmentOut(
        id=stored.id,
        content_type=stored.content_type,
        size=stored.size,
        filename=stored.filename,
        sha256=stored.sha256,
    )


async def _own_complaint(
    services: Services, channel: Channel, tracking_id: str, channel_user: str, locale: str
) -> int:
    try:
        canonical = parse_tracking_id(tracking_id)
    except TrackingIdError as error:
        raise ApiError(
            422,
            f"tracking_id_{error.problem.value}",
            messages.render(locale, f"complaints.tracking_{error.problem.value}"),
            field="tracking_id",
        ) from None
    complaint_id = await complaint_id_for_reporter(
        services.engine,
        services.protector,
        tracking_id=canonical,
        channel=channel.name,
        channel_user=channel_user.strip(),
    )
    if complaint_id is None:
        raise ApiError(404, "complaint_not_found", messages.render(locale, "complaints.not_found"))
    return complaint_id


async def _citizen_action(
    services: Services,
    channel: Channel,
    complaint_id: int,
    action: Action,
    locale: str,
    **options,
) -> ActionOut:
    directory = await services.directory.get()
    result = await run_action(
        services,
        complaint_id=complaint_id,
        action=action,
        actor=complaint_actions.ActorRef(Actor.CITIZEN, channel.name),
        locale=locale,
        **options,
    )
    return ActionOut(
        tracking_id=result.tracking_id,
        status=result.status.value,
        status_label=messages.render(locale, f"complaints.status_{result.status.value}"),
        office=office_out(directory, result.office_code),
    )


async def run_action(services: Services, *, locale: str, **arguments):
    """Take a lifecycle action, turning the domain's refusals into API errors (409/422)."""
    try:
        return await complaint_actions.take_action(
            engine=services.engine,
            protector=services.protector,
            directory=await services.directory.get(),
            calendar=services.calendar,
            **arguments,
        )
    except InvalidTransition as refused:
        raise ApiError(
            409,
            "invalid_transition",
            messages.render(
                locale,
                "complaints.invalid_transition",
                status=messages.render(locale, f"complaints.status_{refused.status.value}"),
            ),
            extra={"status": refused.status.value, "action": refused.action.value},
        ) from None
    except complaint_actions.ComplaintChanged:
        raise ApiError(
            409, "complaint_changed", messages.render(locale, "complaints.changed")
        ) from None
    except complaint_actions.ActionError as error:
        raise ApiError(
            422,
            error.problem.value,
            messages.render(locale, f"complaints.{error.problem.value}", **error.params),
        ) from None


async def file_for_channel(
    services: Services,
    channel: Channel,
    reporter: Reporter,
    draft: ComplaintDraft,
    *,
    idempotency_key: str | None,
) -> FiledComplaint:
    """Intake with the running service's engine, keys, directory and calendar (every channel)."""
    return await file_complaint(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        calendar=services.calendar,
        regions=services.regions,
        programmes=services.programmes,
        channel=channel,
        reporter=reporter,
        draft=draft,
        idempotency_key=idempotency_key,
    )


def confirmation(filed: FiledComplaint, directory: Directory, locale: str) -> str:
    """The sentence that tells the citizen their complaint is in, where, and until when."""
    return messages.render(
        locale,
        "complaints.created",
        tracking_id=display(filed.tracking_id),
        office=directory.office_name(filed.office_code),
        due=messages.long_date(locale, last_day(filed.follow_up_due)),
    )


def intake_error(error: IntakeError, locale: str) -> ApiError:
    if error.nik_error is not None:
        problem = error.nik_error.problem.value
        return ApiError(
            422,
            f"subject_nik_{problem}",
            messages.render(locale, f"nik.{problem}", **error.nik_error.params),
            field=error.field,
        )
    status = 409 if error.problem == IntakeProblem.IDEMPOTENCY_KEY_REUSED else 422
    return ApiError(
        status,
        error.problem.value,
        messages.render(locale, f"complaints.{error.problem.value}", **error.params),
        field=error.field,
    )


# --- the limits a channel states and checks before it sends (issue 11) ------------------------
# Kept apart (with its own imports) so that it moves as one piece.

from api.domain.complaints import actions as _actions  # noqa: E402
from api.domain.complaints import attachments as _attachments  # noqa: E402
from api.domain.complaints import intake as _intake  # noqa: E402
from api.schemas.complaints import ComplaintLimitsOut  # noqa: E402


@router.get("/complaint-limits", response_model=ComplaintLimitsOut)
async def complaint_limits(_: CurrentChannel) -> ComplaintLimitsOut:
    """The limits the api checks a complaint against, for a channel to state and check first.

    Read from the domain at each request (not copied at import), so a channel never states a
    number the domain no longer uses.
    """
    return ComplaintLimitsOut(
        description_max_chars=_intake.MAX_DESCRIPTION,
        note_max_chars=_actions.MAX_NOTE,
        attachments_max_count=_attachments.MAX_ATTACHMENTS,
        attachment_max_bytes=_attachments.MAX_ATTACHMENT_BYTES,
        attachment_types=sorted(_attachments.ALLOWED_TYPES),
    )
