"""Status checks against their floor: the real endpoint and the least any implementation
could do with the same guarantees, side by side in one run (issue 16).

    .venv/bin/python bench/status_floor.py [--rounds 4] [--seconds 15] [--connections 64]

The **floor** is a program in this file: a FastAPI app served exactly as `bansos serve`
serves the api (uvicorn, the same options, the same number of worker processes), on the
same database (`bansos_bench`, 1,000,000 people, see bench/registry.py) and Redis, doing for
each `POST /api/v1/status-checks` only what no implementation of the check can skip:

- read the JSON body (orjson) and hash the NIK with the registry's key (keyed BLAKE2b);
- the rate-limit script in Redis, with the same counters and owner-mark waivers
  (``LookupLimits.of_nik``, ``RateLimiter``: one grouped EVALSHA);
- the family read by NIK hash (the same statement, grouped the same way, on the same plain
  asyncpg pool), keeping only the person's own row;
- the name's keyed hash compared in constant time, the identity decrypted (AES-256-GCM);
- the audit row, committed before the answer with the same group commit (``AuditLog``);
- a fixed answer of a few bytes.

Nothing else: no API-key check, no pydantic validation, no NIK rules, no eligibility, no
disbursement stages, no owner mark set, no subscription token, no metrics, no middleware.

The **real** endpoint is `bansos serve` of this checkout. Rounds alternate real, floor,
floor, real, … (a fresh server each, warmed up, the registry prewarmed), wrk with the same
bodies as bench/status_checks.py (20,000 found people over 5,000 channel users, limits
lifted so nothing is refused). Per round: req/s, p50, p99 and the machine's CPU per check:
the api server's processes, the bench database's PostgreSQL backends, and redis-server
(read from /proc; Redis is shared with whatever else uses it on the machine).
"""

from __future__ import annotations

import argparse
import gc
import hmac
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from fastapi.responses import Response  # noqa: E402

from api.db import PgPool, create_engine, pg_pool  # noqa: E402
from api.domain.audit_log import AuditLog  # noqa: E402
from api.domain.batching import GroupCall  # noqa: E402
from api.domain.lookup_limits import LookupLimits  # noqa: E402
from api.domain.protection import Protector  # noqa: E402
from api.domain.rate_limit import RateLimiter  # noqa: E402
from api.domain.status_check import _FAMILIES_WITH_STAGES, FamilyReader  # noqa: E402

FLOOR_CHANNEL = "bench"
FLOOR_APP = "bench.status_floor:floor_app"  # served by uvicorn in each worker process
_FOUND, _NOT_FOUND = b'{"found":true}', b'{"found":false}'


class FloorCheck:
    """The status check's unavoidable work, and nothing else (see the module's docstring)."""

    def __init__(
        self,
        *,
        pool: PgPool,
        audit: AuditLog,
        limiter: RateLimiter,
        protector: Protector,
        limits: LookupLimits,
        api_key_id: int,
    ) -> None:
        self._pool = pool
        self._audit = audit
        self._limiter = limiter
        self._protector = protector
        self._limits = limits
        self._api_key_id = api_key_id
        self._sql = str(_FAMILIES_WITH_STAGES.compile(dialect=pool.dialect))
        self._reads = GroupCall(
            self._read_batch, max_batch=FamilyReader.MAX_BATCH, in_flight=FamilyReader.IN_FLIGHT
        )

    async def _read_batch(self, nik_hashes: list[bytes]) -> list:
        asked = list(dict.fromkeys(nik_hashes))
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(self._sql, asked)
        # Row: asked hash, member id, member's NIK hash, name hash, identity ciphertext, …
        persons = {row[0]: row for row in rows if row[0] == row[2]}
        return [persons.get(nik_hash) for nik_hash in nik_hashes]

    async def check(self, nik: str, name: str, channel_user: str) -> bool:
        protector = self._protector
        nik_hash = protector.nik_hash(nik)
        limits = self._limits.of_nik(self._api_key_id, channel_user, nik_hash)
        decision = await self._limiter.hit(limits)
        found = False
        if decision.allowed:
            person = await self._reads(nik_hash)
            matches = hmac.compare_digest(
                protector.name_hash(name), person[3] if person is not None else b"\0" * 32
            )
            if person is not None and matches:
                protector.decrypt_identity(person[4])
                found = True
        await self._audit.record(
            api_key_id=self._api_key_id,
            channel=FLOOR_CHANNEL,
            channel_user=channel_user,
            nik_hash=nik_hash,
            outcome="found" if found else "rate_limited" if not decision.allowed else "unknown_nik",
        )
        return found


