"""The console benchmark's databases: 10,000 or 1,000,000 complaints, a tenth at one office.

Built once and kept (``bansos_bench_console_10k``, ``bansos_bench_console_1m``): a database
that exists with the right number of complaints and this generator's version is reused, only
brought up to the newest migration (and analysed again when one ran). ``--rebuild`` builds it
afresh.

A build: migrations, reference data, one channel key, three console accounts (a handler of
the pilot office, the coordinator of its region, the ministry), then the complaints written
by PostgreSQL itself (``INSERT … SELECT`` over ``generate_series``: about a minute for a
million, where row-by-row Python would take many), their timelines, and ``VACUUM ANALYZE``.

What the rows look like (see :data:`_COMPLAINTS`):

- one complaint in ten at :data:`PILOT_OFFICE`; the others evenly over the other offices of
  the 40 pilot kab/kota and the provincial Dinas Sosial (complaints from outside the pilot),
  each with a category of its office's type and a kecamatan of its area;
- 15 % open (received, verified, in progress, waiting for the citizen), most of them filed in
  the last weeks with a tail of old overdue ones; the rest resolved, rejected or closed,
  filed evenly over twelve months;
- the deadlines, the duties done and ``next_due`` as the application keeps them
  (api/domain/complaints/next_due.py: migration 0009's rule, nothing owed while waiting for
  the citizen), breaches where a due date passed before the duty was done;
- at the pilot office four in ten assigned to the handler; privacy 80 % BIASA, 10 % ANONIM,
  10 % RAHASIA; a programme and tahap for aid complaints;
- reporter and subject ciphertexts made with the bench keys (64 of each, reused), so a page
  that decrypts one (a reveal) works;
- tracking IDs random-looking, unique (the id through a bijection of 40 bits) and with a
  valid check symbol, so the complaint page parses them;
- a timeline of 1 to 6 events per complaint (received, verified, started, answered, closed,
  the deadline job's internal breach note where verification was late).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BIN,
    bansos,
    connect,
    database_exists,
    database_url,
    env_for,
    recreate_database,
)

# Bumped whenever the rows this module writes change: an older cached database is rebuilt.
GENERATOR_VERSION = "console-bench-3"
PILOT_OFFICE = "DINSOS-3510"
PASSWORD = "bench-console-password-2026"
# (username, role, office): the coordinator's office is the desk of Banyuwangi's region.
ACCOUNTS = (
    ("bench-handler", "HANDLER", PILOT_OFFICE),
    ("bench-coordinator", "COORDINATOR", "WK4"),
    ("bench-ministry", "MINISTRY", None),
)
SIZES = {"10k": 10_000, "1m": 1_000_000}
_BATCH = 250_000
_BLOBS = 64


def database_name(label: str) -> str:
    return f"bansos_bench_console_{label}"


def ensure_database(label: str, *, rebuild: bool = False) -> str:
    """The URL of the database for ``label`` (a key of :data:`SIZES`), built if needed."""
    return ensure_built(
        database_name(label), SIZES[label], GENERATOR_VERSION, _fill, rebuild=rebuild
    )


def ensure_built(name: str, count: int, version: str, fill, *, rebuild: bool = False) -> str:
    """The URL of database ``name``: reused when it holds ``count`` complaints written by
    generator ``version`` (brought up to the newest migration), else built afresh: the
    migrations, the reference data, a channel key, the :data:`ACCOUNTS`, then
    ``fill(url, count, env)`` (a coroutine function) writes the complaints. The statistics
    benchmark's generator (``bench/stats_data.py``) builds its databases through here too."""
    url = database_url(name)
    if not rebuild and asyncio.run(_is_current(url, name, count, version)):
        before = asyncio.run(_revision(url))
        bansos("migrate", env=env_for(url))
        if asyncio.run(_revision(url)) != before:
            asyncio.run(_execute(url, "VACUUM ANALYZE"))
        print(f"{name}: reused ({count:,} complaints)")
        return url
    print(f"{name}: building {count:,} complaints …")
    recreate_database(name)
    env = env_for(url)
    bansos("migrate", env=env)
    bansos("load-reference", env=env)
    bansos("create-api-key", "telegram", env=env)
    for username, role, office in ACCOUNTS:
        args = ["create-staff", username, "--role", role, "--name", username]
        if office:
            args += ["--office", office]
        subprocess.run(
            [str(BIN / "bansos"), *args],
            env=env,
            input=PASSWORD + "\n",
            check=True,
            capture_output=True,
            text=True,
        )
    asyncio.run(fill(url, count, env))
    asyncio.run(_execute(url, f"COMMENT ON DATABASE \"{name}\" IS '{version}'"))
    return url


