"""Shared fixtures: a migrated database per backend, Redis, services and an api client.

Database tests run on SQLite always, and on PostgreSQL when ``BANSOS_TEST_DATABASE_URL``
names a server (CI does). Redis tests run on the in-process stand-in always, and on the real
server when ``BANSOS_TEST_REDIS_URL`` is set. With ``BANSOS_REQUIRE_SERVICES=1`` (set by
``.ci/run``) an unreachable server fails the run instead of skipping those tests.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import argon2
import fakeredis
import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.db import create_engine, session_factory, session_scope
from api.domain import passwords
from api.domain.api_keys import create_api_key
from api.domain.pilot_config import load_pilot_config
from api.domain.reference_data import load_reference_data
from api.domain.regions import region_codes
from api.migrations_runner import upgrade
from api.models.statistics import ROLLUP_TABLES
from api.services import Services
from api.settings import Settings
from tests.registry_support import SITI_WITH_PKH, RegistryRows, load_registry, write_csv

# Thousands of throw-away accounts are created here: hash them with argon2-cffi's profile for
# tests (the product's own parameters are covered by tests/api/domain/test_passwords.py).
passwords.use_parameters(argon2.profiles.CHEAPEST)

PG_URL = os.environ.get("BANSOS_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("BANSOS_TEST_REDIS_URL")
REQUIRED = os.environ.get("BANSOS_REQUIRE_SERVICES") == "1"

# Tables emptied between tests (reference data stays loaded for the whole session).
# Children before parents. Reference data (regions, offices, categories) stays.
_PER_TEST_TABLES = (
    "stat_count",
    *ROLLUP_TABLES,
    "stat_watermark",
    "stat_backlog",
    "stat_beneficiaries",
    "stat_snapshot",
    "administration_audit",
    "staff_access_audit",
    "complaint_export_audit",
    "staff_session",
    "saved_view",
    "response_template",
    "outbox_message",
    "idempotency_key",
    "complaint_attachment",
    "complaint_event",
    "complaint",
    # After the complaints: a complaint names the member assigned to it.
    "staff",
    "lookup_audit",
    "disbursement_subscription",
    "disbursement",
    "beneficiary",
    "api_key",
)
# Attachments of the whole session go to one throw-away directory, never into the checkout.
_ATTACHMENTS_DIR = tempfile.mkdtemp(prefix="bansos-test-attachments-")


def _unavailable(what: str) -> None:
    message = f"{what} is not configured or unreachable"
    if REQUIRED:
        pytest.fail(f"{message}, and BANSOS_REQUIRE_SERVICES=1 asks for it", pytrace=False)
    pytest.skip(message)


async def _postgres_admin(sql: str) -> None:
    import asyncpg

    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
        timeout=5,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _prepare(url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await load_reference_data(conn, regions=region_codes(), pilot=load_pilot_config())
    finally:
        await engine.dispose()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated database with the reference data loaded, one per backend per session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        asyncio.run(_prepare(url))
        yield url
        return
    if not PG_URL:
        _unavailable("PostgreSQL (BANSOS_TEST_DATABASE_URL)")
    name = f"bansos_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # connection refused, auth, timeout
        _unavailable(f"PostgreSQL at {make_url(PG_URL).render_as_string()} ({exc})")
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_prepare(url))
    yield url
    asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
"""Mark a test (or a module) whose behaviour exists on PostgreSQL only: it runs there, not
skipped on SQLite, so a skip in a report always means a missing server."""

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""Mark a test of SQLite's own behaviour (what it refuses that PostgreSQL does)."""


BOTH_REDIS = pytest.mark.parametrize(
    "redis_kind", ["memory", pytest.param("real", marks=pytest.mark.redis)], indirect=True
)
"""Mark a test (or a module, as ``pytestmark``) to run on the stand-in and the real Redis."""


# Redis databases a test run may claim; the benchmarks keep to 6–8 (bench/common.py).
_CLAIMABLE_REDIS_DBS = (9, 10, 11, 12, 13, 14, 15, 1, 2, 3, 4, 5)
_RUN_ID = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
_claimed: list[str] = []


def _redis_url_of(db: int) -> str:
    return urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{db}"))


