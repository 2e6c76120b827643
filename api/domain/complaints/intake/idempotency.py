"""Idempotency-Key: a channel may resend a submission and get the first one back.

The key is scoped to the channel's API key and bound to the whole request (its
fingerprint): the same key with a different request is refused, never silently replayed.
The record is written in the same statement as the complaint (see ``write``), so a key is
taken exactly when a complaint exists for it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.api_keys import Channel
from api.domain.complaints.intake.drafts import (
    MAX_IDEMPOTENCY_KEY,
    ComplaintDraft,
    FiledComplaint,
    Reporter,
)
from api.domain.complaints.intake.problems import IntakeError, IntakeProblem
from api.domain.vocabulary import Status
from api.models import Complaint, IdempotencyKey


def check_idempotency_key(key: str | None) -> None:
    """No key is fine; a key must be 1 to ``MAX_IDEMPOTENCY_KEY`` characters."""
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise IntakeError(
            IntakeProblem.IDEMPOTENCY_KEY_INVALID, field="Idempotency-Key", max=MAX_IDEMPOTENCY_KEY
        )


def request_hash(draft: ComplaintDraft, reporter: Reporter) -> bytes:
    """What an Idempotency-Key is bound to: the whole request, canonically serialised."""
    canonical = json.dumps([asdict(draft), asdict(reporter)], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).digest()


async def replay(
    engine: AsyncEngine, channel: Channel, key: str, fingerprint: bytes
) -> FiledComplaint | None:
    """The complaint an earlier submission with this key filed (``replayed`` True), None if
    the key is unused; IDEMPOTENCY_KEY_REUSED if it was used for a different request."""
    idem, complaint = IdempotencyKey.__table__, Complaint.__table__
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(idem.c.request_hash, complaint)
                .join(complaint, complaint.c.id == idem.c.complaint_id)
                .where(idem.c.api_key_id == channel.api_key_id, idem.c.key == key)
            )
        ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IntakeError(IntakeProblem.IDEMPOTENCY_KEY_REUSED, field="Idempotency-Key")
    return FiledComplaint(
        id=row.id,
        tracking_id=row.tracking_id,
        status=Status(row.status),
        category=row.category_code,
        office_code=row.office_code,
        routing_reason=row.routing_reason,
        verify_due=row.verify_due,
        follow_up_due=row.follow_up_due,
        resolve_due=row.resolve_due,
        created_at=row.created_at,
        in_triage=row.in_triage,
        replayed=True,
    )
