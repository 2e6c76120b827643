"""What one complaint event adds to the statistics (pure: no database).

An event counts under the dimensions it happened in (see the package docstring): its own
office, and the complaint's domicile, category, programme and channel; on the Jakarta day
it happened, and in the cohort of the month the complaint was filed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from api.domain.complaints.actions import POOR_RATINGS
from api.domain.complaints.working_days import JAKARTA, WorkingCalendar
from api.domain.statistics.deadlines import Outcome, outcome_value
from api.domain.vocabulary import Action, Deadline, DeadlineTier

#: Working days are counted into one bucket per day up to this many, then one bucket more.
LAST_DAY_BUCKET = 60
OVER_BUCKET = LAST_DAY_BUCKET + 1
#: Clock hours to route are counted one bucket per hour up to this many, then one more:
#: three days hold a weekend and the working day after it (a desk that keeps office hours
#: routes a complaint filed on Friday evening by Monday, some 63 hours later).
LAST_HOUR_BUCKET = 71
OVER_HOUR_BUCKET = LAST_HOUR_BUCKET + 1


class Metric(StrEnum):
    """What a statistics row counts. ``value`` is 0 unless said otherwise."""

    RECEIVED = "received"  # filed ("received" event)
    TRIAGED = "triaged"  # a triage desk set the domicile and routed it
    VERIFIED = "verified"  # verify
    ANSWERED = "answered"  # resolve or reject: every answer, a second after a reopen too
    REJECTED = "rejected"  # reject
    CLOSED = "closed"  # a rating closed it, or the system after waiting
    REOPENED = "reopened"  # by a poor first rating (at the region) or by its office
    FORWARDED = "forwarded"  # sent to another office
    TRANSFER_LIMIT = "transfer_limit"  # a forward past the cap went up to the region
    ESCALATED_REGION = "escalated_region"  # a breach sent it to the coordination region
    ESCALATED_MINISTRY = "escalated_ministry"  # a breach sent it to the national desk
    BREACHED = "breached"  # value: 1 verify, 2 follow-up, 3 resolve deadline
    RATED = "rated"  # value: the rating, 1..5 (a poor first rating that reopened too)
    DAYS_TO_VERIFY = "days_to_verify"  # value: working days from filing, 0..60, 61 = more
    DAYS_TO_ANSWER = "days_to_answer"  # the same, to the first answer
    DAYS_TO_CLOSE = "days_to_close"  # the same, to closing
    HOURS_TO_ROUTE = "hours_to_route"  # value: clock hours from filing to triage, 0..71, 72+
    DEADLINE_OUTCOME = "deadline_outcome"  # value: stage, tier, outcome (see deadlines.py)
    APPEALED = "appealed"  # a poor first rating that reopened it at the region (an appeal)


#: Histograms of working days: ``value`` is a bucket of working days (61: more than 60).
DAY_HISTOGRAMS = frozenset({Metric.DAYS_TO_VERIFY, Metric.DAYS_TO_ANSWER, Metric.DAYS_TO_CLOSE})
#: Histograms of clock hours: ``value`` is a bucket of whole hours (72: 72 or more).
HOUR_HISTOGRAMS = frozenset({Metric.HOURS_TO_ROUTE})
#: Every time histogram.
HISTOGRAMS = DAY_HISTOGRAMS | HOUR_HISTOGRAMS
#: ``value`` of a BREACHED row, per deadline.
BREACH_VALUES = {Deadline.VERIFY: 1, Deadline.FOLLOW_UP: 2, Deadline.RESOLVE: 3}
ANSWER_KINDS = frozenset({Action.RESOLVE.value, Action.REJECT.value})
CLOSE_KINDS = frozenset({Action.RATE.value, Action.CLOSE.value})
TRIAGED_KIND = "triaged"
#: The events that can be a complaint's first sign of work, the follow-up deadline's
#: completion (those whose handlers set ``followed_up_at``; see actions/handlers.py).
FOLLOW_UP_KINDS = frozenset(
    {
        Action.START.value,
        Action.REPLY.value,
        Action.REQUEST_INFO.value,
        Action.RESOLVE.value,
        Action.REJECT.value,
    }
)
FIELD_CHECK_KIND = Action.FLAG_FIELD_CHECK.value
BREACH_KIND = "breach"
#: The office type of the national desk (an escalation there is one to the ministry).
NATIONAL_OFFICE_TYPE = "NASIONAL"

# 150 days always hold more than 61 working days (105 weekdays; the calendars of 2024–2027
# leave at least 87 in any such stretch).
_SURELY_OVER = timedelta(days=150)

_SIMPLE = {
    "received": Metric.RECEIVED,
    TRIAGED_KIND: Metric.TRIAGED,
    Action.VERIFY.value: Metric.VERIFIED,
    Action.REOPEN.value: Metric.REOPENED,
    "forwarded": Metric.FORWARDED,
    "transfer_limit": Metric.TRANSFER_LIMIT,
}


@dataclass(frozen=True)
class EventFacts:
    """One complaint event with what the statistics need of its complaint."""

    id: int
    kind: str
    at: datetime
    office_code: str | None
    office_type: str | None  # the type of the event's office (escalations: the target's)
    rating: int | None
    note: str | None
    filed_at: datetime
    category_code: str
    programme: str | None
    channel: str
    # The domicile, None where it was unknown when the event happened (see the package).
    coordination_region_code: str | None
    province_code: str | None
    regency_code: str | None
    district_code: str | None
    # Whether this is the complaint's first answer (resolve or reject).
    first_answer: bool
    # Whether this is the complaint's first sign of work (completes the follow-up stage).
    first_follow_up: bool = False
    # The complaint's deadline tier when the event happened: the field-check tier once a
    # flag_field_check event came before it, else its category's; None when unknown.
    tier: DeadlineTier | None = None
    # The deadlines of the complaint breached by an event before this one.
    breached_before: frozenset[Deadline] = frozenset()


#: (day, metric, value, office, region, province, regency, district, category, programme,
#: channel, filed_month): the order of ``api.models.statistics.KEY_COLUMNS``.
Key = tuple[date, str, int, str, str, str, str, str, str, str, str, date]


def jakarta_day(instant: datetime) -> date:
    return instant.astimezone(JAKARTA).date()


def filed_month(instant: datetime) -> date:
    return jakarta_day(instant).replace(day=1)


def bucket(days: int) -> int:
    return min(max(days, 0), OVER_BUCKET)


def metrics_of(event: EventFacts, calendar: WorkingCalendar) -> list[tuple[Metric, int]]:
    """The (metric, value) pairs ``event`` adds one to; none for events that count nothing
    (assignment, attachments, field-check flags, the citizen's answers to a pause, and
    replies or pauses that are not the complaint's first sign of work)."""
    kind = event.kind
    found: list[tuple[Metric, int]] = []
    if kind in _SIMPLE:
        found.append((_SIMPLE[kind], 0))
    if kind == "escalated":
        ministry = event.office_type == NATIONAL_OFFICE_TYPE
        found.append((Metric.ESCALATED_MINISTRY if ministry else Metric.ESCALATED_REGION, 0))
    elif kind == BREACH_KIND and event.note in BREACH_VALUES:
        deadline = Deadline(event.note)
        found.append((Metric.BREACHED, BREACH_VALUES[deadline]))
        found.append((Metric.DEADLINE_OUTCOME, _outcome(event, deadline, Outcome.BREACHED)))
    if kind in ANSWER_KINDS:
        found.append((Metric.ANSWERED, 0))
        if kind == Action.REJECT.value:
            found.append((Metric.REJECTED, 0))
        if event.first_answer:
            found.append((Metric.DAYS_TO_ANSWER, _days(event, calendar)))
    if kind in CLOSE_KINDS:
        found.append((Metric.CLOSED, 0))
        found.append((Metric.DAYS_TO_CLOSE, _days(event, calendar)))
    if kind == Action.VERIFY.value:
        found.append((Metric.DAYS_TO_VERIFY, _days(event, calendar)))
    if event.rating is not None and kind in (Action.RATE.value, Action.REOPEN.value):
        found.append((Metric.RATED, event.rating))
        # A reopening with a rating is the citizen's: their poor first rating, the appeal.
        if kind == Action.REOPEN.value and event.rating in POOR_RATINGS:
            found.append((Metric.APPEALED, 0))
    if kind == TRIAGED_KIND:
        found.append((Metric.HOURS_TO_ROUTE, hour_bucket(event.at - event.filed_at)))
    found.extend((Metric.DEADLINE_OUTCOME, value) for value in _completions(event))
    return found


def hour_bucket(elapsed: timedelta) -> int:
    """Whole clock hours elapsed, 0..71, and 72 for 72 hours or more."""
    return min(max(int(elapsed.total_seconds() // 3600), 0), OVER_HOUR_BUCKET)


def _completions(event: EventFacts) -> list[int]:
    """The deadline stages ``event`` completes, each met or late (see deadlines.py)."""
    stages = []
    if event.kind == Action.VERIFY.value:
        stages.append(Deadline.VERIFY)
    if event.first_follow_up:
        stages.append(Deadline.FOLLOW_UP)
    if event.first_answer:
        stages.append(Deadline.RESOLVE)
    return [
        _outcome(event, stage, Outcome.LATE if stage in event.breached_before else Outcome.MET)
        for stage in stages
    ]


def _outcome(event: EventFacts, stage: Deadline, outcome: Outcome) -> int:
    return outcome_value(stage, event.tier, outcome)


def count_events(events, calendar: WorkingCalendar, into: Counter | None = None) -> Counter:
    """Add every event's metrics, keyed by :data:`Key`, to ``into`` (a new Counter)."""
    counts: Counter = Counter() if into is None else into
    for event in events:
        for metric, value in metrics_of(event, calendar):
            counts[key_of(event, metric, value)] += 1
    return counts


def key_of(event: EventFacts, metric: Metric, value: int) -> Key:
    return (
        jakarta_day(event.at),
        metric.value,
        value,
        event.office_code or "",
        event.coordination_region_code or "",
        event.province_code or "",
        event.regency_code or "",
        event.district_code or "",
        event.category_code,
        event.programme or "",
        event.channel,
        filed_month(event.filed_at),
    )


def _days(event: EventFacts, calendar: WorkingCalendar) -> int:
    """Working days after the filing day up to and including the event's day (Jakarta), as
    the deadlines count them: filed and verified the same day is 0."""
    if event.at - event.filed_at > _SURELY_OVER:
        return OVER_BUCKET  # not worth walking the calendar day by day
    return bucket(calendar.working_days_between(event.filed_at, event.at))
