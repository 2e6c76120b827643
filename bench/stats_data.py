"""The statistics benchmark's databases: 50,000 or 5,000,000 complaints with a year of history.

Built once and kept (``bansos_bench_stats_50k``, ``bansos_bench_stats_5m``) the way the
console benchmark's are (``bench/console_data.py``, whose builder, accounts and complaint
rows this reuses): a database holding the right number of complaints written by this
generator's version is reused; ``--rebuild`` builds it afresh, ``--restat`` recounts its
statistics (after a change to the rebuild), ``--no-recount`` builds without counting them.

On top of the console's complaints (spread over the offices and kecamatan of the 40 pilot
kab/kota and the provincial offices, categories, programmes, 85 % answered over twelve
months, 15 % open, half the closed ones rated 1–5) each complaint gets one of four channels
and a timeline in the shape the application writes it (kinds, ``office_code`` of the office
the event happened at, ``rating`` on rate and reopen, a breach's note = the deadline's name),
inserted in time order so the event ids follow the clock as they do in production:

- ``received`` (the citizen, at the office it was filed with);
- 5 % filed at a triage desk (the region's desk, the national one outside the pilot):
  ``triaged`` a few hours later, by the desk, to the office routing chose;
- ``verify``; 8 % of the verified ones were filed with another office and ``forwarded``
  to theirs soon after;
- a ``breach`` per deadline missed (at the deadline, as the deadline job writes it) and an
  ``escalated`` event where the level rose (verify or follow-up: to the region's desk or,
  outside the pilot, the national desk; resolve: the national desk);
- ``start``, ``request_info`` (waiting for the citizen), ``resolve`` or ``reject``;
- closed ones: ``rate`` with the citizen's rating, or ``close`` by the system; a quarter of
  the rated ones first rated 1 or 2, were ``reopen``-ed at the region's desk, answered there
  again and rated after.

Then the statistics are counted by the real code, ``bansos stats rebuild`` (timed, with its
events per second), and the database analysed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Tree, connect, env_for  # noqa: E402
from bench.console_data import _execute, ensure_built, write_complaints  # noqa: E402

# Bumped whenever the rows this module writes change: an older cached database is rebuilt.
GENERATOR_VERSION = "stats-bench-1"
SIZES = {"50k": 50_000, "5m": 5_000_000}
# Six in ten through Telegram, two on the web form, one each from a partner and the hotline.
CHANNELS = ("telegram",) * 6 + ("web",) * 2 + ("open311-lapor", "callcenter")


def database_name(label: str) -> str:
    return f"bansos_bench_stats_{label}"


def ensure_database(label: str, *, rebuild: bool = False) -> str:
    """The URL of the database for ``label`` (a key of :data:`SIZES`), built if needed."""
    return ensure_built(
        database_name(label), SIZES[label], GENERATOR_VERSION, _fill, rebuild=rebuild
    )


async def _fill(url: str, count: int, env: dict[str, str]) -> None:
    conn = await connect(url)
    try:
        started = time.perf_counter()
        indexes = await _drop_secondary_indexes(conn)
        await write_complaints(conn, count, env, channels=CHANNELS)
        print(f"  complaints written in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        await conn.execute("SET work_mem = '512MB'")
        await conn.execute(_HISTORY)
        await conn.execute(_EVENTS)
        events = await conn.fetchval("SELECT count(*) FROM complaint_event")
        print(f"  {events:,} events written in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '1GB'")
        for definition in indexes:
            await conn.execute(definition)
        print(f"  indexes built in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await conn.close()
    await _execute(url, "VACUUM ANALYZE")
    if "--no-recount" not in sys.argv:  # then count later, with --restat
        await recount(url)


async def _drop_secondary_indexes(conn) -> list[str]:
    """Drop the indexes of ``complaint`` and ``complaint_event`` that back no constraint and
    return their definitions: 5,000,000 rows go in several times faster with the ~20 queue
    indexes built once afterwards than kept up row by row."""
    rows = await conn.fetch(
        """
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i
        WHERE i.indrelid IN ('complaint'::regclass, 'complaint_event'::regclass)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """
    )
    for row in rows:
        await conn.execute(f"DROP INDEX {row['name']}")
    return [row["definition"] for row in rows]


async def recount(url: str) -> float:
    """``bansos stats rebuild`` (this checkout's code) on ``url``, timed."""
    tree = Tree("after", ROOT)
    started = time.perf_counter()
    done = await asyncio.to_thread(tree.run, "stats", "rebuild", env=env_for(url))
    seconds = time.perf_counter() - started
    print(f"  {done.stdout.strip()} in {seconds:.0f} s", flush=True)
    await _execute(url, "VACUUM ANALYZE stat_count")
    return seconds


# One row per complaint: the draws and times its timeline is written from. ``desk`` is the
# office above its own (the region's desk; the national desk outside the pilot).
_HISTORY = """
CREATE TEMP TABLE bench_history AS
WITH drawn AS (
    SELECT c.id, c.created_at AS filed, c.status, c.office_code AS office, c.channel,
           coalesce(c.coordination_region_code, 'NASIONAL') AS desk, c.verified_at,
           c.followed_up_at, c.paused_at, c.answered_at, c.closed_at, c.rating, c.breaches,
           c.verify_due, c.follow_up_due, c.resolve_due,
           random() AS r_triage, random() AS r_forward, random() AS r_reopen,
           random() AS r_hours
    FROM complaint c
)
SELECT d.*,
       CASE WHEN d.r_triage < 0.05
            THEN d.filed + least(make_interval(hours => 1 + floor(d.r_hours * 6)::int),
                                 (coalesce(d.verified_at, now()) - d.filed) / 2)
       END AS triaged_at,
       CASE WHEN d.r_triage >= 0.05 AND d.r_forward < 0.08 AND d.verified_at IS NOT NULL
            THEN d.verified_at + least(interval '1 day',
                     (coalesce(d.followed_up_at, d.paused_at, d.answered_at, now())
                      - d.verified_at) / 2)
       END AS forwarded_at,
       -- the office it was filed with before the forward: another one, drawn by the id
       CASE WHEN o.codes[1 + abs(hashint8(d.id) % cardinality(o.codes))] <> d.office
            THEN o.codes[1 + abs(hashint8(d.id) % cardinality(o.codes))]
            ELSE o.codes[1 + (abs(hashint8(d.id) % cardinality(o.codes)) + 1)
                             % cardinality(o.codes)] END AS first_office,
       CASE WHEN d.closed_at IS NOT NULL AND d.rating IS NOT NULL AND d.r_reopen < 0.25
            THEN d.answered_at + (d.closed_at - d.answered_at) * 0.3 END AS reopened_at,
       -- the deadline job escalates at the first breach that raises the level
       (SELECT min(t) FROM unnest(ARRAY[
            CASE WHEN d.breaches LIKE '%VERIFY%' THEN d.verify_due END,
            CASE WHEN d.breaches LIKE '%FOLLOW_UP%' THEN d.follow_up_due END]) AS t
       ) AS to_region_at,
       CASE WHEN d.breaches LIKE '%RESOLVE%' THEN d.resolve_due END AS to_ministry_at
FROM drawn d
CROSS JOIN (SELECT array_agg(code ORDER BY idx) AS codes FROM bench_office) AS o
"""

# The office an event at time ``t`` happened at: the triage desk before routing, the first
# office before a forward, the region's desk after a reopen, else the complaint's.
_OFFICE_AT = """CASE WHEN h.triaged_at IS NOT NULL AND {t} < h.triaged_at THEN h.desk
     WHEN h.forwarded_at IS NOT NULL AND {t} < h.forwarded_at THEN h.first_office
     WHEN h.reopened_at IS NOT NULL AND {t} >= h.reopened_at THEN h.desk
     ELSE h.office END"""


def _office_at(column: str) -> str:
    return _OFFICE_AT.format(t=column)


_EVENTS = f"""
INSERT INTO complaint_event (complaint_id, at, kind, actor_type, actor, from_status,
                             to_status, office_code, public, note, rating)
SELECT * FROM (
    SELECT id, filed AS at, 'received', 'CITIZEN', channel, NULL, 'RECEIVED',
           {_office_at("h.filed")}, true, NULL, NULL::smallint
    FROM bench_history h
    UNION ALL
    SELECT id, triaged_at, 'triaged', 'STAFF', 'bench-desk', 'RECEIVED', 'RECEIVED', office,
           true, NULL, NULL FROM bench_history h WHERE triaged_at IS NOT NULL
    UNION ALL
    SELECT id, verified_at, 'verify', 'STAFF', 'bench-staff', 'RECEIVED', 'VERIFIED',
           {_office_at("h.verified_at")}, true, NULL, NULL
    FROM bench_history h WHERE verified_at IS NOT NULL
    UNION ALL
    SELECT id, forwarded_at, 'forwarded', 'STAFF', 'bench-staff', 'VERIFIED', 'VERIFIED',
           office, true, 'Bukan wewenang kami; kami teruskan.', NULL
    FROM bench_history h WHERE forwarded_at IS NOT NULL
    UNION ALL
    SELECT id, due, 'breach', 'SYSTEM', 'deadline-job', status, status, {_office_at("due")},
           false, deadline, NULL
    FROM bench_history h
    CROSS JOIN LATERAL (VALUES ('VERIFY', h.verify_due), ('FOLLOW_UP', h.follow_up_due),
                               ('RESOLVE', h.resolve_due)) AS d (deadline, due)
    WHERE h.breaches LIKE '%' || d.deadline || '%'
    UNION ALL
    SELECT id, to_region_at, 'escalated', 'SYSTEM', 'deadline-job', status, status, desk,
           false, NULL, NULL FROM bench_history h WHERE to_region_at IS NOT NULL
    UNION ALL
    SELECT id, to_ministry_at, 'escalated', 'SYSTEM', 'deadline-job', status, status,
           'NASIONAL', false, NULL, NULL FROM bench_history h WHERE to_ministry_at IS NOT NULL
    UNION ALL
    SELECT id, followed_up_at, 'start', 'STAFF', 'bench-staff', 'VERIFIED', 'IN_PROGRESS',
           {_office_at("h.followed_up_at")}, true, NULL, NULL
    FROM bench_history h WHERE followed_up_at IS NOT NULL
    UNION ALL
    SELECT id, paused_at, 'request_info', 'STAFF', 'bench-staff', 'VERIFIED', 'NEEDS_INFO',
           {_office_at("h.paused_at")}, true, 'Mohon kirim foto KKS Anda.', NULL
    FROM bench_history h WHERE paused_at IS NOT NULL
    UNION ALL
    -- the first answer (before a reopen: at the office that gave it)
    SELECT id, answered_at, CASE status WHEN 'REJECTED' THEN 'reject' ELSE 'resolve' END,
           'STAFF', 'bench-staff', 'IN_PROGRESS',
           CASE status WHEN 'REJECTED' THEN 'REJECTED' ELSE 'RESOLVED' END,
           CASE WHEN reopened_at IS NOT NULL THEN office ELSE {_office_at("h.answered_at")} END,
           true, 'Bantuan sudah dicairkan pada tahap berikutnya.', NULL
    FROM bench_history h WHERE answered_at IS NOT NULL
    UNION ALL
    -- a poor first rating reopens it at the region's desk, which answers again
    SELECT id, reopened_at, 'reopen', 'CITIZEN', channel, 'RESOLVED', 'IN_PROGRESS', desk,
           true, NULL, (1 + id % 2)::smallint FROM bench_history h WHERE reopened_at IS NOT NULL
    UNION ALL
    SELECT id, answered_at + (closed_at - answered_at) * 0.6, 'resolve', 'STAFF',
           'bench-region', 'IN_PROGRESS', 'RESOLVED', desk, true,
           'Sudah kami periksa ulang dan bantuan dicairkan.', NULL
    FROM bench_history h WHERE reopened_at IS NOT NULL
    UNION ALL
    SELECT id, closed_at, CASE WHEN rating IS NULL THEN 'close' ELSE 'rate' END,
           CASE WHEN rating IS NULL THEN 'SYSTEM' ELSE 'CITIZEN' END,
           CASE WHEN rating IS NULL THEN 'deadline-job' ELSE channel END, 'RESOLVED', 'CLOSED',
           {_office_at("h.closed_at")}, true, NULL, rating
    FROM bench_history h WHERE closed_at IS NOT NULL
) AS events (complaint_id, at, kind, actor_type, actor, from_status, to_status, office_code,
             public, note, rating)
ORDER BY at, complaint_id
"""


if __name__ == "__main__":
    labels = [a for a in sys.argv[1:] if not a.startswith("--")]
    for size in labels or list(SIZES):
        url = ensure_database(size, rebuild="--rebuild" in sys.argv)
        if "--restat" in sys.argv:
            asyncio.run(recount(url))
