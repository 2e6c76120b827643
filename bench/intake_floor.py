"""Complaint intake against its floor on PostgreSQL holding 1,000,000 complaints, side by
side in one run (issue 16).

    .venv/bin/python bench/intake_floor.py [--rounds 3] [--seconds 10] [--connections 16 32]

The database is a copy (``CREATE DATABASE … TEMPLATE``) of ``bansos_bench_console_1m``
(bench/console_data.py: 1,000,000 complaints with the console's indexes, 4.4 million
timeline events), named ``bansos_bench_intake_1m`` and kept between runs: intake adds rows,
and the console benchmark rebuilds its own database when the count changes, so this one is
written to instead. It grows by what each run files (a few hundred thousand at most).

The **floor** is a program in this file: a FastAPI app served exactly as `bansos serve`
serves the api (uvicorn, the same options, two worker processes), doing for each
`POST /api/v1/complaints` only what issue 16 names as the least any intake must do: read
the JSON body, then one autocommit statement on a plain asyncpg pool (a prepared statement
of data-modifying CTEs) that inserts the complaint (the same table, every index and the
columns the console reads), its Idempotency-Key record and the reporter's outbox row.
Nothing else: no API-key check, no validation, no rate limit, no registry look-up, no
routing or working-day deadlines, no encryption, no timeline event, no answer sentence.

The **real** endpoint is `bansos serve` of this checkout with the in-process worker off
(``WORKER_INTERVAL_SECONDS=0``, as production runs it; neither program runs the outbox
relay, so both are measured on intake alone). Bodies and Idempotency-Keys as in
bench/complaints.py: a mix of ``BANTUAN_TIDAK_DITERIMA`` with a subject NIK (the real one
looks the NIK up in the registry), ``PUNGLI`` marked RAHASIA and ``LAINNYA`` with a desa
code; every key fresh. Rounds alternate real, floor, floor, real, … on fresh servers; each
round loads every concurrency level for ``--seconds`` after a warm-up. "complaints/s" counts
the rows that appeared in ``complaint`` during the load. CPU per complaint: the server's
processes and the database's PostgreSQL backends (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from fastapi.responses import Response  # noqa: E402

DATABASE = "bansos_bench_intake_1m"
SOURCE = "bansos_bench_console_1m"
CHANNEL = "bench"
FLOOR_APP = "bench.intake_floor:floor_app"  # served by uvicorn in each worker process

# The complaint, its Idempotency-Key record and the outbox row: one statement, one round trip.
_FLOOR_INSERT = """
WITH c AS (
  INSERT INTO complaint (
    tracking_id, category_code, status, privacy, api_key_id, channel, reporter_hash,
    reporter_encrypted, reporter_locale, subject_in_registry, district_code, regency_code,
    province_code, coordination_region_code, description, office_code, routing_reason,
    transfer_count, escalation_level, needs_field_check, verify_due, follow_up_due,
    resolve_due, paused_days, breaches, reopened, created_at, updated_at, in_triage, next_due
  ) VALUES (
    $1, $2, 'RECEIVED', 'BIASA', $3, 'bench', $4, $5, 'id', false, '351001', '3510', '35',
    'WK4', $6, 'DINSOS-3510', 'pilot_office', 0, 0, false, $7, $8, $9, 0, '', false, $10,
    $10, false, $7
  ) RETURNING id
), i AS (
  INSERT INTO idempotency_key (complaint_id, api_key_id, key, request_hash, created_at)
  SELECT id, $3, $11, $12, $10 FROM c
), o AS (
  INSERT INTO outbox_message (created_at, channel, channel_user, locale, kind, payload)
  VALUES ($10, 'bench', $13, 'id', 'complaint.received', $14)
)
SELECT id FROM c
"""
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def floor_app() -> FastAPI:
    """The floor's ASGI app (a uvicorn factory: built in each worker process)."""
    from api.db import create_engine, pg_pool
    from api.settings import get_settings
    from bench.common import floor_fastapi

    settings = get_settings()
    api_key_id = int(os.environ["FLOOR_API_KEY_ID"])
    reporter = secrets.token_bytes(32), secrets.token_bytes(60)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        app.state.pool = pg_pool(engine, size=settings.db_pool_size)
        yield
        await app.state.pool.close()
        await engine.dispose()

    app = floor_fastapi(lifespan)

    @app.post("/api/v1/complaints")
    async def file(request: Request) -> Response:
        body = orjson.loads(await request.body())
        now = datetime.now(UTC)
        tracking_id = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        async with request.app.state.pool.acquire() as conn:
            complaint_id = await conn.fetchval(
                _FLOOR_INSERT,
                tracking_id,
                body["category"],
                api_key_id,
                *reporter,
                body["description"],
                now + timedelta(days=3),
                now + timedelta(days=5),
                now + timedelta(days=20),
                now,
                request.headers["idempotency-key"],
                b"\0" * 32,
                body["reporter"]["channel_user"],
                orjson.dumps({"tracking_id": tracking_id}).decode(),
            )
        return Response(
            orjson.dumps({"id": complaint_id, "tracking_id": tracking_id}),
            status_code=201,
            media_type="application/json",
        )

    return app


# ---------------------------------------------------------------------------------------
# The benchmark.


