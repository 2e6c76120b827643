"""Shared plumbing for the benchmarks: databases, data files, servers, measurements.

Benchmarks talk to the real PostgreSQL and Redis of the machine (the same ones CI uses);
they never run as part of the test suite. Results go to bench/results/ and docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from fastapi import FastAPI

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


#: The rate limits lifted: a benchmark measures the work of a request, not how fast one
#: API key is refused (the limits themselves are tested in tests/).
UNLIMITED = {
    name: "1000000000"
    for name in (
        "LOOKUP_LIMIT_PER_USER",
        "LOOKUP_LIMIT_PER_KEY",
        "LOOKUP_LIMIT_PER_NIK",
        "LOOKUP_LIMIT_PER_NIK_ALL_KEYS",
        "INTAKE_LIMIT_PER_USER",
        "INTAKE_LIMIT_PER_KEY",
        "INTAKE_LIMIT_PER_NIK",
    )
}


def env_for(db_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": db_url, "REDIS_URL": REDIS_URL}
    # The commands run this checkout's code even when the virtualenv is another checkout's
    # (a worktree sharing it): its console scripts would import that one's.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    env.update(extra)
    return env


def bansos(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "bansos"), *args], env=env, check=check, capture_output=True, text=True
    )


@dataclass(frozen=True)
class Tree:
    """A checkout of the code whose api, worker or bot a benchmark runs.

    Every tree runs on this virtualenv's interpreter with its own sources first on the path
    (``PYTHONPATH`` and the working directory), so an older checkout needs no virtualenv of
    its own as long as its dependencies are the same. The command line moved between
    versions: ``bansos/cli.py`` (the entry point since issue 11) or ``api/cli.py`` before;
    the installed ``bansos`` script would import this checkout's ``bansos.cli`` whatever the
    path says, so a tree's commands go through ``python -c`` instead.
    """

    label: str
    path: Path

    @property
    def cli_module(self) -> str:
        return "bansos.cli" if (self.path / "bansos" / "cli.py").is_file() else "api.cli"

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-c", f"from {self.cli_module} import app; app()", *args]

    def env(self, env: dict[str, str]) -> dict[str, str]:
        return {**env, "PYTHONPATH": str(self.path)}

    def popen(self, *args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
        """A long-running command of this tree (serve, worker) in a process group of its own."""
        return subprocess.Popen(
            self.command(*args), env=self.env(env), cwd=self.path, start_new_session=True, **kwargs
        )

    def run(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args),
            env=self.env(env),
            cwd=self.path,
            check=True,
            capture_output=True,
            text=True,
        )

    def verify(self, env: dict[str, str], modules: tuple[str, ...] = ("api.asgi",)) -> None:
        """Refuse to measure unless this tree's processes import this tree's code."""
        probe = (
            "import importlib, sys\n"
            "for m in sys.argv[1:]: print(importlib.import_module(m).__file__)"
        )
        found = subprocess.run(
            [sys.executable, "-c", probe, self.cli_module, *modules],
            env=self.env(env),
            cwd=self.path,
            capture_output=True,
            text=True,
        )
        if found.returncode:
            raise SystemExit(f"{self.label}: cannot import its code\n{found.stderr}")
        for module, file in zip((self.cli_module, *modules), found.stdout.split(), strict=True):
            if not Path(file).resolve().is_relative_to(self.path):
                raise SystemExit(f"{self.label}: {module} came from {file}, not {self.path}")
            print(f"{self.label}: {module} from {file}")


def trees(compare_with: str | None) -> list[Tree]:
    """The code under test ("after") and, with ``--compare-with DIR``, a "baseline" checkout."""
    found = [Tree("after", ROOT)]
    if compare_with:
        path = Path(compare_with).resolve()
        if not (path / "api" / "asgi.py").is_file():
            raise SystemExit(f"no api/asgi.py in {path}: not a checkout of this project")
        found.append(Tree("baseline", path))
    return found


def side_by_side(rounds: list[dict], figure, key: str = "code") -> dict[str, dict[str, float]]:
    """Median, best and worst of one figure over each tree's rounds, and after / baseline.

    On a shared machine single rounds move with the neighbours' load; rounds alternate
    between the trees, so the medians of the two are what is compared, and so is the median
    of the paired ratios (the i-th round of one tree against the i-th of the other, which
    ran next to it).
    """
    by_tree: dict[str, list[float]] = {}
    for r in rounds:
        by_tree.setdefault(r[key], []).append(figure(r))
    summary = {
        tree: {
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "rounds": len(values),
        }
        for tree, values in by_tree.items()
    }
    if "after" in summary and "baseline" in summary:
        before = summary["baseline"]["median"]
        ratio = summary["after"]["median"] / before if before else None
        pairs = [a / b for a, b in zip(by_tree["after"], by_tree["baseline"], strict=False) if b]
        summary["ratio"] = {
            "after/baseline": ratio,
            "paired_median": statistics.median(pairs) if pairs else None,
        }
    return summary


def print_side_by_side(rounds: list[dict], figures: dict, key: str = "code") -> dict:
    """Print (and return) :func:`side_by_side` for each named figure."""
    print(
        f"{'figure':>24} {'after median':>13} {'baseline median':>16} {'after/base':>10} "
        f"{'paired':>7}  ranges"
    )
    summaries = {}
    for name, figure in figures.items():
        s = summaries[name] = side_by_side(rounds, figure, key)
        a, b = s.get("after"), s.get("baseline")
        if not (a and b):
            continue
        ratio, paired = s["ratio"]["after/baseline"], s["ratio"]["paired_median"]
        print(
            f"{name:>24} {a['median']:>13.3f} {b['median']:>16.3f} "
            f"{'–' if ratio is None else f'{ratio:.3f}':>10} "
            f"{'–' if paired is None else f'{paired:.3f}':>7}  "
            f"after {a['min']:.3f}–{a['max']:.3f}, "
            f"baseline {b['min']:.3f}–{b['max']:.3f}"
        )
    return summaries


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU so far of a process and all its live descendants."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += int(stat[11]) + int(stat[12])  # utime + stime
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue  # exited between two reads
    return total / _TICK


_TICK = os.sysconf("SC_CLK_TCK")


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


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    peak_mb: int
    code: int
    output: str
    #: CPU of the command and every descendant it waited for (its worker processes).
    cpu_seconds: float
    #: CPU of the PostgreSQL backends (and their parallel workers) of ``database``.
    database_cpu_seconds: float = 0.0


def timed_child(args: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Run a command; return (seconds, peak RSS in MB, exit code, stdout).

    The peak is that of the command's whole process tree: an importer that checks rows in a
    worker process is charged for both (the sum, sampled every 10 ms), and never less than
    what wait4 reports for the child itself.
    """
    run = measured_child(args, env)
    return run.seconds, run.peak_mb, run.code, run.output


