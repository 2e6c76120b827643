"""Plays a plot into the rows the application would have written for it (pure: no database).

Each row comes from the domain's own planners: intake's ``Submission`` (the complaint, its
"received" event, the reporter's notification), ``plan_action`` (every lifecycle step, as
``take_action`` writes it), ``plan_domicile`` (a triage desk routing it) and
``plan_breaches`` (the deadline job). Between two steps the deadline job runs at the instant
each deadline passes and when an answer or a question has waited ten working days, as a
worker ticking all year would have: breaches, escalations and closings are the product's.

Notifications are written as already relayed: a year-old one reached its chat long ago (and
the reporters are made up, so none must reach a chat now).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from api.domain.api_keys import Channel
from api.domain.complaints.actions import ActorRef, plan_action
from api.domain.complaints.directory import Directory
from api.domain.complaints.intake.checks import check_draft
from api.domain.complaints.intake.drafts import ComplaintDraft, Reporter
from api.domain.complaints.intake.filing import with_triage_hint
from api.domain.complaints.intake.rows import Submission
from api.domain.complaints.outbox import reporter_notification
from api.domain.complaints.sla import SYSTEM, plan_breaches
from api.domain.complaints.triage import TRIAGED, Domicile, plan_domicile
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.protection import Protector
from api.domain.regions import RegionCodes
from api.domain.vocabulary import CITIZEN_REPLY_DAYS, Action, Actor, Status
from demo.history.story import Plot, PlotStep

_WAITING = frozenset({Status.RESOLVED.value, Status.REJECTED.value, Status.NEEDS_INFO.value})


class _Row(dict):
    """A complaint's columns by name and as attributes, as the planners read a stored row."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Replayed:
    """One complaint's rows: ``row`` without its id, ``events`` and ``outbox`` in time
    order, their ``complaint_id`` still the plot's number."""

    row: dict
    events: list[dict] = field(default_factory=list)
    outbox: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Replayer:
    protector: Protector
    directory: Directory
    calendar: WorkingCalendar
    regions: RegionCodes
    programmes: frozenset[str]
    # channel name → the channel its complaints came through
    channels: Mapping[str, Channel]
    # keyed hashes of the subjects the registry knows
    registered: frozenset[bytes]

    def replay(self, plot: Plot, now: datetime) -> Replayed:
        """Every row of ``plot``, with the deadline job run up to ``now``."""
        channel = self.channels[plot.channel]
        reporter = Reporter(channel_user=plot.reporter, locale=plot.locale)
        draft = ComplaintDraft(
            category=plot.category,
            description=plot.description,
            privacy=plot.privacy,
            subject_nik=plot.subject.nik if plot.subject else None,
            region_code=plot.district_code,
            programme=plot.programme,
            tahap=plot.tahap,
            address=plot.address,
        )
        checked = check_draft(
            draft,
            reporter,
            categories=self.directory.categories,
            programmes=self.programmes,
            regions=self.regions,
        )
        checked = with_triage_hint(checked, self.directory, self.regions)
        submission = Submission(
            protector=self.protector,
            directory=self.directory,
            calendar=self.calendar,
            channel=channel,
            reporter=reporter,
            idempotency_key=None,
            fingerprint=b"",
            now=plot.filed_at,
        )
        subject_hash = self.protector.nik_hash(checked.subject.value) if checked.subject else None
        values = submission.complaint_row(
            checked, subject_hash, in_registry=subject_hash in self.registered
        )
        row = _Row(values, id=plot.number)
        done = Replayed(row)
        done.events.append({"complaint_id": plot.number, **submission.event_row(values)})
        done.outbox.append(_relayed(submission.outbox_row(values)))
        checked_until = plot.filed_at
        for step in plot.steps:
            checked_until = self._deadline_job(done, checked_until, step.at)
            self._take(done, plot, step)
        self._deadline_job(done, checked_until, now)
        del row["id"]
        return done

    def _take(self, done: Replayed, plot: Plot, step: PlotStep) -> None:
        row = done.row
        if step.triage_to:
            plan = plan_domicile(
                row,
                Domicile(step.triage_to),
                directory=self.directory,
                actor=step.who,
                now=step.at,
            )
            self._write(done, plan.changes, plan.event, "complaint.forwarded", TRIAGED)
            return
        actor = ActorRef(step.actor, step.who if step.actor == Actor.STAFF else plot.channel)
        self._plan(done, step.action, actor, step.at, step)

    def _plan(self, done: Replayed, action: Action, actor: ActorRef, at: datetime, step=None):
        plan = plan_action(
            done.row,
            done.row,
            action=action,
            actor=actor,
            note=step.note if step else None,
            public=step.public if step else True,
            to_office=step.to_office if step else None,
            rating=step.rating if step else None,
            directory=self.directory,
            calendar=self.calendar,
            now=at,
        )
        self._write(done, plan.changes, plan.event, plan.notification, plan.action.value)

    def _write(self, done: Replayed, changes, event, notification, action: str) -> None:
        done.row.update(changes)
        done.events.append({"rating": None, **event})
        if notification:
            done.outbox.append(
                _relayed(
                    reporter_notification(
                        done.row,
                        _reporter_of(done),
                        kind=notification,
                        status=event["to_status"],
                        action=action,
                        note=event["note"],
                        office_code=event["office_code"],
                        now=event["at"],
                    )
                )
            )

    def _deadline_job(self, done: Replayed, since: datetime, until: datetime) -> datetime:
        """Run the deadline job at every instant in (``since``, ``until``] it would have
        found something at; returns ``until``."""
        while moment := self._next_moment(done.row, since, until):
            plan = plan_breaches(done.row, moment, self.directory)
            if plan is not None:
                done.row.update(plan.changes)
                done.events.extend({"rating": None, **event} for event in plan.events)
            if self._waited_out(done.row, moment):
                self._plan(done, Action.CLOSE, SYSTEM, moment)
            since = moment
        return until

    def _next_moment(self, row: _Row, since: datetime, until: datetime) -> datetime | None:
        moments = [row.verify_due, row.follow_up_due, row.resolve_due]
        if row.status in _WAITING:
            moments.append(self._close_at(row))
        ahead = [m for m in moments if m is not None and since < m <= until]
        return min(ahead, default=None)

    def _close_at(self, row: _Row) -> datetime | None:
        since = row.paused_at if row.status == Status.NEEDS_INFO.value else row.answered_at
        return self.calendar.add_working_days(since, CITIZEN_REPLY_DAYS) if since else None

    def _waited_out(self, row: _Row, moment: datetime) -> bool:
        close_at = self._close_at(row) if row.status in _WAITING else None
        return close_at is not None and moment >= close_at


def _reporter_of(done: Replayed) -> str:
    return done.outbox[0]["channel_user"]


def _relayed(message: dict) -> dict:
    return {**message, "relayed_at": message["created_at"]}
