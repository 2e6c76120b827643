"""The least time any beneficiary import can take here, against the COPY yardstick.

    .venv/bin/python bench/import_floor.py [--rows 1000000]

Issue 2 asks the import for at least 25 % of the rows/s of ``COPY`` of the same file into a
plain table. This measures the parts no import can skip, each on its own, so the target can
be compared with the least they add up to (a diagnostic, not a target):

- **Python's share**: reading the CSV and the protection the registry promises (a copy of
  the database reveals no NIK and no full name): the four keyed BLAKE2b digests (NIK, name,
  family card, row fingerprint) and the one AES-256-GCM ciphertext per person, with the
  project's own ``Protector``. No NIK rules, no region check, no encoding: the real import
  does all of that on top.
- **PostgreSQL's share**: the rows already checked and encoded (in memory, untimed), sent
  through the importer's own writer (binary COPY into ``beneficiary`` with its indexes) into
  a freshly migrated database; then the same payloads the cheapest way PostgreSQL can take
  them, a bulk load: COPY into a table of the same columns without indexes, then building
  its three indexes (one process, no parallel workers: there are no spare cores). Its CPU is
  read from /proc.

The machine has ``os.cpu_count()`` cores shared by everything, so no import can finish
before (Python's CPU + PostgreSQL's CPU) / cores: that is if both split perfectly over every
core, nothing else ran, and nothing at all were spent between them.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import save  # noqa: E402
from bench.cpu_per_request import cpu_seconds  # noqa: E402
from bench.registry import copy_plain, fresh_registry, population_files  # noqa: E402

FLOOR_DB = "bansos_bench_floor"


def python_share(path: Path) -> float:
    """CPU seconds of one process reading the file and protecting every row."""
    from api.domain.protection import Protector

    protector = Protector(hash_key=os.urandom(32), data_key=os.urandom(32))
    started = time.process_time()
    with path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        for row in reader:
            nik, no_kk, name = row[0], row[1], row[2]
            protector.nik_hash(nik)
            protector.name_hash(name)
            protector.kk_hash(no_kk)
            protector.fingerprint(*row)
            protector.seal_identity(nik, name, no_kk)
    return time.process_time() - started


_BULK_TABLE = "floor_bulk_load"
_BULK_INDEXES = (
    f"ALTER TABLE {_BULK_TABLE} ADD PRIMARY KEY (id)",
    f"ALTER TABLE {_BULK_TABLE} ADD UNIQUE (nik_hash)",
    f"CREATE INDEX ON {_BULK_TABLE} (kk_hash)",
)


def checked_payloads(path: Path) -> list:
    """Every chunk of the file as the importer's workers hand it to the writer."""
    from api.domain.eligibility import default_rules
    from api.domain.protection import Protector
    from api.domain.regions import region_codes
    from api.domain.registry_import.copy_binary import BeneficiaryEncoder
    from api.domain.registry_import.importer import CHUNK_ROWS
    from api.domain.registry_import.reading import checked_chunks
    from api.domain.registry_import.rows import BENEFICIARY_COLUMNS, BeneficiaryRowChecker

    checker = BeneficiaryRowChecker(
        protector=Protector(hash_key=os.urandom(32), data_key=os.urandom(32)),
        regions=region_codes(),
        rules=default_rules(),
        unloaded_districts=frozenset(),
    )
    chunks = checked_chunks(
        path,
        BENEFICIARY_COLUMNS,
        checker,
        chunk_rows=CHUNK_ROWS,
        collect=BeneficiaryEncoder().chunk,
    )
    return [chunk.batch for chunk in chunks]


async def _bench_connection(engine):
    """A connection of the floor's engine with the staging tables and its backend's pid."""
    from sqlalchemy import text

    from api.domain.registry_import import staging

    conn = await engine.connect()
    await staging.prepare(conn)
    backend = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    await conn.execute(text("SET max_parallel_maintenance_workers = 0"))
    await conn.commit()
    return conn, backend


