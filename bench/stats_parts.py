"""The statistics pages' parts in process: read from the coarser rollups against the same read
from ``stat_count`` alone, side by side in one run (issue 14).

    .venv/bin/python bench/stats_parts.py [--sizes 50k,5mx] [--repeat 5]

For each database of bench/stats_data.py (``5mx``: bench/stats_scaled.py's) and each period —
the pages' default (the last 30 days), the last complete month, a whole year — the
application calls a page makes, timed (median of ``--repeat``) twice, alternately: as the
product reads them (the smallest rollup that covers the filter, whole spans) and with the
rollups switched off (every figure summed from ``stat_count``, as before the rollups):

- ``overview``: the key figures of the period and the one before, the trend, the regions
  and the kab/kota tables (``api.application.statistics.overview``);
- ``offices``: the offices' league table;
- ``categories``: the categories' table.

Prints a markdown table and writes bench/results/stats_parts.json. The page's own time
(sign-in, template, chart) comes on top: bench/stats_pages.py measures whole pages.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_ENV, REDIS_URL, database_url, save  # noqa: E402


def periods(today: date) -> dict[str, tuple[date, date]]:
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    return {
        "last 30 days": (today - timedelta(days=29), today),
        "last month": (last_month_end.replace(day=1), last_month_end),
        "last 365 days": (today - timedelta(days=364), today),
    }


async def measure(label: str, repeat: int) -> list[dict]:
    import os

    os.environ.update({**BENCH_ENV, "REDIS_URL": REDIS_URL})
    os.environ["DATABASE_URL"] = database_url(_database(label))
    from api.application import statistics as app
    from api.domain.statistics import queries
    from api.domain.statistics.queries import StatFilter
    from api.services import Services
    from api.settings import Settings

    services = Services.build(Settings())
    async with services.engine.connect() as conn:
        newest = (await conn.exec_driver_sql("SELECT max(day) FROM stat_count")).scalar()
    parts = {
        "overview": lambda where: app.overview(services, where, locale="id"),
        "offices": lambda where: app.offices(services, where, locale="id"),
        "categories": lambda where: app.categories(services, where, locale="id"),
    }
    # As the product reads, and with no rollup covering anything (all from stat_count).
    choosers = {"rollups": queries.rollups.covering, "stat_count": lambda wanted: None}
    results = []
    try:
        for period, (start, end) in periods(newest).items():
            where = StatFilter(start=start, end=end)
            for part, call in parts.items():
                timings: dict[str, list[float]] = {"rollups": [], "stat_count": []}
                await call(where)  # warm the caches and the pool
                for _ in range(repeat):
                    for how in timings:
                        with mock.patch.object(queries.rollups, "covering", choosers[how]):
                            started = time.perf_counter()
                            await call(where)
                            timings[how].append((time.perf_counter() - started) * 1000)
                row = {
                    "size": label,
                    "period": period,
                    "part": part,
                    "rollups_ms": statistics.median(timings["rollups"]),
                    "stat_count_ms": statistics.median(timings["stat_count"]),
                }
                results.append(row)
                print(
                    f"| {label} | {period} | {part} | {row['rollups_ms']:.1f} | "
                    f"{row['stat_count_ms']:.1f} | "
                    f"{row['stat_count_ms'] / row['rollups_ms']:.1f}× |",
                    flush=True,
                )
    finally:
        await services.close()
    return results


def _database(label: str) -> str:
    return "bansos_bench_stats_5mx" if label == "5mx" else f"bansos_bench_stats_{label}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50k")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| size | period | part | rollups ms | stat_count ms | speed-up |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    results = []
    for label in args.sizes.split(","):
        results += asyncio.run(measure(label, args.repeat))
    save("stats_parts", {"repeat": args.repeat, "results": results})


if __name__ == "__main__":
    main()
