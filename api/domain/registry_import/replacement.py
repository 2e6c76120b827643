"""Replacing the whole beneficiary registry at once (PostgreSQL): load it beside, swap it in.

An incremental import (``importer.py``) writes into the live tables with their indexes in
place, which is what a monthly update needs. A new registry (the first load, or a new
snapshot replacing the last) costs PostgreSQL far less as a bulk load: rows into a table
without indexes, the indexes built once at the end (``bench/import_floor.py``). So a
replacement, in one transaction:

1. creates ``beneficiary_next`` like ``beneficiary`` (columns, defaults, checks: no index)
   and sends every checked chunk into it by ``COPY``. The rows are read, checked, hashed,
   encrypted and fingerprinted by the very checker and encoder of an incremental import, in
   the same worker processes, and rejected rows are reported the same way;
2. keeps the later line of a NIK that repeats across chunks (as an incremental import
   does), then builds the indexes and constraints ``beneficiary`` has, read from the
   catalog, so whatever a later migration adds is built too, under the same names;
3. copies the disbursements of the people still in the registry into ``disbursement_next``
   and builds its indexes and constraints the same way;
4. swaps: subscriptions follow their person to the new row (those of people no longer in
   the registry end), the old tables are dropped and the new ones take their names.

Until the commit, status checks read the previous registry: nothing they read is locked
before the swap, which holds its locks for milliseconds. An interrupted replacement rolls
back and leaves the previous registry as it was, with nothing left over.

The new rows draw their ids from the same sequence as the old ones, so no id is ever reused:
a subscription token made before the swap (it carries the id) can never name someone else.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.eligibility import EligibilityRules
from api.domain.protection import Protector
from api.domain.regions import RegionCodes
from api.domain.registry_import import staging
from api.domain.registry_import.copy_binary import BeneficiaryCopy, BeneficiaryEncoder
from api.domain.registry_import.importer import (
    ImportReport,
    _beneficiary_checker,
    _run,
)
from api.domain.registry_import.rows import BENEFICIARY_COLUMNS, RowError
from api.domain.registry_import.staging import ChunkOutcome

#: The tables a replacement rebuilds, in the order they are built (disbursement refers to
#: beneficiary).
REPLACED = ("beneficiary", "disbursement")
_NEXT = "_next"

#: Tables whose rows refer to a replaced one and follow their person to the new registry.
FOLLOWERS = {("disbursement_subscription", "beneficiary")}

# Sorting a million index keys in memory rather than in temporary files (PostgreSQL's own
# memory, per index build, not the importer's).
_INDEX_BUILD_MEMORY = "256MB"


class ReplacementUnavailable(RuntimeError):
    """A replacement needs PostgreSQL; SQLite takes the incremental import."""


@dataclass(frozen=True)
class _Index:
    name: str
    definition: str  # CREATE INDEX … or, backing a constraint, its definition
    constraint: bool


_INDEXES = text("""
SELECT c.relname, con.conname IS NOT NULL,
    coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.indexrelid))
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
    AND con.contype IN ('p', 'u', 'x')
WHERE i.indrelid = CAST(:table AS regclass)
ORDER BY i.indisprimary DESC, c.relname
""")

_FOREIGN_KEYS = text("""
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = CAST(:table AS regclass) AND contype = 'f' ORDER BY conname
""")

_REFERRING = text("""
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE confrelid = CAST(:table AS regclass) AND contype = 'f'
    AND conrelid::regclass::text <> ALL(:replaced)
ORDER BY 1, 2
""")

_INDEX_STATEMENT = re.compile(r"^(CREATE (?:UNIQUE )?INDEX) (\S+) ON (?:ONLY )?(\S+) (USING .*)$")


def _next(table: str) -> str:
    return table + _NEXT


def _on_next_tables(definition: str) -> str:
    """A constraint's definition with its references to replaced tables pointed at the new."""
    for table in REPLACED:
        definition = re.sub(
            rf"REFERENCES (?:public\.)?{table}\(", f"REFERENCES {_next(table)}(", definition
        )
    return definition


async def _indexes(conn: AsyncConnection, table: str) -> list[_Index]:
    rows = await conn.execute(_INDEXES, {"table": table})
    return [_Index(name, definition, constraint) for name, constraint, definition in rows]


