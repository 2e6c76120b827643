"""The rows one submission writes: the complaint, its first timeline event, its
Idempotency-Key record and the reporter's notification.

Pure: routing, deadlines and encryption happen here, the database only in ``write``. The
office comes from the domicile the reporter stated, or is a triage desk when none is known;
never from the registry, so the answer is the same for a registered and an unknown subject.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from api.domain.api_keys import Channel
from api.domain.complaints.directory import Directory
from api.domain.complaints.intake.drafts import CheckedDraft, Reporter
from api.domain.complaints.next_due import next_due
from api.domain.complaints.outbox import outbox_row
from api.domain.complaints.routing import route, triage_desk
from api.domain.complaints.tracking_id import new_tracking_id
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.protection import Protector
from api.domain.vocabulary import (
    FIELD_CHECK_DAYS,
    FOLLOW_UP_DAYS,
    VERIFY_DAYS,
    Actor,
    EscalationLevel,
    Status,
)


@dataclass(frozen=True)
class Submission:
    """One submission's context: who sent it, through which channel, when, and the services
    that turn a checked draft into rows."""

    protector: Protector
    directory: Directory
    calendar: WorkingCalendar
    channel: Channel
    reporter: Reporter
    idempotency_key: str | None
    fingerprint: bytes
    now: datetime

    def complaint_row(
        self, checked: CheckedDraft, subject_hash: bytes | None, *, in_registry: bool
    ) -> dict:
        """Every column of the new complaint but ``id``; ``in_registry`` (whether the registry
        knows the subject) is stored for staff and decides nothing here."""
        domicile, routing = checked.domicile, self.directory.routing
        district_code = domicile.district_code
        in_triage = district_code is None
        if in_triage:
            regency_code = province_code = None
            decision = triage_desk(regency_code=domicile.regency_code, table=routing)
            region = routing.pilot_regencies.get(domicile.regency_code or "")
        else:
            regency_code, province_code = district_code[:4], district_code[:2]
            decision = route(
                regency_code=regency_code, office_type=checked.category.office_type, table=routing
            )
            region = routing.pilot_regencies.get(regency_code)
        resolve_days = checked.category.resolve_days
        channel_user = self.reporter.channel_user.strip()
        row = {
            "tracking_id": new_tracking_id(),
            "category_code": checked.category.code,
            "status": Status.RECEIVED.value,
            "privacy": checked.privacy.value,
            "api_key_id": self.channel.api_key_id,
            "channel": self.channel.name,
            "reporter_hash": self.protector.reporter_hash(self.channel.name, channel_user),
            "reporter_encrypted": self.protector.encrypt(
                json.dumps({"user": channel_user, "contact": self.reporter.contact}),
                column="complaint.reporter",
            ),
            "reporter_locale": self.reporter.locale,
            "subject_nik_hash": subject_hash,
            "subject_encrypted": (
                self.protector.encrypt(checked.subject.value, column="complaint.subject")
                if checked.subject
                else None
            ),
            "subject_in_registry": in_registry,
            "district_code": district_code,
            "village_code": domicile.village_code,
            "regency_code": regency_code,
            "province_code": province_code,
            "in_triage": in_triage,
            "coordination_region_code": region,
            "programme": checked.programme,
            "tahap": checked.tahap,
            "description": checked.description,
            "latitude": checked.latitude,
            "longitude": checked.longitude,
            "address": checked.address,
            "office_code": decision.office_code,
            "previous_office_code": None,
            "routing_reason": decision.reason.value,
            "transfer_count": 0,
            "escalation_level": EscalationLevel.OFFICE,
            "needs_field_check": resolve_days >= FIELD_CHECK_DAYS,
            "verify_due": self.calendar.add_working_days(self.now, VERIFY_DAYS),
            "follow_up_due": self.calendar.add_working_days(self.now, FOLLOW_UP_DAYS),
            "resolve_due": self.calendar.add_working_days(self.now, resolve_days),
            "paused_days": 0,
            "breaches": "",
            "rating": None,
            "reopened": False,
            "verified_at": None,
            "followed_up_at": None,
            "answered_at": None,
            "closed_at": None,
            "paused_at": None,
            "status_before_pause": None,
            "assigned_staff_id": None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        # The console's queue order; PostgreSQL's one-statement insert names every column.
        return {**row, "next_due": next_due(row)}

    def event_row(self, complaint: dict) -> dict:
        """The public "received" event, without ``complaint_id``."""
        return {
            "at": self.now,
            "kind": "received",
            "actor_type": Actor.CITIZEN.value,
            "actor": self.channel.name,
            "from_status": None,
            "to_status": Status.RECEIVED.value,
            "office_code": complaint["office_code"],
            "public": True,
            "note": None,
            "rating": None,
        }

    def idempotency_row(self) -> dict:
        """The Idempotency-Key record, without ``complaint_id``; written only with a key."""
        return {
            "api_key_id": self.channel.api_key_id,
            "key": self.idempotency_key,
            "request_hash": self.fingerprint,
            "created_at": self.now,
        }

    def outbox_row(self, complaint: dict) -> dict:
        """The reporter's "complaint.received" notification."""
        return outbox_row(
            channel=self.channel.name,
            channel_user=self.reporter.channel_user.strip(),
            locale=self.reporter.locale,
            kind="complaint.received",
            payload={
                "tracking_id": complaint["tracking_id"],
                "status": Status.RECEIVED.value,
                "category": complaint["category_code"],
                "office_code": complaint["office_code"],
            },
            now=self.now,
        )
