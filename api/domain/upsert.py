"""A portable ``INSERT … ON CONFLICT DO UPDATE`` for PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


async def upsert(
    conn: AsyncConnection,
    table: Table,
    rows: Sequence[dict],
    *,
    key: Sequence[str],
    keep: Sequence[str] = (),
    batch: int = 2_000,
) -> None:
    """Insert ``rows``; where ``key`` already exists, overwrite the other columns but ``keep``."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    columns = list(rows[0])
    for start in range(0, len(rows), batch):
        statement = dialect.insert(table).values(list(rows[start : start + batch]))
        updates = {c: statement.excluded[c] for c in columns if c not in key and c not in keep}
        statement = (
            statement.on_conflict_do_update(index_elements=list(key), set_=updates)
            if updates
            else statement.on_conflict_do_nothing(index_elements=list(key))
        )
        await conn.execute(statement)
