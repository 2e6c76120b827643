"""Deadline compliance per stage and tier: how a ``deadline_outcome`` row's ``value`` is
encoded, and the figures summed from such rows (pure: no database).

``value`` = stage × 100 + tier × 10 + outcome, read in decimal:

* stage: 1 verify, 2 follow-up, 3 resolve (as ``breached``'s value);
* tier (the complaint's deadline tier when the event happened): 1 SIMPLE, 2 COORDINATION,
  3 FIELD_CHECK, 0 unknown (a category no longer in ``complaint_category``);
* outcome: 1 met (the stage completed with no breach of it recorded before), 2 late (a
  breach of it came first), 3 breached (the breach itself, counted when it happens).

So 312 is "a resolve deadline of the SIMPLE tier, met", 223 "a follow-up deadline of the
COORDINATION tier, breached". A breach counts here and in ``breached`` alike.

A stage completes at most once per complaint: verify at the ``verify`` event, follow-up at
the first sign of work (the event that set ``followed_up_at``: start, reply, request_info,
resolve or reject), resolve at the first answer (resolve or reject). An answer after a
reopening is not a completion of its own: the deadline job records a resolve breach once per
complaint, so a second answer could never be "late" by the same measure.

"Late" is read from the breach events, not from the due dates: the due dates move (a pause
shifts all three, a field check the resolve one), the events do not, so the fill, the
rebuild and the verification agree; and a completion counts as late exactly when the
complaint was escalated for it. A completion between its due and the deadline job's next run
(the worker runs it every tick) counts as met.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cache

from api.domain.vocabulary import Deadline, DeadlineTier

STAGES = (Deadline.VERIFY, Deadline.FOLLOW_UP, Deadline.RESOLVE)
TIERS = (DeadlineTier.SIMPLE, DeadlineTier.COORDINATION, DeadlineTier.FIELD_CHECK)
STAGE_CODES = {Deadline.VERIFY: 1, Deadline.FOLLOW_UP: 2, Deadline.RESOLVE: 3}
TIER_CODES = {DeadlineTier.SIMPLE: 1, DeadlineTier.COORDINATION: 2, DeadlineTier.FIELD_CHECK: 3}
UNKNOWN_TIER = 0


class Outcome(IntEnum):
    MET = 1
    LATE = 2
    BREACHED = 3


def outcome_value(stage: Deadline, tier: DeadlineTier | None, outcome: Outcome) -> int:
    """The ``value`` of a ``deadline_outcome`` row."""
    tier_code = TIER_CODES[tier] if tier is not None else UNKNOWN_TIER
    return STAGE_CODES[stage] * 100 + tier_code * 10 + int(outcome)


@cache  # a handful of values, parsed once per group of every league table otherwise
def parse_outcome_value(value: int) -> tuple[Deadline, DeadlineTier | None, Outcome]:
    """The inverse of :func:`outcome_value`; ValueError for a value it never makes."""
    stage_code, tier_code, outcome = value // 100, value // 10 % 10, value % 10
    stages = {code: stage for stage, code in STAGE_CODES.items()}
    tiers: dict[int, DeadlineTier | None] = {code: tier for tier, code in TIER_CODES.items()}
    tiers[UNKNOWN_TIER] = None
    if stage_code not in stages or tier_code not in tiers:
        raise ValueError(f"not a deadline outcome: {value}")
    return stages[stage_code], tiers[tier_code], Outcome(outcome)


@dataclass(frozen=True)
class StageCompliance:
    """One stage's deadlines in a period, for one tier (None: every tier, the unknown too).

    ``completed`` = ``met`` + ``late``: the stages completed in the period; the shares are of
    them (None when none completed). ``breached``: breaches recorded in the period, whether
    or not the stage has completed since.
    """

    stage: Deadline
    tier: DeadlineTier | None
    completed: int
    met: int
    late: int
    breached: int

    @property
    def share_met(self) -> float | None:
        return self.met / self.completed if self.completed else None

    @property
    def share_late(self) -> float | None:
        return self.late / self.completed if self.completed else None


def outcome_of(value):
    """A ``deadline_outcome`` value's :class:`Outcome` (its last digit), on an int or a SQL
    column alike."""
    return value % 10


def completed_and_met(outcomes: dict[int, int]) -> tuple[int, int]:
    """Every stage's deadlines completed (met or late), of every tier, and how many were
    met, from ``deadline_outcome`` ``value`` → count: a league row's two figures, without
    the per-stage table."""
    completed = met = 0
    for value, n in outcomes.items():
        outcome = parse_outcome_value(value)[2]
        if outcome is not Outcome.BREACHED:
            completed += n
            met += n if outcome is Outcome.MET else 0
    return completed, met


def compliance_from(outcomes: dict[int, int]) -> list[StageCompliance]:
    """Per stage (in order verify, follow-up, resolve): every tier first, then each tier,
    from ``deadline_outcome`` ``value`` → count. Every stage and tier is listed, empty too,
    so a table has the same rows under every filter."""
    tally: dict[tuple[Deadline, DeadlineTier | None], dict[Outcome, int]] = {}
    for value, n in outcomes.items():
        stage, tier, outcome = parse_outcome_value(value)
        for key in {(stage, None), (stage, tier)}:
            into = tally.setdefault(key, {})
            into[outcome] = into.get(outcome, 0) + n
    figures = []
    for stage in STAGES:
        for tier in (None, *TIERS):
            counts = tally.get((stage, tier), {})
            met, late = counts.get(Outcome.MET, 0), counts.get(Outcome.LATE, 0)
            figures.append(
                StageCompliance(stage, tier, met + late, met, late, counts.get(Outcome.BREACHED, 0))
            )
    return figures
