"""The channel complaint API: file, attach, follow, answer a question, rate.

Thin on purpose: each route turns the request into one application call and the call's
refusal into an error in the citizen's language. A tracking ID opens a complaint only for
the channel user who filed it; anyone else gets the same 404 as for an ID that does not
exist.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, Response, UploadFile

import messages
from api.application import citizen_complaints, complaint_intake
from api.application.principals import Citizen
from api.deps import CurrentChannel, ServicesDep
from api.domain.complaints.actions import ActionResult
from api.domain.complaints.attachments import MAX_ATTACHMENT_BYTES
from api.domain.complaints.directory import Directory
from api.domain.complaints.intake import ComplaintDraft
from api.domain.complaints.tracking_id import display
from api.errors import error_responses, refusals_in
from api.schemas.complaints import (
    ActionOut,
    AttachmentOut,
    CategoryOut,
    ComplaintCreate,
    ComplaintCreated,
    ComplaintLimitsOut,
    ComplaintListItemOut,
    ComplaintOut,
    InformationIn,
    RatingIn,
    category_out,
    complaint_out,
    created_out,
    office_out,
)
from api.schemas.text import Line

ChannelUser = Annotated[Line, Query(min_length=1, max_length=128)]
Locale = Annotated[Line | None, Query(max_length=16)]

# Every route: a channel API key (401) and validated input (422).
router = APIRouter(prefix="/api/v1", tags=["complaints"], responses=error_responses(401, 422, 503))

_OWN_COMPLAINT = {
    404: "No complaint with this tracking ID for this channel user",
    409: "Not possible in the complaint's current status",
}
_ACTION_ERRORS = error_responses(400, 413, 404, 409, meanings=_OWN_COMPLAINT)


def _link(method: str, path: str, **parameters: str) -> dict:
    """An OpenAPI link to ``method path``: clients (and the fuzz run's stateful phase) learn
    which call follows a filed complaint and where its identifier comes from."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method}", "parameters": parameters}


_FILED = "$response.body#/tracking_id"
_AFTER_FILING = {
    "follow": _link(
        "get",
        "/api/v1/complaints/{tracking_id}",
        tracking_id=_FILED,
        channel_user="$request.body#/reporter/channel_user",
    ),
    "answer": _link("post", "/api/v1/complaints/{tracking_id}/information", tracking_id=_FILED),
    "rate": _link("post", "/api/v1/complaints/{tracking_id}/rating", tracking_id=_FILED),
    "attach": _link("post", "/api/v1/complaints/{tracking_id}/attachments", tracking_id=_FILED),
    "open_as_staff": _link("get", "/api/v1/staff/complaints/{tracking_id}", tracking_id=_FILED),
    "act_as_staff": _link(
        "post", "/api/v1/staff/complaints/{tracking_id}/actions", tracking_id=_FILED
    ),
}


def status_labeller(locale: str):
    """The status as the citizen reads it; "being triaged" while no office is chosen yet."""

    def label(status: str, in_triage: bool = False) -> str:
        key = "complaints.status_in_triage" if in_triage else f"complaints.status_{status}"
        return messages.render(locale, key)

    return label


@router.get("/complaint-categories", response_model=list[CategoryOut])
async def list_categories(
    services: ServicesDep,
    _: CurrentChannel,
    locale: Locale = None,
) -> list[CategoryOut]:
    """The kinds of complaint a citizen can file, in the citizen's language."""
    _, categories = await complaint_intake.active_categories(services)
    language = messages.normalize_locale(locale)
    return [category_out(c, language) for c in categories]


@router.get("/complaint-limits", response_model=ComplaintLimitsOut)
async def complaint_limits(_: CurrentChannel) -> ComplaintLimitsOut:
    """The limits the api checks a complaint against (description, answer, attachments),
    for a channel to state and check before it sends."""
    return ComplaintLimitsOut(**asdict(complaint_intake.complaint_limits()))