async def _build_indexes(conn: AsyncConnection, table: str, *, on_duplicate) -> None:
    """Build on ``<table>_next`` every index ``table`` has, each named ``<name>_next``."""
    for index in await _indexes(conn, table):
        if index.constraint:
            statement = (
                f"ALTER TABLE {_next(table)} ADD CONSTRAINT {_next(index.name)} "
                f"{_on_next_tables(index.definition)}"
            )
        else:
            parts = _INDEX_STATEMENT.match(index.definition)
            if parts is None:
                raise RuntimeError(f"cannot rebuild index {index.name}: {index.definition}")
            statement = f"{parts[1]} {_next(index.name)} ON {_next(table)} {parts[4]}"
        try:
            async with conn.begin_nested():
                await conn.execute(text(statement))
        except IntegrityError as error:
            if on_duplicate is None or not isinstance(error.orig.__cause__, UniqueViolationError):
                raise
            # Rare: a NIK repeated across chunks (each chunk keeps its own last line).
            await on_duplicate(conn)
            await conn.execute(text(statement))
    for name, definition in await conn.execute(_FOREIGN_KEYS, {"table": table}):
        await conn.execute(
            text(f"ALTER TABLE {_next(table)} ADD CONSTRAINT {name} {_on_next_tables(definition)}")
        )
    await conn.execute(text(f"ANALYZE {_next(table)}"))


async def _rename_indexes(conn: AsyncConnection, table: str, indexes: list[_Index]) -> None:
    for index in indexes:
        if index.constraint:  # renames its index too
            await conn.execute(
                text(f"ALTER TABLE {table} RENAME CONSTRAINT {_next(index.name)} TO {index.name}")
            )
        else:
            await conn.execute(text(f"ALTER INDEX {_next(index.name)} RENAME TO {index.name}"))


# Within the file the later line wins: its row came in a later chunk, so drew a larger id.
_KEEP_LATER_LINE = text("""
DELETE FROM beneficiary_next earlier USING beneficiary_next later
WHERE earlier.nik_hash = later.nik_hash AND earlier.id < later.id
""")

_COMPARE = text("""
SELECT count(*), count(*) FILTER (WHERE o.fingerprint <> n.fingerprint)
FROM beneficiary_next n JOIN beneficiary o ON o.nik_hash = n.nik_hash
""")

_CARRY_DISBURSEMENTS = text("""
INSERT INTO disbursement_next (beneficiary_id, programme, year, tahap, stage, status, channel,
    amount, occurred_on, updated_at)
SELECT n.id, d.programme, d.year, d.tahap, d.stage, d.status, d.channel, d.amount,
    d.occurred_on, d.updated_at
FROM disbursement d
JOIN beneficiary o ON o.id = d.beneficiary_id
JOIN beneficiary_next n ON n.nik_hash = o.nik_hash
ORDER BY n.id
""")

_END_SUBSCRIPTIONS_OF_THE_REMOVED = text("""
DELETE FROM disbursement_subscription s USING beneficiary o
WHERE o.id = s.beneficiary_id
    AND NOT EXISTS (SELECT 1 FROM beneficiary_next n WHERE n.nik_hash = o.nik_hash)
""")

# The family card may have changed in the new registry: the subscription follows it.
_MOVE_SUBSCRIPTIONS = text("""
UPDATE disbursement_subscription s SET beneficiary_id = n.id, kk_hash = n.kk_hash
FROM beneficiary o JOIN beneficiary_next n ON n.nik_hash = o.nik_hash
WHERE o.id = s.beneficiary_id
""")


