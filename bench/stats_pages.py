"""The statistics pages at 5,000,000 complaints against the same at 50,000 (issue 14).

    .venv/bin/python bench/stats_pages.py [--requests 100] [--warm-up 10] [--rounds 2]
        [--sizes 50k,5mx]

The databases of bench/stats_data.py (a year of timelines, counted into ``stat_count``
by ``bansos stats rebuild``): ``50k`` and ``5m`` (built when missing: many hours), or
``5mx``, the 50k's timelines cloned ×100 into ``stat_count`` and its rollups by
bench/stats_scaled.py (never built from here: run that first). Each behind its own
``bansos serve`` (one worker, no in-process worker), all up at once; the server, sign-in,
timing and rounds of bench/console_pages.py (ABBA rounds, one request at a time on one
keep-alive connection, so the latency is the server's time plus the loopback floor shown
by ``healthz``). Pages, each for the ministry (the whole country, the default period):

- ``overview``: ``GET /console/statistics`` (key figures against the previous period, the
  trend chart, the regions and kab/kota ranked);
- ``offices``: ``GET /console/statistics/offices`` (the offices' league table and chart);
- ``public``: ``GET /transparansi`` without signing in (cached by the server: the floor a
  cached page costs).

Prints a markdown table (p50/p95 per page and size, the ratio of the larger to the
smaller; targets: ratio of the p95 ≤ 1.2 and p95 ≤ 200 ms at 5m) and writes
bench/results/stats_pages.json. With ``--sizes 50k`` only the absolute figures at 50,000
are measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import save  # noqa: E402
from bench.console_pages import (  # noqa: E402
    Server,
    Target,
    measure,
    percentile,
    sign_in,
    start_server,
    stop_server,
)
from bench.stats_data import ensure_database  # noqa: E402
from bench.stats_scaled import scaled_database  # noqa: E402

RATIO_TARGET = 1.2
P95_TARGET_MS = 200.0
PAGES = (
    ("overview", "ministry", "/console/statistics"),
    ("offices", "ministry", "/console/statistics/offices"),
    ("public", "anonymous", "/transparansi"),
    ("healthz", "anonymous", "/healthz"),
)


def prepare(server: Server) -> None:
    server.clients["ministry"] = sign_in(server.base, "bench-ministry")
    server.clients["anonymous"] = httpx.Client(base_url=server.base, timeout=60)
    server.targets = [Target(kind, role, [url]) for kind, role, url in PAGES]


def summarise(servers: dict[str, Server]) -> list[dict]:
    labels = list(servers)
    rows = []
    for targets in zip(*(servers[label].targets for label in labels), strict=True):
        row: dict = {"page": targets[0].kind, "role": targets[0].role}
        for label, target in zip(labels, targets, strict=True):
            row[label] = {
                "p50_ms": round(statistics.median(target.timings_ms), 1),
                "p95_ms": round(percentile(target.timings_ms, 95), 1),
                "requests": len(target.timings_ms),
                "statuses": {str(k): v for k, v in target.statuses.items()},
                "bytes": target.bytes,
            }
        if len(labels) == 2:
            small, large = labels
            row["ratio_p95"] = round(row[large]["p95_ms"] / row[small]["p95_ms"], 2)
            if row["page"] != "healthz":
                row["ratio_met"] = row["ratio_p95"] <= RATIO_TARGET
        row["p95_met"] = row[labels[-1]]["p95_ms"] <= P95_TARGET_MS
        rows.append(row)
    return rows


def markdown(rows: list[dict], labels: list[str]) -> str:
    head = " | ".join(f"{label} p50 | {label} p95" for label in labels)
    lines = [
        f"| page | {head} | ratio p95 | statuses |",
        "| --- |" + " ---: |" * (2 * len(labels) + 1) + " --- |",
    ]
    for r in rows:
        cells = " | ".join(f"{r[label]['p50_ms']} ms | {r[label]['p95_ms']} ms" for label in labels)
        ratio = f"{r['ratio_p95']}" if "ratio_p95" in r else "–"
        statuses = ", ".join(f"{label}: {r[label]['statuses']}" for label in labels)
        lines.append(f"| {r['page']} | {cells} | {ratio} | {statuses} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warm-up", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sizes", default="50k,5mx", help="50k, 5m (real) or 5mx (scaled)")
    parser.add_argument("--port", type=int, default=8720)
    args = parser.parse_args()
    labels = args.sizes.split(",")
    servers: dict[str, Server] = {}
    try:
        for offset, label in enumerate(labels):
            url = scaled_database() if label == "5mx" else ensure_database(label)
            servers[label] = start_server(label, url, args.port + offset, 6 + offset)
            prepare(servers[label])
        per_round = max(1, args.requests // args.rounds)
        for number in range(args.rounds):
            order = labels if number % 2 == 0 else labels[::-1]
            for label in order:
                measure(servers[label], args.warm_up, per_round)
        rows = summarise(servers)
    finally:
        for server in servers.values():
            stop_server(server)
    print(markdown(rows, labels))
    save(
        "stats_pages",
        {"rows": rows, "targets": {"ratio_p95": RATIO_TARGET, "p95_ms": P95_TARGET_MS}},
    )


if __name__ == "__main__":
    main()
