"""Writing checked records: into a staging table, then one set-based upsert per chunk.

PostgreSQL gets the staging rows by binary ``COPY`` (asyncpg), SQLite by ``executemany``;
from there the same SQL runs on both. An upsert only touches rows whose content changed, so
re-importing a file changes nothing, and a changed row updates in place.

New people skip all that on PostgreSQL: a chunk goes by ``COPY`` straight into
``beneficiary`` first, and only a chunk that meets someone already there takes the staging
table and the upsert (``BeneficiaryCopyWriter``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    bindparam,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from api.domain.registry_import.copy_binary import BENEFICIARY_COPY_COLUMNS, BeneficiaryCopy
from api.domain.registry_import.rows import (
    BeneficiaryRecord,
    DisbursementRecord,
    latest_per_person,
)
from api.models._types import UtcDateTime

_staging = MetaData()

# Exactly the columns of a COPY payload, in its order: one payload fits both this table and
# beneficiary itself.
_COPY_TYPES = {
    "nik_hash": LargeBinary,
    "name_hash": LargeBinary,
    "kk_hash": LargeBinary,
    "identity_encrypted": LargeBinary,
    "district_code": String,
    "village_code": String,
    "desil": SmallInteger,
    "programmes": String,
    "exclusions": String,
    "fingerprint": LargeBinary,
    "created_at": UtcDateTime,
    "updated_at": UtcDateTime,
}
STAGE_BENEFICIARY = Table(
    "stage_beneficiary",
    _staging,
    *(Column(name, _COPY_TYPES[name]) for name in BENEFICIARY_COPY_COLUMNS),
    prefixes=["TEMPORARY"],
)

STAGE_DISBURSEMENT = Table(
    "stage_disbursement",
    _staging,
    Column("line", Integer),
    Column("nik_hash", LargeBinary),
    Column("programme", String),
    Column("year", SmallInteger),
    Column("tahap", SmallInteger),
    Column("stage", String),
    Column("status", String),
    Column("channel", String),
    Column("amount", BigInteger),
    Column("occurred_on", Date),
    Column("beneficiary_id", BigInteger),
    prefixes=["TEMPORARY"],
)

_DISBURSEMENT_FIELDS = [c.name for c in STAGE_DISBURSEMENT.columns if c.name != "beneficiary_id"]

_UPSERT_BENEFICIARIES = text("""
INSERT INTO beneficiary (nik_hash, name_hash, kk_hash, identity_encrypted, district_code,
    village_code, desil, programmes, exclusions, fingerprint, created_at, updated_at)
SELECT nik_hash, name_hash, kk_hash, identity_encrypted, district_code, village_code, desil,
    programmes, exclusions, fingerprint, created_at, updated_at
FROM stage_beneficiary WHERE true
ON CONFLICT (nik_hash) DO UPDATE SET
    name_hash = excluded.name_hash, kk_hash = excluded.kk_hash,
    identity_encrypted = excluded.identity_encrypted, district_code = excluded.district_code,
    village_code = excluded.village_code, desil = excluded.desil,
    programmes = excluded.programmes, exclusions = excluded.exclusions,
    fingerprint = excluded.fingerprint, updated_at = excluded.updated_at
WHERE beneficiary.fingerprint <> excluded.fingerprint
""")

_COUNT_BENEFICIARIES = text("""
SELECT count(*), coalesce(sum(CASE WHEN b.fingerprint <> s.fingerprint THEN 1 ELSE 0 END), 0)
FROM stage_beneficiary s JOIN beneficiary b ON b.nik_hash = s.nik_hash
""")

# One index lookup per staged row, whatever the planner knows about the tables' sizes.
_RESOLVE_PEOPLE = text("""
UPDATE stage_disbursement SET beneficiary_id =
    (SELECT b.id FROM beneficiary b WHERE b.nik_hash = stage_disbursement.nik_hash)
""")

_UNKNOWN_PEOPLE = text("""
SELECT line FROM stage_disbursement WHERE beneficiary_id IS NULL ORDER BY line
""")

# A stage row is replaced only by a report at least as recent that says something new, so an
# old file imported after a newer one cannot move a disbursement backwards.
_CHANGED_STAGE = """(d.status <> s.status OR d.amount <> s.amount
    OR d.occurred_on <> s.occurred_on) AND s.occurred_on >= d.occurred_on"""

_COUNT_DISBURSEMENTS = text(f"""
SELECT count(d.id), coalesce(sum(CASE WHEN {_CHANGED_STAGE} THEN 1 ELSE 0 END), 0)
FROM stage_disbursement s
JOIN disbursement d ON d.beneficiary_id = s.beneficiary_id AND d.programme = s.programme
    AND d.year = s.year AND d.tahap = s.tahap AND d.stage = s.stage AND d.channel = s.channel
