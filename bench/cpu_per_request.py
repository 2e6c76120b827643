"""CPU per request of the api worker, of PostgreSQL and of Redis: a diagnostic, not a target.

    .venv/bin/python bench/cpu_per_request.py [--compare-with DIR] [--seconds 8] [--rounds 2]

Throughput on a shared two-core machine moves with whatever else runs; the CPU time each
process spends per request moves far less, so this shows where a change went. One api worker
(`bansos serve --workers 1`) on `bansos_bench` (see bench/status_checks.py), wrk at 32
connections, `GET /healthz` then `POST /api/v1/status-checks`; CPU is read from /proc for
the worker, every PostgreSQL backend of the bench database, and redis-server. With
`--compare-with DIR` another checkout runs in alternating rounds. Absolute figures grow
when the machine is busy (the two cores are hyperthreads of one): compare within one run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import UNLIMITED, bansos, env_for, prewarm, trees, wait_ready  # noqa: E402
from bench.registry import BENCH_DB, ensure_registry  # noqa: E402
from bench.status_checks import LUA, sample_bodies  # noqa: E402

PORT = 8767
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a backend that ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICK


def pids_of(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


def wrk(args: list[str], seconds: int) -> tuple[float, int]:
    output = subprocess.run(
        ["wrk", "-t1", "-c32", f"-d{seconds}s", *args], capture_output=True, text=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rps, int(re.search(r"(\d+) requests in", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare-with", metavar="DIR")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    db_url, beneficiaries_csv = ensure_registry(1_000_000)
    env = env_for(
        db_url,
        **UNLIMITED,
    )
    key = bansos("create-api-key", "bench-cpu", env=env).stdout.strip()
    workdir = Path(tempfile.mkdtemp(prefix="bansos-cpu-"))
    sample_bodies(beneficiaries_csv, workdir / "bodies.jsonl", 20_000)
    script = workdir / "status.lua"
    script.write_text(LUA % {"bodies": workdir / "bodies.jsonl", "key": key})
    base = f"http://127.0.0.1:{PORT}"
    endpoints = {"healthz": [f"{base}/healthz"], "status": ["-s", str(script), base]}
    checkouts = trees(args.compare_with)
    for tree in checkouts:
        tree.verify(env)
    print(f"{'code':>8} {'endpoint':>8} {'req/s':>7} {'api µs':>8} {'pg µs':>7} {'redis µs':>8}")
    for _ in range(args.rounds):
        for tree in checkouts:
            label = tree.label
            prewarm(db_url)
            server = tree.popen(
                "serve", "--port", str(PORT), "--workers", "1", env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                wait_ready(base)
                wrk(endpoints["status"], 3)  # warm-up
                for name, target in endpoints.items():
                    groups = {
                        "api": [server.pid],
                        "pg": pids_of(f"postgres: .* {BENCH_DB} "),
                        "redis": pids_of("redis-server"),
                    }
                    before = {group: cpu_seconds(p) for group, p in groups.items()}
                    rps, requests = wrk(target, args.seconds)
                    per = {
                        group: 1e6 * (cpu_seconds(p) - before[group]) / requests
                        for group, p in groups.items()
                    }
                    print(
                        f"{label:>8} {name:>8} {rps:>7.0f} {per['api']:>8.0f} "
                        f"{per['pg']:>7.0f} {per['redis']:>8.0f}",
                        flush=True,
                    )
            finally:
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()
