"""Status checks under load vs a trivial endpoint, side by side, on PostgreSQL.

    .venv/bin/python bench/status_checks.py [--people 1000000] [--connections 64]
        [--compare-with DIR]   # e.g. git worktree add /tmp/base COMMIT

Needs wrk (Debian package `wrk`). Uses (and, on first run, builds) the database
`bansos_bench` holding the synthetic population (see bench/registry.py). The server runs as
`bansos serve --workers N` with the same settings for both endpoints; wrk alternates between
`GET /healthz` and `POST /api/v1/status-checks` rounds so both see the same machine state.
Rate limiting stays on (every request still goes through Redis) with limits set high enough
not to refuse the benchmark's own traffic.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    UNLIMITED,
    Tree,
    bansos,
    env_for,
    prewarm,
    print_side_by_side,
    save,
    trees,
    wait_ready,
)
from bench.registry import ensure_registry  # noqa: E402

LUA = """
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "%(key)s"
request = function()
  counter = counter + 1
  return wrk.format(nil, "/api/v1/status-checks", nil, bodies[(counter %% #bodies) + 1])
end
response = function(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. "\\n") end
end
"""


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def latency(pct: str) -> float:
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": rps,
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def wrk(url: str, *, connections: int, seconds: int, threads: int, script: Path | None) -> dict:
    args = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    if script:
        args += ["-s", str(script)]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def sample_bodies(beneficiaries_csv: Path, path: Path, count: int) -> None:
    """Every k-th person of the population: found answers, spread over the whole table."""
    with beneficiaries_csv.open(encoding="utf-8") as source, path.open("w") as sink:
        rows = sum(1 for _ in source) - 1
        source.seek(0)
        step = max(1, rows // count)
        for index, row in enumerate(csv.DictReader(source)):
            if index % step == 0:
                sink.write(
                    json.dumps(
                        {
                            "nik": row["nik"],
                            "name": row["nama"],
                            "channel_user": f"bench:{index % 5000}",
                        }
                    )
                    + "\n"
                )


def _measure_tree(tree: Tree, env: dict, script: Path, args) -> tuple[dict, dict]:
    """One round on a fresh server: the trivial endpoint, then status checks."""
    prewarm(env["DATABASE_URL"])
    server = tree.popen("serve", "--port", str(args.port), "--workers", str(args.workers), env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_ready(base)
        # Warm-up: connection pools, caches, the database's buffer cache.
        wrk(f"{base}/healthz", connections=args.connections, seconds=3, threads=2, script=None)
        wrk(base, connections=args.connections, seconds=5, threads=2, script=script)
        trivial = wrk(
            f"{base}/healthz",
            connections=args.connections,
            seconds=args.seconds,
            threads=2,
            script=None,
        )
        status = wrk(
            base, connections=args.connections, seconds=args.seconds, threads=2, script=script
        )
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # a benchmark server: no graceful drain needed
        server.wait(timeout=30)
    return trivial, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--compare-with",
        metavar="DIR",
        help="a checkout of other code (git worktree add DIR COMMIT) to measure in "
        "alternating rounds of the same run",
    )
    parser.add_argument("--save-as", default="status_checks", help="bench/results/NAME.json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    db_url, beneficiaries_csv = ensure_registry(args.people)
    env = env_for(
        db_url,
        **UNLIMITED,
        DB_POOL_SIZE="20",
    )
    key = bansos("create-api-key", "bench", env=env).stdout.strip()
    workdir = Path(tempfile.mkdtemp(prefix="bansos-bench-"))
    bodies = workdir / "bodies.jsonl"
    sample_bodies(beneficiaries_csv, bodies, 20_000)
    script = workdir / "status.lua"
    script.write_text(LUA % {"bodies": bodies, "key": key})

    # The code under test, and optionally an older checkout (same virtualenv, its own
    # sources first on the path) measured in alternating rounds of the same run.
    checkouts = trees(args.compare_with)
    for tree in checkouts:
        tree.verify(env)
    rounds = []
    for _ in range(args.rounds):
        for tree in checkouts:
            trivial, status = _measure_tree(tree, env, script, args)
            rounds.append(
                {
                    "code": tree.label,
                    "tree": str(tree.path),
                    "trivial": trivial,
                    "status_check": status,
                    "ratio": status["rps"] / trivial["rps"],
                }
            )

    result = {
        "people": args.people,
        "connections": args.connections,
        "workers": args.workers,
        "seconds_per_round": args.seconds,
        "rounds": rounds,
    }
    print(
        f"{'round':>5} {'code':>8} {'trivial rps':>12} {'status rps':>11} {'ratio':>6} "
        f"{'status p50':>10} {'status p99':>10} {'non-2xx':>8}"
    )
    for number, r in enumerate(rounds, 1):
        print(
            f"{number:>5} {r['code']:>8} {r['trivial']['rps']:>12.0f} "
            f"{r['status_check']['rps']:>11.0f} "
            f"{r['ratio']:>6.2f} {r['status_check']['p50_ms']:>8.1f}ms "
            f"{r['status_check']['p99_ms']:>8.1f}ms {r['status_check']['non_2xx']:>8}"
        )
    if len(checkouts) > 1:
        result["side_by_side"] = print_side_by_side(
            rounds,
            {
                "status req/s": lambda r: r["status_check"]["rps"],
                "status p99 ms": lambda r: r["status_check"]["p99_ms"],
                "trivial req/s": lambda r: r["trivial"]["rps"],
                "status/trivial": lambda r: r["ratio"],
            },
        )
    print(f"results: {save(args.save_as, result)}")


if __name__ == "__main__":
    main()
