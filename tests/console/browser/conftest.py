"""Browser tests: a real ``bansos serve`` process on a fresh database, driven by Chromium.

One server per backend for the whole session (``console_server``, parametrized like
``database_url``): SQLite in a file of its own with the in-process Redis stand-in, and —
when ``BANSOS_TEST_DATABASE_URL`` names a server — a PostgreSQL database created for it and
dropped after, with a Redis database claimed for it alone. The reference data is loaded,
the staff accounts of ``support.STAFF`` and a channel's API key are created through the
application layer, as an operator would.

The browser is Debian's Chromium (``support.CHROMIUM``), headless. A page comes in two
sizes: ``laptop`` (1366×768) and ``phone`` (360×740, touch). Pages may reach the server and
nothing else: a request to another host is aborted, so the console cannot lean on a CDN.

Without Chromium (or PostgreSQL, Redis) the tests skip with the reason, and fail when
``BANSOS_REQUIRE_SERVICES=1`` asks for every service, as in tests/conftest.py.

Tests use Playwright's async API (``async def`` tests, ``await page.goto(...)``) on the
session's event loop. The sync API cannot share a process with pytest-asyncio: while it is
open, its own loop counts as running in the main thread, and every ``asyncio.run`` or async
test after it fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright
from sqlalchemy.engine import make_url

from api.application import administration
from api.application.principals import Operator
from api.domain.vocabulary import Role
from api.services import Services
from tests.conftest import (
    _CLAIMABLE_REDIS_DBS,
    _RUN_ID,
    PG_URL,
    REDIS_URL,
    _claim_registry,
    _postgres_admin,
    _prepare,
    _redis_url_of,
    _unavailable,
    make_settings,
)
from tests.console.browser.support import CHROMIUM, LAPTOP, PHONE, STAFF, ConsoleServer

BANSOS = Path(sys.executable).parent / "bansos"
_SERVER_ENV = {
    "BANSOS_ENV": "test",
    "NIK_HASH_KEY": "browser-test-nik-hash-key-0123456789",
    "DATA_ENCRYPTION_KEY": "dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1leGFjdGx5ISE=",
    "SECRET_KEY": "browser-test-secret-key",
    "LOG_LEVEL": "WARNING",
}


# --- the database and Redis of one server -------------------------------------------------


@contextlib.asynccontextmanager
async def _fresh_sqlite(directory: Path) -> AsyncIterator[str]:
    url = f"sqlite:///{directory / 'console.db'}"
    await _prepare(url)
    yield url


@contextlib.asynccontextmanager
async def _fresh_postgres() -> AsyncIterator[str]:
    """A database of its own on the test server, created and migrated, dropped after."""
    if not PG_URL:
        _unavailable("PostgreSQL (BANSOS_TEST_DATABASE_URL)")
    name = f"bansos_browser_{uuid.uuid4().hex[:10]}"
    try:
        await _postgres_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # connection refused, auth, timeout
        _unavailable(f"PostgreSQL at {make_url(PG_URL).render_as_string()} ({exc})")
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        await _prepare(url)
        yield url
    finally:
        await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _claimed_redis() -> Iterator[str]:
    """A Redis database of the server's own, claimed as tests/conftest.py claims the run's,
    so neither the run's per-test FLUSHDB nor another run touches the server's keys."""
    if not REDIS_URL:
        _unavailable("Redis (BANSOS_TEST_REDIS_URL)")
    import redis as sync_redis

    owner = f"{_RUN_ID}-browser"
    try:
        registry = _claim_registry()
        for db in _CLAIMABLE_REDIS_DBS:
            if registry.set(f"bansos-test-run:db:{db}", owner, nx=True, ex=3 * 3600):
                break
        else:
            pytest.fail("every Redis database a test run may use is claimed by another run")
        url = _redis_url_of(db)
        sync_redis.Redis.from_url(url, socket_timeout=5).flushdb()
    except sync_redis.RedisError as exc:
        _unavailable(f"Redis at {REDIS_URL} ({exc})")
    try:
        yield url
    finally:
        sync_redis.Redis.from_url(url, socket_timeout=5).flushdb()
        if registry.get(f"bansos-test-run:db:{db}") == owner.encode():
            registry.delete(f"bansos-test-run:db:{db}")


async def _seed(settings) -> str:
    """The staff accounts and a channel's API key, through the application layer."""
    services = Services.build(settings)
    try:
        for account in STAFF:
            await administration.create_staff_account(
                services,
                Operator("browser-tests"),
                username=account.username,
                display_name=account.username,
                password=account.password,
                role=Role(account.role),
                office_code=account.office_code,
            )
        return await administration.create_api_key(
            services, Operator("browser-tests"), channel="telegram-bot"
        )
    finally:
        await services.close()


