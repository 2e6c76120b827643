"""Filing a complaint: the one action every channel (bot, partner API, Open311) goes through.

``check_draft`` validates everything without touching the database and says exactly what
is wrong (:class:`IntakeError` with an :class:`IntakeProblem`); ``file_complaint`` routes
from the domicile the reporter stated (or sends the complaint to a triage desk when none is
known: the registry is never consulted for the answer, which would make intake a NIK
oracle), sets the working-day deadlines and writes the
complaint, its first timeline event, the idempotency record and the reporter's notification
in ONE transaction. It returns only after that transaction has committed: accepted means
durable. A resent submission with the same Idempotency-Key returns the first complaint
(``FiledComplaint.replayed``); the same key with a different request is refused.

The package, by topic:

- ``drafts``       what comes in (draft, reporter), what goes out, and the size limits
- ``problems``     the refusal codes
- ``checks``       validation of the draft and the reporter (pure)
- ``domicile``     the stated region code, or the pilot kab/kota an address names
- ``idempotency``  key, request fingerprint, replay
- ``rows``         the four rows one submission writes (pure)
- ``write``        the write: one statement on PostgreSQL, one transaction elsewhere
- ``filing``       ``file_complaint``, tying them together
"""

from api.domain.complaints.intake.checks import check_draft
from api.domain.complaints.intake.drafts import (
    MAX_ADDRESS,
    MAX_CHANNEL_USER,
    MAX_CONTACT,
    MAX_DESCRIPTION,
    MAX_IDEMPOTENCY_KEY,
    CheckedDraft,
    ComplaintDraft,
    FiledComplaint,
    Reporter,
)
from api.domain.complaints.intake.filing import file_complaint
from api.domain.complaints.intake.idempotency import request_hash
from api.domain.complaints.intake.problems import IntakeError, IntakeProblem

__all__ = [
    "MAX_ADDRESS",
    "MAX_CHANNEL_USER",
    "MAX_CONTACT",
    "MAX_DESCRIPTION",
    "MAX_IDEMPOTENCY_KEY",
    "CheckedDraft",
    "ComplaintDraft",
    "FiledComplaint",
    "IntakeError",
    "IntakeProblem",
    "Reporter",
    "check_draft",
    "file_complaint",
    "request_hash",
]
