"""Registry import vs PostgreSQL COPY of the same file, and the benchmark registry itself.

    .venv/bin/python bench/registry.py [--rows 1000000] [--also 100000] [--keep-as NAME]

For each size: generates (once, cached in bench/.data/) a beneficiaries CSV of exactly that
many synthetic people; times `COPY … FROM STDIN (FORMAT csv)` of the file into a plain
all-text table; then, side by side on the same server, times `bansos import beneficiaries`
of the same file into a freshly migrated database (a separate process, whose own peak RSS is
read with wait4), and a second, no-op re-import. The largest run's database is kept as
`bansos_bench` (with disbursements imported too) for bench/status_checks.py; `--keep-as`
names another database, so the importer can be measured while others benchmark against
`bansos_bench` (which is then left alone).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BIN,
    DATA,
    bansos,
    connect,
    database_exists,
    database_url,
    env_for,
    recreate_database,
    save,
    timed_child,
)

#: Another name keeps a run apart from someone else's benchmarks on the same server.
BENCH_DB = os.environ.get("BANSOS_BENCH_REGISTRY_DB", "bansos_bench")


def population_files(people: int) -> tuple[Path, Path]:
    """Exactly ``people`` beneficiaries (and their families' disbursements), cached."""
    from api.domain.pilot_config import load_pilot_config
    from api.domain.regions import region_codes
    from demo import population

    DATA.mkdir(parents=True, exist_ok=True)
    beneficiaries = DATA / f"beneficiaries-{people}.csv"
    disbursements = DATA / f"disbursements-{people}.csv"
    if beneficiaries.exists() and disbursements.exists():
        return beneficiaries, disbursements
    regions = region_codes()
    districts = [
        d.code for r in load_pilot_config().regencies for d in regions.districts_of(r.code)
    ]
    written = 0
    partial_b, partial_d = beneficiaries.with_suffix(".part"), disbursements.with_suffix(".part")
    with partial_b.open("w", newline="") as bf, partial_d.open("w", newline="") as df:
        bw, dw = csv.writer(bf, lineterminator="\n"), csv.writer(df, lineterminator="\n")
        bw.writerow(population.BENEFICIARY_COLUMNS)
        dw.writerow(population.DISBURSEMENT_COLUMNS)
        # Far more families than needed: the generator is lazy and we stop at `people`.
        for family in population.generate_population(
            district_codes=districts, families=people, seed=2026
        ):
            rows = list(family.beneficiary_values())[: people - written]
            bw.writerows(rows)
            kept = {row[0] for row in rows}
            dw.writerows([d.values() for d in family.disbursements if d.values()[0] in kept])
            written += len(rows)
            if written >= people:
                break
    partial_b.rename(beneficiaries)
    partial_d.rename(disbursements)
    return beneficiaries, disbursements


async def copy_plain(url: str, path: Path) -> float:
    """Seconds to COPY the CSV into a plain all-text table (the yardstick)."""
    conn = await connect(url)
    try:
        await conn.execute("DROP TABLE IF EXISTS copy_yardstick")
        await conn.execute(
            "CREATE TABLE copy_yardstick (nik text, no_kk text, nama text, "
            "kode_wilayah text, desil text, program text, keterangan text)"
        )
        started = time.perf_counter()
        await conn.copy_to_table("copy_yardstick", source=path, format="csv", header=True)
        elapsed = time.perf_counter() - started
        await conn.execute("DROP TABLE copy_yardstick")
        return elapsed
    finally:
        await conn.close()


def fresh_registry(name: str) -> str:
    url = recreate_database(name)
    env = env_for(url)
    bansos("migrate", env=env)
    bansos("load-reference", env=env)
    return url


def measure(people: int, *, keep_as: str | None) -> dict:
    beneficiaries, disbursements = population_files(people)
    url = fresh_registry(keep_as or f"bansos_bench_{people}")
    env = env_for(url)
    copy_seconds = asyncio.run(copy_plain(url, beneficiaries))
    command = [str(BIN / "bansos"), "import", "beneficiaries", str(beneficiaries)]
    import_seconds, peak_mb, code, output = timed_child(command, env)
    if code != 0:
        raise SystemExit(f"import failed ({code}): {output}")
    again_seconds, again_peak_mb, _, again_output = timed_child(command, env)
    result = {
        "rows": people,
        "file_mb": round(beneficiaries.stat().st_size / 1e6, 1),
        "copy_seconds": round(copy_seconds, 2),
        "copy_rows_per_s": round(people / copy_seconds),
        "import_seconds": round(import_seconds, 2),
        "import_rows_per_s": round(people / import_seconds),
        "import_vs_copy": round(copy_seconds / import_seconds, 3),
        "import_peak_rss_mb": peak_mb,
        "reimport_seconds": round(again_seconds, 2),
        "reimport_rows_per_s": round(people / again_seconds),
        "reimport_peak_rss_mb": again_peak_mb,
        "import_output": output.strip(),
        "reimport_output": again_output.strip(),
    }
    if keep_as:
        seconds, _, code, output = timed_child(
            [str(BIN / "bansos"), "import", "disbursements", str(disbursements)], env
        )
        result["disbursement_import"] = {"seconds": round(seconds, 2), "output": output.strip()}
    else:
        asyncio.run(_drop(f"bansos_bench_{people}"))
    return result


async def _drop(name: str) -> None:
    from bench.common import _admin

    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ensure_registry(people: int) -> tuple[str, Path]:
    """The `bansos_bench` database with ``people`` beneficiaries and their disbursements."""
    beneficiaries, disbursements = population_files(people)
    marker = DATA / f"{BENCH_DB}.people"
    if (
        asyncio.run(database_exists(BENCH_DB))
        and marker.exists()
        and marker.read_text() == str(people)
    ):
        return database_url(BENCH_DB), beneficiaries
    url = fresh_registry(BENCH_DB)
    env = env_for(url)
    for kind, path in (("beneficiaries", beneficiaries), ("disbursements", disbursements)):
        seconds, _, code, output = timed_child(
            [str(BIN / "bansos"), "import", kind, str(path)], env
        )
        print(f"imported {kind} in {seconds:.1f}s: {output.strip()}")
    marker.write_text(str(people))
    return url, beneficiaries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--keep-as",
        default=BENCH_DB,
        help=f"database kept with the largest run's registry (dropped and recreated first; "
        f"default {BENCH_DB}, the one the other benchmarks use)",
    )
    parser.add_argument(
        "--also",
        type=int,
        nargs="*",
        default=[100_000],
        help="smaller sizes, to show peak memory does not grow with the file",
    )
    args = parser.parse_args()
    runs = [measure(size, keep_as=None) for size in args.also]
    runs.append(measure(args.rows, keep_as=args.keep_as))
    # The marker says how many people the kept database holds (ensure_registry reads it).
    (DATA / f"{args.keep_as}.people").write_text(str(args.rows))
    path = save("registry_import", {"runs": runs})
    print(
        f"{'rows':>9} {'COPY rows/s':>12} {'import rows/s':>14} {'ratio':>6} "
        f"{'peak RSS':>9} {'re-import rows/s':>17}"
    )
    for r in runs:
        print(
            f"{r['rows']:>9} {r['copy_rows_per_s']:>12} {r['import_rows_per_s']:>14} "
            f"{r['import_vs_copy']:>6.2f} {r['import_peak_rss_mb']:>7}MB "
            f"{r['reimport_rows_per_s']:>17}"
        )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