# --- the server process ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _wait_until_ready(
    process: asyncio.subprocess.Process, base_url: str, log_file: Path
) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=base_url, timeout=1) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                log = await asyncio.to_thread(log_file.read_text)
                pytest.fail(f"the server exited ({process.returncode}):\n{log}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    log = await asyncio.to_thread(log_file.read_text)
    pytest.fail(f"the server did not become ready in 30 s:\n{log}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def console_server(request, tmp_path_factory) -> AsyncIterator[ConsoleServer]:
    """``bansos serve`` on a free port, over a fresh, seeded database of its own."""
    home = tmp_path_factory.mktemp(f"console-{request.param}")
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "postgres":
            database_url = await stack.enter_async_context(_fresh_postgres())
            redis_url = stack.enter_context(_claimed_redis())
        else:
            database_url = await stack.enter_async_context(_fresh_sqlite(home))
            redis_url = "memory://"
        env_values = {
            **_SERVER_ENV,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ATTACHMENTS_DIR": str(home / "attachments"),
        }
        api_key = await _seed(make_settings(database_url, **env_values))
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        log_file = home / "server.log"
        with log_file.open("w") as log:
            # The working directory is the server's home: no developer's .env is read.
            process = await asyncio.create_subprocess_exec(
                str(BANSOS),
                *("serve", "--host", "127.0.0.1", "--port", str(port)),
                cwd=home,
                env={**os.environ, **env_values},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        stack.push_async_callback(_stop, process)
        await _wait_until_ready(process, base_url, log_file)
        yield ConsoleServer(base_url, request.param, api_key, log_file, database_url)


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium for the session."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium ({CHROMIUM}; `apt-get install chromium`)")
    async with async_playwright() as playwright:
        # Chromium's sandbox refuses to start as root (CI runs as root).
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=args
        )
        yield launched
        await launched.close()


async def _open_page(browser: Browser, server: ConsoleServer, size: dict) -> BrowserContext:
    """A fresh context (no cookies) at ``size``, that may reach ``server`` and nothing else."""
    context = await browser.new_context(base_url=server.base_url, locale="id-ID", **size)
    context.set_default_timeout(10_000)

    async def only_the_server(route: Route) -> None:
        if route.request.url.startswith(server.base_url):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", only_the_server)
    return context


@pytest.fixture
async def laptop(browser, console_server) -> AsyncIterator[Page]:
    """A fresh browser at 1366×768, Bahasa Indonesia."""
    context = await _open_page(browser, console_server, LAPTOP)
    yield await context.new_page()
    await context.close()


@pytest.fixture
async def phone(browser, console_server) -> AsyncIterator[Page]:
    """A fresh browser on a 360×740 touch screen, Bahasa Indonesia."""
    context = await _open_page(browser, console_server, PHONE)
    yield await context.new_page()
    await context.close()


@pytest.fixture
def file_complaint(console_server):
    """``await file_complaint(**fields)``: a complaint filed through the channel API; its
    tracking id."""
    return console_server.file_complaint