async def _is_current(url: str, name: str, count: int, version: str) -> bool:
    if not await database_exists(name):
        return False
    conn = await connect(url)
    try:
        comment = await conn.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
        if comment != version:
            return False
        return await conn.fetchval("SELECT count(*) FROM complaint") == count
    except Exception:  # a half-built database (no table yet): build it again
        return False
    finally:
        await conn.close()


async def _revision(url: str) -> str:
    conn = await connect(url)
    try:
        return await conn.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await conn.close()


async def _execute(url: str, sql: str) -> None:
    conn = await connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _ciphertexts(env: dict[str, str]) -> tuple[list[bytes], list[bytes]]:
    """Reporter and subject ciphertexts under the bench keys, as intake would write them."""
    import base64

    from api.domain.protection import Protector

    protector = Protector(
        hash_key=env["NIK_HASH_KEY"].encode(),
        data_key=base64.b64decode(env["DATA_ENCRYPTION_KEY"]),
    )
    reporters = [
        protector.encrypt(
            json.dumps({"user": f"bench:{n}", "contact": None}), column="complaint.reporter"
        )
        for n in range(_BLOBS)
    ]
    subjects = [
        protector.encrypt(f"3510{n:012d}", column="complaint.subject") for n in range(_BLOBS)
    ]
    return reporters, subjects


async def _fill(url: str, count: int, env: dict[str, str]) -> None:
    conn = await connect(url)
    try:
        await write_complaints(conn, count, env)
        await conn.execute(_EVENTS)
    finally:
        await conn.close()
    # VACUUM cannot run inside the connection's implicit transaction block of execute-many.
    await _execute(url, "VACUUM ANALYZE")


async def write_complaints(
    conn, count: int, env: dict[str, str], *, channels: tuple[str, ...] = ("telegram",)
) -> None:
    """Complaints 1..``count`` (see :data:`_COMPLAINTS`), each on one of ``channels`` (drawn
    evenly by a hash of its id: repeat a channel to weigh it); leaves the temporary tables
    ``bench_office`` and ``bench_category`` on ``conn`` for the timelines."""
    reporters, subjects = _ciphertexts(env)
    await conn.execute(_SETUP)
    await conn.execute("SELECT setseed(0.2026)")
    handler = await conn.fetchval("SELECT id FROM staff WHERE username = $1", ACCOUNTS[0][0])
    key = await conn.fetchval("SELECT min(id) FROM api_key")
    others = await conn.fetchval("SELECT count(*) FROM bench_office WHERE idx >= 0")
    for start in range(1, count + 1, _BATCH):
        end = min(count, start + _BATCH - 1)
        await conn.execute(
            _COMPLAINTS,
            start,
            end,
            others,
            handler,
            key,
            reporters,
            subjects,
            PILOT_OFFICE,
            list(channels),
        )
        print(f"  complaints {end:,}/{count:,}", flush=True)
    await conn.execute("SELECT setval(pg_get_serial_sequence('complaint', 'id'), $1)", count)


