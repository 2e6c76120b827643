"""The complaint-level export of a million rows: the server's peak memory and rows per second.

    .venv/bin/python bench/export_rows.py            # builds bansos_bench_console_1m if needed

Through the real route (``/console/statistics/complaints.csv``) of a ``bansos serve``
subprocess (one worker, no in-process worker job) on the console benchmark's PostgreSQL
database of 1,000,000 complaints (bench/console_data.py), signed in as its ministry account,
filtered to every complaint filed in the last 400 days. The client streams the body as a
browser downloads it (gzip, as the console compresses it) and throws it away. Meanwhile the
server's resident memory (the process and its children, from /proc) is sampled every 20 ms:
the figure is the peak during the export, beside the resident memory before it and the
process's own high-water mark (``VmHWM``). Target: peak ≤ 150 MB.

Twice: without descriptions, and with them (``description=1&confirm=1``), the heavier rows.
The row count is the audit row's, written by the server when the last row has left.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    REDIS_URL,
    UNLIMITED,
    _tree_rss_bytes,
    connect,
    env_for,
    prewarm,
    save,
    trees,
    wait_ready,
)
from bench.console_data import ensure_database  # noqa: E402
from bench.console_pages import sign_in  # noqa: E402

TARGET_MB = 150
MB = 1024 * 1024


def start_server(db_url: str, port: int) -> subprocess.Popen:
    env = env_for(db_url, **UNLIMITED, WORKER_INTERVAL_SECONDS="0", REDIS_URL=REDIS_URL)
    tree = trees(None)[0]
    tree.verify(env)
    # This branch's migrations (the export's audit table) on the reused database.
    tree.run("migrate", env=env)
    asyncio.run(_ensure_audit_table(db_url))
    process = tree.popen(
        "serve", "--port", str(port), "--workers", "1", env=env, stdout=subprocess.DEVNULL
    )
    wait_ready(f"http://127.0.0.1:{port}")
    return process


async def _ensure_audit_table(db_url: str) -> None:
    """The bench databases are shared by every branch's benchmarks: another branch's
    migration of the same number may have been applied in place of this one's, leaving the
    audit table out. Then it is created from the model (the same DDL as the migration)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from api.models import ComplaintExportAudit

    engine = create_async_engine(db_url.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(ComplaintExportAudit.__table__.create, checkfirst=True)
    finally:
        await engine.dispose()


def high_water_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def audited_rows(db_url: str) -> tuple[int | None, bool]:
    conn = await connect(db_url)
    try:
        row = await conn.fetchrow(
            "SELECT rows, descriptions FROM complaint_export_audit ORDER BY id DESC LIMIT 1"
        )
        return row["rows"], row["descriptions"]
    finally:
        await conn.close()


def export_once(client: httpx.Client, server_pid: int, query: str) -> dict:
    """One export, streamed and discarded, with the server's memory sampled throughout."""
    before = _tree_rss_bytes(server_pid)
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, _tree_rss_bytes(server_pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = size = 0
    started = time.perf_counter()
    first_byte = None
    with client.stream("GET", f"/console/statistics/complaints.csv?{query}") as response:
        if response.status_code != 200:
            raise SystemExit(f"export refused: {response.status_code} {response.read()[:300]}")
        for chunk in response.iter_bytes():
            if first_byte is None:
                first_byte = time.perf_counter() - started
            lines += chunk.count(b"\n")
            size += len(chunk)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return {
        "query": query,
        "seconds": round(elapsed, 1),
        "first_byte_seconds": round(first_byte or 0.0, 2),
        "lines": lines,
        "megabytes": round(size / MB, 1),
        "rss_before_mb": round(before / MB, 1),
        "rss_peak_mb": round(peak / MB, 1),
        "rss_growth_mb": round((peak - before) / MB, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument("--days", type=int, default=400, help="the filter's period, to today")
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    parser.add_argument("--save-as", default="issue14/export_rows", help="bench/results/NAME")
    args = parser.parse_args()

    db_url = ensure_database("1m", rebuild=args.rebuild)
    prewarm(db_url, ("complaint",))
    process = start_server(db_url, args.port)
    results = []
    try:
        client = sign_in(f"http://127.0.0.1:{args.port}", "bench-ministry")
        client.timeout = httpx.Timeout(600)
        today = date.today()
        period = f"from={(today - timedelta(days=args.days)).isoformat()}&to={today.isoformat()}"
        for query in (period, f"{period}&description=1&confirm=1"):
            result = export_once(client, process.pid, query)
            rows, descriptions = asyncio.run(audited_rows(db_url))
            result.update(
                rows=rows,
                descriptions=descriptions,
                rows_per_second=round(rows / result["seconds"]) if rows else None,
            )
            results.append(result)
            print(result, flush=True)
        high_water = high_water_mb(process.pid)
        client.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    lines = [
        "| export | rows | CSV MB | seconds | rows/s | RSS before | RSS peak | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        kind = "with descriptions" if result["descriptions"] else "without descriptions"
        verdict = "met" if result["rss_peak_mb"] <= TARGET_MB else "missed"
        lines.append(
            f"| {kind} | {result['rows']:,} | {result['megabytes']} | {result['seconds']} "
            f"| {result['rows_per_second']:,} | {result['rss_before_mb']} MB "
            f"| {result['rss_peak_mb']} MB | ≤ {TARGET_MB} MB: {verdict} |"
        )
    table = "\n".join(lines)
    print(table)
    print(f"server VmHWM (whole life, start-up included): {high_water:.1f} MB")
    path = save(
        args.save_as,
        {
            "database": "bansos_bench_console_1m",
            "target_peak_mb": TARGET_MB,
            "server_high_water_mb": round(high_water, 1),
            "exports": results,
            "markdown": table,
        },
    )
    print(f"saved {path}")


if __name__ == "__main__":
    main()
