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


async def _admin(sql: str) -> None:
    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def recreate_database(name: str) -> str:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return database_url(name)


async def database_exists(name: str) -> bool:
    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database=url.database
    )
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


def timed_child(args: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Run a command; return (seconds, its own peak RSS in MB, exit code, stdout)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err, text=True)
        # wait4 gives this one child's resource usage (RUSAGE_CHILDREN would mix in others).
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        process.returncode = code
        out.seek(0)
        err.seek(0)
        if code not in (0, 1):
            sys.stderr.write(err.read())
        return elapsed, usage.ru_maxrss // 1024, code, out.read()


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
