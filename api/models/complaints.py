"""Complaints, their timeline, attachments, idempotent submissions and the notification outbox.

Like the registry, a complaint keeps nothing that identifies a person in the clear: the
reporter (channel user and optional contact) and the subject NIK are encrypted, and looked
up by keyed hash. The description is the citizen's own words, kept as written; public
listings mask anything shaped like a NIK in it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from api.models._types import BigIntId, bigint_id_field, bytes_field, timestamp_field


class ComplaintCategory(SQLModel, table=True):
    """A kind of complaint and its routing rule (the office type that handles it)."""

    __tablename__ = "complaint_category"

    code: str = Field(primary_key=True, max_length=32)
    office_type: str = Field(max_length=16)
    requires_subject_nik: bool = False
    deadline_tier: str = Field(max_length=16)
    resolve_days: int
    label_id: str
    label_en: str
    description_id: str = Field(sa_column=Column(Text, nullable=False))
    description_en: str = Field(sa_column=Column(Text, nullable=False))
    position: int = 0
    active: bool = True
    # Whether a complaint's text may appear (masked) in public listings.
    public_description: bool = False


class Complaint(SQLModel, table=True):
    __table_args__ = (
        # The queue's tab counts read these alone (index-only), a thousand entries at most
        # per tab whatever the table holds: status and due date per office, per region
        # (with the office, the coordinator's view being "own office OR own region"),
        # per category (the ministry's usual filter) and nationwide; ending in id, they
        # also serve a status-filtered queue walked in order.
        Index("ix_complaint_office_status", "office_code", "status", "next_due", "id"),
        Index(
            "ix_complaint_region_status",
            "coordination_region_code",
            "status",
            "next_due",
            "id",
            "office_code",
        ),
        Index("ix_complaint_category_status", "category_code", "status", "next_due", "id"),
        Index("ix_complaint_status_next_due", "status", "next_due", "id"),
        Index("ix_complaint_open_deadlines", "status", "resolve_due"),
        # The console's queue, nearest deadline first, per office, region or nationwide.
        Index("ix_complaint_office_next_due", "office_code", "next_due", "id"),
        Index("ix_complaint_region_next_due", "coordination_region_code", "next_due", "id"),
        Index("ix_complaint_next_due", "next_due", "id"),
        # The live bar: "did anything in this member's view change since the page was drawn"
        # is a short walk from the newest change, per office, region or nationwide, and
        # from the office a complaint was forwarded away from.
        Index("ix_complaint_office_updated", "office_code", "updated_at"),
        Index("ix_complaint_region_updated", "coordination_region_code", "updated_at"),
        Index("ix_complaint_updated", "updated_at"),
        Index(
            "ix_complaint_previous_office_updated",
            "previous_office_code",
            "updated_at",
            postgresql_where=text("previous_office_code IS NOT NULL"),
            sqlite_where=text("previous_office_code IS NOT NULL"),
        ),
        # The triage desk, oldest first: a few rows among a million.
        Index(
            "ix_complaint_triage",
            "created_at",
            "id",
            postgresql_where=text("in_triage"),
            sqlite_where=text("in_triage"),
        ),
    )

    id: int | None = bigint_id_field()
    # Random, with a check character (api.domain.complaints.tracking_id); never sequential.
    tracking_id: str = Field(unique=True, max_length=16)
    category_code: str = Field(foreign_key="complaint_category.code", max_length=32)
    status: str = Field(max_length=16)
    privacy: str = Field(max_length=8)

    # Who filed it: the channel, and the channel's user by keyed hash (to find "my
    # complaints" and check ownership) and encrypted (to notify them).
    api_key_id: int = Field(foreign_key="api_key.id")
    channel: str = Field(max_length=64)
    reporter_hash: bytes = bytes_field(length=32, index=True)
    reporter_encrypted: bytes = bytes_field()
    reporter_locale: str = Field(max_length=5)

    # The person the complaint is about, when the category needs one.
    subject_nik_hash: bytes | None = bytes_field(length=32, index=True, nullable=True)
    subject_encrypted: bytes | None = bytes_field(nullable=True)
    subject_in_registry: bool = False

    # The domicile: None while the complaint waits at a triage desk (``in_triage``) for a
    # desk officer to set it; intake never takes it from the registry.
    district_code: str | None = Field(default=None, foreign_key="district.code", max_length=6)
    village_code: str | None = Field(default=None, max_length=10)
    regency_code: str | None = Field(default=None, index=True, max_length=4)
    province_code: str | None = Field(default=None, index=True, max_length=2)
    in_triage: bool = False
    # Set when the domicile is in the pilot: the statistics group by it.
    coordination_region_code: str | None = Field(default=None, max_length=16, index=True)

    programme: str | None = Field(default=None, max_length=16)
    tahap: int | None = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    description: str = Field(sa_column=Column(Text, nullable=False))
    latitude: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    longitude: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    address: str | None = Field(default=None, max_length=255)

    office_code: str = Field(foreign_key="office.code", max_length=32)
    # The office it was last forwarded or routed away from: its members' pages learn that
    # it left them (the live bar); None while it never moved.
    previous_office_code: str | None = Field(default=None, max_length=32)
    routing_reason: str = Field(max_length=32)
    transfer_count: int = 0
    # 0 at the office, 1 escalated to the coordination region, 2 to the ministry.
    escalation_level: int = 0
    needs_field_check: bool = False
    # The member of the office working it (the console's "assigned to me"); None: unassigned.
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)

    # Exclusive deadlines (on time while now < due), in working days from submission.
    verify_due: datetime = timestamp_field(default=None)
    follow_up_due: datetime = timestamp_field(default=None)
    resolve_due: datetime = timestamp_field(default=None)
    # The earliest deadline still to meet (verify, then follow-up, then resolve); None once
    # the complaint is answered or closed. The queue's order: "nearest deadline first".
    next_due: datetime | None = timestamp_field(nullable=True, default=None)
    verified_at: datetime | None = timestamp_field(nullable=True, default=None)
    followed_up_at: datetime | None = timestamp_field(nullable=True, default=None)
    answered_at: datetime | None = timestamp_field(nullable=True, default=None)
    closed_at: datetime | None = timestamp_field(nullable=True, default=None)
    # While waiting for the citizen the clock stops; the status to return to is kept.
    paused_at: datetime | None = timestamp_field(nullable=True, default=None)
    status_before_pause: str | None = Field(default=None, max_length=16)
    # Working days spent waiting for the citizen: every deadline moves later by as many.
    paused_days: int = 0
    # ";"-joined deadlines already marked as breached (VERIFY, FOLLOW_UP, RESOLVE).
    breaches: str = ""

    rating: int | None = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    reopened: bool = False

    created_at: datetime = timestamp_field(index=True)
    updated_at: datetime = timestamp_field()


class ComplaintEvent(SQLModel, table=True):
    """One entry of a complaint's timeline: who did what, when, with which note."""

    __tablename__ = "complaint_event"

    id: int | None = bigint_id_field()
    complaint_id: int = Field(
        sa_column=Column(BigIntId, ForeignKey("complaint.id"), nullable=False, index=True)
    )
    at: datetime = timestamp_field()
    kind: str = Field(max_length=24)
    actor_type: str = Field(max_length=8)  # CITIZEN, STAFF, SYSTEM
    actor: str = Field(max_length=64)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    office_code: str | None = Field(default=None, max_length=32)
    # Public events are shown to the citizen (and in Open311); others stay with the staff.
    public: bool = True
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The citizen's rating (1–5) on a rating event: "rate", or the "reopen" a poor first
    # rating makes. The complaint keeps only its latest; the statistics count every one.
    rating: int | None = Field(default=None, sa_column=Column(SmallInteger, nullable=True))


