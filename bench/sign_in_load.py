"""Does a sign-in storm stall the api? /healthz latency idle and during 32 concurrent sign-ins.

    .venv/bin/python bench/sign_in_load.py [--seconds 15] [--concurrency 32]

Builds the database `bansos_bench_sign_in` (migrations, reference data, one staff account per
concurrent client), serves the api with `bansos serve --workers 1` (one event loop: the
worst case) and measures /healthz one request after another, from a process of its own,
first idle, then while ``--concurrency`` clients sign in again and again with the right
password (each its own account, so the throttle never refuses them and every attempt costs
a full scrypt). The target (security issue 12, finding 3): the median under load within 2x
of idle.

Last, the guessing rate one client gets against one account with a wrong password, as fast as
it can for ``--seconds``: how many passwords were checked, how many refused unchecked.
Results go to bench/results/sign_in_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, bansos, env_for, recreate_database, save, wait_ready  # noqa: E402

DATABASE = "bansos_bench_sign_in"
PASSWORD = "kata-sandi-bench-yang-panjang"


async def create_accounts(db_url: str, count: int) -> list[str]:
    from api.db import create_engine
    from api.domain.staff import create_staff
    from api.domain.vocabulary import Role

    engine = create_engine(db_url)
    names = [f"bench{i}" for i in range(count)]
    try:
        for name in names:
            await create_staff(
                engine,
                username=name,
                display_name=name,
                password=PASSWORD,
                role=Role.MINISTRY,
                office_code="NASIONAL",
            )
    finally:
        await engine.dispose()
    return names


def health_latencies(base: str, seconds: float) -> list[float]:
    """/healthz one request after another for ``seconds``, in a process of its own so the
    sign-in clients' event loop adds nothing to what it measures."""
    latencies = []
    stop_at = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=60) as http:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = http.get("/healthz")
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            time.sleep(0.01)  # a prober, not a load
    return latencies


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "max_ms": round(ordered[-1], 2),
    }


async def measure(base: str, accounts: list[str], seconds: float) -> dict:
    loop = asyncio.get_running_loop()
    prober = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        idle = await loop.run_in_executor(prober, health_latencies, base, seconds)

        signed_in = 0
        statuses: dict[int, int] = {}
        refusals: set[str] = set()

        async def sign_in_again_and_again(username: str) -> None:
            nonlocal signed_in
            while not stop.is_set():
                answer = await http.post(
                    "/api/v1/staff/sessions", json={"username": username, "password": PASSWORD}
                )
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
                signed_in += answer.status_code == 201
                if answer.status_code != 201:
                    refusals.add(answer.json()["error"]["code"])

        stop = asyncio.Event()
        clients = [asyncio.create_task(sign_in_again_and_again(name)) for name in accounts]
        await asyncio.sleep(1)  # the storm is on
        loaded = await loop.run_in_executor(prober, health_latencies, base, seconds)
        stop.set()
        await asyncio.gather(*clients)
        prober.shutdown()

        stop = asyncio.Event()
        guesses: dict[int, int] = {}

        async def guess() -> None:
            while not stop.is_set():
                answer = await http.post(
                    "/api/v1/staff/sessions",
                    json={"username": accounts[0], "password": "salah-salah-salah"},
                )
                guesses[answer.status_code] = guesses.get(answer.status_code, 0) + 1

        guesser = asyncio.create_task(guess())
        await asyncio.sleep(seconds)
        stop.set()
        await guesser

    idle_summary, loaded_summary = summary(idle), summary(loaded)
    return {
        "healthz_idle": idle_summary,
        "healthz_during_sign_ins": loaded_summary,
        "median_ratio": round(loaded_summary["median_ms"] / idle_summary["median_ms"], 2),
        "concurrent_sign_ins": len(accounts),
        "sign_ins_per_second": round(signed_in / (seconds + 1), 1),
        "sign_in_statuses": statuses,
        "sign_in_refusals": sorted(refusals),
        "one_account_guessed_for_seconds": seconds,
        "guesses_checked": guesses.get(401, 0),
        "guesses_refused_unchecked": guesses.get(429, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--port", type=int, default=8097)
    args = parser.parse_args()

    db_url = recreate_database(DATABASE)
    env = env_for(db_url, WORKER_INTERVAL_SECONDS="0")
    bansos("migrate", env=env)
    bansos("load-reference", env=env)
    accounts = asyncio.run(create_accounts(db_url, args.concurrency))
    import redis

    store = redis.Redis.from_url(env["REDIS_URL"])
    for key in store.scan_iter("signin:*"):  # a previous run's failures
        store.delete(key)

    server = subprocess.Popen(
        [str(BIN / "bansos"), "serve", "--port", str(args.port), "--workers", "1"],
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_ready(base)
        result = asyncio.run(measure(base, accounts, args.seconds))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    path = save("sign_in_load", {"seconds": args.seconds, **result})
    print(path.read_text())


if __name__ == "__main__":
    main()
