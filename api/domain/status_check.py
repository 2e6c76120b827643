"""The status check: "am I eligible, and where is my money?" answered from a NIK and a name.

The check must never become an oracle for NIKs. So an unknown NIK and a known NIK with the
wrong name get the very same answer (``NotFound``), attempts are rate-limited per channel
user and per NIK before the registry is read, and every attempt is audited (the NIK by keyed
hash only) before the answer leaves.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from typing import NamedTuple

from redis.asyncio import Redis
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import PgPool
from api.domain import rate_limit
from api.domain.api_keys import Channel
from api.domain.audit_log import AuditLog
from api.domain.eligibility import EligibilityRules, ProgrammeEligibility, assess
from api.domain.names import mask_name, normalize_name
from api.domain.nik import NikError, parse_nik
from api.domain.protection import Protector
from api.domain.regions import RegionCodes
from api.domain.registry_import.rows import STAGES
from api.models import Beneficiary, Disbursement

_STAGE_ORDER = {stage: index for index, stage in enumerate(STAGES)}
MAX_NAME_LENGTH = 100


class Outcome(StrEnum):
    """What the audit records; the caller only ever sees found / not found / refused."""

    FOUND = "found"
    UNKNOWN_NIK = "unknown_nik"
    NAME_MISMATCH = "name_mismatch"
    INVALID_NIK = "invalid_nik"
    INVALID_NAME = "invalid_name"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True)
class LookupLimits:
    per_user: int
    per_nik: int
    window_seconds: int


class DisbursementStage(NamedTuple):
    # A NamedTuple rather than a frozen dataclass: one is built per row of the family read
    # (~20 per check), and a tuple is built several times faster.
    programme: str
    year: int
    tahap: int
    stage: str
    status: str
    channel: str
    amount: int
    occurred_on: date


@dataclass(frozen=True, slots=True)
class Found:
    name_masked: str
    district_code: str
    region_verified: bool
    desil: int | None
    eligibility: list[ProgrammeEligibility]
    # Per programme, the latest stage of each tahap of the most recent year on record.
    disbursements: dict[str, list[DisbursementStage]] = field(default_factory=dict)
    # The registry row, for a "tell me when my aid moves" subscription token.
    beneficiary_id: int | None = None


@dataclass(frozen=True, slots=True)
class NotFound:
    """Unknown NIK or wrong name: deliberately indistinguishable."""


@dataclass(frozen=True, slots=True)
class InvalidNik:
    error: NikError


@dataclass(frozen=True, slots=True)
class InvalidName:
    reason: str  # "empty" or "too_long"


@dataclass(frozen=True, slots=True)
class RateLimited:
    retry_after: int


Result = Found | NotFound | InvalidNik | InvalidName | RateLimited


def latest_per_tahap(rows: Sequence[DisbursementStage]) -> dict[str, list[DisbursementStage]]:
    """For each programme, the furthest stage reached in each tahap of its latest year.

    "Furthest" is the later stage in the Kemensos order; on the same stage (a bank attempt
    and a PT Pos re-route) the more recent report wins.
    """
    latest_year: dict[str, int] = {}
    for row in rows:
        latest_year[row.programme] = max(latest_year.get(row.programme, 0), row.year)
    best: dict[tuple[str, int], DisbursementStage] = {}
    for row in rows:
        if row.year != latest_year[row.programme]:
            continue
        key = (row.programme, row.tahap)
        kept = best.get(key)
        rank = (_STAGE_ORDER[row.stage], row.occurred_on)
        if kept is None or rank > (_STAGE_ORDER[kept.stage], kept.occurred_on):
            best[key] = row
    result: dict[str, list[DisbursementStage]] = {}
    for (programme, _), row in sorted(best.items()):
        result.setdefault(programme, []).append(row)
    return result


_b, _d = Beneficiary.__table__.c, Disbursement.__table__.c
# The person, the rest of their family card (family programmes such as PKH and Sembako sit
# on one member and cover all of them) and everyone's disbursement stages: one round trip.
_FAMILY_WITH_STAGES = (
    select(
        _b.id,
        _b.nik_hash,
        _b.name_hash,
        _b.identity_encrypted,
        _b.district_code,
        _b.desil,
        _b.programmes,
        _b.exclusions,
        _d.programme,
        _d.year,
        _d.tahap,
        _d.stage,
        _d.status,
        _d.channel,
        _d.amount,
        _d.occurred_on,
    )
    .select_from(
        Beneficiary.__table__.outerjoin(Disbursement.__table__, _d.beneficiary_id == _b.id)
    )
    .where(
        _b.kk_hash
        == select(_b.kk_hash).where(_b.nik_hash == bindparam("nik_hash")).scalar_subquery()
    )
)


class _Member(NamedTuple):
    id: int
    nik_hash: bytes
    name_hash: bytes
    identity_encrypted: bytes
    district_code: str
    desil: int | None
    programmes: str
    exclusions: str


async def _fetch_family_rows(
    reader: AsyncEngine, pool: PgPool | None, nik_hash: bytes
) -> Sequence[Sequence]:
    if pool is not None:
        # The hottest query of the service goes straight to asyncpg (a prepared statement
        # per connection), skipping SQLAlchemy's per-execution and per-checkout work; the
        # SQL is still the one statement above, compiled once for this dialect.
        async with pool.acquire() as conn:
            return await conn.fetch(_compiled_for(pool.dialect), nik_hash)
    async with reader.connect() as conn:
        return (await conn.execute(_FAMILY_WITH_STAGES, {"nik_hash": nik_hash})).all()


@cache
def _compiled_for(dialect) -> str:
    return str(_FAMILY_WITH_STAGES.compile(dialect=dialect))


async def _read_family(reader: AsyncEngine, pool: PgPool | None, nik_hash: bytes):
    """Family members by NIK hash, and each member's disbursement stages by member id."""
    family: dict[bytes, _Member] = {}
    stages: dict[int, list[DisbursementStage]] = {}
    for row in await _fetch_family_rows(reader, pool, nik_hash):
        member_stages = stages.get(row[0])
        if member_stages is None:  # the member's first row
            family[row[1]] = _Member._make(row[:8])
            member_stages = stages[row[0]] = []
        if row[8] is not None:
            member_stages.append(DisbursementStage._make(row[8:]))
    return family, stages


