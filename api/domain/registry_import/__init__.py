"""Import of the beneficiary registry and of disbursements from UTF-8 CSV files.

The header is checked before anything is written: a missing or renamed column stops the
import. Then rows are streamed in chunks (memory stays flat whatever the file size); every
bad row is reported by line number and reason while the good rows land, one committed chunk
at a time, so an interrupted import keeps what it wrote and a re-run finishes the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import functools
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.eligibility import EligibilityRules
from api.domain.protection import Protector
from api.domain.regions import RegionCodes
from api.domain.registry_import import staging
from api.domain.registry_import.rows import (
    BENEFICIARY_COLUMNS,
    DISBURSEMENT_COLUMNS,
    BeneficiaryRowChecker,
    DisbursementRowChecker,
    RowError,
)

CHUNK_ROWS = 50_000
# Keep the first errors in the report; all of them go to ``on_error`` as they are found.
REPORTED_ERRORS = 1_000


class ImportFormatError(ValueError):
    """The file cannot be imported at all (header, encoding); nothing was written."""


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def reject(self, error: RowError) -> None:
        self.rejected += 1
        if len(self.errors) < REPORTED_ERRORS:
            self.errors.append(error)


class _CountingReader(io.RawIOBase):
    """Counts the bytes the CSV reader has consumed, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        self.consumed += count or 0
        return count


def _header_mapping(header: list[str], expected: Sequence[str]) -> list[int]:
    names = [name.strip().lower().lstrip("\ufeff") for name in header]
    missing = [name for name in expected if name not in names]
    unexpected = [name for name in names if name not in expected]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if missing or unexpected or duplicated:
        problems = []
        if missing:
            problems.append(f"missing column(s): {', '.join(missing)}")
        if unexpected:
            problems.append(f"unexpected column(s): {', '.join(unexpected)}")
        if duplicated:
            problems.append(f"duplicated column(s): {', '.join(duplicated)}")
        raise ImportFormatError("; ".join(problems) + f". The header must be: {','.join(expected)}")
    return [names.index(name) for name in expected]


@dataclass
class _Chunk:
    """Checked rows ready to write, with the errors found among them."""

    records: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    bytes_read: int = 0


def _checked_chunks(path: Path, expected: Sequence[str], checker) -> Iterator[_Chunk]:
    """Read and check the file, chunk by chunk. The first ``next()`` checks the header."""
    with path.open("rb") as raw:
        counter = _CountingReader(raw)
        text_stream = io.TextIOWrapper(
            io.BufferedReader(counter, 1 << 16), encoding="utf-8", newline=""
        )
        reader = csv.reader(text_stream)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFormatError("the file is empty: a header row is required") from None
        except UnicodeDecodeError as exc:
            raise ImportFormatError("the file is not UTF-8 text") from exc
        order = _header_mapping(header, expected)
        in_order = order == list(range(len(expected)))
        width = len(header)
        check = checker.check
        chunk = _Chunk()
        yield chunk  # empty: the header is fine
        chunk = _Chunk()
        try:
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                chunk.rows += 1
                if len(row) == width and not in_order:
                    row = [row[i] for i in order]
                checked = check(reader.line_num, row)  # a wrong width is reported there
                if type(checked) is RowError:
                    chunk.errors.append(checked)
                else:
                    chunk.records.append(checked)
                    if len(chunk.records) >= CHUNK_ROWS:
                        chunk.bytes_read = counter.consumed
                        yield chunk
                        chunk = _Chunk()
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"the file is not UTF-8 text (after line {reader.line_num})"
            ) from exc
        chunk.bytes_read = counter.consumed
        yield chunk


async def _run(
    engine: AsyncEngine,
    path: Path,
    *,
    kind: str,
    columns: Sequence[str],
    checker,
    writer,
    target: str,
    on_error,
    on_progress,
) -> ImportReport:
    report = ImportReport(kind=kind)
    total = path.stat().st_size  # noqa: ASYNC240 - one stat of a local file
    chunks = _checked_chunks(path, columns, checker)
    # The header is checked before any connection is opened: a bad header writes nothing.
    next(chunks)

    def note_error(error: RowError) -> None:
        report.reject(error)
        if on_error is not None:
            on_error(error)

    async with engine.connect() as conn:
        await staging.prepare(conn)
        await conn.commit()
        await _write_all(
            conn,
            chunks,
            writer=writer,
            report=report,
            note_error=note_error,
            on_progress=lambda done: on_progress and on_progress(done, total),
        )
        if conn.dialect.name == "postgresql" and report.inserted + report.updated:
            # Fresh statistics now, not whenever autovacuum gets to it: a status check planned
            # against an empty-looking table scans millions of rows instead of one index.
            await conn.execute(text(f"ANALYZE {target}"))
            await conn.commit()
    return report


async def _write_all(
    conn, chunks: Iterator[_Chunk], *, writer, report: ImportReport, note_error, on_progress
) -> None:
    # Checking (CPU here) and writing (mostly the database's time) overlap: the next chunk
    # is read and checked in a thread while the current one is being written.
    upcoming = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
    try:
        while (chunk := await upcoming) is not None:
            upcoming = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
            report.rows += chunk.rows
            for error in chunk.errors:
                note_error(error)
            if chunk.records:
                async with conn.begin():
                    outcome = await writer(conn, chunk.records)
                report.inserted += outcome.inserted
                report.updated += outcome.updated
                report.unchanged += outcome.unchanged
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


async def import_beneficiaries(
    engine: AsyncEngine,
    path: Path,
    *,
    protector: Protector,
    regions: RegionCodes,
    rules: EligibilityRules,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import ``nik,no_kk,nama,kode_wilayah,desil,program,keterangan`` rows."""
    checker = BeneficiaryRowChecker(protector=protector, regions=regions, rules=rules)
    return await _run(
        engine,
        path,
        kind="beneficiaries",
        columns=BENEFICIARY_COLUMNS,
        checker=checker,
        writer=staging.write_beneficiaries,
        target="beneficiary",
        on_error=on_error,
        on_progress=on_progress,
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
    """Import ``nik,program,tahun,tahap,tahapan,status,penyalur,nominal,tanggal`` rows."""
    checker = DisbursementRowChecker(protector=protector, regions=regions, rules=rules, today=today)
    return await _run(
        engine,
        path,
        kind="disbursements",
        columns=DISBURSEMENT_COLUMNS,
        checker=checker,
        writer=functools.partial(
            staging.write_disbursements,
            family_programmes=frozenset(
                code for code, programme in rules.programmes.items() if programme.family
            ),
        ),
        target="disbursement",
        on_error=on_error,
        on_progress=on_progress,
    )