def floor_app() -> FastAPI:
    """The floor's ASGI app (a uvicorn factory: built in each worker process)."""
    from api.redis_client import create_redis
    from api.services import protector_from
    from api.settings import get_settings
    from bench.common import floor_fastapi

    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        pool = pg_pool(engine, size=settings.db_pool_size)
        assert pool is not None, "the floor runs on PostgreSQL"
        redis = create_redis(settings.redis_url, timeout=settings.redis_timeout_seconds)
        audit = AuditLog(engine, pool)
        app.state.floor = FloorCheck(
            pool=pool,
            audit=audit,
            limiter=RateLimiter(redis),
            protector=protector_from(settings),
            limits=LookupLimits(
                per_user=settings.lookup_limit_per_user,
                per_key=settings.lookup_limit_per_key,
                per_nik_per_key=settings.lookup_limit_per_nik,
                per_nik=settings.lookup_limit_per_nik_all_keys,
                window_seconds=settings.lookup_window_seconds,
            ),
            api_key_id=int(os.environ["FLOOR_API_KEY_ID"]),
        )
        gc.collect()
        gc.freeze()  # as the api does after start-up
        yield
        await audit.drain()
        await pool.close()
        await redis.aclose()
        await engine.dispose()

    app = floor_fastapi(lifespan)

    @app.post("/api/v1/status-checks")
    async def check(request: Request) -> Response:
        body = orjson.loads(await request.body())
        found = await request.app.state.floor.check(body["nik"], body["name"], body["channel_user"])
        return Response(_FOUND if found else _NOT_FOUND, media_type="application/json")

    return app


# ---------------------------------------------------------------------------------------
# The benchmark: the real server and the floor's, alternating rounds of one run.


def _redis_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-x", "redis-server"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def _machine_cpu(server_pid: int, database: str) -> dict[str, float]:
    from bench.common import tree_cpu_seconds
    from bench.cpu_interleaved import postgres_cpu_seconds

    return {
        "api": tree_cpu_seconds(server_pid),
        "pg": postgres_cpu_seconds(database),
        "redis": sum(tree_cpu_seconds(pid) for pid in _redis_pids()),
    }


def _probe(base: str, key: str, body: str) -> None:
    """Refuse to measure a server that does not find the benchmark's people: a floor that
    skipped the decryption (a name hashed differently) would flatter itself."""
    import urllib.request

    request = urllib.request.Request(
        f"{base}/api/v1/status-checks",
        data=body.encode(),
        headers={"Content-Type": "application/json", "X-API-Key": key},
    )
    answer = orjson.loads(urllib.request.urlopen(request, timeout=30).read())
    if answer.get("found") is not True:
        raise SystemExit(f"{base} did not find a person of the registry: {answer}")


def _one_round(
    program: str, args, env: dict, script: Path, database: str, probe: tuple[str, str]
) -> dict:
    from bench.common import prewarm, serving
    from bench.status_checks import wrk

    prewarm(env["DATABASE_URL"])
    with serving(program, FLOOR_APP, args, env) as (base, server):
        _probe(base, *probe)
        wrk(base, connections=args.connections, seconds=5, threads=2, script=script)  # warm-up
        load_before = os.getloadavg()[0]
        before = _machine_cpu(server.pid, database)
        started = time.monotonic()
        result = wrk(
            base, connections=args.connections, seconds=args.seconds, threads=2, script=script
        )
        wall = time.monotonic() - started
        after = _machine_cpu(server.pid, database)
    cpu_us = {k: 1e6 * (after[k] - before[k]) / result["requests"] for k in before}
    return {
        "program": program,
        **result,
        "cpu_us": {**cpu_us, "machine": sum(cpu_us.values())},
        "cores_busy_measured": sum(after[k] - before[k] for k in before) / wall,
        "load_average": [load_before, os.getloadavg()[0]],
    }