def _claim_registry():
    """Database 0 of the test server, where runs record which database each claimed."""
    import redis as sync_redis

    # The URL's own database number would win over a ``db=`` argument: set it in the URL.
    return sync_redis.Redis.from_url(_redis_url_of(0), socket_timeout=5)


def _claimed_redis_url() -> str:
    """A Redis database of this run's own, so its FLUSHDB never touches another run's keys.

    Runs that share a server (two developers, CI beside a session) each claim a free
    database with ``SET NX`` in database 0; the claim expires on its own if a run dies.
    """
    if _claimed:
        return _claimed[0]
    if not REDIS_URL:
        _unavailable("Redis (BANSOS_TEST_REDIS_URL)")
    import redis as sync_redis

    try:
        registry = _claim_registry()
        for db in _CLAIMABLE_REDIS_DBS:
            if registry.set(f"bansos-test-run:db:{db}", _RUN_ID, nx=True, ex=3 * 3600):
                break
        else:
            pytest.fail("every Redis database a test run may use is claimed by another run")
    except sync_redis.RedisError as exc:
        _unavailable(f"Redis at {REDIS_URL} ({exc})")
    _claimed.append(_redis_url_of(db))
    return _claimed[0]


@pytest.fixture(scope="session", autouse=True)
def _release_redis_claim() -> Iterator[None]:
    yield
    if _claimed:
        db = _claimed[0].rpartition("/")[2]
        registry = _claim_registry()
        key = f"bansos-test-run:db:{db}"
        if registry.get(key) == _RUN_ID.encode():
            registry.delete(key)


@pytest.fixture
def redis_kind(request) -> str:
    return getattr(request, "param", "memory")


@pytest.fixture
async def redis(redis_kind) -> AsyncIterator[Redis]:
    """The in-process Redis stand-in; the real server for tests marked ``BOTH_REDIS``."""
    if redis_kind == "memory":
        client = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
        yield client
        await client.aclose()
        return
    url = _claimed_redis_url()
    client = Redis.from_url(url)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        _unavailable(f"Redis at {url} ({exc})")
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


def make_settings(database_url: str, **overrides) -> Settings:
    values = {
        "BANSOS_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": "memory://",
        "NIK_HASH_KEY": "test-nik-hash-key-0123456789abcdef",
        "DATA_ENCRYPTION_KEY": "dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1leGFjdGx5ISE=",
        "SECRET_KEY": "test-secret-key",
        "ATTACHMENTS_DIR": _ATTACHMENTS_DIR,
        # Tests drive the relay and the deadline job themselves.
        "WORKER_INTERVAL_SECONDS": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
async def services(database_url, redis) -> AsyncIterator[Services]:
    """The api's services on a clean registry (reference data kept)."""
    built = Services.build(make_settings(database_url), redis=redis)
    async with built.engine.begin() as conn:
        for table in _PER_TEST_TABLES:
            await conn.execute(text(f"DELETE FROM {table}"))
    yield built
    await built.audit.drain()
    if built.pool is not None:
        await built.pool.close()
    await built.engine.dispose()


@pytest.fixture
async def api_key(services) -> str:
    async with session_scope(services.sessions) as session:
        return await create_api_key(session, channel="telegram-bot")


@pytest.fixture
async def client(services, api_key) -> AsyncIterator[httpx.AsyncClient]:
    """An http client of the real app, authenticated as the Telegram channel."""
    app = create_app(services.settings, services=services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://api.test", headers={"X-API-Key": api_key}
    ) as http:
        yield http


@pytest.fixture
def sessions(services):
    return services.sessions


@pytest.fixture
def registry_rows() -> RegistryRows:
    """The people (and payments) ``registry`` imports; a module needing others overrides it."""
    return SITI_WITH_PKH


@pytest.fixture
async def registry(services, tmp_path, registry_rows) -> None:
    """``registry_rows`` imported through the real importer (tests/registry_support.py)."""
    await load_registry(services, tmp_path / "registry", registry_rows)


__all__ = [
    "BOTH_REDIS",
    "POSTGRES_ONLY",
    "SQLITE_ONLY",
    "make_settings",
    "write_csv",
    "session_factory",
]