def ensure_database() -> str:
    """This benchmark's copy of the console's 1,000,000-complaint database."""
    from bench.common import _admin, bansos, database_exists, database_url, env_for

    if not asyncio.run(database_exists(DATABASE)):
        if not asyncio.run(database_exists(SOURCE)):
            # Not built here: building it drops and recreates a database others may use.
            raise SystemExit(f"no {SOURCE}: run .venv/bin/python bench/console_data.py 1m")
        for _ in range(30):  # a template must have no other session for the copy
            try:
                asyncio.run(_admin(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{SOURCE}"'))
                break
            except Exception as error:  # noqa: BLE001
                print(f"copying {SOURCE}: {error}; again in 10 s")
                time.sleep(10)
        else:
            raise SystemExit(f"could not copy {SOURCE}")
    url = database_url(DATABASE)
    bansos("migrate", env=env_for(url))
    return url


def subject_niks(limit: int = 2000) -> list[str]:
    """Well-formed NIKs of the bench population (bench/.data), for aid complaints."""
    from bench.common import DATA

    files = sorted(DATA.glob("beneficiaries-*.csv"))
    if not files:
        return []
    with files[0].open(encoding="utf-8") as source:
        reader = csv.DictReader(source)
        return [row["nik"] for _, row in zip(range(limit), reader, strict=False)]


async def _count(url: str) -> int:
    from bench.common import connect

    conn = await connect(url)
    try:
        return await conn.fetchval("SELECT max(id) FROM complaint")  # ids only grow
    finally:
        await conn.close()


def _one_round(program: str, args, env: dict, script, url: str) -> list[dict]:
    from bench.common import serving, tree_cpu_seconds
    from bench.cpu_interleaved import postgres_cpu_seconds
    from bench.status_checks import wrk

    results = []
    with serving(program, FLOOR_APP, args, env) as (base, server):
        wrk(base, connections=16, seconds=3, threads=2, script=script())  # warm-up
        for connections in args.connections:
            before = asyncio.run(_count(url))
            cpu = tree_cpu_seconds(server.pid), postgres_cpu_seconds(DATABASE)
            load = os.getloadavg()[0]
            result = wrk(
                base, connections=connections, seconds=args.seconds, threads=2, script=script()
            )
            api = 1e6 * (tree_cpu_seconds(server.pid) - cpu[0]) / max(1, result["requests"])
            pg = 1e6 * (postgres_cpu_seconds(DATABASE) - cpu[1]) / max(1, result["requests"])
            stored = asyncio.run(_count(url)) - before
            results.append(
                {
                    "program": program,
                    "connections": connections,
                    **result,
                    "stored": stored,
                    "stored_per_s": stored / args.seconds,
                    "api_us": api,
                    "pg_us": pg,
                    "load_average": load,
                }
            )
            r = results[-1]
            print(
                f"{program:>6} {connections:>3} conns {r['stored_per_s']:>6.0f}/s "
                f"p50 {r['p50_ms']:>6.1f} ms p99 {r['p99_ms']:>6.1f} ms non-2xx {r['non_2xx']} "
                f"| µs per complaint: api {api:.0f} pg {pg:.0f} | load {load:.1f}",
                flush=True,
            )
    return results


def summarize(rounds: list[dict], levels: list[int]) -> dict:
    from bench.common import real_against_floor

    figures = {
        "complaints/s": lambda r: r["stored_per_s"],
        "p50 ms": lambda r: r["p50_ms"],
        "p99 ms": lambda r: r["p99_ms"],
        "api µs": lambda r: r["api_us"],
        "pg µs": lambda r: r["pg_us"],
    }
    summary: dict = {}
    print(
        f"{'conns':>5} {'figure':>13} {'real median':>12} {'floor median':>13} {'real/floor':>10}"
    )
    for level in levels:
        real = [r for r in rounds if r["program"] == "real" and r["connections"] == level]
        floor = [r for r in rounds if r["program"] == "floor" and r["connections"] == level]
        for name, figure in figures.items():
            rv, fv = [figure(r) for r in real], [figure(r) for r in floor]
            ratio, paired = real_against_floor(rv, fv)
            summary[f"{level}:{name}"] = {
                "real": rv,
                "floor": fv,
                "real/floor": ratio,
                "paired": paired,
            }
            print(
                f"{level:>5} {name:>13} {statistics.median(rv):>12.1f} "
                f"{statistics.median(fv):>13.1f} {ratio:>10.2f}  "
                f"real {min(rv):.1f}–{max(rv):.1f}, floor {min(fv):.1f}–{max(fv):.1f}"
            )
    return summary


def main() -> None:
    from bench.common import UNLIMITED, alternating, env_for, floor_api_key, parse_floor_args, save
    from bench.complaints import LUA, write_bodies

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 32])
    args = parse_floor_args(parser, seconds=10, rounds=3, port=8769, save_as="intake_floor")

    url = ensure_database()
    env = env_for(url, **UNLIMITED, WORKER_INTERVAL_SECONDS="0", DB_POOL_SIZE="20")
    key = floor_api_key(CHANNEL, url, env)
    workdir = Path(tempfile.mkdtemp(prefix="bansos-intake-floor-"))
    bodies = workdir / "bodies.jsonl"
    write_bodies(bodies, subject_niks())

    def script() -> Path:
        """A wrk script whose Idempotency-Keys no earlier load used (no replays)."""
        path = workdir / f"complaints-{secrets.token_hex(4)}.lua"
        path.write_text(LUA % {"bodies": bodies, "key": key, "run": path.stem})
        return path

    start_count = asyncio.run(_count(url))
    rounds: list[dict] = []
    for program in alternating(args.rounds):
        rounds += _one_round(program, args, env, script, url)
    summary = summarize(rounds, args.connections)
    result = {
        "complaints_at_start": start_count,
        "complaints_at_end": asyncio.run(_count(url)),
        "workers": args.workers,
        "seconds_per_load": args.seconds,
        "rounds": rounds,
        "summary": summary,
    }
    print(f"results: {save(args.save_as, result)}")


if __name__ == "__main__":
    main()
