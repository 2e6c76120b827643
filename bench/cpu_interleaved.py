"""CPU per status check of two checkouts, in short alternating rounds of one run.

    .venv/bin/python bench/cpu_interleaved.py --compare-with DIR [--rounds 8] [--seconds 5]

The figure that moves least on a shared two-core machine: how much CPU the api process and
PostgreSQL spend per request, rather than how many requests per second the machine had to
spare. Both checkouts' api run at once on `bansos_bench` (built by bench/registry.py on first
use), one worker each (`serve --workers 1`: uvicorn serves in the process it was started
as); wrk (1 thread, 32 connections) loads one, then the other, ``--rounds`` times each, the
order swapped every round (after, baseline, baseline, after, …) so a drift in the
machine's load falls on both alike. Each load is `POST /api/v1/status-checks` (the same
20,000 people as bench/status_checks.py) and then `GET /healthz`. Per request: CPU of the
api process (/proc), of the bench database's PostgreSQL backends (pg_stat_activity: only
the loaded server's connections do work), and the requests per second reached.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BIN,
    UNLIMITED,
    Tree,
    bansos,
    connect,
    env_for,
    prewarm,
    print_side_by_side,
    save,
    tree_cpu_seconds,
    trees,
    wait_ready,
)
from bench.registry import BENCH_DB, ensure_registry  # noqa: E402
from bench.status_checks import LUA, sample_bodies, wrk  # noqa: E402

#: A load: its name, the path on the server, and the wrk script for each run (or None).
Load = tuple[str, str, Callable[[], Path | None]]


async def _backends(database: str) -> list[int]:
    conn = await connect()
    try:
        rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
        return [row["pid"] for row in rows]
    finally:
        await conn.close()


def postgres_cpu_seconds(database: str) -> float:
    return sum(tree_cpu_seconds(pid) for pid in asyncio.run(_backends(database)))


def measure(server_pid: int, url: str, script: Path | None, seconds: int, database: str) -> dict:
    api_before, pg_before = tree_cpu_seconds(server_pid), postgres_cpu_seconds(database)
    result = wrk(url, connections=32, seconds=seconds, threads=1, script=script)
    requests = result["requests"]
    return {
        "rps": result["rps"],
        "requests": requests,
        "non_2xx": result["non_2xx"],
        "api_us": 1e6 * (tree_cpu_seconds(server_pid) - api_before) / requests,
        "pg_us": 1e6 * (postgres_cpu_seconds(database) - pg_before) / requests,
    }


def interleave(
    checkouts: list[Tree],
    env: dict,
    loads: list[Load],
    *,
    database: str,
    rounds: int,
    seconds: int,
    port: int,
    profile: Path | None = None,
) -> list[dict]:
    """Every tree's api at once (one worker each, ports ``port``, ``port + 1``, …); each load
    on each tree in turn, ``rounds`` times, the order of the trees swapped every round.

    With ``profile``, one more load of each kind per tree afterwards, recorded by py-spy
    (in this virtualenv) into ``profile/<tree>-<load>.folded``; not counted in the figures.
    """
    servers = {}
    try:
        for offset, tree in enumerate(checkouts):
            tree.verify(env)
            server = tree.popen(
                "serve", "--port", str(port + offset), "--workers", "1", env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            servers[tree.label] = (server, f"http://127.0.0.1:{port + offset}")
        for _, base in servers.values():
            wait_ready(base)
            for _, path, script in loads:  # warm-up
                wrk(f"{base}{path}", connections=32, seconds=2, threads=1, script=script())
        measured = []
        print(f"{'round':>5} {'code':>8} {'load':>10} {'req/s':>7} {'api µs':>7} {'pg µs':>6}")
        for number in range(1, rounds + 1):
            for tree in checkouts if number % 2 else checkouts[::-1]:
                server, base = servers[tree.label]
                for name, path, script in loads:
                    figures = measure(server.pid, f"{base}{path}", script(), seconds, database)
                    measured.append({"round": number, "code": tree.label, "load": name, **figures})
                    print(
                        f"{number:>5} {tree.label:>8} {name:>10} {figures['rps']:>7.0f} "
                        f"{figures['api_us']:>7.0f} {figures['pg_us']:>6.0f}",
                        flush=True,
                    )
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            for tree in checkouts:
                server, base = servers[tree.label]
                for name, path, script in loads:
                    output = profile / f"{tree.label}-{name}.folded"
                    spy = subprocess.Popen(
                        [str(BIN / "py-spy"), "record", "--pid", str(server.pid), "--output",
                         str(output), "--format", "raw", "--rate", "250", "--nonblocking"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    )  # fmt: skip
                    wrk(
                        f"{base}{path}", connections=32, seconds=seconds, threads=1, script=script()
                    )
                    spy.send_signal(signal.SIGINT)
                    spy.wait(timeout=60)
                    print(f"profile: {output}")
    finally:
        for server, _ in servers.values():
            os.killpg(server.pid, signal.SIGKILL)  # a benchmark server: no drain needed
            server.wait(timeout=30)
    return measured


def print_interleaved(measured: list[dict], loads: list[Load]) -> dict:
    """The side-by-side summary of :func:`interleave`'s rounds, one block per load."""
    return {
        name: print_side_by_side(
            [r for r in measured if r["load"] == name],
            {
                f"{name} api µs/req": lambda r: r["api_us"],
                f"{name} pg µs/req": lambda r: r["pg_us"],
                f"{name} req/s": lambda r: r["rps"],
            },
        )
        for name, _, _ in loads
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare-with", metavar="DIR", required=True)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8771, help="and the next one")
    parser.add_argument("--save-as", default="cpu_interleaved", help="bench/results/NAME.json")
    parser.add_argument("--profile", metavar="DIR", help="py-spy profiles of one more load each")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    db_url, beneficiaries_csv = ensure_registry(args.people)
    env = env_for(
        db_url,
        **UNLIMITED,
        DB_POOL_SIZE="20",
    )
    key = bansos("create-api-key", "bench-cpu", env=env).stdout.strip()
    workdir = Path(tempfile.mkdtemp(prefix="bansos-cpu-"))
    sample_bodies(beneficiaries_csv, workdir / "bodies.jsonl", 20_000)
    script = workdir / "status.lua"
    script.write_text(LUA % {"bodies": workdir / "bodies.jsonl", "key": key})

    loads: list[Load] = [("status", "", lambda: script), ("healthz", "/healthz", lambda: None)]
    prewarm(db_url)
    measured = interleave(
        trees(args.compare_with),
        env,
        loads,
        database=BENCH_DB,
        rounds=args.rounds,
        seconds=args.seconds,
        port=args.port,
        profile=Path(args.profile) if args.profile else None,
    )
    result = {"people": args.people, "seconds_per_load": args.seconds, "rounds": measured}
    result["side_by_side"] = print_interleaved(measured, loads)
    print(f"results: {save(args.save_as, result)}")


if __name__ == "__main__":
    main()