""")

_UPSERT_DISBURSEMENTS = text(f"""
INSERT INTO disbursement (beneficiary_id, programme, year, tahap, stage, status, channel,
    amount, occurred_on, updated_at)
SELECT s.beneficiary_id, s.programme, s.year, s.tahap, s.stage, s.status, s.channel,
    s.amount, s.occurred_on, :now
FROM stage_disbursement s WHERE s.beneficiary_id IS NOT NULL
ON CONFLICT (beneficiary_id, programme, year, tahap, stage, channel) DO UPDATE SET
    status = excluded.status, amount = excluded.amount,
    occurred_on = excluded.occurred_on, updated_at = excluded.updated_at
WHERE {_CHANGED_STAGE.replace("d.", "disbursement.").replace("s.", "excluded.")}
""")


# One outbox message per subscriber for each stage this chunk adds or changes (run before the
# upsert, in its transaction, so "changed" is judged against the rows as they were). A
# subscriber hears of their own stages, and of the family programmes' stages of anyone on
# their family card. Two joins rather than one with OR, so each can use its index.
_NOTIFY_SUBSCRIBERS = """
INSERT INTO outbox_message (created_at, channel, channel_user, locale, kind, payload)
SELECT :now, sub.channel, sub.channel_user, sub.locale, 'disbursement.updated', {payload}
FROM stage_disbursement s
JOIN (
    SELECT s2.line AS staged, sub.id AS subscription
    FROM stage_disbursement s2
    JOIN disbursement_subscription sub ON sub.beneficiary_id = s2.beneficiary_id
    UNION
    SELECT s2.line, sub.id
    FROM stage_disbursement s2
    JOIN beneficiary b ON b.id = s2.beneficiary_id
    JOIN disbursement_subscription sub ON sub.kk_hash = b.kk_hash
    WHERE s2.programme IN :family
) pairs ON pairs.staged = s.line
JOIN disbursement_subscription sub ON sub.id = pairs.subscription
LEFT JOIN disbursement d ON d.beneficiary_id = s.beneficiary_id AND d.programme = s.programme
    AND d.year = s.year AND d.tahap = s.tahap AND d.stage = s.stage AND d.channel = s.channel
WHERE d.id IS NULL OR ({changed})
"""
_PAYLOAD_FIELDS = (
    "'programme', s.programme, 'year', s.year, 'tahap', s.tahap, 'stage', s.stage, "
    "'status', s.status, 'channel', s.channel, 'amount', s.amount, 'date', s.occurred_on"
)


def _notify_statement(dialect: str):
    payload = (
        f"json_build_object({_PAYLOAD_FIELDS})::text"
        if dialect == "postgresql"
        else f"json_object({_PAYLOAD_FIELDS})"
    )
    return text(_NOTIFY_SUBSCRIBERS.format(payload=payload, changed=_CHANGED_STAGE)).bindparams(
        bindparam("family", expanding=True)
    )


async def _notify_subscribers(conn: AsyncConnection, family_programmes: frozenset[str]) -> None:
    # Most imports run with nobody subscribed: one cheap look first.
    if (await conn.execute(text("SELECT 1 FROM disbursement_subscription LIMIT 1"))).first():
        await conn.execute(
            _notify_statement(conn.dialect.name),
            {"now": datetime.now(UTC), "family": sorted(family_programmes)},
        )


@dataclass(frozen=True, slots=True)
class ChunkOutcome:
    """What writing a chunk did; the chunk's other accepted rows were unchanged."""

    inserted: int
    updated: int
    unknown_lines: tuple[int, ...] = ()


async def _driver(conn: AsyncConnection):
    return (await conn.get_raw_connection()).driver_connection


async def _stage(
    conn: AsyncConnection, table: Table, fields: Sequence[str], records: Sequence[tuple]
) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(text(f"TRUNCATE {table.name}"))
        await (await _driver(conn)).copy_records_to_table(
            table.name, records=records, columns=fields
        )
        # No ANALYZE of the staging table: every statement below reads it whole and reaches
        # the big tables through their unique indexes, so no plan depends on its size.
    else:
        await conn.execute(table.delete())
        await conn.execute(table.insert(), [dict(zip(fields, r, strict=True)) for r in records])


async def prepare(conn: AsyncConnection) -> None:
    """Create the session's staging tables (temporary: they vanish with the connection)."""
    await conn.run_sync(lambda sync: _staging.create_all(sync, checkfirst=True))


