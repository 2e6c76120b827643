"""Row-checking worker processes: chunks in file order, failures reported, never waited for."""

from __future__ import annotations

import pytest

from api.domain.registry_import.reading import Records, checked_chunks
from api.domain.registry_import.workers import checked_chunks_in_processes

COLUMNS = ("a", "b")


class LineChecker:
    """Accepts every row as its line number and first value (pickled into the workers)."""

    def check(self, line, row):
        return (line, row[0])


class FailingChecker:
    def check(self, line, row):
        raise RuntimeError("checker broke")


def sample(tmp_path):
    rows = [f"v{i},x" for i in range(1, 12)]
    rows.insert(4, "")  # a blank line counts for line numbers, not for chunks
    # Written here rather than with tests.conftest.write_csv: each worker imports this module
    # (for the checkers), and the conftest would make it import the whole api.
    path = tmp_path / "f.csv"
    path.write_text("\n".join(["a,b", *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_workers_give_the_chunks_of_one_reader_in_file_order(tmp_path, processes):
    path = sample(tmp_path)
    alone = [(c.rows, c.batch) for c in checked_chunks(path, COLUMNS, LineChecker(), chunk_rows=3)]
    shared = [
        (c.rows, c.batch)
        for c in checked_chunks_in_processes(
            path, COLUMNS, LineChecker(), chunk_rows=3, collect=Records, processes=processes
        )
    ]
    assert shared == alone
    assert [rows for rows, _ in alone] == [3, 3, 3, 2]
    assert alone[1][1] == [(5, "v4"), (7, "v5"), (8, "v6")]


def test_a_worker_that_fails_is_reported_with_its_traceback(tmp_path):
    with pytest.raises(RuntimeError, match="checker broke"):
        list(
            checked_chunks_in_processes(
                sample(tmp_path),
                COLUMNS,
                FailingChecker(),
                chunk_rows=3,
                collect=Records,
                processes=2,
            )
        )


@pytest.mark.parametrize("parts", [2, 3])
def test_each_reader_numbers_the_lines_of_its_chunks_as_one_reader_would(tmp_path, parts):
    # A row is numbered by its last line, as the CSV parser counts. Readers pass over the
    # others' chunks without the parser, except where a quote may hide a line break: quoted
    # fields over several lines, blank and white lines, a quote inside a field and CRLF
    # endings must all leave the same rows and line numbers.
    rows = [
        "v1,x",
        '"v2 over',
        'two lines",x',
        "",
        "   ",
        'v"3,x',
        "v4,x",
        '"v5","x"',
        "v6,x",
        '"v7\r\n\r\nstill v7",x',
        "v8,x",
        "\t",
        "v9,x",
        "v10,x",
    ]
    path = tmp_path / "f.csv"
    path.write_bytes(("\r\n".join(["a,b", *rows]) + "\r\n").encode())
    alone = [c.batch for c in checked_chunks(path, COLUMNS, LineChecker(), chunk_rows=2)]
    shared = {}
    for part in range(parts):
        chunks = checked_chunks(path, COLUMNS, LineChecker(), chunk_rows=2, part=part, parts=parts)
        for index, chunk in zip(range(part, 100, parts), chunks, strict=False):
            shared[index] = chunk.batch
    assert [shared[i] for i in sorted(shared)] == alone
    assert [line for batch in alone for line, _ in batch] == [2, 4, 7, 8, 9, 10, 13, 14, 16, 17]
