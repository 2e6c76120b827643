"""Running an import: a file in, checked chunks written one committed transaction at a time."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.eligibility import EligibilityRules
from api.domain.protection import Protector
from api.domain.regions import RegionCodes
from api.domain.registry_import import staging
from api.domain.registry_import.copy_binary import BeneficiaryEncoder
from api.domain.registry_import.reading import (
    Chunk,
    Collector,
    Records,
    check_header,
    checked_chunks,
)
from api.domain.registry_import.rows import (
    BENEFICIARY_COLUMNS,
    DISBURSEMENT_COLUMNS,
    BeneficiaryRowChecker,
    DisbursementRowChecker,
    RowError,
)
from api.domain.registry_import.workers import checked_chunks_in_processes

# Rows per chunk, and so per committed transaction. A worker's chunk costs ~1.5 KB per row
# while it is checked and encoded; at this size two workers and the importer stay well
# within 300 MB together.
CHUNK_ROWS = 25_000
# Keep the first errors in the report; all of them go to ``on_error`` as they are found.
REPORTED_ERRORS = 1_000
# Below this size a file is checked in the importing process: starting a worker process
# (a fresh interpreter importing the checks) costs about as much as checking 60,000 rows.
PROCESSES_FROM_BYTES = 4 << 20


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # A replacement (``replacement.py``): people of the previous registry not in the file.
    removed: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def reject(self, error: RowError) -> None:
        self.rejected += 1
        if len(self.errors) < REPORTED_ERRORS:
            self.errors.append(error)


def _default_processes(engine: AsyncEngine, path: Path) -> int:
    # On PostgreSQL the database works on its own core while rows are checked, so checking
    # in as many processes as there are cores keeps all of them busy. SQLite writes in this
    # process (and is there for small registries), so its rows are checked here.
    if engine.dialect.name != "postgresql" or path.stat().st_size < PROCESSES_FROM_BYTES:
        return 0
    # The cores this process may run on (Linux), else all of them.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


async def _run(
    engine: AsyncEngine,
    path: Path,
    *,
    kind: str,
    columns: Sequence[str],
    make_checker: Callable,
    collect: Callable[[], Collector],
    writer,
    finish: Callable[[AsyncConnection, ImportReport], Awaitable[None]],
    on_error,
    on_progress,
    processes: int | None,
    begin: Callable[[AsyncConnection], Awaitable[None]] | None = None,
    chunk_transaction: Callable[[AsyncConnection], Any] = AsyncConnection.begin,
) -> ImportReport:
    report = ImportReport(kind=kind)
    total = path.stat().st_size  # noqa: ASYNC240 - one stat of a local file
    # The header is checked before any connection is opened: a bad header writes nothing.
    check_header(path, columns)
    if processes is None:
        processes = _default_processes(engine, path)

    def note_error(error: RowError) -> None:
        report.reject(error)
        if on_error is not None:
            on_error(error)

    async with engine.connect() as conn, _one_import_at_a_time(conn):
        await staging.prepare(conn)
        checker = await make_checker(conn)
        await conn.commit()
        if begin is not None:
            await begin(conn)
        if processes:
            chunks = checked_chunks_in_processes(
                path, columns, checker, chunk_rows=CHUNK_ROWS, collect=collect, processes=processes
            )
        else:
            chunks = checked_chunks(path, columns, checker, chunk_rows=CHUNK_ROWS, collect=collect)
        with contextlib.closing(chunks):
            await _write_all(
                conn,
                chunks,
                writer=writer,
                chunk_transaction=chunk_transaction,
                report=report,
                note_error=note_error,
                on_progress=lambda done: on_progress and on_progress(done, total),
            )
        await finish(conn, report)
    return report


# Any number that no other advisory lock of the service uses.
IMPORT_LOCK = 0x62616E736F73  # "bansos"


@contextlib.asynccontextmanager
async def _one_import_at_a_time(conn: AsyncConnection):
    """Registry imports run one after another (PostgreSQL): a replacement copies the
    disbursements and subscriptions of the previous registry while it loads, and must not
    miss what another import writes meanwhile. SQLite writes one transaction at a time anyway.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": IMPORT_LOCK})
    await conn.commit()
    try:
        yield
    finally:
        # A session lock outlives the transaction: release it before the connection goes
        # back to the pool (a broken connection releases it by closing).
        with contextlib.suppress(Exception):
            await conn.rollback()
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": IMPORT_LOCK})
            await conn.commit()