class _Replacement:
    """The steps of one replacement, on the connection the import runs on."""

    def __init__(self) -> None:
        self.people = 0  # rows in beneficiary_next, a NIK repeated in a chunk once
        self.duplicates = 0

    async def begin(self, conn: AsyncConnection) -> None:
        for table in REPLACED:
            await conn.execute(
                text(
                    f"CREATE TABLE {_next(table)} "
                    f"(LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
            )
        # Left open on purpose: every chunk goes into this one transaction.

    async def write(self, conn: AsyncConnection, batch: BeneficiaryCopy) -> ChunkOutcome:
        await staging._copy_payload(conn, _next("beneficiary"), batch.payload)
        self.people += batch.people
        return ChunkOutcome(inserted=batch.people, updated=0)

    async def _keep_later_lines(self, conn: AsyncConnection) -> None:
        self.duplicates += (await conn.execute(_KEEP_LATER_LINE)).rowcount

    async def finish(self, conn: AsyncConnection, report: ImportReport) -> None:
        await conn.execute(text(f"SET LOCAL maintenance_work_mem = '{_INDEX_BUILD_MEMORY}'"))
        await _build_indexes(conn, "beneficiary", on_duplicate=self._keep_later_lines)
        await self._count(conn, report)
        await conn.execute(_CARRY_DISBURSEMENTS)
        await _build_indexes(conn, "disbursement", on_duplicate=None)
        await _swap(conn)
        await conn.commit()

    async def _count(self, conn: AsyncConnection, report: ImportReport) -> None:
        """Say what changed against the previous registry, as an incremental import would."""
        accepted = report.accepted
        people = self.people - self.duplicates
        previous = (await conn.execute(text("SELECT count(*) FROM beneficiary"))).scalar_one()
        kept, changed = (await conn.execute(_COMPARE)).one() if previous else (0, 0)
        report.inserted = people - kept
        report.updated = changed
        report.unchanged = accepted - report.inserted - report.updated
        report.removed = previous - kept


async def _swap(conn: AsyncConnection) -> None:
    """Put the ``_next`` tables in place of the live ones, in the open transaction."""
    await conn.execute(text(f"LOCK TABLE {', '.join(REPLACED)} IN ACCESS EXCLUSIVE MODE"))
    referring = []
    for table in REPLACED:
        for holder, name, definition in await conn.execute(
            _REFERRING, {"table": table, "replaced": list(REPLACED)}
        ):
            if (holder, table) not in FOLLOWERS:
                raise RuntimeError(
                    f"{holder} refers to {table}: teach registry_import.replacement how its "
                    "rows follow a person to the new registry before replacing it"
                )
            referring.append((holder, name, definition))
            await conn.execute(text(f"ALTER TABLE {holder} DROP CONSTRAINT {name}"))
    await conn.execute(_END_SUBSCRIPTIONS_OF_THE_REMOVED)
    await conn.execute(_MOVE_SUBSCRIPTIONS)
    indexes = {table: await _indexes(conn, table) for table in REPLACED}
    for table in REPLACED:
        # The old table would take its id sequence with it.
        sequence = (
            await conn.execute(text(f"SELECT pg_get_serial_sequence('{table}', 'id')"))
        ).scalar_one()
        await conn.execute(text(f"ALTER SEQUENCE {sequence} OWNED BY {_next(table)}.id"))
    for table in reversed(REPLACED):
        await conn.execute(text(f"DROP TABLE {table}"))
    for table in REPLACED:
        await conn.execute(text(f"ALTER TABLE {_next(table)} RENAME TO {table}"))
        await _rename_indexes(conn, table, indexes[table])
    for holder, name, definition in referring:
        await conn.execute(text(f"ALTER TABLE {holder} ADD CONSTRAINT {name} {definition}"))


async def replace_beneficiaries(
    engine: AsyncEngine,
    path: Path,
    *,
    protector: Protector,
    regions: RegionCodes,
    rules: EligibilityRules,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> ImportReport:
    """Replace the registry with the people of ``path`` (same columns and checks as
    ``import_beneficiaries``); the disbursements of the people who stay are kept.

    The report counts against the previous registry: ``inserted`` people new to it,
    ``updated`` and ``unchanged`` people in both, ``removed`` people only in the previous.
    """
    if engine.dialect.name != "postgresql":
        raise ReplacementUnavailable("replacing the registry needs PostgreSQL")
    replacement = _Replacement()
    return await _run(
        engine,
        path,
        kind="beneficiaries",
        columns=BENEFICIARY_COLUMNS,
        make_checker=_beneficiary_checker(protector=protector, regions=regions, rules=rules),
        collect=BeneficiaryEncoder().chunk,
        writer=replacement.write,
        begin=replacement.begin,
        # Every chunk in the one transaction the swap commits.
        chunk_transaction=lambda conn: contextlib.nullcontext(),
        finish=replacement.finish,
        on_error=on_error,
        on_progress=on_progress,
        processes=processes,
    )
