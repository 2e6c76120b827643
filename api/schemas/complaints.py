"""Request and response bodies of the channel complaint API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.domain.complaints.categories import Category
from api.domain.complaints.directory import Directory
from api.domain.complaints.intake import MAX_DESCRIPTION, FiledComplaint
from api.domain.complaints.queries import ReporterView
from api.domain.complaints.tracking_id import display
from api.domain.instants import UtcInstant
from api.schemas.text import Line, Text


class ReporterIn(BaseModel):
    channel_user: Line = Field(min_length=1, max_length=128, description="The channel's user id")
    locale: Line | None = Field(default=None, max_length=16, description="id (default) or en")
    contact: Line | None = Field(
        default=None, max_length=200, description="Optional phone or e-mail for the office"
    )


class LocationIn(BaseModel):
    latitude: float
    longitude: float


class ComplaintCreate(BaseModel):
    # A complaint that is filed as is: the docs' "Try it out" and the fuzz run's first call
    # (its links then lead to the routes that follow a complaint).
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reporter": {"channel_user": "tg:1001", "locale": "id"},
                    "category": "BANTUAN_TIDAK_DITERIMA",
                    "region_code": "351001",
                    "description": "Bantuan tahap 3 belum diterima.",
                }
            ]
        }
    )

    reporter: ReporterIn
    category: Line = Field(max_length=32, description="A code from GET /complaint-categories")
    privacy: Line = Field(default="BIASA", max_length=16, description="BIASA, ANONIM or RAHASIA")
    # Checked by the domain (with a message in the citizen's language), so only a generous
    # bound here keeps absurd bodies out.
    description: Text = Field(max_length=MAX_DESCRIPTION * 4)
    subject_nik: Line | None = Field(
        default=None, max_length=64, description="NIK of the person concerned"
    )
    region_code: Line | None = Field(
        default=None,
        max_length=32,
        description="Kecamatan (6 digits) or desa/kelurahan (10); from the registry if omitted",
    )
    programme: Line | None = Field(default=None, max_length=16)
    tahap: int | None = None
    location: LocationIn | None = None
    address: Text | None = Field(default=None, max_length=1000)


class OfficeOut(BaseModel):
    code: str
    name: str


class DeadlinesOut(BaseModel):
    verify: UtcInstant
    follow_up: UtcInstant
    resolve: UtcInstant


class ComplaintCreated(BaseModel):
    tracking_id: str = Field(description="Canonical form, as stored")
    tracking_id_display: str = Field(description="Grouped for reading aloud: 7K3-M9Q-X2P")
    status: str
    category: str
    office: OfficeOut
    routing_reason: str
    in_triage: bool = Field(description="At a triage desk until the domicile is set")
    deadlines: DeadlinesOut
    created_at: UtcInstant
    message: str = Field(description="Confirmation for the citizen, in their language")


class TimelineEntryOut(BaseModel):
    at: UtcInstant
    kind: str
    status: str | None
    status_label: str | None
    office: OfficeOut | None
    note: str | None


class ComplaintOut(BaseModel):
    tracking_id: str
    tracking_id_display: str
    status: str
    status_label: str
    in_triage: bool = Field(description="Waiting for a desk officer to choose the office")
    category: str
    category_label: str
    privacy: str
    office: OfficeOut
    time_zone: str = Field(
        description="WIB, WITA or WIT: the office's zone, in which a person is shown its times"
    )
    programme: str | None
    tahap: int | None
    description: str
    created_at: UtcInstant
    deadlines: DeadlinesOut
    rating: int | None
    attachments: int
    timeline: list[TimelineEntryOut]
    citizen_actions: list[str]


class ComplaintListItemOut(BaseModel):
    tracking_id: str
    tracking_id_display: str
    status: str
    status_label: str
    in_triage: bool
    category: str
    category_label: str
    created_at: UtcInstant
    updated_at: UtcInstant


class CategoryOut(BaseModel):
    code: str
    label: str
    description: str
    requires_subject_nik: bool
    resolve_working_days: int
    description_public: bool = Field(
        description=(
            "Whether the text of a complaint of this kind appears in public listings "
            "(Open311 requests), with phone numbers, e-mail addresses and NIK/KK numbers "
            "masked, when it is filed BIASA. Never for ANONIM or RAHASIA: tell the citizen "
            "before sending."
        )
    )


class InformationIn(BaseModel):
    channel_user: Line = Field(min_length=1, max_length=128)
    message: Text = Field(max_length=20000)
    locale: Line | None = Field(default=None, max_length=16)


class RatingIn(BaseModel):
    channel_user: Line = Field(min_length=1, max_length=128)
    rating: int = Field(description="1 (poor) to 5 (very good)")
    comment: Text | None = Field(default=None, max_length=20000)
    locale: Line | None = Field(default=None, max_length=16)


class ActionOut(BaseModel):
    tracking_id: str
    status: str
    status_label: str
    office: OfficeOut


class AttachmentOut(BaseModel):
    id: int
    content_type: str
    size: int
    filename: str
    sha256: str


def office_out(directory: Directory, code: str) -> OfficeOut:
    return OfficeOut(code=code, name=directory.office_name(code))


def category_out(category: Category, locale: str) -> CategoryOut:
    return CategoryOut(
        code=category.code,
        label=category.label_in(locale),
        description=category.description_in(locale),
        requires_subject_nik=category.requires_subject_nik,
        resolve_working_days=category.resolve_days,
        description_public=category.public_description,
    )


def created_out(filed: FiledComplaint, directory: Directory, message: str) -> ComplaintCreated:
    return ComplaintCreated(
        tracking_id=filed.tracking_id,
        tracking_id_display=display(filed.tracking_id),
        status=filed.status.value,
        category=filed.category,
        office=office_out(directory, filed.office_code),
        routing_reason=filed.routing_reason,
        in_triage=filed.in_triage,
        deadlines=DeadlinesOut(
            verify=filed.verify_due, follow_up=filed.follow_up_due, resolve=filed.resolve_due
        ),
        created_at=filed.created_at,
        message=message,
    )


def complaint_out(
    view: ReporterView, directory: Directory, *, locale: str, status_label
) -> ComplaintOut:
    category = directory.categories.get(view.category)
    return ComplaintOut(
        tracking_id=view.tracking_id,
        tracking_id_display=display(view.tracking_id),
        status=view.status.value,
        status_label=status_label(view.status.value, view.in_triage),
        in_triage=view.in_triage,
        category=view.category,
        category_label=category.label_in(locale) if category else view.category,
        privacy=view.privacy,
        office=office_out(directory, view.office_code),
        time_zone=directory.office_zone(view.office_code).abbreviation,
        programme=view.programme,
        tahap=view.tahap,
        description=view.description,
        created_at=view.created_at,
        deadlines=DeadlinesOut(
            verify=view.verify_due, follow_up=view.follow_up_due, resolve=view.resolve_due
        ),
        rating=view.rating,
        attachments=view.attachments,
        timeline=[
            TimelineEntryOut(
                at=entry.at,
                kind=entry.kind,
                status=entry.status,
                status_label=status_label(entry.status) if entry.status else None,
                office=office_out(directory, entry.office_code) if entry.office_code else None,
                note=entry.note,
            )
            for entry in view.timeline
        ],
        citizen_actions=view.citizen_actions,
    )


class ComplaintLimitsOut(BaseModel):
    """What the api accepts for a complaint, so a channel states and checks the same numbers."""

    description_max_chars: int = Field(description="Longest complaint description, in characters")
    note_max_chars: int = Field(description="Longest answer to a request for information")
    attachments_max_count: int = Field(description="Most attachments one complaint can have")
    attachment_max_bytes: int = Field(description="Largest attachment, in bytes")
    attachment_types: list[str] = Field(description="Content types an attachment may have")
