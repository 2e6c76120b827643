"""Checking a draft and its reporter without touching the database.

``check_draft`` either returns a :class:`CheckedDraft` whose values are normalised
(trimmed, upper-cased codes, parsed NIK and region code) or raises :class:`IntakeError`
naming the first problem found, in the order a person filling the form meets the fields.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from api.domain.complaints.categories import Category
from api.domain.complaints.intake.domicile import StatedDomicile, check_region_code
from api.domain.complaints.intake.drafts import (
    MAX_ADDRESS,
    MAX_CHANNEL_USER,
    MAX_CONTACT,
    MAX_DESCRIPTION,
    CheckedDraft,
    ComplaintDraft,
    Reporter,
)
from api.domain.complaints.intake.problems import IntakeError, IntakeProblem
from api.domain.nik import Nik, NikError, parse_nik
from api.domain.regions import RegionCodes
from api.domain.vocabulary import Privacy


def check_draft(
    draft: ComplaintDraft,
    reporter: Reporter,
    *,
    categories: Mapping[str, Category],
    programmes: frozenset[str],
    regions: RegionCodes,
) -> CheckedDraft:
    """Validate a draft without touching the database; :class:`IntakeError` says what is wrong."""
    check_reporter(reporter)
    category = categories.get(draft.category.strip().upper()) if draft.category else None
    if category is None or not category.active:
        raise IntakeError(IntakeProblem.UNKNOWN_CATEGORY, field="category")
    try:
        privacy = Privacy(str(draft.privacy).strip().upper())
    except ValueError:
        raise IntakeError(IntakeProblem.UNKNOWN_PRIVACY, field="privacy") from None
    description = _checked_description(draft.description)
    subject = _checked_subject(draft.subject_nik, category=category, regions=regions)

    # No domicile, or one the region list does not know, is no refusal: the complaint
    # waits at a triage desk (see ``domicile``).
    stated = StatedDomicile()
    if draft.region_code and draft.region_code.strip():
        stated = check_region_code(draft.region_code, regions=regions)

    programme = draft.programme.strip().upper() if draft.programme else None
    if programme is not None and programme not in programmes:
        allowed = ", ".join(sorted(programmes))
        raise IntakeError(IntakeProblem.PROGRAMME_UNKNOWN, field="programme", allowed=allowed)
    if draft.tahap is not None and not 1 <= draft.tahap <= 4:
        raise IntakeError(IntakeProblem.TAHAP_INVALID, field="tahap")
    _check_location(draft.latitude, draft.longitude)
    address = draft.address.strip() if draft.address and draft.address.strip() else None
    if address is not None and len(address) > MAX_ADDRESS:
        raise IntakeError(IntakeProblem.ADDRESS_TOO_LONG, field="address", max=MAX_ADDRESS)

    return CheckedDraft(
        category=category,
        privacy=privacy,
        description=description,
        subject=subject,
        domicile=stated,
        programme=programme,
        tahap=draft.tahap,
        latitude=draft.latitude,
        longitude=draft.longitude,
        address=address,
    )


def check_reporter(reporter: Reporter) -> None:
    """The channel's user id must be present and fit its column; so must any contact."""
    channel_user = reporter.channel_user.strip()
    if not channel_user or len(channel_user) > MAX_CHANNEL_USER:
        raise IntakeError(
            IntakeProblem.CHANNEL_USER_INVALID, field="channel_user", max=MAX_CHANNEL_USER
        )
    if reporter.contact is not None and len(reporter.contact) > MAX_CONTACT:
        raise IntakeError(IntakeProblem.CONTACT_TOO_LONG, field="contact", max=MAX_CONTACT)


def _checked_description(raw: str) -> str:
    description = raw.strip()
    if not description:
        raise IntakeError(IntakeProblem.DESCRIPTION_EMPTY, field="description")
    if len(description) > MAX_DESCRIPTION:
        raise IntakeError(
            IntakeProblem.DESCRIPTION_TOO_LONG,
            field="description",
            max=MAX_DESCRIPTION,
            length=len(description),
        )
    return description


def _checked_subject(raw: str | None, *, category: Category, regions: RegionCodes) -> Nik | None:
    """The parsed NIK of whom the complaint is about, if given; some categories require one."""
    if raw and raw.strip():
        try:
            return parse_nik(raw, regions=regions)
        except NikError as error:
            raise IntakeError(
                IntakeProblem.SUBJECT_NIK_INVALID, field="subject_nik", nik_error=error
            ) from None
    if category.requires_subject_nik:
        raise IntakeError(IntakeProblem.SUBJECT_NIK_REQUIRED, field="subject_nik")
    return None


def _check_location(latitude: float | None, longitude: float | None) -> None:
    """Both coordinates or neither, finite and on the globe."""
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and not (
            math.isfinite(latitude)
            and math.isfinite(longitude)
            and -90 <= latitude <= 90
            and -180 <= longitude <= 180
        )
    ):
        raise IntakeError(IntakeProblem.LOCATION_INVALID, field="location")
