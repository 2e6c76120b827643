"""Import of the beneficiary registry and of disbursements from UTF-8 CSV files.

The header is checked before anything is written: a missing or renamed column stops the
import. Then rows are streamed in chunks (memory stays flat whatever the file size); every
bad row is reported by line number and reason while the good rows land, one committed chunk
at a time, so an interrupted import keeps what it wrote and a re-run finishes the job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

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
        raise ImportFormatError(
            "; ".join(problems) + f". The header must be: {','.join(expected)}"
        )
    return [names.index(name) for name in expected]


def _rows(path: Path, expected: Sequence[str],
          on_progress: Callable[[int, int], None] | None) -> Iterator[tuple[int, list[str]]]:
    total = path.stat().st_size
    with path.open("rb") as raw:
        counter = _CountingReader(raw)
        text_stream = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding="utf-8",
                                       newline="")
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
        try:
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                if len(row) != width:
                    yield reader.line_num, row  # the checker reports the column count
                    continue
                yield reader.line_num, row if in_order else [row[i] for i in order]
                if on_progress is not None and reader.line_num % 5_000 == 0:
                    on_progress(counter.consumed, total)
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"the file is not UTF-8 text (after line {reader.line_num})"
            ) from exc
        if on_progress is not None:
            on_progress(total, total)


async def _run(engine: AsyncEngine, path: Path, *, kind: str, columns: Sequence[str], checker,
               writer, on_error, on_progress) -> ImportReport:
    report = ImportReport(kind=kind)
    rows = _rows(path, columns, on_progress)
    # Read the header before opening a transaction, so a bad header writes nothing.
    first = next(rows, None)

    def note_error(error: RowError) -> None:
        report.reject(error)
        if on_error is not None:
            on_error(error)

    async with engine.connect() as conn:
        await staging.prepare(conn)
        await conn.commit()
        chunk = []
        pending = [first] if first is not None else []

        async def flush() -> None:
            async with conn.begin():
                outcome = await writer(conn, chunk)
            report.inserted += outcome.inserted
            report.updated += outcome.updated
            report.unchanged += outcome.unchanged
            for line in outcome.unknown_lines:
                note_error(RowError(line, "nik", "no beneficiary with this NIK in the registry "
                                                 "(import the beneficiaries first)"))
            chunk.clear()

        for item in _chain(pending, rows):
            line, row = item
            report.rows += 1
            checked = checker.check(line, row)
            if isinstance(checked, RowError):
                note_error(checked)
            else:
                chunk.append(checked)
                if len(chunk) >= CHUNK_ROWS:
                    await flush()
        if chunk:
            await flush()
    return report


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


async def import_beneficiaries(
    engine: AsyncEngine, path: Path, *, protector: Protector, regions: RegionCodes,
    rules: EligibilityRules, on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import ``nik,no_kk,nama,kode_wilayah,desil,program,keterangan`` rows."""
    checker = BeneficiaryRowChecker(protector=protector, regions=regions, rules=rules)
    return await _run(engine, path, kind="beneficiaries", columns=BENEFICIARY_COLUMNS,
                      checker=checker, writer=staging.write_beneficiaries, on_error=on_error,
                      on_progress=on_progress)


async def import_disbursements(
    engine: AsyncEngine, path: Path, *, protector: Protector, regions: RegionCodes,
    rules: EligibilityRules, today: date | None = None,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import ``nik,program,tahun,tahap,tahapan,status,penyalur,nominal,tanggal`` rows."""
    checker = DisbursementRowChecker(protector=protector, regions=regions, rules=rules,
                                     today=today)
    return await _run(engine, path, kind="disbursements", columns=DISBURSEMENT_COLUMNS,
                      checker=checker, writer=staging.write_disbursements, on_error=on_error,
                      on_progress=on_progress)
