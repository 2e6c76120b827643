"""Each part of a console queue page, timed in process at 10,000 and 1,000,000 complaints.

    .venv/bin/python bench/console_parts.py [--repeat 30]

Where ``bench/console_pages.py`` times whole pages over HTTP, this calls the domain
functions a queue page is made of — the listing, the tab counts, the live bar's stamp, the
complaint page's "next" link — for the handler, coordinator and ministry accounts of the
databases ``bench/console_data.py`` built, and prints the median and p95 of each, so a
regression can be pinned to its part. Both databases must exist (run console_pages.py or
console_data.py first).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database_url, env_for  # noqa: E402
from bench.console_data import ACCOUNTS, database_name  # noqa: E402


async def measure(label: str, repeat: int) -> list[tuple[str, str, float, float]]:
    url = database_url(database_name(label))
    os.environ.update(env_for(url))
    from sqlalchemy import select

    from api.domain.complaints import console_queue, watching
    from api.domain.complaints.queue_filter import QueueFilter, Tab
    from api.domain.staff import StaffMember
    from api.domain.vocabulary import Role
    from api.models import Complaint, Staff
    from api.services import Services
    from api.settings import Settings

    services = Services.build(Settings())
    results = []
    try:
        async with services.engine.connect() as conn:
            staff = {row.username: row for row in await conn.execute(select(Staff.__table__))}
            c = Complaint.__table__.c
            sample = (
                await conn.execute(
                    select(c.id, c.next_due).where(c.office_code == ACCOUNTS[0][2]).limit(1)
                )
            ).one()
        flt = QueueFilter(tab=Tab.NEW, limit=50)
        for username, role, office in ACCOUNTS:
            row = staff[username]
            member = StaffMember(
                id=row.id,
                username=username,
                display_name=row.display_name,
                role=Role(role),
                office_code=office,
                # Banyuwangi's region; the coordinator's desk is that region's.
                region_code="WK4" if office else None,
            )
            parts = {
                "listing": lambda m=member: console_queue.queue_page(
                    services.engine, m, flt, calendar=services.calendar, cursor_key=b"k" * 32
                ),
                "tab counts": lambda m=member: console_queue.tab_counts(
                    services.engine, m, flt, calendar=services.calendar
                ),
                "live stamp": lambda m=member: watching.watch(
                    services.engine, m, watching.WatchedList.QUEUE, since=datetime.now(UTC)
                ),
                "next link": lambda m=member: console_queue.following(
                    services.engine, m, after=(sample.next_due, sample.id)
                ),
            }
            for part, call in parts.items():
                for _ in range(3):
                    await call()
                times = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    await call()
                    times.append((time.perf_counter() - start) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                results.append((username, part, statistics.median(times), p95))
    finally:
        await services.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sizes", nargs="+", default=["10k", "1m"])
    args = parser.parse_args()
    table: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
    for label in args.sizes:
        for username, part, p50, p95 in asyncio.run(measure(label, args.repeat)):
            table.setdefault((username, part), {})[label] = (p50, p95)
    print("| account | part | " + " | ".join(f"{s} p50 | {s} p95" for s in args.sizes) + " |")
    print("| --- | --- | " + " | ".join("---: | ---:" for _ in args.sizes) + " |")
    for (username, part), by_size in table.items():
        cells = " | ".join(
            f"{by_size[s][0]:.1f} ms | {by_size[s][1]:.1f} ms" for s in args.sizes if s in by_size
        )
        print(f"| {username} | {part} | {cells} |")


if __name__ == "__main__":
    main()
