"""Checking rows in other processes, so that checking uses every core while one writes.

Checking and protecting a beneficiary row (the NIK rules, four keyed hashes, one AES-GCM
encryption) costs Python about ten microseconds and holds the GIL, so threads cannot share
it out. Each worker process reads the whole file and checks every ``parts``-th chunk of it
(``reading.checked_chunks``); the importing process takes the chunks back in file order, so
everything downstream (which line wins, the order of reported errors, commits) is as if one
process had checked them all.

A worker is a plain child interpreter (``python -c``) that reads its job from a pipe and
writes pickled chunks to another: unlike ``multiprocessing``'s spawn it does not re-import
the parent's ``__main__`` (which would re-run a script without a ``__main__`` guard), and it
imports only the checks. The pipe's small buffer is the back-pressure: a worker blocks on
its next chunk until the importer takes the last one, so memory stays flat.
"""

from __future__ import annotations

import contextlib
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.domain.registry_import.reading import (
    Chunk,
    Collector,
    ImportFormatError,
    checked_chunks,
)


@dataclass(frozen=True)
class _Job:
    path: Path
    columns: tuple[str, ...]
    checker: Any
    collect: Callable[[], Collector]
    chunk_rows: int
    part: int
    parts: int


class _Failed:
    """What a worker sends instead of a chunk when it fails for a reason other than the file."""

    def __init__(self, details: str) -> None:
        self.details = details


def serve() -> None:
    """A worker's main: one job from stdin, its chunks (then ``None``) to stdout."""
    # Ctrl-C reaches the whole process group; the importing process handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout carries pickles only
    try:
        job: _Job = pickle.load(sys.stdin.buffer)
        for chunk in checked_chunks(
            job.path,
            job.columns,
            job.checker,
            chunk_rows=job.chunk_rows,
            collect=job.collect,
            part=job.part,
            parts=job.parts,
        ):
            pickle.dump(chunk, out, pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, out)
    except ImportFormatError as exc:  # the file itself: reported like a header problem
        pickle.dump(exc, out)
    except BrokenPipeError:
        return  # the importer stopped
    except BaseException:
        pickle.dump(_Failed(traceback.format_exc()), out)
    out.flush()


_COMMAND = "from api.domain.registry_import.workers import serve; serve()"


def checked_chunks_in_processes(
    path: Path,
    columns: Sequence[str],
    checker,
    *,
    chunk_rows: int,
    collect: Callable[[], Collector],
    processes: int,
) -> Iterator[Chunk]:
    """``reading.checked_chunks`` of the whole file, checked by ``processes`` workers.

    ``checker`` and ``collect`` are pickled into each worker (the checker with the keys of
    its Protector: they travel only through the pipe). Closing the generator, or an error,
    stops the workers.
    """
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _COMMAND], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        for _ in range(processes)
    ]
    try:
        for part, worker in enumerate(workers):
            job = _Job(path, tuple(columns), checker, collect, chunk_rows, part, processes)
            # A worker that died at start is reported by the first read from it.
            with contextlib.suppress(BrokenPipeError):
                pickle.dump(job, worker.stdin, pickle.HIGHEST_PROTOCOL)
                worker.stdin.close()
        index = 0
        # Chunk k is checked by worker k % processes, so taking them in turn keeps file order.
        while (chunk := _next_from(workers[index % processes])) is not None:
            yield chunk
            index += 1
        # The owner of the first chunk past the end has said so; the others say it next.
        for part, worker in enumerate(workers):
            if part != index % processes:
                _next_from(worker)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait()
            worker.stdout.close()


def _next_from(worker: subprocess.Popen) -> Chunk | None:
    try:
        item = pickle.load(worker.stdout)
    except EOFError:
        raise RuntimeError(
            f"a row-checking process stopped (exit code {worker.wait()}) before the file ended"
        ) from None
    if isinstance(item, ImportFormatError):
        raise item
    if isinstance(item, _Failed):
        raise RuntimeError(f"a row-checking process failed:\n{item.details}")
    return item