# Offices that receive complaints here, numbered: -1 the pilot office, 0… the others (the
# pilot kab/kota's offices and the provincial Dinas Sosial, which take the aid categories of
# a DINSOS), each with its kecamatan (a province's outside the pilot).
_SETUP = """
CREATE OR REPLACE FUNCTION pg_temp.check_symbol(body text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',
                  ((32 - sum(a / 32 + a % 32) % 32) % 32 + 1)::int, 1)
    FROM (
        SELECT (CASE WHEN i % 2 = 1 THEN 2 ELSE 1 END)
             * (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ',
                       substr(body, length(body) - i + 1, 1)) - 1) AS a
        FROM generate_series(1, length(body)) AS i
    ) AS addends
$$;
CREATE TEMP TABLE bench_office AS
WITH offices AS (
    SELECT o.code, CASE o.type WHEN 'PROVINSI' THEN 'DINSOS' ELSE o.type END AS type,
           p.coordination_region_code AS region,
           CASE WHEN o.regency_code IS NOT NULL
                THEN (SELECT array_agg(d.code ORDER BY d.code) FROM district d
                      WHERE d.regency_code = o.regency_code)
                ELSE (SELECT array_agg(d.code ORDER BY d.code) FROM district d
                      WHERE d.regency_code LIKE o.province_code || '%'
                        AND d.regency_code NOT IN (SELECT regency_code FROM pilot_regency))
           END AS districts
    FROM office o
    LEFT JOIN pilot_regency p ON p.regency_code = o.regency_code
    WHERE o.active AND (o.regency_code IS NOT NULL OR o.type = 'PROVINSI')
)
SELECT CASE WHEN code = 'DINSOS-3510' THEN -1
            ELSE row_number() OVER (PARTITION BY code = 'DINSOS-3510' ORDER BY code) - 1 END AS idx,
       *
FROM offices WHERE cardinality(districts) > 0;
CREATE TEMP TABLE bench_category AS
SELECT office_type, array_agg(code ORDER BY position) AS codes FROM complaint_category
WHERE active GROUP BY office_type;
"""