async def importer_writer_share(engine, batches: list) -> tuple[float, float]:
    """Wall and PostgreSQL CPU seconds of the importer's own (incremental) writer."""
    from api.domain.registry_import import staging

    conn, backend = await _bench_connection(engine)
    try:
        writer = staging.BeneficiaryCopyWriter()
        cpu_before, started = cpu_seconds([backend]), time.perf_counter()
        for batch in batches:
            async with conn.begin():
                await writer(conn, batch)
        return time.perf_counter() - started, cpu_seconds([backend]) - cpu_before
    finally:
        await conn.close()


async def bulk_load_share(engine, batches: list) -> tuple[float, float]:
    """Wall and PostgreSQL CPU seconds of the cheapest way PostgreSQL takes the checked
    chunks: COPY into a table without indexes, then its three indexes."""
    from sqlalchemy import text

    from api.domain.registry_import import staging

    conn, backend = await _bench_connection(engine)
    try:
        await conn.execute(
            text(f"CREATE TABLE {_BULK_TABLE} (LIKE beneficiary INCLUDING DEFAULTS)")
        )
        await conn.commit()
        cpu_before, started = cpu_seconds([backend]), time.perf_counter()
        async with conn.begin():
            for batch in batches:
                await staging._copy_payload(conn, _BULK_TABLE, batch.payload)
            for statement in _BULK_INDEXES:
                await conn.execute(text(statement))
        bulk = time.perf_counter() - started, cpu_seconds([backend]) - cpu_before
        await conn.execute(text(f"DROP TABLE {_BULK_TABLE}"))
        await conn.commit()
        return bulk
    finally:
        await conn.close()


async def postgres_share(url: str, batches: list, *, parts=("importer", "bulk_load")) -> dict:
    """Wall and PostgreSQL CPU seconds of writing the checked chunks, with the importer's
    own writer and as a bulk load."""
    from api.db import create_engine

    engine = create_engine(url)
    measures = {"importer": importer_writer_share, "bulk_load": bulk_load_share}
    try:
        return {part: await measures[part](engine, batches) for part in parts}
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    beneficiaries, _ = population_files(args.rows)
    url = fresh_registry(FLOOR_DB)
    copies = [asyncio.run(copy_plain(url, beneficiaries)) for _ in range(3)]
    copy_seconds = statistics.median(copies)
    python_cpu = python_share(beneficiaries)
    batches = checked_payloads(beneficiaries)
    shares = asyncio.run(postgres_share(url, batches))
    cores = os.cpu_count() or 1
    target_seconds = copy_seconds / 0.25
    result = {
        "rows": args.rows,
        "copy_seconds": [round(s, 3) for s in copies],
        "target_import_seconds": round(target_seconds, 2),
        "python_share_cpu_seconds": round(python_cpu, 2),
        "cores": cores,
    }
    print(
        f"COPY {copy_seconds:.2f} s (median of {', '.join(f'{s:.2f}' for s in copies)}), so "
        f"25 % of its rows/s is an import of {target_seconds:.2f} s\n"
        f"Python, reading + 4 keyed hashes + 1 AES-GCM per row: {python_cpu:.2f} s CPU "
        f"({1e6 * python_cpu / args.rows:.2f} µs/row)"
    )
    for name, (pg_wall, pg_cpu) in shares.items():
        # The most generous bound: both shares split perfectly over every core (PostgreSQL's
        # over several connections too), no other work at all, no overhead between them.
        floor_seconds = (python_cpu + pg_cpu) / cores
        result[name] = {
            "postgres_wall_seconds": round(pg_wall, 2),
            "postgres_cpu_seconds": round(pg_cpu, 2),
            "floor_import_seconds": round(floor_seconds, 2),
            "floor_vs_copy": round(copy_seconds / floor_seconds, 3),
        }
        print(
            f"PostgreSQL, {name.replace('_', ' ')}: {pg_wall:.2f} s wall, {pg_cpu:.2f} s CPU "
            f"({1e6 * pg_cpu / args.rows:.2f} µs/row); least possible import on {cores} "
            f"cores: {floor_seconds:.2f} s = {copy_seconds / floor_seconds:.3f} of COPY "
            f"(target 0.25)"
        )
    print(f"results: {save('import_floor', result)}")


if __name__ == "__main__":
    main()
