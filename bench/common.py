"""Shared plumbing for the benchmarks: databases, data files, servers, measurements.

Benchmarks talk to the real PostgreSQL and Redis of the machine (the same ones CI uses);
they never run as part of the test suite. Results go to bench/results/ and docs/performance.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("BANSOS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BANSOS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")

# Fixed, public bench keys: the data is synthetic.
BENCH_ENV = {
    "BANSOS_ENV": "production",
    "NIK_HASH_KEY": "bench-nik-hash-key-0123456789abcdef",
    "DATA_ENCRYPTION_KEY": "YmVuY2gtZGF0YS1rZXktMzItYnl0ZXMtZXhhY3RseSE=",
    "SECRET_KEY": "bench-secret-key",
    "LOG_LEVEL": "WARNING",
}


def database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


async def connect(url: str = PG_URL) -> asyncpg.Connection:
    """A plain asyncpg connection to the database of ``url`` (the admin database by default)."""
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )


async def _admin(sql: str) -> None:
    conn = await connect()
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _prewarm(url: str, tables: tuple[str, ...]) -> None:
    conn = await connect(url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        for table in tables:
            await conn.execute(
                "SELECT pg_prewarm(c.oid, 'read') FROM pg_class c WHERE c.oid = $1::regclass "
                "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = $1::regclass)",
                table,
            )
    finally:
        await conn.close()


def prewarm(url: str, tables: tuple[str, ...] = ("beneficiary", "disbursement")) -> None:
    """Read the registry's tables and indexes into the operating system's cache.

    This machine's page cache does not keep a 1.5 GB database for long (creating another
    benchmark database evicts most of it), and a status check that waits for the disk
    measures the disk. A production database server holds its working set in memory.
    """
    asyncio.run(_prewarm(url, tables))


def recreate_database(name: str) -> str:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return database_url(name)


async def database_exists(name: str) -> bool:
    conn = await connect()
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


def wait_ready(base: str) -> None:
    """Until the api at ``base`` answers /readyz (database and Redis reached)."""
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/readyz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not become ready")


def env_for(db_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": db_url, "REDIS_URL": REDIS_URL}
    env.update(extra)
    return env


def bansos(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "bansos"), *args], env=env, check=check, capture_output=True, text=True
    )


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (0 once it is gone)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * _PAGE
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue  # exited between two reads
    return total


_PAGE = os.sysconf("SC_PAGE_SIZE")


def timed_child(args: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Run a command; return (seconds, peak RSS in MB, exit code, stdout).

    The peak is that of the command's whole process tree: an importer that checks rows in a
    worker process is charged for both (the sum, sampled every 10 ms), and never less than
    what wait4 reports for the child itself.
    """
    import tempfile
    import threading

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err, text=True)
        tree_peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal tree_peak
            while not done.wait(0.01):
                tree_peak = max(tree_peak, _tree_rss_bytes(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives this one child's resource usage (RUSAGE_CHILDREN would mix in others).
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        code = os.waitstatus_to_exitcode(status)
        process.returncode = code
        out.seek(0)
        err.seek(0)
        if code not in (0, 1):
            sys.stderr.write(err.read())
        peak_mb = max(usage.ru_maxrss // 1024, tree_peak // (1024 * 1024))
        return elapsed, peak_mb, code, out.read()


def machine() -> dict[str, str]:
    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **result}, indent=2) + "\n")
    return path
