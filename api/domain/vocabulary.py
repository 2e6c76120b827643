"""The words every part of the service shares, each defined once.

Statuses, actions and actors of a complaint's lifecycle, privacy modes, staff roles,
escalation levels, deadlines and their tiers. The rules that use them live elsewhere (the
transition table in ``complaints.lifecycle``, access in ``access``, the deadline job in
``complaints.sla``); this module only names things, so every layer can import it and it
imports nothing of the service. Enum members compare equal to their stored strings.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Status(StrEnum):
    RECEIVED = "RECEIVED"
    VERIFIED = "VERIFIED"
    IN_PROGRESS = "IN_PROGRESS"
    NEEDS_INFO = "NEEDS_INFO"
    RESOLVED = "RESOLVED"
    REJECTED = "REJECTED"
    CLOSED = "CLOSED"


class Action(StrEnum):
    VERIFY = "verify"
    START = "start"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    RESOLVE = "resolve"
    REJECT = "reject"
    RATE = "rate"
    REOPEN = "reopen"
    CLOSE = "close"
    # Actions that keep the status (see lifecycle.SAME).
    REPLY = "reply"
    FORWARD = "forward"
    FLAG_FIELD_CHECK = "flag_field_check"


class Actor(StrEnum):
    """Who takes a lifecycle action; what each may do is the transition table's business."""

    CITIZEN = "CITIZEN"
    STAFF = "STAFF"
    SYSTEM = "SYSTEM"


class Privacy(StrEnum):
    BIASA = "BIASA"  # shown to handlers; may appear in public listings
    ANONIM = "ANONIM"  # reporter hidden from handlers and every export
    RAHASIA = "RAHASIA"  # the complaint itself never appears in a public listing


class Role(StrEnum):
    HANDLER = "HANDLER"  # works the complaints of one office
    COORDINATOR = "COORDINATOR"  # a coordination region's desk: its region, and escalations
    MINISTRY = "MINISTRY"  # the national desk: everything, statistics
    ADMIN = "ADMIN"  # categories, routing and offices; no complaint content


class EscalationLevel(IntEnum):
    """How far up a complaint has gone after a breached deadline or a poor rating."""

    OFFICE = 0
    COORDINATION_REGION = 1
    MINISTRY = 2


class Deadline(StrEnum):
    """The three duties an office owes a complaint, each with its own due date."""

    VERIFY = "VERIFY"
    FOLLOW_UP = "FOLLOW_UP"
    RESOLVE = "RESOLVE"


class DeadlineTier(StrEnum):
    """How long resolving a category may take (the SP4N-LAPOR! tiers); see ``days``."""

    SIMPLE = "SIMPLE"
    COORDINATION = "COORDINATION"
    FIELD_CHECK = "FIELD_CHECK"

    @property
    def days(self) -> int:
        return _TIER_DAYS[self]


_TIER_DAYS = {
    DeadlineTier.SIMPLE: 5,
    DeadlineTier.COORDINATION: 14,
    DeadlineTier.FIELD_CHECK: 60,
}

#: Working days an office has to verify a complaint, and to follow it up, from filing.
VERIFY_DAYS = 3
FOLLOW_UP_DAYS = 5
#: Working days to resolve a complaint that needs a field check (whatever its category).
FIELD_CHECK_DAYS = DeadlineTier.FIELD_CHECK.days
#: Working days a citizen has to reply to a request, or to rate an answer, before closing.
CITIZEN_REPLY_DAYS = 10