async def _audit(
    audit: AuditLog,
    *,
    channel: Channel,
    channel_user: str,
    nik_hash: bytes | None,
    outcome: Outcome,
) -> None:
    # The answer leaves only once the audit row is committed (see AuditLog).
    await audit.record(
        api_key_id=channel.api_key_id,
        channel=channel.name,
        channel_user=channel_user,
        nik_hash=nik_hash,
        outcome=outcome.value,
    )


async def check_status(
    *,
    reader: AsyncEngine,
    pool: PgPool | None = None,
    audit: AuditLog,
    redis: Redis,
    protector: Protector,
    rules: EligibilityRules,
    regions: RegionCodes,
    limits: LookupLimits,
    channel: Channel,
    channel_user: str,
    nik: str,
    name: str,
) -> Result:
    """Answer one status check, rate-limited and audited."""
    user_limit = rate_limit.Limit(
        f"rl:lookup:user:{channel.api_key_id}:{channel_user}",
        limits.per_user,
        limits.window_seconds,
    )
    try:
        parsed = parse_nik(nik, regions=regions)
    except NikError as error:
        # Malformed input still costs the user an attempt: probing is probing.
        decision = await rate_limit.hit(redis, [user_limit])
        await _audit(
            audit,
            channel=channel,
            channel_user=channel_user,
            nik_hash=None,
            outcome=Outcome.RATE_LIMITED if not decision.allowed else Outcome.INVALID_NIK,
        )
        return RateLimited(decision.retry_after) if not decision.allowed else InvalidNik(error)

    nik_hash = protector.nik_hash(parsed.value)
    decision = await rate_limit.hit(
        redis,
        [
            user_limit,
            rate_limit.Limit(
                f"rl:lookup:nik:{nik_hash[:16].hex()}", limits.per_nik, limits.window_seconds
            ),
        ],
    )
    if not decision.allowed:
        await _audit(
            audit,
            channel=channel,
            channel_user=channel_user,
            nik_hash=nik_hash,
            outcome=Outcome.RATE_LIMITED,
        )
        return RateLimited(decision.retry_after)

    normalized_name = normalize_name(name)
    if not normalized_name or len(normalized_name) > MAX_NAME_LENGTH:
        await _audit(
            audit,
            channel=channel,
            channel_user=channel_user,
            nik_hash=nik_hash,
            outcome=Outcome.INVALID_NAME,
        )
        return InvalidName("empty" if not normalized_name else "too_long")

    family, stages_by_member = await _read_family(reader, pool, nik_hash)
    person = family.get(nik_hash)
    # The name comparison happens whether or not the NIK exists, so both paths do alike work.
    name_matches = hmac.compare_digest(
        protector.name_hash(normalized_name), person.name_hash if person else b"\0" * 32
    )
    if person is None or not name_matches:
        await _audit(
            audit,
            channel=channel,
            channel_user=channel_user,
            nik_hash=nik_hash,
            outcome=Outcome.UNKNOWN_NIK if person is None else Outcome.NAME_MISMATCH,
        )
        return NotFound()

    family_programmes = {code for code, spec in rules.programmes.items() if spec.family}
    family_enrolled = {
        code
        for member in family.values()
        if member.id != person.id
        for code in member.programmes.split(";")
        if code in family_programmes
    }
    stages = [
        stage
        for member_id, member_stages in stages_by_member.items()
        for stage in member_stages
        # Another member's rows count only for the family programmes that cover this person.
        if member_id == person.id or stage.programme in family_programmes
    ]
    found = Found(
        name_masked=mask_name(protector.decrypt_identity(person.identity_encrypted).name),
        district_code=person.district_code,
        region_verified=parsed.region_verified,
        desil=person.desil,
        eligibility=assess(
            rules,
            desil=person.desil,
            enrolled=filter(None, person.programmes.split(";")),
            exclusions=filter(None, person.exclusions.split(";")),
            family_enrolled=family_enrolled,
        ),
        disbursements=latest_per_tahap(stages),
        beneficiary_id=person.id,
    )
    await _audit(
        audit, channel=channel, channel_user=channel_user, nik_hash=nik_hash, outcome=Outcome.FOUND
    )
    return found
