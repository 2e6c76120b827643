"""Engine and session factories. Nothing is connected at import time.

The application runs on SQLAlchemy's asyncio layer: asyncpg for PostgreSQL, aiosqlite for
the embedded SQLite default. ``DATABASE_URL`` may be given in the plain form
(``postgresql://…``, ``sqlite:///…``); the async driver is chosen here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def async_url(url: str) -> str:
    """The async-driver form of a database URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database backend {backend!r}: use postgresql or sqlite")


def _ensure_sqlite_directory(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


#: Seconds a new PostgreSQL connection may take to open: a server that accepts and never
#: answers must not hold requests for asyncpg's default minute.
CONNECT_TIMEOUT_SECONDS = 3.0
#: The status check's own statements (PgPool) are small and fast; one that takes longer
#: than this is a server in trouble, and the check fails closed (503) instead of hanging.
HOT_STATEMENT_TIMEOUT_SECONDS = 10.0


#: What the connections to a read replica set on the server (PostgreSQL): the name they
#: carry in ``pg_stat_activity``, and read-only transactions, so that a write sent through
#: them by mistake fails here and now, whatever the server (a replica refuses writes
#: anyway; the primary, given as DATABASE_READ_URL too, would not).
READ_ONLY_SERVER_SETTINGS = {
    "application_name": "bansos-read",
    "default_transaction_read_only": "on",
}


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    server_settings: dict[str, str] | None = None,
) -> AsyncEngine:
    """An async engine for ``url``; SQLite gets WAL and foreign keys, PostgreSQL a pool
    whose connections start with ``server_settings`` (e.g. READ_ONLY_SERVER_SETTINGS).

    Statement parameters are NIKs, names, addresses and descriptions: ``hide_parameters``
    keeps them out of every error the engine raises (and so out of tracebacks and logs).
    """
    _ensure_sqlite_directory(url)
    target = async_url(url)
    if target.startswith("sqlite"):
        engine = create_async_engine(target, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            # WAL lets the status check read while an import writes; durability stays on.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # A fixed pool: under load, overflow connections would be opened and closed again for
    # every burst (a PostgreSQL backend fork each time), which costs more than waiting for a
    # pooled one. No pre-ping (a round trip per checkout): connections are recycled hourly.
    return create_async_engine(
        target,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=30,
        pool_recycle=3600,
        hide_parameters=True,
        connect_args={"timeout": connect_timeout, **_server_settings(server_settings)},
    )


def _server_settings(settings: dict[str, str] | None) -> dict[str, dict[str, str]]:
    return {"server_settings": dict(settings)} if settings else {}


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session that commits on success and rolls back on any error."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


class PgPool:
    """A plain asyncpg pool beside the engine, for the status check's hot statements.

    A status check reads once and writes one audit row; through the engine each of those
    costs a greenlet hop, a pool checkout with its connection characteristics and a reset,
    about as much CPU as the query itself. These statements are single autocommit
    statements that leave no session state behind (no SET, LISTEN, advisory lock or open
    cursor), so connections go back to this pool without asyncpg's reset query, which would
    otherwise be a second round trip per use. Opened on first use (callers are built outside
    a running loop); same connection arguments as the engine.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        size: int,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        server_settings: dict[str, str] | None = None,
    ) -> None:
        self.dialect = engine.dialect  # to compile statements written with SQLAlchemy
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        kwargs = {
            **kwargs,
            "timeout": connect_timeout,
            "command_timeout": HOT_STATEMENT_TIMEOUT_SECONDS,
            **_server_settings(server_settings),
        }
        self._connect_args = (tuple(args), kwargs)
        self._size = size
        self._pool: asyncpg.Pool | None = None
        self._opening: asyncio.Lock | None = None

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            self._opening = self._opening or asyncio.Lock()
            async with self._opening:
                if self._pool is None:
                    args, kwargs = self._connect_args
                    self._pool = await asyncpg.create_pool(
                        *args, min_size=1, max_size=self._size, reset=_no_reset, **kwargs
                    )
        return self._pool

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        pool = await self._opened()
        async with pool.acquire() as conn:
            yield conn

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _no_reset(_conn: asyncpg.Connection) -> None:
    # asyncpg still rolls back a transaction left open before calling this.
    return None


def pg_pool(
    engine: AsyncEngine,
    *,
    size: int,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    server_settings: dict[str, str] | None = None,
) -> PgPool | None:
    """A PgPool for a PostgreSQL engine; None for SQLite, which keeps the engine path."""
    if engine.dialect.name != "postgresql":
        return None
    return PgPool(
        engine, size=size, connect_timeout=connect_timeout, server_settings=server_settings
    )
