"""The lookup audit, written in batches without giving up "audited before answered".

Every status check must be on record before its answer leaves. A commit per request makes
the database's fsync the bottleneck under load, so rows are queued here and written by one
flusher: while a batch is being committed the next requests queue up, and the next flush
takes them all (group commit). Each request still waits until the batch holding its row is
committed; a failed write fails those requests rather than answering them unaudited.

On PostgreSQL a batch is one binary COPY on a plain asyncpg connection (a statement of its
own, so committed when it returns): far less work per row than SQLAlchemy's executemany.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import PgPool
from api.models import LookupAudit

MAX_BATCH = 1_000
_COLUMNS = ("at", "api_key_id", "channel", "channel_user", "nik_hash", "outcome")


class AuditLog:
    def __init__(self, engine: AsyncEngine, pool: PgPool | None = None) -> None:
        self._engine = engine
        self._pool = pool
        self._pending: list[tuple[tuple, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None

    async def record(
        self,
        *,
        api_key_id: int | None,
        channel: str,
        channel_user: str,
        nik_hash: bytes | None,
        outcome: str,
    ) -> None:
        """Queue one row and return once it is committed."""
        done = asyncio.get_running_loop().create_future()
        self._pending.append(
            ((datetime.now(UTC), api_key_id, channel, channel_user, nik_hash, outcome), done)
        )
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        await done

    async def _flush_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                await self._write([row for row, _ in batch])
            except Exception as exc:  # the requests in this batch fail: nothing unaudited
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _write(self, rows: list[tuple]) -> None:
        if self._pool is not None:
            async with self._pool.acquire() as conn:
                await conn.copy_records_to_table(
                    LookupAudit.__tablename__, records=rows, columns=_COLUMNS
                )
            return
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(LookupAudit.__table__),
                [dict(zip(_COLUMNS, row, strict=True)) for row in rows],
            )

    async def drain(self) -> None:
        """Wait for every queued row (at shutdown)."""
        if self._flusher is not None:
            await self._flusher
