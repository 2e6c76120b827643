"""Plays the scenarios: the past in order of time, then what happens now.

The past: every backdated filing and step of every scenario, sorted by time, each preceded
by the deadline job at that time (as the worker would have run it), so breaches,
escalations and closings are the product's own. A filing goes through the domain's intake
with its time (the application adds only the rate limit and the confirmation sentence); a
step through the application's ``acting.take_action`` with its time, after the same access
check ``staff_work`` makes, audited like it.

Now: filings, attachments and steps through the very calls a channel and the console make
(``complaint_intake``, ``citizen_complaints``, ``staff_work``), then the deadline job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from api.application import citizen_complaints, complaint_intake, staff_work
from api.application.acting import take_action
from api.application.principals import Citizen
from api.domain import access
from api.domain.api_keys import Channel
from api.domain.complaints import intake, sla, staff_views
from api.domain.complaints.actions import ActorRef
from api.domain.complaints.intake import ComplaintDraft, Reporter
from api.domain.complaints.working_days import JAKARTA, WorkingCalendar
from api.domain.staff import StaffMember
from api.domain.vocabulary import Action, Actor
from api.services import Services
from demo.complaints.evidence_files import evidence
from demo.complaints.scenarios import CitizenStep, Scenario, StaffStep, Step


@dataclass(frozen=True)
class DemoClock:
    """Times "``days`` working days ago" in Jakarta office hours, before ``now``."""

    calendar: WorkingCalendar
    now: datetime

    def working_day_before(self, days: int) -> date:
        day = self.now.astimezone(JAKARTA).date()
        while days > 0:
            day -= timedelta(days=1)
            if self.calendar.is_working_day(day):
                days -= 1
        return day

    def at(self, days: int, order: int) -> datetime:
        """08:00 of that day, plus 20 minutes per earlier step of the same complaint."""
        start = datetime.combine(self.working_day_before(days), time(8), tzinfo=JAKARTA)
        return (start + timedelta(minutes=20 * order)).astimezone(UTC)


@dataclass
class Player:
    services: Services
    channel: Channel
    members: Mapping[str, StaffMember]
    # persona key → NIK
    niks: Mapping[str, str]

    def citizen(self, scenario: Scenario) -> Citizen:
        return Citizen(self.channel, f"demo:{scenario.key}")

    def draft(self, scenario: Scenario) -> ComplaintDraft:
        return ComplaintDraft(
            category=scenario.category,
            description=scenario.description,
            privacy=scenario.privacy,
            subject_nik=self.niks[scenario.persona] if scenario.persona else None,
            region_code=scenario.district,
            programme=scenario.programme,
            tahap=scenario.tahap,
            address=scenario.address,
        )

    async def file_in_the_past(self, scenario: Scenario, at: datetime) -> str:
        s = self.services
        filed = await intake.file_complaint(
            engine=s.engine,
            protector=s.protector,
            directory=await s.directory.get(),
            calendar=s.calendar,
            regions=s.regions,
            programmes=s.programmes,
            channel=self.channel,
            reporter=Reporter(channel_user=self.citizen(scenario).user, locale=scenario.locale),
            draft=self.draft(scenario),
            now=at,
        )
        return filed.tracking_id

    async def file_now(self, scenario: Scenario) -> str:
        filing = await complaint_intake.file_complaint(
            self.services, self.citizen(scenario), self.draft(scenario), locale=scenario.locale
        )
        return filing.filed.tracking_id

    async def attach(self, scenario: Scenario, tracking_id: str) -> None:
        for kind in scenario.attach:
            data, declared, filename = evidence(kind)
            await citizen_complaints.attach_evidence(
                self.services,
                self.citizen(scenario),
                tracking_id,
                data=data,
                declared_type=declared,
                filename=filename,
            )

    async def step_in_the_past(
        self, scenario: Scenario, tracking_id: str, step: Step, at: datetime
    ) -> None:
        if isinstance(step, StaffStep):
            member = self.members[step.by]
            row = await staff_views.load_visible(self.services.engine, member, tracking_id)
            if row is None or not access.may_act(member, row):
                raise AssertionError(f"{step.by} may not act on demo complaint {scenario.key}")
            await take_action(
                self.services,
                complaint_id=row.id,
                action=step.action,
                actor=ActorRef(Actor.STAFF, member.username),
                note=step.note,
                public=step.public,
                to_office=step.to_office,
                now=at,
            )
            await staff_views.audit(self.services.engine, member, row.id, "act")
        else:
            complaint_id = await citizen_complaints.own_complaint(
                self.services, self.citizen(scenario), tracking_id
            )
            await take_action(
                self.services,
                complaint_id=complaint_id,
                action=step.action,
                actor=ActorRef(Actor.CITIZEN, self.channel.name),
                note=step.note,
                rating=step.rating,
                now=at,
            )

    async def step_now(self, scenario: Scenario, tracking_id: str, step: Step) -> None:
        if isinstance(step, StaffStep):
            await staff_work.act_on_complaint(
                self.services,
                self.members[step.by],
                tracking_id,
                action=step.action,
                note=step.note,
                public=step.public,
                to_office=step.to_office,
            )
        elif step.action == Action.RATE:
            await citizen_complaints.rate_answer(
                self.services,
                self.citizen(scenario),
                tracking_id,
                rating=step.rating or 0,
                comment=step.note,
            )
        else:
            await citizen_complaints.provide_information(
                self.services, self.citizen(scenario), tracking_id, message=step.note or ""
            )

    async def deadline_job(self, at: datetime) -> None:
        s = self.services
        await sla.run_deadline_job(
            engine=s.engine,
            protector=s.protector,
            directory=await s.directory.get(),
            calendar=s.calendar,
            now=at,
        )


async def play(player: Player, scenarios: tuple[Scenario, ...], *, now: datetime) -> dict[str, str]:
    """Play every scenario; returns scenario key → tracking ID."""
    clock = DemoClock(player.services.calendar, now)
    past: list[tuple[datetime, int, Scenario, CitizenStep | StaffStep | None]] = []
    for position, scenario in enumerate(scenarios):
        if scenario.filed is None:
            continue
        past.append((clock.at(scenario.filed, 0), position, scenario, None))
        for order, step in enumerate(scenario.steps, start=1):
            if step.day is not None:
                past.append((clock.at(step.day, order), position, scenario, step))
    past.sort(key=lambda entry: entry[:2])

    tracking: dict[str, str] = {}
    for at, _, scenario, step in past:
        await player.deadline_job(at)
        if step is None:
            tracking[scenario.key] = await player.file_in_the_past(scenario, at)
        else:
            await player.step_in_the_past(scenario, tracking[scenario.key], step, at)

    for scenario in scenarios:
        if scenario.filed is None:
            tracking[scenario.key] = await player.file_now(scenario)
        await player.attach(scenario, tracking[scenario.key])
        for step in scenario.steps:
            if step.day is None:
                await player.step_now(scenario, tracking[scenario.key], step)
    await player.deadline_job(datetime.now(UTC))
    return tracking
