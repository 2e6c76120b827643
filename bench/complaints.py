"""Complaint intake under load on PostgreSQL holding 100,000 complaints, and a kill -9 count.

    .venv/bin/python bench/complaints.py [--complaints 100000] [--seconds 20]
        [--compare-with DIR --rounds 3 [--cpu-rounds 8]]   # e.g. git worktree add DIR COMMIT

Needs wrk (Debian package `wrk`). Builds the database `bansos_bench_complaints` on every run:
migrations, reference data, a demo registry (for subject-NIK lookups), then the given number
of complaints written in bulk, spread over four months, offices and statuses as intake
would have made them. Then, as production runs it: `bansos serve --workers 2` (no in-process
worker) beside a `bansos worker` relaying the outbox to Redis. wrk POSTs complaints (each with
its own Idempotency-Key; a mix of categories with and without a subject NIK) at several
concurrency levels. Each accepted complaint was routed, given its deadlines, and stored with
its event, idempotency record and outbox message before the 201.

Last, the crash run: a fresh server, a client keeping 32 submissions in flight, `kill -9` of
the server's process group after a few seconds; every acknowledged tracking ID is then
looked up in the database.

``--compare-with DIR`` runs another checkout's server and worker (its sources first on the
path, this virtualenv; see bench/common.py's Tree) against the same database in alternating
rounds — after, baseline, baseline, after, … — each round on a fresh server and worker of
that tree, every concurrency level in turn; the CPU of the server's processes per accepted
complaint is read from /proc as well. ``--cpu-rounds N`` then runs both trees' api at once
(one worker each) and alternates N short loads between them, reading the CPU per complaint
of the api process and of PostgreSQL (bench/cpu_interleaved.py's ``interleave``): the
figure least moved by a busy machine. The kill -9 run is left out then: it counts losses,
not speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    UNLIMITED,
    Tree,
    bansos,
    env_for,
    print_side_by_side,
    recreate_database,
    save,
    tree_cpu_seconds,
    trees,
    wait_ready,
)
from bench.cpu_interleaved import interleave, print_interleaved  # noqa: E402
from bench.status_checks import wrk  # noqa: E402

DATABASE = "bansos_bench_complaints"

LUA = """
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "%(key)s"
request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = "%(run)s-" .. tid .. "-" .. counter
  return wrk.format(nil, "/api/v1/complaints", nil, bodies[(counter %% #bodies) + 1])
end
response = function(status, headers, body)
  if status ~= 201 then io.stderr:write("status " .. status .. "\\n") end
end
"""


def demo_people(db_url: str, limit: int) -> list[str]:
    """NIKs of the seeded demo registry, printed by `bansos seed-demo`."""
    output = bansos("seed-demo", "--families", "2000", env=env_for(db_url)).stdout
    return re.findall(r"\b(\d{16})\b", output)[:limit]


async def regions_of_the_pilot(conn) -> list[str]:
    rows = await conn.fetch(
        "SELECT d.code FROM district d JOIN pilot_regency p ON p.regency_code = d.regency_code"
    )
    return [r["code"] for r in rows]


async def prefill(db_url: str, count: int) -> None:
    """``count`` complaints as intake would have stored them, written in bulk."""
    conn = await asyncpg.connect(db_url.replace("postgresql://", "postgres://"))
    try:
        districts = await regions_of_the_pilot(conn)
        outside = [
            r["code"]
            for r in await conn.fetch("SELECT code FROM district WHERE code LIKE '11%' LIMIT 200")
        ]
        offices = {
            (r["regency_code"], r["type"]): r["code"]
            for r in await conn.fetch(
                "SELECT code, type, regency_code FROM office WHERE regency_code IS NOT NULL"
            )
        }
        key_id = await conn.fetchval("SELECT min(id) FROM api_key")
        categories = [
            ("BANTUAN_TIDAK_DITERIMA", "DINSOS"),
            ("PUNGLI", "INSPEKTORAT"),
            ("DATA_SALAH", "DUKCAPIL"),
            ("KARTU_REKENING", "PENYALUR"),
            ("LAINNYA", "DINSOS"),
        ]
        statuses = ["CLOSED"] * 6 + ["RESOLVED", "IN_PROGRESS", "VERIFIED", "RECEIVED"]
        rng = random.Random(2026)
        now = datetime.now(UTC)
        alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        complaints, events, outbox = [], [], []
        for n in range(count):
            category, office_type = rng.choice(categories)
            district = rng.choice(districts) if rng.random() < 0.9 else rng.choice(outside)
            office = offices.get((district[:4], office_type)) or "NASIONAL"
            created = now - timedelta(minutes=rng.randrange(0, 120 * 24 * 60))
            status = rng.choice(statuses)
            tracking = "".join(rng.choice(alphabet) for _ in range(9))
            complaints.append(
                (
                    n + 1,
                    tracking,
                    category,
                    status,
                    "BIASA",
                    key_id,
                    "bench",
                    secrets.token_bytes(32),
                    secrets.token_bytes(60),
                    "id",
                    False,
                    district,
                    district[:4],
                    district[:2],
                    f"Keluhan nomor {n}: bantuan belum diterima.",
                    office,
                    "pilot_office",
                    0,
                    0,
                    False,
                    created + timedelta(days=4),
                    created + timedelta(days=7),
                    created + timedelta(days=20),
                    0,
                    "",
                    False,
                    created,
                    created,
                )
            )
            events.append((n + 1, created, "received", "CITIZEN", "bench", "RECEIVED", True))
            outbox.append((created, "bench", f"u{n}", "id", "complaint.received", "{}", created))
        await conn.copy_records_to_table(
            "complaint",
            records=complaints,
            columns=[
                "id", "tracking_id", "category_code", "status", "privacy", "api_key_id",
                "channel", "reporter_hash", "reporter_encrypted", "reporter_locale",
                "subject_in_registry", "district_code", "regency_code", "province_code",
                "description", "office_code", "routing_reason", "transfer_count",
                "escalation_level", "needs_field_check", "verify_due", "follow_up_due",
                "resolve_due", "paused_days", "breaches", "reopened", "created_at",
                "updated_at",
            ],
        )  # fmt: skip
        await conn.execute("SELECT setval(pg_get_serial_sequence('complaint', 'id'), $1)", count)
        await conn.copy_records_to_table(
            "complaint_event",
            records=events,
            columns=[
                "complaint_id", "at", "kind", "actor_type", "actor", "to_status", "public",
            ],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "outbox_message",
            records=outbox,
            columns=[
                "created_at", "channel", "channel_user", "locale", "kind", "payload",
                "relayed_at",
            ],
        )  # fmt: skip
        await conn.execute("ANALYZE complaint; ANALYZE complaint_event; ANALYZE outbox_message")
    finally:
        await conn.close()


async def count_complaints(db_url: str) -> int:
    conn = await asyncpg.connect(db_url.replace("postgresql://", "postgres://"))
    try:
        return await conn.fetchval("SELECT count(*) FROM complaint")
    finally:
        await conn.close()


def write_bodies(path: Path, niks: list[str], count: int = 5000) -> None:
    rng = random.Random(7)
    with path.open("w") as sink:
        for n in range(count):
            kind = n % 4
            body: dict = {
                "reporter": {"channel_user": f"bench:{n}", "locale": "id"},
                "description": f"Bantuan tahap {1 + n % 4} belum diterima sampai hari ini ({n}).",
            }
            if kind in (0, 1) and niks:
                body |= {
                    "category": "BANTUAN_TIDAK_DITERIMA",
                    "subject_nik": rng.choice(niks),
                    "programme": "PKH",
                    "tahap": 1 + n % 4,
                }
            elif kind == 2:
                body |= {"category": "PUNGLI", "region_code": "351001", "privacy": "RAHASIA"}
            else:
                body |= {"category": "LAINNYA", "region_code": "1872011001"}
            sink.write(json.dumps(body) + "\n")


def start(env: dict, *args: str, tree: Tree | None = None) -> subprocess.Popen:
    return (tree or trees(None)[0]).popen(*args, env=env)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    os.killpg(process.pid, sig)
    process.wait(timeout=30)


async def crash_run(base: str, key: str, server: subprocess.Popen, seconds: float) -> dict:
    acknowledged: list[str] = []
    in_flight_at_kill = 0
    inflight = 0
    stop_at = time.monotonic() + seconds

    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}, timeout=10) as http:

        async def client(worker: int) -> None:
            nonlocal inflight
            n = 0
            while True:
                n += 1
                inflight += 1
                try:
                    response = await http.post(
                        "/api/v1/complaints",
                        json={
                            "reporter": {"channel_user": f"crash:{worker}:{n}"},
                            "category": "PUNGLI",
                            "description": "Pungutan liar saat pencairan.",
                            "region_code": "351001",
                        },
                    )
                except httpx.TransportError:
                    return
                finally:
                    inflight -= 1
                if response.status_code == 201:
                    acknowledged.append(response.json()["tracking_id"])

        tasks = [asyncio.create_task(client(w)) for w in range(32)]
        await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
        in_flight_at_kill = inflight
        os.killpg(server.pid, signal.SIGKILL)
        await asyncio.sleep(1)
        for task in tasks:
            task.cancel()
    return {"acknowledged": acknowledged, "in_flight_at_kill": in_flight_at_kill}


async def stored(db_url: str, tracking_ids: list[str]) -> int:
    conn = await asyncpg.connect(db_url.replace("postgresql://", "postgres://"))
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM complaint WHERE tracking_id = ANY($1)", tracking_ids
        )
    finally:
        await conn.close()


def intake_round(tree: Tree, env, args, base, db_url, script, number: int) -> list[dict]:
    """A fresh server and worker of ``tree``; every concurrency level for ``args.seconds``."""
    server = start(
        env, "serve", "--port", str(args.port), "--workers", str(args.workers), tree=tree
    )
    worker = start(env, "worker", tree=tree)
    rounds = []
    try:
        wait_ready(base)
        wrk(base, connections=16, seconds=3, threads=2, script=script())  # warm-up
        for connections in args.connections:
            before = asyncio.run(count_complaints(db_url))
            cpu_before = tree_cpu_seconds(server.pid)
            result = wrk(
                base, connections=connections, seconds=args.seconds, threads=2, script=script()
            )
            cpu = tree_cpu_seconds(server.pid) - cpu_before
            stored = asyncio.run(count_complaints(db_url)) - before
            rounds.append(
                {
                    "round": number,
                    "code": tree.label,
                    "connections": connections,
                    **result,
                    "complaints_stored": stored,
                    "api_cpu_us_per_complaint": 1e6 * cpu / max(1, result["requests"]),
                }
            )
    finally:
        stop(server)
        stop(worker)
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--rounds", type=int, default=1, help="of every concurrency level")
    parser.add_argument(
        "--compare-with",
        metavar="DIR",
        help="a checkout of other code (git worktree add DIR COMMIT) to measure in "
        "alternating rounds of the same run (no kill -9 run then)",
    )
    parser.add_argument("--save-as", default="complaints", help="bench/results/NAME.json")
    parser.add_argument(
        "--cpu-rounds",
        type=int,
        default=0,
        help="with --compare-with: then both trees' api at once (one worker each), CPU per "
        "complaint of the api and PostgreSQL in this many alternating loads (cpu_interleaved.py)",
    )
    parser.add_argument("--profile", metavar="DIR", help="py-spy profiles after --cpu-rounds")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    db_url = recreate_database(DATABASE)
    env = env_for(db_url, **UNLIMITED, WORKER_INTERVAL_SECONDS="0", DB_POOL_SIZE="20")
    bansos("migrate", env=env)
    bansos("load-reference", env=env)
    niks = demo_people(db_url, 2000)
    key = bansos("create-api-key", "bench", env=env).stdout.strip()
    started = time.perf_counter()
    asyncio.run(prefill(db_url, args.complaints))
    print(f"prefilled {args.complaints:,} complaints in {time.perf_counter() - started:.1f} s")

    workdir = Path(tempfile.mkdtemp(prefix="bansos-bench-complaints-"))
    bodies = workdir / "bodies.jsonl"
    write_bodies(bodies, niks)

    def script() -> Path:
        """A wrk script whose Idempotency-Keys no earlier round used (no replays)."""
        path = workdir / f"complaints-{secrets.token_hex(4)}.lua"
        path.write_text(LUA % {"bodies": bodies, "key": key, "run": path.stem})
        return path

    base = f"http://127.0.0.1:{args.port}"
    checkouts = trees(args.compare_with)
    for tree in checkouts:
        tree.verify(env)
    rounds = []
    for number in range(1, args.rounds + 1):
        for tree in checkouts if number % 2 else checkouts[::-1]:
            rounds += intake_round(tree, env, args, base, db_url, script, number)
    total = asyncio.run(count_complaints(db_url))
    result = {
        "prefilled": args.complaints,
        "complaints_at_end": total,
        "workers": args.workers,
        "seconds_per_round": args.seconds,
        "rounds": rounds,
    }
    print(
        f"{'round':>5} {'code':>8} {'conns':>5} {'req/s':>8} {'p50':>8} {'p99':>8} "
        f"{'non-2xx':>8} {'stored':>8} {'api µs':>7}"
    )
    for r in rounds:
        print(
            f"{r['round']:>5} {r['code']:>8} {r['connections']:>5} {r['rps']:>8.0f} "
            f"{r['p50_ms']:>6.1f}ms {r['p99_ms']:>6.1f}ms {r['non_2xx']:>8} "
            f"{r['complaints_stored']:>8} {r['api_cpu_us_per_complaint']:>7.0f}"
        )
    if len(checkouts) > 1:
        result["side_by_side"] = {
            str(c): print_side_by_side(
                [r for r in rounds if r["connections"] == c],
                {
                    f"{c} conns complaints/s": lambda r: r["complaints_stored"] / args.seconds,
                    f"{c} conns p50 ms": lambda r: r["p50_ms"],
                    f"{c} conns p99 ms": lambda r: r["p99_ms"],
                    f"{c} conns api µs/complaint": lambda r: r["api_cpu_us_per_complaint"],
                },
            )
            for c in args.connections
        }
        if args.cpu_rounds:
            loads = [("intake", "", script)]
            measured = interleave(
                checkouts,
                env,
                loads,
                database=DATABASE,
                rounds=args.cpu_rounds,
                seconds=args.seconds,
                port=args.port,
                profile=Path(args.profile) if args.profile else None,
            )
            result["cpu_interleaved"] = {
                "rounds": measured,
                "side_by_side": print_interleaved(measured, loads),
            }
        print(f"results: {save(args.save_as, result)}")
        return

    server = start(env, "serve", "--port", str(args.port), "--workers", str(args.workers))
    wait_ready(base)
    crash = asyncio.run(crash_run(base, key, server, seconds=5))
    server.wait(timeout=30)
    found = asyncio.run(stored(db_url, crash["acknowledged"]))
    crash_result = {
        "acknowledged": len(crash["acknowledged"]),
        "found_after_kill": found,
        "lost": len(crash["acknowledged"]) - found,
        "in_flight_at_kill": crash["in_flight_at_kill"],
    }

    path = save(args.save_as, {**result, "kill_9": crash_result})
    print(
        f"kill -9 mid-burst: {crash_result['acknowledged']} acknowledged, "
        f"{crash_result['found_after_kill']} found afterwards, lost {crash_result['lost']} "
        f"({crash_result['in_flight_at_kill']} in flight at the kill)"
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
