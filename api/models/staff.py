"""Staff who handle complaints, their sessions, and the audit of what each of them saw."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models._types import BigIntId, bigint_id_field, bytes_field, timestamp_field


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(max_length=128)
    # argon2id (or, until the owner's next sign-in upgrades it, a legacy scrypt hash), with
    # its parameters and salt: see api.domain.passwords.
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)  # HANDLER, COORDINATOR, MINISTRY, ADMIN
    office_code: str | None = Field(default=None, foreign_key="office.code", index=True)
    active: bool = True
    created_at: datetime = timestamp_field()
    # Set for an account created or reset with a temporary password: the console asks for a
    # new one before anything else.
    must_change_password: bool = False
    # The member's language in the console: "id" (the default) or "en".
    locale: str = Field(default="id", max_length=5)


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    id: int | None = bigint_id_field()
    # SHA-256 of the bearer token: a copy of the database opens no session.
    token_hash: bytes = bytes_field(length=32, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field(default=None)
    revoked_at: datetime | None = timestamp_field(nullable=True, default=None)
    # Console sessions (a cookie) also end after a time without use; API bearer tokens do not.
    console: bool = False
    last_seen_at: datetime | None = timestamp_field(nullable=True, default=None)


class StaffAccessAudit(SQLModel, table=True):
    """Who saw which complaint, and which personal data of it, when."""

    __tablename__ = "staff_access_audit"

    id: int | None = bigint_id_field()
    at: datetime = timestamp_field(index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    complaint_id: int = Field(
        sa_column=Column(BigIntId, ForeignKey("complaint.id"), nullable=False, index=True)
    )
    # view, view_reporter, view_subject, download_attachment, act
    what: str = Field(max_length=24)


class ComplaintExportAudit(SQLModel, table=True):
    """Who exported complaints row by row, when, under which filter, with or without the
    citizens' descriptions, and how many rows left. Written before the first row leaves;
    ``rows`` and ``finished_at`` stay empty when the download did not complete."""

    __tablename__ = "complaint_export_audit"

    id: int | None = bigint_id_field()
    at: datetime = timestamp_field(index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    # The statistics filter as URL parameters (api.domain.statistics.filters.filter_params).
    filter: str = Field(max_length=1000)
    descriptions: bool = False
    rows: int | None = None
    finished_at: datetime | None = timestamp_field(nullable=True, default=None)


class AdministrationAudit(SQLModel, table=True):
    """Who changed the service's configuration (routing, offices, accounts, keys), when,
    and what it was before and after. Never a password or a key: only what identifies them.
    """

    __tablename__ = "administration_audit"

    id: int | None = bigint_id_field()
    at: datetime = timestamp_field(index=True)
    # The administrator's username, or the operator at the command line.
    actor: str = Field(max_length=64)
    actor_staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    # category_rule_changed, office_added, office_changed, staff_created, api_key_created …
    change: str = Field(max_length=32, index=True)
    subject: str = Field(max_length=64)
    # JSON of the record before and after the change (None where there was none).
    before: str | None = Field(default=None, max_length=4000)
    after: str | None = Field(default=None, max_length=4000)


class SavedView(SQLModel, table=True):
    """A member's named queue filter (the console's query string), to open it again."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("staff_id", "name"),)

    id: int | None = bigint_id_field()
    staff_id: int = Field(foreign_key="staff.id", index=True)
    name: str = Field(max_length=64)
    query: str = Field(max_length=2000)
    created_at: datetime = timestamp_field()


class ResponseTemplate(SQLModel, table=True):
    """A ready answer to a citizen, per category (None: any category) and language, with
    placeholders such as ``{tracking_id}``; managed by administrators."""

    __tablename__ = "response_template"

    id: int | None = bigint_id_field()
    category_code: str | None = Field(
        default=None, foreign_key="complaint_category.code", index=True, max_length=32
    )
    locale: str = Field(max_length=5)
    title: str = Field(max_length=128)
    body: str = Field(sa_column=Column(Text, nullable=False))
    active: bool = True
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