FIGURES = {
    "req/s": lambda r: r["rps"],
    "p50 ms": lambda r: r["p50_ms"],
    "p99 ms": lambda r: r["p99_ms"],
    "api µs/check": lambda r: r["cpu_us"]["api"],
    "pg µs/check": lambda r: r["cpu_us"]["pg"],
    "redis µs/check": lambda r: r["cpu_us"]["redis"],
    "machine µs/check": lambda r: r["cpu_us"]["machine"],
}


def summarize(rounds: list[dict]) -> dict:
    """Median of each figure per program, real / floor, and the ratios of adjacent rounds."""
    from bench.common import real_against_floor

    real = [r for r in rounds if r["program"] == "real"]
    floor = [r for r in rounds if r["program"] == "floor"]
    summary = {}
    print(f"{'figure':>17} {'real median':>12} {'floor median':>13} {'real/floor':>10}  paired")
    for name, figure in FIGURES.items():
        r_values, f_values = [figure(r) for r in real], [figure(r) for r in floor]
        ratio, paired = real_against_floor(r_values, f_values)
        summary[name] = {
            "real": {"median": statistics.median(r_values), "all": r_values},
            "floor": {"median": statistics.median(f_values), "all": f_values},
            "real/floor": ratio,
            "paired": paired,
        }
        print(
            f"{name:>17} {statistics.median(r_values):>12.1f} "
            f"{statistics.median(f_values):>13.1f} {ratio:>10.2f}  "
            + ", ".join(f"{p:.2f}" for p in paired)
        )
    return summary


def main() -> None:
    from bench.common import UNLIMITED, alternating, env_for, floor_api_key, parse_floor_args, save
    from bench.registry import BENCH_DB, ensure_registry
    from bench.status_checks import LUA, sample_bodies

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=64)
    args = parse_floor_args(parser, seconds=15, rounds=4, port=8768, save_as="status_floor")

    db_url, beneficiaries_csv = ensure_registry(args.people)
    # The in-process worker off, as production runs the api (the floor has none).
    env = env_for(db_url, **UNLIMITED, DB_POOL_SIZE="20", WORKER_INTERVAL_SECONDS="0")
    key = floor_api_key(FLOOR_CHANNEL, db_url, env)  # the floor's audit rows name the same key
    workdir = Path(tempfile.mkdtemp(prefix="bansos-floor-"))
    bodies = workdir / "bodies.jsonl"
    sample_bodies(beneficiaries_csv, bodies, 20_000)
    first_body = bodies.read_text().splitlines()[0]
    script = workdir / "status.lua"
    script.write_text(LUA % {"bodies": bodies, "key": key})

    rounds = []
    for program in alternating(args.rounds):
        r = _one_round(program, args, env, script, BENCH_DB, (key, first_body))
        rounds.append(r)
        print(
            f"{program:>6} {r['rps']:>7.0f} req/s p50 {r['p50_ms']:>6.1f} ms "
            f"p99 {r['p99_ms']:>6.1f} ms non-2xx {r['non_2xx']} | µs per check: "
            f"api {r['cpu_us']['api']:.0f} pg {r['cpu_us']['pg']:.0f} "
            f"redis {r['cpu_us']['redis']:.0f} machine {r['cpu_us']['machine']:.0f} | "
            f"load {r['load_average'][0]:.1f}",
            flush=True,
        )
    summary = summarize(rounds)
    result = {
        "people": args.people,
        "connections": args.connections,
        "workers": args.workers,
        "seconds_per_round": args.seconds,
        "rounds": rounds,
        "summary": summary,
    }
    print(f"results: {save(args.save_as, result)}")


if __name__ == "__main__":
    main()
