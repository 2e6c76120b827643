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