@router.post(
    "/complaints",
    status_code=201,
    response_model=ComplaintCreated,
    responses={
        201: {"links": _AFTER_FILING},
        200: {
            "model": ComplaintCreated,
            "description": "A retry with the same Idempotency-Key: the complaint filed before",
            "links": _AFTER_FILING,
        },
        **error_responses(
            400,
            409,
            413,
            429,
            meanings={
                409: "The Idempotency-Key was used for a different complaint",
                429: "Too many complaints from this channel user; see Retry-After",
            },
        ),
    },
)
async def create_complaint(
    body: ComplaintCreate,
    channel: CurrentChannel,
    services: ServicesDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> ComplaintCreated:
    """File a complaint. Answered only once it is stored durably.

    **What becomes public** (the Open311 listing, `/open311/v2/requests`): the kind of
    complaint, its status, the office handling it, the office's public notes, dates and the
    kecamatan — never the reporter, the desa/kelurahan or the subject's NIK. The
    `description`, `address` and `location` are published only for a category whose
    `description_public` is true and a complaint filed `BIASA`, with phone numbers, e-mail
    addresses and NIK/KK numbers masked. A `RAHASIA` complaint is never listed. Tell the
    citizen this before sending. Photos are stored re-encoded, without their EXIF (GPS
    position, device).

    Send an `Idempotency-Key` so a retry after a timeout returns the same complaint
    (`Idempotent-Replayed: true`, status 200) instead of filing it twice.
    """
    locale = messages.normalize_locale(body.reporter.locale)
    citizen = Citizen(channel, body.reporter.channel_user)
    with refusals_in(locale):
        filing = await complaint_intake.file_complaint(
            services,
            citizen,
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
            locale=locale,
            contact=body.reporter.contact,
            idempotency_key=idempotency_key,
        )
    if filing.filed.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return created_out(filing.filed, filing.directory, filing.confirmation)


@router.get("/complaints", response_model=list[ComplaintListItemOut])
async def list_own_complaints(
    channel: CurrentChannel,
    services: ServicesDep,
    channel_user: ChannelUser,
    locale: Locale = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[ComplaintListItemOut]:
    """The complaints this channel user filed, most recently changed first."""
    language = messages.normalize_locale(locale)
    items = await citizen_complaints.own_complaints(
        services, Citizen(channel, channel_user.strip()), limit=limit
    )
    directory = await services.directory.get()
    label = status_labeller(language)
    return [
        ComplaintListItemOut(
            tracking_id=item.tracking_id,
            tracking_id_display=display(item.tracking_id),
            status=item.status.value,
            status_label=label(item.status.value, item.in_triage),
            in_triage=item.in_triage,
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


@router.get(
    "/complaints/{tracking_id}",
    response_model=ComplaintOut,
    responses=error_responses(404, meanings=_OWN_COMPLAINT),
)
async def get_complaint(
    tracking_id: str,
    channel: CurrentChannel,
    services: ServicesDep,
    channel_user: ChannelUser,
    locale: Locale = None,
) -> ComplaintOut:
    """A complaint's status and public timeline, for the channel user who filed it."""
    language = messages.normalize_locale(locale)
    with refusals_in(language):
        view = await citizen_complaints.follow_complaint(
            services, Citizen(channel, channel_user.strip()), tracking_id
        )
    directory = await services.directory.get()
    return complaint_out(view, directory, locale=language, status_label=status_labeller(language))


@router.post(
    "/complaints/{tracking_id}/information", response_model=ActionOut, responses=_ACTION_ERRORS
)
async def provide_information(
    tracking_id: str, body: InformationIn, channel: CurrentChannel, services: ServicesDep
) -> ActionOut:
    """The citizen answers the office's request for information; the clock runs again."""
    locale = messages.normalize_locale(body.locale)
    with refusals_in(locale):
        result = await citizen_complaints.provide_information(
            services, Citizen(channel, body.channel_user.strip()), tracking_id, message=body.message
        )
    return await _action_out(services, result, locale)


@router.post("/complaints/{tracking_id}/rating", response_model=ActionOut, responses=_ACTION_ERRORS)
async def rate_complaint(
    tracking_id: str, body: RatingIn, channel: CurrentChannel, services: ServicesDep
) -> ActionOut:
    """Rate the answer 1–5. A first rating of 1 or 2 reopens it at the coordination region."""
    locale = messages.normalize_locale(body.locale)
    with refusals_in(locale):
        result = await citizen_complaints.rate_answer(
            services,
            Citizen(channel, body.channel_user.strip()),
            tracking_id,
            rating=body.rating,
            comment=body.comment,
        )
    return await _action_out(services, result, locale)


@router.post(
    "/complaints/{tracking_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses={
        201: {
            "links": {
                "download_as_staff": _link(
                    "get",
                    "/api/v1/staff/complaints/{tracking_id}/attachments/{attachment_id}",
                    tracking_id="$request.path.tracking_id",
                    attachment_id="$response.body#/id",
                )
            }
        },
        **error_responses(
            400, 404, 409, 413, meanings={**_OWN_COMPLAINT, 413: "The file is over 10 MB"}
        ),
    },
)
async def upload_attachment(
    tracking_id: str,
    channel: CurrentChannel,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="A photo (JPEG, PNG, WebP) or a PDF, ≤ 10 MB")],
    channel_user: Annotated[Line, Form(min_length=1, max_length=128)],
    locale: Annotated[Line | None, Form(max_length=16)] = None,
) -> AttachmentOut:
    """Attach evidence (at most 5 files per complaint); the type is checked from the content."""
    language = messages.normalize_locale(locale)
    # One byte past the limit is enough to know it is too large, without reading it all.
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    with refusals_in(language):
        stored = await citizen_complaints.attach_evidence(
            services,
            Citizen(channel, channel_user.strip()),
            tracking_id,
            data=data,
            declared_type=file.content_type,
            filename=file.filename,
        )
    return AttachmentOut(
        id=stored.id,
        content_type=stored.content_type,
        size=stored.size,
        filename=stored.filename,
        sha256=stored.sha256,
    )


async def _action_out(services, result: ActionResult, locale: str) -> ActionOut:
    directory: Directory = await services.directory.get()
    return ActionOut(
        tracking_id=result.tracking_id,
        status=result.status.value,
        status_label=messages.render(locale, f"complaints.status_{result.status.value}"),
        office=office_out(directory, result.office_code),
    )
