"""``file_complaint``: check, route, set deadlines and store, answering retries once.

The order matters for cost: the common first submission is checked and written with no
extra round trip; the Idempotency-Key record is read only when filing fails, to tell a
retry (answered with the earlier complaint) from a real problem.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import PgPool
from api.domain.api_keys import Channel
from api.domain.complaints.directory import Directory
from api.domain.complaints.intake.checks import check_draft
from api.domain.complaints.intake.domicile import regency_named_in
from api.domain.complaints.intake.drafts import (
    CheckedDraft,
    ComplaintDraft,
    FiledComplaint,
    Reporter,
)
from api.domain.complaints.intake.idempotency import check_idempotency_key, replay, request_hash
from api.domain.complaints.intake.problems import IntakeError
from api.domain.complaints.intake.rows import Submission
from api.domain.complaints.intake.write import store
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.protection import Protector
from api.domain.regions import RegionCodes


async def file_complaint(
    *,
    engine: AsyncEngine,
    protector: Protector,
    directory: Directory,
    calendar: WorkingCalendar,
    regions: RegionCodes,
    programmes: frozenset[str],
    channel: Channel,
    reporter: Reporter,
    draft: ComplaintDraft,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    pool: PgPool | None = None,
) -> FiledComplaint:
    """Check, route, set deadlines and store a complaint durably; see the package docstring.
    With ``pool`` (PostgreSQL) the rows go through it in one round trip (see ``write``)."""
    check_idempotency_key(idempotency_key)
    fingerprint = request_hash(draft, reporter) if idempotency_key else b""
    submission = Submission(
        protector=protector,
        directory=directory,
        calendar=calendar,
        channel=channel,
        reporter=reporter,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        now=now or datetime.now(UTC),
    )
    # A retry is answered from the Idempotency-Key record only when filing fails (the key is
    # taken, or the retry no longer passes a check): the common first submission costs no
    # extra round trip.
    try:
        checked = check_draft(
            draft, reporter, categories=directory.categories, programmes=programmes, regions=regions
        )
        checked = with_triage_hint(checked, directory, regions)
        return await store(engine, submission, checked, pool=pool)
    except IntakeError:
        if idempotency_key and (
            earlier := await replay(engine, channel, idempotency_key, fingerprint)
        ):
            return earlier
        raise
    except IntegrityError:
        # Either a concurrent or earlier submission with the same Idempotency-Key (replay it),
        # or, once in a trillion, the random tracking ID was taken (try once more).
        if idempotency_key and (
            earlier := await replay(engine, channel, idempotency_key, fingerprint)
        ):
            return earlier
        return await store(engine, submission, checked, pool=pool)


def with_triage_hint(checked: CheckedDraft, directory: Directory, regions: RegionCodes):
    """Without a known domicile, a pilot kab/kota named in the address picks the triage
    desk of its coordination region."""
    domicile = checked.domicile
    if domicile.district_code or domicile.regency_code or not checked.address:
        return checked
    named = regency_named_in(
        checked.address, regions=regions, among=directory.routing.pilot_regencies
    )
    return replace(checked, domicile=replace(domicile, regency_code=named)) if named else checked