# $1..$2 the ids to write, $3 how many other offices, $4 the handler's id, $5 the channel key,
# $6/$7 the ciphertexts, $8 the pilot office, $9 the channels (one drawn by a hash of the
# id). One in ten of the other offices' complaints goes to a provincial office (outside the
# pilot), by the office's index being drawn evenly.
_COMPLAINTS = """
WITH draws AS (
    SELECT n, random() AS r_office, random() AS r_district, random() AS r_category,
           random() AS r_status, random() AS r_age, random() AS r_privacy, random() AS r_more
    FROM generate_series($1::bigint, $2::bigint) AS n
), placed AS (
    SELECT d.*, o.code AS office_code, o.region,
           o.districts[1 + floor(d.r_district * cardinality(o.districts))::int] AS district,
           c.codes[1 + floor(d.r_category * cardinality(c.codes))::int] AS category,
           CASE WHEN d.r_status < 0.05 THEN 'RECEIVED' WHEN d.r_status < 0.09 THEN 'VERIFIED'
                WHEN d.r_status < 0.13 THEN 'IN_PROGRESS' WHEN d.r_status < 0.15 THEN 'NEEDS_INFO'
                WHEN d.r_status < 0.30 THEN 'RESOLVED' WHEN d.r_status < 0.36 THEN 'REJECTED'
                ELSE 'CLOSED' END AS status,
           -- open ones mostly recent (a tail of old overdue ones), the rest over 12 months
           now() - make_interval(secs => 86400 * 365 *
               CASE WHEN d.r_status < 0.15 THEN power(d.r_age, 4) ELSE d.r_age END) AS filed
    FROM draws d
    JOIN bench_office o ON o.idx = CASE WHEN d.n % 10 = 0 THEN -1
                                        ELSE floor(d.r_office * $3::int)::int END
    JOIN bench_category c ON c.office_type = o.type
), timed AS (
    SELECT p.*, cat.requires_subject_nik AS needs_subject,
           p.filed + interval '4 days' AS verify_due,
           p.filed + interval '10 days' AS follow_up_due,
           p.filed + make_interval(days => ceil(cat.resolve_days * 1.4)::int) AS resolve_due,
           CASE WHEN p.status <> 'RECEIVED'
                THEN least(p.filed + interval '1 day', p.filed + (now() - p.filed) / 3)
           END AS verified,
           CASE WHEN p.status IN ('IN_PROGRESS', 'RESOLVED', 'REJECTED', 'CLOSED')
                THEN least(p.filed + interval '3 days', p.filed + (now() - p.filed) / 2)
           END AS followed,
           CASE WHEN p.status = 'NEEDS_INFO'
                THEN least(p.filed + interval '3 days', p.filed + (now() - p.filed) / 2)
           END AS paused,
           -- never in the future: the live bar reads what changed lately (by updated_at)
           CASE WHEN p.status IN ('RESOLVED', 'REJECTED', 'CLOSED')
                THEN least(p.filed + make_interval(hours => 24 + floor(p.r_more * 600)::int),
                           now() - interval '1 hour')
           END AS answered
    FROM placed p JOIN complaint_category cat ON cat.code = p.category
), dated AS (
    SELECT t.*,
           CASE WHEN t.status = 'CLOSED'
                THEN least(t.answered + interval '5 days', now() - interval '1 hour') END AS closed
    FROM timed t
)
INSERT INTO complaint (
    id, tracking_id, category_code, status, privacy, api_key_id, channel, reporter_hash,
    reporter_encrypted, reporter_locale, subject_nik_hash, subject_encrypted,
    subject_in_registry, district_code, village_code, regency_code, province_code, in_triage,
    coordination_region_code, programme, tahap, description, office_code, routing_reason,
    transfer_count, escalation_level, needs_field_check, assigned_staff_id, verify_due,
    follow_up_due, resolve_due, next_due, verified_at, followed_up_at, answered_at, closed_at,
    paused_at, status_before_pause, paused_days, breaches, rating, reopened, created_at,
    updated_at
)
SELECT
    n, body || pg_temp.check_symbol(body), category, status,
    CASE WHEN r_privacy < 0.8 THEN 'BIASA' WHEN r_privacy < 0.9 THEN 'ANONIM' ELSE 'RAHASIA' END,
    $5::int, ($9::text[])[1 + abs(hashint8(n) % cardinality($9::text[]))],
    sha256(('reporter:' || n)::bytea), ($6::bytea[])[1 + n % 64],
    CASE WHEN n % 20 = 0 THEN 'en' ELSE 'id' END,
    CASE WHEN needs_subject THEN sha256(('subject:' || n)::bytea) END,
    CASE WHEN needs_subject THEN ($7::bytea[])[1 + n % 64] END,
    needs_subject AND r_more < 0.7,
    district, NULL, left(district, 4), left(district, 2), false, region,
    CASE WHEN category IN ('BANTUAN_TIDAK_DITERIMA', 'NOMINAL_TIDAK_SESUAI', 'SANGGAH')
         THEN (ARRAY['PKH', 'SEMBAKO', 'BLT', 'PBI_JK'])[1 + n % 4] END,
    CASE WHEN category IN ('BANTUAN_TIDAK_DITERIMA', 'NOMINAL_TIDAK_SESUAI', 'SANGGAH')
         THEN 1 + (n / 4) % 4 END,
    format('Laporan %s: %s', n, (ARRAY[
        'Bantuan tahap ini belum diterima, padahal tetangga sudah menerima sejak minggu lalu.',
        'Nominal yang diterima di kantor pos lebih kecil dari yang diumumkan pemerintah.',
        'Petugas di desa meminta uang administrasi sebelum bantuan dicairkan.',
        'Nama di kartu keluarga salah eja sehingga data tidak cocok dengan DTSEN.',
        'Kartu KKS terblokir dan rekening tidak bisa dipakai untuk menarik bantuan.',
        'Keluarga kami miskin tetapi tidak terdaftar sebagai penerima, mohon ditinjau.',
        'Penerima di RT kami sudah pindah domisili tetapi masih tercatat menerima.',
        'Antrean pencairan terlalu panjang dan lansia harus menunggu seharian.'
    ])[1 + n % 8]),
    office_code, CASE WHEN region IS NULL THEN 'province_outside_pilot' ELSE 'pilot_office' END,
    0, 0, r_more < 0.05,
    CASE WHEN office_code = $8 AND r_more < 0.4 THEN $4::int END,
    verify_due, follow_up_due, resolve_due,
    CASE WHEN status IN ('NEEDS_INFO', 'RESOLVED', 'REJECTED', 'CLOSED') THEN NULL
         WHEN verified IS NULL THEN least(verify_due, follow_up_due, resolve_due)
         WHEN followed IS NULL THEN least(follow_up_due, resolve_due)
         ELSE resolve_due END,
    verified, followed, answered, closed, paused,
    CASE WHEN status = 'NEEDS_INFO' THEN 'VERIFIED' END, 0,
    concat_ws(';',
        CASE WHEN verify_due < coalesce(verified, now()) THEN 'VERIFY' END,
        CASE WHEN follow_up_due < coalesce(followed, answered, paused, now()) THEN 'FOLLOW_UP' END,
        CASE WHEN resolve_due < coalesce(answered, paused, now()) THEN 'RESOLVE' END),
    CASE WHEN status = 'CLOSED' AND r_more < 0.5 THEN 1 + n % 5 END, false,
    filed, coalesce(closed, answered, paused, followed, verified, filed)
FROM (
    SELECT d.*,
           -- a bijection of 40 bits: unique, and no neighbour of an ID says anything
           (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',
                                     ((((d.n * 738712345679 # 825373492) & 1099511627775)
                                       >> (5 * k)) % 32)::int + 1, 1), '' ORDER BY k DESC)
            FROM generate_series(0, 7) AS k) AS body
    FROM dated d
) AS rows
"""

