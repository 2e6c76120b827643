"""The lookup audit, written in batches without giving up "audited before answered".

Every status check must be on record before its answer leaves. A commit per request makes
the database's fsync the bottleneck under load, so rows are queued here and written by one
flusher: while a batch is being committed the next requests queue up, and the next flush
takes them all (group commit, see batching.GroupCall). Each request still waits until the
batch holding its row is committed; a failed write fails those requests rather than
answering them unaudited.

On PostgreSQL a batch is one binary COPY on a plain asyncpg connection (a statement of its
own, so committed when it returns): far less work per row than SQLAlchemy's executemany.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import PgPool
from api.domain.batching import GroupCall
from api.models import LookupAudit

MAX_BATCH = 1_000
_COLUMNS = ("at", "api_key_id", "channel", "channel_user", "nik_hash", "outcome")


class AuditLog:
    def __init__(self, engine: AsyncEngine, pool: PgPool | None = None) -> None:
        self._engine = engine
        self._pool = pool
        self._writes = GroupCall(self._write, max_batch=MAX_BATCH)

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
        await self._writes(
            (datetime.now(UTC), api_key_id, channel, channel_user, nik_hash, outcome)
        )

    async def _write(self, rows: list[tuple]) -> list[None]:
        if self._pool is not None:
            async with self._pool.acquire() as conn:
                await conn.copy_records_to_table(
                    LookupAudit.__tablename__, records=rows, columns=_COLUMNS
                )
        else:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(LookupAudit.__table__),
                    [dict(zip(_COLUMNS, row, strict=True)) for row in rows],
                )
        return [None] * len(rows)

    async def drain(self) -> None:
        """Wait for every queued row (at shutdown)."""
        await self._writes.drain()
