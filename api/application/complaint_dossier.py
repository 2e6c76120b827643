"""A complaint as the console shows it in full: the staff view, where each deadline stands,
the subject's registry standing, who looked at it, and the ready answers to pick from.

One more reading of the same complaint as :func:`staff_work.view_complaint`, under the same
rules: a complaint the member may not see is refused exactly like a missing one, every
opening and reveal is audited (the registry standing is a reveal of its own), and who may
read the access log is decided by :mod:`api.domain.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from api.application import staff_work
from api.application.errors import AppError, Refusal
from api.domain import access, response_templates, status_check
from api.domain.complaints import access_log as access_log_reading
from api.domain.complaints import console_queue, staff_views
from api.domain.complaints.countdown import Countdown, countdown
from api.domain.complaints.lifecycle import OPEN_STATUSES
from api.domain.complaints.tracking_id import display
from api.domain.complaints.working_days import last_day
from api.domain.staff import StaffMember
from api.domain.vocabulary import Status
from api.services import Services

#: Categories whose subject's registry standing helps the handler: a disputed listing
#: (sanggah) and aid that did not arrive.
REGISTRY_CATEGORIES = frozenset({"SANGGAH", "BANTUAN_TIDAK_DITERIMA"})


@dataclass(frozen=True)
class DeadlineOnPage:
    name: str  # verify, follow_up, resolve
    due: datetime  # exclusive: 00:00 Jakarta after the last day
    last_day: date  # the last calendar day still on time
    countdown: Countdown


@dataclass(frozen=True)
class Dossier:
    complaint: staff_views.StaffComplaint
    deadlines: list[DeadlineOnPage]
    # The office's province (for its time zone) and the citizen's language (for templates).
    office_province_code: str | None
    reporter_locale: str
    # Whether the complaint names a subject (whose NIK may be revealed).
    has_subject: bool
    # Whether the subject's registry standing may be asked for (its own reveal).
    registry_standing_available: bool
    # Who looked at it and when; None when this member may not read that.
    access_log: list[access_log_reading.AccessEntry] | None


async def complaint_dossier(
    services: Services,
    member: StaffMember,
    tracking_id: str,
    *,
    reveal_reporter: bool = False,
    reveal_subject: bool = False,
    now: datetime | None = None,
) -> Dossier:
    """The complaint in full for the console; the opening and each reveal are audited."""
    now = now or datetime.now(UTC)
    row = await staff_work.visible_complaint(services, member, tracking_id)
    complaint = await staff_views.complaint_for_staff(
        services.engine,
        services.protector,
        member,
        row,
        reveal_reporter=reveal_reporter,
        reveal_subject=reveal_subject,
    )
    paused = row.status == Status.NEEDS_INFO
    met = {"verify": row.verified_at, "follow_up": row.followed_up_at, "resolve": row.answered_at}
    due = {"verify": row.verify_due, "follow_up": row.follow_up_due, "resolve": row.resolve_due}
    deadlines = [
        DeadlineOnPage(
            name,
            due[name],
            last_day(due[name]),
            countdown(services.calendar, due[name], met_at=met[name], now=now, paused=paused),
        )
        for name in ("verify", "follow_up", "resolve")
    ]
    directory = await services.directory.get()
    office = directory.routing.offices.get(row.office_code)
    log = None
    if access.may_see_access_log(member):
        log = await access_log_reading.access_log(services.engine, row.id)
    return Dossier(
        complaint=complaint,
        deadlines=deadlines,
        office_province_code=office.province_code if office else None,
        reporter_locale=row.reporter_locale,
        has_subject=row.subject_encrypted is not None,
        registry_standing_available=(
            row.category_code in REGISTRY_CATEGORIES and row.subject_nik_hash is not None
        ),
        access_log=log,
    )


@dataclass(frozen=True)
class RegistryStanding:
    """What the subject's own status check would show: the name masked, the standing per
    programme, the latest disbursement stage per tahap. ``found`` is None when the subject
    is not in the registry."""

    found: status_check.Found | None


async def registry_standing(
    services: Services, member: StaffMember, tracking_id: str
) -> RegistryStanding:
    """The subject's registry standing, for a sanggah or aid-not-received complaint. Each
    look is audited (``view_registry``); other categories are refused as a conflict."""
    row = await staff_work.visible_complaint(services, member, tracking_id)
    if row.category_code not in REGISTRY_CATEGORIES or row.subject_nik_hash is None:
        raise AppError(Refusal.CONFLICT, "no_registry_standing", "console_complaint.no_registry")
    await staff_views.audit(services.engine, member, row.id, "view_registry")
    found = await status_check.standing_of(
        services.family_reader,
        protector=services.protector,
        rules=services.rules,
        nik_hash=row.subject_nik_hash,
    )
    return RegistryStanding(found)


async def templates_for(
    services: Services, category: str, locale: str
) -> list[response_templates.TemplateRecord]:
    """The active response templates for a category (and any category) in a language."""
    return await response_templates.templates(
        services.engine, category_code=category, locale=locale, active_only=True, with_general=True
    )


async def filled_template(
    services: Services, member: StaffMember, tracking_id: str, template_id: int
) -> str | None:
    """A response template's body for this complaint, its placeholders filled in the
    citizen's language; None when no active template of its category and language has
    that id. Not audited: nothing personal is read."""
    row = await staff_work.visible_complaint(services, member, tracking_id)
    offered = await templates_for(services, row.category_code, row.reporter_locale)
    chosen = next((template for template in offered if template.id == template_id), None)
    if chosen is None:
        return None
    directory = await services.directory.get()
    category = directory.categories.get(row.category_code)
    return response_templates.fill(
        chosen.body,
        {
            "tracking_id": display(row.tracking_id),
            "office": directory.office_name(row.office_code),
            "category": category.label_in(row.reporter_locale) if category else row.category_code,
        },
    )


async def next_in_queue(services: Services, member: StaffMember, tracking_id: str) -> str | None:
    """The open complaint after this one in the member's queue (nearest deadline first);
    after a finished one, the queue's first: the most urgent is what comes next."""
    row = await staff_work.visible_complaint(services, member, tracking_id)
    in_queue = Status(row.status) in OPEN_STATUSES
    return await console_queue.following(
        services.engine, member, after=(row.next_due, row.id) if in_queue else None
    )