class ComplaintAttachment(SQLModel, table=True):
    __tablename__ = "complaint_attachment"

    id: int | None = bigint_id_field()
    complaint_id: int = Field(
        sa_column=Column(BigIntId, ForeignKey("complaint.id"), nullable=False, index=True)
    )
    storage_key: str = Field(unique=True, max_length=128)
    content_type: str = Field(max_length=32)
    size: int
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=100)
    uploaded_by: str = Field(max_length=8)  # CITIZEN or STAFF
    created_at: datetime = timestamp_field()


class IdempotencyKey(SQLModel, table=True):
    """A channel's Idempotency-Key: a retried submission returns the complaint it made."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: int | None = bigint_id_field()
    api_key_id: int = Field(foreign_key="api_key.id")
    key: str = Field(max_length=128)
    # The same key with a different request is a client bug, refused rather than guessed.
    request_hash: bytes = bytes_field(length=32)
    complaint_id: int = Field(
        sa_column=Column(BigIntId, ForeignKey("complaint.id"), nullable=False)
    )
    created_at: datetime = timestamp_field()


class OutboxMessage(SQLModel, table=True):
    """A notification to a channel user, written in the transaction of the change itself.

    The relay moves rows, in id order, to the channel's Redis stream and marks them relayed;
    the stream entry's id is derived from the row id, so a relay that crashed after adding
    an entry but before marking the row cannot add it twice.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_unrelayed", "relayed_at", "id"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigIntId, primary_key=True, autoincrement=True)
    )
    created_at: datetime = timestamp_field()
    channel: str = Field(max_length=64)
    channel_user: str = Field(max_length=128)
    locale: str = Field(max_length=5)
    kind: str = Field(max_length=32)
    # JSON: what the channel needs to render the message in the user's language.
    payload: str = Field(sa_column=Column(Text, nullable=False))
    relayed_at: datetime | None = timestamp_field(nullable=True, default=None)


__all__ = [
    "Complaint",
    "ComplaintAttachment",
    "ComplaintCategory",
    "ComplaintEvent",
    "IdempotencyKey",
    "OutboxMessage",
]
