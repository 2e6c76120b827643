"""The status check: "am I eligible, and where is my money?" answered from a NIK and a name.

The check must never become an oracle for NIKs. So an unknown NIK and a known NIK with the
wrong name get the very same answer (``NotFound``), attempts are rate-limited before the
registry is read, and every attempt is audited (the NIK by keyed hash only) before the
answer leaves.

The limits, and why strangers cannot lock an owner out with them: ``lookup_limits``.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import LargeBinary, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import PgPool
from api.domain import rate_limit
from api.domain.api_keys import Channel
from api.domain.audit_log import AuditLog
from api.domain.batching import GroupCall
from api.domain.eligibility import EligibilityRules, ProgrammeEligibility
from api.domain.lookup_limits import OWNER_MARK_SECONDS, LookupLimits, owner_mark
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
    # Per programme, the latest stage of each tahap of the most recent year on record, after
    # the tahap's last failure if the aid moved on from it (``latest_per_tahap``).
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
    """For each programme, the furthest stage reached in each tahap of its latest year,
    preceded by that tahap's latest failure when the furthest stage is not itself it.

    "Furthest" is the later stage in the Kemensos order; on the same stage (a bank attempt
    and a PT Pos re-route) the more recent report wins. A failure stays in view after the
    aid moved on (a failed top-up, then a PT Pos re-route): it explains the delay and the
    change of channel the citizen sees.
    """
    latest_year: dict[str, int] = {}
    for row in rows:
        latest_year[row.programme] = max(latest_year.get(row.programme, 0), row.year)
    best: dict[tuple[str, int], DisbursementStage] = {}
    failed: dict[tuple[str, int], DisbursementStage] = {}
    for row in rows:
        if row.year != latest_year[row.programme]:
            continue
        key = (row.programme, row.tahap)
        rank = (_STAGE_ORDER[row.stage], row.occurred_on)
        kept = best.get(key)
        if kept is None or rank > (_STAGE_ORDER[kept.stage], kept.occurred_on):
            best[key] = row
        if row.status == "GAGAL":
            kept = failed.get(key)
            if kept is None or rank > (_STAGE_ORDER[kept.stage], kept.occurred_on):
                failed[key] = row
    result: dict[str, list[DisbursementStage]] = {}
    for key, row in sorted(best.items()):
        lines = result.setdefault(key[0], [])
        if key in failed and failed[key] is not row:
            lines.append(failed[key])
        lines.append(row)
    return result


_b, _d = Beneficiary.__table__.c, Disbursement.__table__.c
# The person, the rest of their family card (family programmes such as PKH and Sembako sit
# on one member and cover all of them) and everyone's disbursement stages: one round trip.
# Each row starts with the NIK hash it answers; see _families_of for the other positions.
_FAMILY_COLUMNS = (
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
_MEMBERS_WITH_STAGES = Beneficiary.__table__.outerjoin(
    Disbursement.__table__, _d.beneficiary_id == _b.id
)
_asked_hash = bindparam("nik_hash", type_=LargeBinary)
# One NIK hash (SQLite, the embedded default).
_FAMILY_WITH_STAGES = (
    select(_asked_hash.label("asked"), *_FAMILY_COLUMNS)
    .select_from(_MEMBERS_WITH_STAGES)
    .where(_b.kk_hash == select(_b.kk_hash).where(_b.nik_hash == _asked_hash).scalar_subquery())
)
# A batch of NIK hashes (PostgreSQL). Two NIKs of one family card come back as two families,
# one per hash asked.
_person = Beneficiary.__table__.alias("person")
_asked = (
    func.unnest(bindparam("nik_hashes", type_=ARRAY(LargeBinary)))
    .table_valued("nik_hash")
    .render_derived(name="asked")
)
_FAMILIES_WITH_STAGES = select(_asked.c.nik_hash, *_FAMILY_COLUMNS).select_from(
    _asked.join(_person, _person.c.nik_hash == _asked.c.nik_hash).join(
        _MEMBERS_WITH_STAGES, _b.kk_hash == _person.c.kk_hash
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


# Family members by NIK hash, and each member's disbursement stages by member id.
Family = tuple[dict[bytes, _Member], dict[int, list["DisbursementStage"]]]
_NO_FAMILY: Family = ({}, {})


def _families_of(rows: Sequence[Sequence]) -> dict[bytes, Family]:
    """Rows of the family reads above, grouped by the NIK hash each row answers."""
    families: dict[bytes, Family] = {}
    for row in rows:
        family = families.get(row[0])
        if family is None:
            family = families[row[0]] = ({}, {})
        member_stages = family[1].get(row[1])
        if member_stages is None:  # the member's first row
            family[0][row[2]] = _new_tuple(_Member, row[1:9])
            member_stages = family[1][row[1]] = []
        if row[9] is not None:
            member_stages.append(_new_tuple(DisbursementStage, row[9:]))
    return families


# ~20 rows per check: tuple.__new__ on a slice builds a NamedTuple about twice as fast as
# its generated __new__ or _make.
_new_tuple = tuple.__new__


class FamilyReader:
    """Reads a person's family card and everyone's disbursement stages by NIK hash.

    On PostgreSQL, the hottest query of the service goes straight to asyncpg (a prepared
    statement per connection, skipping SQLAlchemy's per-execution work), and the reads of
    concurrent status checks are grouped: one statement answers every NIK hash asked while
    the previous one ran (see batching.GroupCall). SQLite, the embedded default, reads one
    family per statement through the engine.
    """

    MAX_BATCH = 200
    IN_FLIGHT = 2  # batches at once per process: the next one is filled while one is read

    def __init__(self, reader: AsyncEngine, pool: PgPool | None) -> None:
        self._reader = reader
        self._pool = pool
        self._batched: GroupCall[bytes, Family] | None = None
        if pool is not None:
            self._sql = str(_FAMILIES_WITH_STAGES.compile(dialect=pool.dialect))
            self._batched = GroupCall(
                self._read_batch, max_batch=self.MAX_BATCH, in_flight=self.IN_FLIGHT
            )

    async def read(self, nik_hash: bytes) -> Family:
        if self._batched is not None:
            return await self._batched(nik_hash)
        async with self._reader.connect() as conn:
            rows = (await conn.execute(_FAMILY_WITH_STAGES, {"nik_hash": nik_hash})).all()
        return _families_of(rows).get(nik_hash, _NO_FAMILY)

    async def _read_batch(self, nik_hashes: list[bytes]) -> list[Family]:
        assert self._pool is not None
        asked = list(dict.fromkeys(nik_hashes))  # the same NIK twice in a batch: read once
        async with self._pool.acquire() as conn:
            families = _families_of(await conn.fetch(self._sql, asked))
        return [families.get(nik_hash, _NO_FAMILY) for nik_hash in nik_hashes]


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
    registry: FamilyReader,
    audit: AuditLog,
    limiter: rate_limit.RateLimiter,
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
    try:
        parsed = parse_nik(nik, regions=regions)
    except NikError as error:
        # Malformed input still costs the user an attempt: probing is probing.
        decision = await limiter.hit(limits.of_caller(channel.api_key_id, channel_user))
        await _audit(
            audit,
            channel=channel,
            channel_user=channel_user,
            nik_hash=None,
            outcome=Outcome.RATE_LIMITED if not decision.allowed else Outcome.INVALID_NIK,
        )
        return RateLimited(decision.retry_after) if not decision.allowed else InvalidNik(error)

    nik_hash = protector.nik_hash(parsed.value)
    decision = await limiter.hit(limits.of_nik(channel.api_key_id, channel_user, nik_hash))
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

    family, stages_by_member = await registry.read(nik_hash)
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

    found = _found(
        person,
        family,
        stages_by_member,
        protector=protector,
        rules=rules,
        region_verified=parsed.region_verified,
    )
    # This user has shown they know the name: strangers' guesses no longer lock them out.
    await limiter.mark(owner_mark(nik_hash, channel.api_key_id, channel_user), OWNER_MARK_SECONDS)
    await _audit(
        audit, channel=channel, channel_user=channel_user, nik_hash=nik_hash, outcome=Outcome.FOUND
    )
    return found


def _found(
    person: _Member,
    family: dict[bytes, _Member],
    stages_by_member: dict[int, list[DisbursementStage]],
    *,
    protector: Protector,
    rules: EligibilityRules,
    region_verified: bool,
) -> Found:
    """The person's standing per programme and their family's latest stages, name masked."""
    family_programmes = {code for code, spec in rules.programmes.items() if spec.family}
    family_enrolled = frozenset(
        code
        for member in family.values()
        if member.id != person.id
        for code in member.programmes.split(";")
        if code in family_programmes
    )
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
        region_verified=region_verified,
        desil=person.desil,
        eligibility=rules.assess_record(
            person.desil, person.programmes, person.exclusions, family_enrolled
        ),
        disbursements=latest_per_tahap(stages),
        beneficiary_id=person.id,
    )
    return found


async def standing_of(
    registry: FamilyReader, *, protector: Protector, rules: EligibilityRules, nik_hash: bytes
) -> Found | None:
    """A complaint subject's registry standing for the staff handling the complaint: what the
    citizen's own status check shows (name masked), read by NIK hash. Neither rate-limited
    nor audited here: the staff access audit records each look (the caller's duty)."""
    family, stages_by_member = await registry.read(nik_hash)
    person = family.get(nik_hash)
    if person is None:
        return None
    return _found(
        person, family, stages_by_member, protector=protector, rules=rules, region_verified=True
    )
