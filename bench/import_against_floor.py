"""Issue 16: the registry import's two modes against the least time any import can take.

    .venv/bin/python bench/import_against_floor.py [--rows 1000000] [--runs 3]

Each run, on the same file and the same server, one after another:

- **the floor** (``bench/import_floor.py``): Python's share (reading the file, four keyed
  BLAKE2b digests and one AES-256-GCM ciphertext per row) and PostgreSQL's cheapest share
  (COPY of the checked rows into a table without indexes, then its three indexes), in CPU
  seconds; no import can take less than their sum over the machine's cores;
- ``bansos import beneficiaries --replace FILE`` into a freshly migrated, empty registry
  (the bulk mode);
- ``bansos import beneficiaries --replace FILE`` again, now replacing that registry of the
  same size (compared person by person, swapped, the old tables dropped);
- ``bansos import beneficiaries FILE`` into a freshly migrated, empty registry (the
  incremental mode of the monthly updates).

Each import is a separate process: its wall time, the peak RSS of its process tree (the
checking workers included), its CPU and its PostgreSQL backends' CPU. The target is
floor seconds / import seconds ≥ 0.7. The floor is CPU over every core, the imports are
wall clock on a shared machine, so the CPU ratio (floor CPU / import CPU, importer and
PostgreSQL together) is given too: it does not move with other work on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, env_for, machine, measured_child, save  # noqa: E402
from bench.import_floor import checked_payloads, postgres_share, python_share  # noqa: E402
from bench.registry import _drop, fresh_registry, population_files  # noqa: E402

FLOOR_DB = "bansos_bench_floor16"
BULK_DB = "bansos_bench_bulk16"
INCREMENTAL_DB = "bansos_bench_incr16"


def floor(path: Path, rows: int) -> dict:
    url = fresh_registry(FLOOR_DB)
    python_cpu = python_share(path)
    batches = checked_payloads(path)
    _, postgres_cpu = asyncio.run(postgres_share(url, batches, parts=("bulk_load",)))["bulk_load"]
    del batches
    asyncio.run(_drop(FLOOR_DB))
    cores = os.cpu_count() or 1
    return {
        "python_cpu_seconds": round(python_cpu, 2),
        "postgres_cpu_seconds": round(postgres_cpu, 2),
        "cpu_seconds": round(python_cpu + postgres_cpu, 2),
        "seconds": round((python_cpu + postgres_cpu) / cores, 2),
        "cores": cores,
    }


def one_import(path: Path, database: str, *, replace: bool, fresh: bool, rows: int) -> dict:
    env = env_for(fresh_registry(database) if fresh else _url(database))
    command = [str(BIN / "bansos"), "import", "beneficiaries", str(path)]
    if replace:
        command.insert(3, "--replace")
    run = measured_child(command, env, database=database)
    if run.code != 0:
        raise SystemExit(f"import failed ({run.code}): {run.output}")
    return {
        "seconds": round(run.seconds, 2),
        "rows_per_s": round(rows / run.seconds),
        "peak_rss_mb": run.peak_mb,
        "importer_cpu_seconds": round(run.cpu_seconds, 2),
        "postgres_cpu_seconds": round(run.database_cpu_seconds, 2),
        "output": run.output.strip(),
    }


def _url(database: str) -> str:
    from bench.common import database_url

    return database_url(database)


def floor_in_a_child(rows: int) -> dict:
    """The floor measured in a process of its own: it holds every checked chunk in memory,
    and a process forked from one that did would report that peak as its own (Linux keeps a
    parent's peak RSS across fork and exec), charging it to the imports."""
    child = subprocess.run(
        [sys.executable, __file__, "--rows", str(rows), "--floor-only"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.splitlines()[-1])


def one_run(path: Path, rows: int) -> dict:
    result = {"floor": floor_in_a_child(rows)}
    result["replace_empty"] = one_import(path, BULK_DB, replace=True, fresh=True, rows=rows)
    result["replace_full"] = one_import(path, BULK_DB, replace=True, fresh=False, rows=rows)
    result["incremental_empty"] = one_import(
        path, INCREMENTAL_DB, replace=False, fresh=True, rows=rows
    )
    for name in ("replace_empty", "replace_full", "incremental_empty"):
        mode = result[name]
        mode["vs_floor"] = round(result["floor"]["seconds"] / mode["seconds"], 3)
        mode["cpu_vs_floor"] = round(
            result["floor"]["cpu_seconds"]
            / (mode["importer_cpu_seconds"] + mode["postgres_cpu_seconds"]),
            3,
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--floor-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path, _ = population_files(args.rows)
    if args.floor_only:
        print(json.dumps(floor(path, args.rows)))
        return
    runs = []
    for number in range(1, args.runs + 1):
        run = one_run(path, args.rows)
        runs.append(run)
        f = run["floor"]
        print(
            f"run {number}: floor {f['seconds']:.2f} s (Python {f['python_cpu_seconds']:.2f} + "
            f"PostgreSQL {f['postgres_cpu_seconds']:.2f} CPU s over {f['cores']} cores)"
        )
        for name in ("replace_empty", "replace_full", "incremental_empty"):
            m = run[name]
            print(
                f"  {name:<18} {m['seconds']:6.2f} s {m['rows_per_s']:>8} rows/s  "
                f"floor/import {m['vs_floor']:.3f}  by CPU {m['cpu_vs_floor']:.3f}  "
                f"(importer {m['importer_cpu_seconds']:.2f} + PostgreSQL "
                f"{m['postgres_cpu_seconds']:.2f} CPU s)  peak {m['peak_rss_mb']} MB"
            )
    for database in (BULK_DB, INCREMENTAL_DB):
        asyncio.run(_drop(database))
    summary = {
        name: {
            "vs_floor": [r[name]["vs_floor"] for r in runs],
            "median_vs_floor": statistics.median(r[name]["vs_floor"] for r in runs),
            "median_rows_per_s": statistics.median(r[name]["rows_per_s"] for r in runs),
            "max_peak_rss_mb": max(r[name]["peak_rss_mb"] for r in runs),
        }
        for name in ("replace_empty", "replace_full", "incremental_empty")
    }
    print(f"load average at the end: {os.getloadavg()}")
    path = save(
        "import_against_floor",
        {"rows": args.rows, "machine": machine(), "runs": runs, "summary": summary},
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
