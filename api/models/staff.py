"""Staff who handle complaints, their sessions, and the audit of what each of them saw."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey
from sqlmodel import Field, SQLModel

from api.models._types import BigIntId, bigint_id_field, bytes_field, timestamp_field


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(max_length=128)
    # scrypt, with its parameters and salt: see api.domain.staff.passwords.
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)  # HANDLER, COORDINATOR, MINISTRY, ADMIN
    office_code: str | None = Field(default=None, foreign_key="office.code", index=True)
    active: bool = True
    created_at: datetime = timestamp_field()


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    id: int | None = bigint_id_field()
    # SHA-256 of the bearer token: a copy of the database opens no session.
    token_hash: bytes = bytes_field(length=32, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field(default=None)
    revoked_at: datetime | None = timestamp_field(nullable=True, default=None)


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