_EVENTS = """
INSERT INTO complaint_event (complaint_id, at, kind, actor_type, actor, from_status,
                             to_status, office_code, public, note)
SELECT id, created_at, 'received', 'CITIZEN', 'telegram', NULL, 'RECEIVED', office_code, true,
       NULL FROM complaint
UNION ALL
SELECT id, verified_at, 'verify', 'STAFF', 'bench-staff', 'RECEIVED', 'VERIFIED', office_code,
       true, NULL FROM complaint WHERE verified_at IS NOT NULL
UNION ALL
SELECT id, verify_due, 'breach', 'SYSTEM', 'deadline-job', status, status, office_code, false,
       'VERIFY' FROM complaint WHERE breaches LIKE 'VERIFY%'
UNION ALL
SELECT id, followed_up_at, 'start', 'STAFF', 'bench-staff', 'VERIFIED', 'IN_PROGRESS',
       office_code, true, NULL FROM complaint WHERE followed_up_at IS NOT NULL
UNION ALL
SELECT id, answered_at, CASE status WHEN 'REJECTED' THEN 'reject' ELSE 'resolve' END, 'STAFF',
       'bench-staff', 'IN_PROGRESS',
       CASE status WHEN 'REJECTED' THEN 'REJECTED' ELSE 'RESOLVED' END,
       office_code, true, 'Bantuan sudah dicairkan pada tahap berikutnya.'
FROM complaint WHERE answered_at IS NOT NULL
UNION ALL
SELECT id, closed_at, 'close', 'SYSTEM', 'deadline-job', 'RESOLVED', 'CLOSED', office_code,
       true, NULL FROM complaint WHERE closed_at IS NOT NULL
"""


async def sample_tracking_ids(url: str, office: str, count: int) -> list[str]:
    """``count`` tracking IDs of ``office``, drawn evenly (the same ones on every run)."""
    conn = await connect(url)
    try:
        rows = await conn.fetch(
            "SELECT tracking_id FROM complaint WHERE office_code = $1 ORDER BY md5(tracking_id) "
            "LIMIT $2",
            office,
            count,
        )
        return [r["tracking_id"] for r in rows]
    finally:
        await conn.close()


if __name__ == "__main__":
    labels = [a for a in sys.argv[1:] if not a.startswith("--")]
    for size in labels or list(SIZES):
        ensure_database(size, rebuild="--rebuild" in sys.argv)