def _backends_cpu(database: str, seen: dict[int, float]) -> None:
    """Note the CPU so far of every PostgreSQL process serving ``database`` (by its title),
    and of the parallel workers of those."""
    ours = {pid for pid in seen}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                title = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres: "):
                continue
            # "postgres: [cluster: ]user database host(port) activity"
            mine = f" {database} " in title
            if "parallel worker for PID" in title:
                mine = int(title.split()[-1]) in ours
            if not mine:
                continue
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            seen[int(entry)] = (int(fields[11]) + int(fields[12])) / _TICK
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue


_TICK = os.sysconf("SC_CLK_TCK")


def measured_child(
    args: list[str], env: dict[str, str], *, database: str | None = None
) -> ChildRun:
    """Run a command: wall seconds, peak RSS of its process tree, its CPU and (with
    ``database``) the CPU its PostgreSQL backends spent, sampled every 10 ms (a backend's
    last 10 ms may be missed)."""
    import tempfile
    import threading

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err, text=True)
        tree_peak = 0
        backends: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            nonlocal tree_peak
            while not done.wait(0.01):
                tree_peak = max(tree_peak, _tree_rss_bytes(process.pid))
                if database:
                    _backends_cpu(database, backends)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives this one child's resource usage (RUSAGE_CHILDREN would mix in others),
        # its waited-for descendants included.
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
        return ChildRun(
            seconds=elapsed,
            peak_mb=peak_mb,
            code=code,
            output=out.read(),
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            database_cpu_seconds=sum(backends.values()),
        )


