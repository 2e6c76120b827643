"""Filing a complaint, from any channel: what can be filed, within which limits, and filing.

Accepting means durably stored: the answer leaves only after the commit (see the domain's
``intake``). The confirmation sentence is rendered here, in the reporter's language, because
every channel sends the same one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import messages
from api import metrics
from api.application.errors import AppError, Refusal
from api.application.principals import Citizen
from api.domain.complaints import actions, attachments, intake
from api.domain.complaints.categories import Category
from api.domain.complaints.directory import Directory
from api.domain.complaints.intake import ComplaintDraft, FiledComplaint, IntakeError, Reporter
from api.domain.complaints.intake.limits import intake_limits
from api.domain.complaints.tracking_id import display
from api.domain.complaints.working_days import last_day
from api.services import Services


@dataclass(frozen=True)
class Filing:
    filed: FiledComplaint
    # The directory the complaint was routed with, for naming its office.
    directory: Directory
    # "Your complaint 7K3-M9Q-X2P is with … until …", in the reporter's language.
    confirmation: str


@dataclass(frozen=True)
class ComplaintLimits:
    """What the api checks a complaint against, for a channel to state and check first."""

    description_max_chars: int
    note_max_chars: int
    attachments_max_count: int
    attachment_max_bytes: int
    attachment_types: list[str]


def complaint_limits() -> ComplaintLimits:
    """The limits as the domain holds them now (read at each call, never copied at import,
    so a channel never states a number the domain no longer uses)."""
    return ComplaintLimits(
        description_max_chars=intake.MAX_DESCRIPTION,
        note_max_chars=actions.MAX_NOTE,
        attachments_max_count=attachments.MAX_ATTACHMENTS,
        attachment_max_bytes=attachments.MAX_ATTACHMENT_BYTES,
        attachment_types=sorted(attachments.ALLOWED_TYPES),
    )


async def active_categories(services: Services) -> tuple[Directory, list[Category]]:
    """The kinds of complaint a citizen can file now (an administrator may change them)."""
    directory = await services.directory.get()
    return directory, directory.active_categories()


async def file_complaint(
    services: Services,
    citizen: Citizen,
    draft: ComplaintDraft,
    *,
    locale: str,
    contact: str | None = None,
    idempotency_key: str | None = None,
) -> Filing:
    """File ``draft`` for ``citizen``; a repeated idempotency key returns the same complaint
    (``filed.replayed``) and the same key with another draft is refused as a conflict."""
    await _count_filing(services, citizen, draft)
    directory = await services.directory.get()
    try:
        filed = await intake.file_complaint(
            engine=services.engine,
            protector=services.protector,
            directory=directory,
            calendar=services.calendar,
            regions=services.regions,
            programmes=services.programmes,
            channel=citizen.channel,
            reporter=Reporter(channel_user=citizen.user, locale=locale, contact=contact),
            draft=draft,
            idempotency_key=idempotency_key,
            pool=services.pool,
        )
    except IntakeError as error:
        raise intake_refused(error) from None
    if not filed.replayed:
        metrics.record_complaint_filed(citizen.channel.name)
    # Named from the stated domicile or the triage desk only: the same sentence whether or
    # not the registry knows the subject.
    confirmation = messages.render(
        locale,
        "complaints.created_for_triage" if filed.in_triage else "complaints.created",
        tracking_id=display(filed.tracking_id),
        office=directory.office_name(filed.office_code),
        due=messages.long_date(locale, last_day(filed.follow_up_due)),
    )
    return Filing(filed, directory, confirmation)


async def _count_filing(services: Services, citizen: Citizen, draft: ComplaintDraft) -> None:
    """Refuse a filing over the channel user's or the subject NIK's limit (429)."""
    decision = await services.rate_limiter.hit(
        intake_limits(
            services.intake_limits,
            protector=services.protector,
            regions=services.regions,
            channel=citizen.channel,
            channel_user=citizen.user,
            subject_nik=draft.subject_nik,
        )
    )
    if not decision.allowed:
        metrics.record_rate_limit_refusal("complaint_filing")
        raise AppError(
            Refusal.RATE_LIMITED,
            "rate_limited",
            "complaints.rate_limited",
            retry_after=decision.retry_after,
            params={"minutes": max(1, math.ceil(decision.retry_after / 60))},
        )


def intake_refused(error: IntakeError) -> AppError:
    if error.nik_error is not None:
        problem = error.nik_error.problem.value
        return AppError(
            Refusal.INVALID,
            f"subject_nik_{problem}",
            f"nik.{problem}",
            field=error.field,
            params=error.nik_error.params,
        )
    refusal = (
        Refusal.CONFLICT
        if error.problem == intake.IntakeProblem.IDEMPOTENCY_KEY_REUSED
        else Refusal.INVALID
    )
    return AppError(
        refusal,
        error.problem.value,
        f"complaints.{error.problem.value}",
        field=error.field,
        params=error.params,
    )