def _latest_disbursements(records: Sequence[DisbursementRecord]) -> list[tuple]:
    latest: dict[tuple, DisbursementRecord] = {}
    for record in records:
        key = (
            record.nik_hash,
            record.programme,
            record.year,
            record.tahap,
            record.stage,
            record.channel,
        )
        kept = latest.get(key)
        if kept is None or record.occurred_on >= kept.occurred_on:
            latest[key] = record
    return list(latest.values())


async def _upsert(conn: AsyncConnection, upsert, count, staged: int) -> tuple[int, int]:
    """Run an upsert; return (inserted, updated).

    PostgreSQL tells them apart in the upsert itself (a freshly inserted row has xmax = 0),
    which saves a second join against a table of millions. SQLite counts first, by index.
    """
    now = {"now": datetime.now(UTC)}
    if conn.dialect.name == "postgresql":
        counted = text(
            f"WITH up AS ({upsert.text} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), "
            "count(*) FILTER (WHERE NOT inserted) FROM up"
        )
        inserted, updated = (await conn.execute(counted, now)).one()
        return inserted, updated
    existing, changed = (await conn.execute(count)).one()
    await conn.execute(upsert, now)
    return staged - existing, changed


async def write_beneficiaries(
    conn: AsyncConnection, records: Sequence[BeneficiaryRecord]
) -> ChunkOutcome:
    """Stage the chunk's records and upsert them (SQLite; PostgreSQL takes
    ``BeneficiaryCopyWriter``)."""
    now = datetime.now(UTC)
    rows = [(*record[1:], now, now) for record in latest_per_person(records)]  # without line
    await _stage(conn, STAGE_BENEFICIARY, BENEFICIARY_COPY_COLUMNS, rows)
    inserted, updated = await _upsert(conn, _UPSERT_BENEFICIARIES, _COUNT_BENEFICIARIES, len(rows))
    return ChunkOutcome(inserted=inserted, updated=updated)


_COPY_SLICE = 1 << 20


async def _copy_payload(conn: AsyncConnection, table: str, payload: bytes) -> None:
    async def slices():
        # In slices, so the driver's buffers hold one slice at a time, not another copy of
        # the whole chunk.
        view = memoryview(payload)
        for start in range(0, len(view), _COPY_SLICE):
            yield view[start : start + _COPY_SLICE]

    await (await _driver(conn)).copy_to_table(
        table, source=slices(), columns=BENEFICIARY_COPY_COLUMNS, format="binary"
    )


class BeneficiaryCopyWriter:
    """PostgreSQL: writes chunks encoded as ``BeneficiaryCopy``, new people by plain COPY.

    A chunk is first sent by ``COPY`` straight into ``beneficiary``: appending rows costs
    PostgreSQL well under half of staging them and running the upsert. If the chunk meets
    anyone already there (the table held them before, an earlier chunk of the file repeated
    the NIK, or another import added them meanwhile), the unique index on ``nik_hash``
    stops the COPY, the savepoint undoes it, and the chunk takes the staging table and the
    upsert, whose outcome is the same as if it had gone there first. A COPY stopped late in
    a chunk wastes that part of it, so after a chunk that met people already there (as every
    chunk of a re-import does) the next one goes to the upsert directly.
    """

    def __init__(self) -> None:
        self._copy_first = True

    async def __call__(self, conn: AsyncConnection, batch: BeneficiaryCopy) -> ChunkOutcome:
        if self._copy_first:
            try:
                async with conn.begin_nested():
                    await _copy_payload(conn, "beneficiary", batch.payload)
                return ChunkOutcome(inserted=batch.people, updated=0)
            except UniqueViolationError:
                pass
        await conn.execute(text("TRUNCATE stage_beneficiary"))
        await _copy_payload(conn, "stage_beneficiary", batch.payload)
        inserted, updated = await _upsert(conn, _UPSERT_BENEFICIARIES, None, batch.people)
        self._copy_first = inserted == batch.people
        return ChunkOutcome(inserted=inserted, updated=updated)


async def write_disbursements(
    conn: AsyncConnection,
    records: Sequence[DisbursementRecord],
    *,
    family_programmes: frozenset[str] = frozenset(),
) -> ChunkOutcome:
    rows = _latest_disbursements(records)
    await _stage(conn, STAGE_DISBURSEMENT, _DISBURSEMENT_FIELDS, rows)
    await conn.execute(_RESOLVE_PEOPLE)
    # Rows of a person the registry does not know are rejected, each by its line number.
    unknown = tuple(line for (line,) in await conn.execute(_UNKNOWN_PEOPLE))
    await _notify_subscribers(conn, family_programmes)
    inserted, updated = await _upsert(
        conn, _UPSERT_DISBURSEMENTS, _COUNT_DISBURSEMENTS, len(rows) - len(unknown)
    )
    return ChunkOutcome(inserted=inserted, updated=updated, unknown_lines=unknown)