def machine() -> dict[str, str]:
    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def save(name: str, result: dict) -> Path:
    """Write ``bench/results/<name>.json`` (``name`` may hold a folder: ``issue11/bot``)."""
    path = RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine(), **result}, indent=2) + "\n")
    return path


# ---------------------------------------------------------------------------------------
# The floor benchmarks (bench/status_floor.py, bench/intake_floor.py): the real endpoint and
# a program doing only the least any implementation must, served alike, rounds alternating.

# `bansos serve` runs uvicorn.run("api.asgi:app", …) with exactly these options.
_SERVE_FLOOR = (
    "import sys, uvicorn; uvicorn.run(sys.argv[1], factory=True, "
    "host='127.0.0.1', port=int(sys.argv[2]), workers=int(sys.argv[3]), log_level='info', "
    "access_log=False, proxy_headers=True)"
)


def parse_floor_args(
    parser: argparse.ArgumentParser, *, seconds: int, rounds: int, port: int, save_as: str
) -> argparse.Namespace:
    """The command line, with the options every floor benchmark takes after its own (load,
    data size); stops at once without wrk, before any database is touched."""
    parser.add_argument("--seconds", type=int, default=seconds)
    parser.add_argument("--rounds", type=int, default=rounds, help="of each program")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--save-as", default=save_as, help="bench/results/NAME.json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    return args


def floor_fastapi(lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]]) -> FastAPI:
    """A floor's app: none of the api's extras (no docs), and the /readyz the run waits for."""
    from fastapi import FastAPI
    from fastapi.responses import Response

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/readyz")
    async def ready() -> Response:
        return Response(b"{}", media_type="application/json")

    return app


def floor_api_key(channel: str, db_url: str, env: dict[str, str]) -> str:
    """A fresh API key for the real server; its id goes to the floor in ``env``
    (``FLOOR_API_KEY_ID``), so both programs write rows of the same key."""
    key = bansos("create-api-key", channel, env=env).stdout.strip()

    async def newest_key() -> int:
        conn = await connect(db_url)
        try:
            return await conn.fetchval("SELECT max(id) FROM api_key")
        finally:
            await conn.close()

    env["FLOOR_API_KEY_ID"] = str(asyncio.run(newest_key()))
    return key


def alternating(rounds: int) -> Iterator[str]:
    """real, floor, floor, real, …: the i-th round of each program runs next to the other's."""
    order = ("real", "floor")
    for number in range(rounds):
        yield from order if number % 2 == 0 else order[::-1]


def wait_started(base: str, seconds: float = 180) -> None:
    """Until the server at ``base`` answers /readyz. Longer than :func:`wait_ready` allows:
    on a machine shared with other work an api worker took ~40 s to start."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/readyz", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {base} did not become ready")


@contextmanager
def serving(
    program: str, floor_app: str, args: argparse.Namespace, env: dict[str, str]
) -> Iterator[tuple[str, subprocess.Popen]]:
    """A fresh server, ready: `bansos serve` of this checkout (``program`` "real") or the
    floor's ``module:factory`` under the same uvicorn options, on ``args.port`` with
    ``args.workers`` processes (:func:`parse_floor_args`). Yields its base URL and process;
    killed at the end (a benchmark server: no graceful drain needed)."""
    port, workers = args.port, args.workers
    if program == "real":
        server = Tree("real", ROOT).popen(
            "serve", "--port", str(port), "--workers", str(workers), env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    else:
        server = subprocess.Popen(
            [sys.executable, "-c", _SERVE_FLOOR, floor_app, str(port), str(workers)],
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_started(base)
        yield base, server
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def real_against_floor(real: list[float], floor: list[float]) -> tuple[float, list[float]]:
    """median(real) / median(floor), and the ratio of each pair of rounds that ran side by
    side (:func:`alternating`)."""
    ratio = statistics.median(real) / statistics.median(floor)
    return ratio, [a / b for a, b in zip(real, floor, strict=False) if b]
