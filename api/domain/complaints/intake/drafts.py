"""What goes into intake and what comes out: the draft, its reporter, and the filed complaint.

The limits are the column sizes the complaint is stored in; channels show them to people
before they type (``MAX_DESCRIPTION``), so they are part of the public contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.domain.complaints.categories import Category
from api.domain.complaints.intake.domicile import StatedDomicile
from api.domain.nik import Nik
from api.domain.vocabulary import Privacy, Status

MAX_DESCRIPTION = 4000
MAX_CONTACT = 200
MAX_CHANNEL_USER = 128
MAX_ADDRESS = 255
MAX_IDEMPOTENCY_KEY = 128


@dataclass(frozen=True)
class Reporter:
    channel_user: str
    locale: str = "id"
    contact: str | None = None


@dataclass(frozen=True)
class ComplaintDraft:
    category: str
    description: str
    privacy: str = Privacy.BIASA
    subject_nik: str | None = None
    # kecamatan (6 digits) or desa/kelurahan (10), dots allowed; may be left to the registry
    region_code: str | None = None
    programme: str | None = None
    tahap: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None


@dataclass(frozen=True)
class CheckedDraft:
    """A draft that passed every check, its values normalised; the domicile may be unknown
    (``domicile.district_code`` None): the complaint then goes to triage."""

    category: Category
    privacy: Privacy
    description: str
    subject: Nik | None
    domicile: StatedDomicile
    programme: str | None
    tahap: int | None
    latitude: float | None
    longitude: float | None
    address: str | None


@dataclass(frozen=True)
class FiledComplaint:
    id: int
    tracking_id: str
    status: Status
    category: str
    office_code: str
    routing_reason: str
    verify_due: datetime
    follow_up_due: datetime
    resolve_due: datetime
    created_at: datetime
    # Waiting at a triage desk (``office_code``) for a desk officer to set the domicile.
    in_triage: bool = False
    # True when an Idempotency-Key replay returned an earlier submission.
    replayed: bool = False