def _analyze(target: str):
    async def finish(conn: AsyncConnection, report: ImportReport) -> None:
        if conn.dialect.name == "postgresql" and report.inserted + report.updated:
            # Fresh statistics now, not whenever autovacuum gets to it: a status check planned
            # against an empty-looking table scans millions of rows instead of one index.
            await conn.execute(text(f"ANALYZE {target}"))
            await conn.commit()

    return finish


async def _write_all(
    conn,
    chunks: Iterator[Chunk],
    *,
    writer,
    chunk_transaction,
    report: ImportReport,
    note_error,
    on_progress,
) -> None:
    # Checking (CPU here or in the worker processes) and writing (mostly the database's
    # time) overlap: the next chunk is read and checked in a thread while the current one is
    # being written.
    upcoming = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
    try:
        while (chunk := await upcoming) is not None:
            upcoming = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
            report.rows += chunk.rows
            for error in chunk.errors:
                note_error(error)
            if chunk.accepted:
                async with chunk_transaction(conn):
                    outcome = await writer(conn, chunk.batch)
                report.inserted += outcome.inserted
                report.updated += outcome.updated
                report.unchanged += (
                    chunk.accepted - len(outcome.unknown_lines) - outcome.inserted - outcome.updated
                )
                for line in outcome.unknown_lines:
                    note_error(
                        RowError(
                            line,
                            "nik",
                            "no beneficiary with this NIK in the "
                            "registry (import the beneficiaries first)",
                        )
                    )
            on_progress(chunk.bytes_read)
    finally:
        # A write failed: let the reading thread finish its chunk before the file closes.
        if not upcoming.done():
            with contextlib.suppress(Exception):
                await upcoming


async def _unloaded_districts(conn: AsyncConnection, regions: RegionCodes) -> frozenset[str]:
    loaded = {code for (code,) in await conn.execute(text("SELECT code FROM district"))}
    return frozenset(d.code for d in regions.districts() if d.code not in loaded)


def _beneficiary_checker(*, protector: Protector, regions: RegionCodes, rules: EligibilityRules):
    async def make_checker(conn: AsyncConnection) -> BeneficiaryRowChecker:
        return BeneficiaryRowChecker(
            protector=protector,
            regions=regions,
            rules=rules,
            unloaded_districts=await _unloaded_districts(conn, regions),
        )

    return make_checker


async def import_beneficiaries(
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
    """Import ``nik,no_kk,nama,kode_wilayah,desil,program,keterangan`` rows.

    ``processes``: how many worker processes check the rows (``0``: this one does). By
    default, on PostgreSQL and for a file of more than a few MB, one per core.
    """

    postgres = engine.dialect.name == "postgresql"
    return await _run(
        engine,
        path,
        kind="beneficiaries",
        columns=BENEFICIARY_COLUMNS,
        make_checker=_beneficiary_checker(protector=protector, regions=regions, rules=rules),
        # PostgreSQL takes the rows as a binary COPY payload, encoded where they are checked.
        collect=BeneficiaryEncoder().chunk if postgres else Records,
        writer=staging.BeneficiaryCopyWriter() if postgres else staging.write_beneficiaries,
        finish=_analyze("beneficiary"),
        on_error=on_error,
        on_progress=on_progress,
        processes=processes,
    )


async def import_disbursements(
    engine: AsyncEngine,
    path: Path,
    *,
    protector: Protector,
    regions: RegionCodes,
    rules: EligibilityRules,
    today: date | None = None,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import ``nik,program,tahun,tahap,tahapan,status,penyalur,nominal,tanggal`` rows.

    Checked in this process: a disbursement row costs little to check (one keyed hash),
    and the writer needs the records themselves, which cost more to send between
    processes than to check.
    """
    checker = DisbursementRowChecker(protector=protector, regions=regions, rules=rules, today=today)

    async def make_checker(conn: AsyncConnection) -> DisbursementRowChecker:
        return checker

    return await _run(
        engine,
        path,
        kind="disbursements",
        columns=DISBURSEMENT_COLUMNS,
        make_checker=make_checker,
        collect=Records,
        writer=functools.partial(
            staging.write_disbursements,
            family_programmes=frozenset(
                code for code, programme in rules.programmes.items() if programme.family
            ),
        ),
        finish=_analyze("disbursement"),
        on_error=on_error,
        on_progress=on_progress,
        processes=0,
    )
