"""Reading an import file: the header first, then the rows, checked in chunks.

Pure apart from reading the file, so it runs the same in the importing process and in the
processes that check rows beside it (``workers.py``).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from api.domain.registry_import.rows import RowError


class ImportFormatError(ValueError):
    """The file cannot be imported at all (header, encoding); nothing was written."""


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


class Records(list):
    """A chunk's accepted records as they are: the collector a writer of records takes."""

    def batch(self) -> list:
        return self


class Collector(Protocol):
    """Gathers a chunk's accepted records (``append``) into what its writer takes."""

    def append(self, record: Any) -> None: ...

    def batch(self) -> Any: ...


@dataclass
class Chunk:
    """Checked rows ready to write, with the errors found among them.

    ``batch`` is what the writer takes (the accepted records, or their COPY encoding);
    ``accepted`` counts the accepted rows, a NIK repeated in the chunk once per line.
    """

    batch: Any = None
    accepted: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    bytes_read: int = 0


def _open_rows(raw: BinaryIO, expected: Sequence[str]):
    counter = _CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding="utf-8", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFormatError("the file is empty: a header row is required") from None
    except UnicodeDecodeError as exc:
        raise ImportFormatError("the file is not UTF-8 text") from exc
    return counter, text, reader, header, _header_mapping(header, expected)


def _skip_rows(text, count: int) -> tuple[int, int]:
    """Pass over up to ``count`` rows (blank lines aside) of another reader's chunk:
    (rows, lines) passed. Only a line with a quote goes through the CSV parser (its quoted
    field may span lines); every other line is one row, or blank, as the parser would find,
    at a fifth of its cost. This is what lets every checking process read the whole file."""
    rows = lines = 0
    for line in text:
        lines += 1
        if '"' in line:
            parser = csv.reader(itertools.chain((line,), text))
            row = next(parser)
            lines += parser.line_num - 1
            blank = not row or (len(row) == 1 and not row[0].strip())
        else:
            blank = not line.strip()
        if not blank:
            rows += 1
            if rows == count:
                break
    return rows, lines


def check_header(path: Path, expected: Sequence[str]) -> None:
    """Raise ``ImportFormatError`` unless the file starts with a usable header row."""
    with path.open("rb") as raw:
        _open_rows(raw, expected)


def checked_chunks(
    path: Path,
    expected: Sequence[str],
    checker,
    *,
    chunk_rows: int,
    collect: Callable[[], Collector] = Records,
    part: int = 0,
    parts: int = 1,
) -> Iterator[Chunk]:
    """Read and check the file in chunks of ``chunk_rows`` rows (blank lines aside).

    With ``parts`` > 1 only every ``parts``-th chunk, starting at ``part``, is checked and
    yielded: each of ``parts`` readers of the same file takes its share, and chunk ``k`` is
    the same rows whoever checks it. Reading a row costs a fraction of checking it, so every
    reader reads the whole file rather than trusting a split at byte offsets (a quoted
    field may hold a newline, and line numbers must stay exact); the chunks of others it
    passes over line by line (``_skip_rows``). ``collect()`` makes the
    collector of each chunk's accepted records.
    """
    with path.open("rb") as raw:
        counter, text, reader, header, order = _open_rows(raw, expected)
        in_order = order == list(range(len(expected)))
        width = len(header)
        check = checker.check
        index = 0
        skipped_lines = 0  # lines passed by _skip_rows, which the parser did not count
        try:
            while True:
                mine = index % parts == part
                index += 1
                chunk = Chunk()
                if not mine:
                    chunk.rows, lines = _skip_rows(text, chunk_rows)
                    skipped_lines += lines
                else:
                    collector = collect()
                    for row in reader:
                        if not row or (len(row) == 1 and not row[0].strip()):
                            continue  # blank line
                        chunk.rows += 1
                        if len(row) == width and not in_order:
                            row = [row[i] for i in order]
                        # A wrong width is reported by the check.
                        checked = check(reader.line_num + skipped_lines, row)
                        if type(checked) is RowError:
                            chunk.errors.append(checked)
                        else:
                            collector.append(checked)
                            chunk.accepted += 1
                        if chunk.rows == chunk_rows:
                            break
                if not chunk.rows:
                    return  # the file ended with the previous chunk
                if mine:
                    chunk.batch = collector.batch() if chunk.accepted else None
                    chunk.bytes_read = counter.consumed
                    yield chunk
                if chunk.rows < chunk_rows:
                    return
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"the file is not UTF-8 text (after line {reader.line_num + skipped_lines})"
            ) from exc
