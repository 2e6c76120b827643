"""When a snapshot was taken, and the lock that keeps two refreshes of one snapshot apart.

A snapshot (the open backlog, beneficiaries per kecamatan) is a table rewritten whole in one
transaction: delete everything, insert the result of one GROUP BY. Two refreshes at once
would each delete only what they could see and insert their own rows beside the other's,
so each refresh first locks its ``stat_snapshot`` row and stamps it when done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from api.models import StatSnapshot

BACKLOG = "backlog"
BENEFICIARIES = "beneficiaries"

_snapshot = StatSnapshot.__table__


async def lock_snapshot(conn: AsyncConnection, name: str) -> datetime | None:
    """Lock ``name``'s row for this transaction (created when missing); when it was last
    taken, None if never."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(
        dialect.insert(_snapshot)
        .values(name=name, taken_at=None)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return (
        await conn.execute(
            select(_snapshot.c.taken_at).where(_snapshot.c.name == name).with_for_update()
        )
    ).scalar()


async def stamp_snapshot(conn: AsyncConnection, name: str, taken_at: datetime) -> None:
    await conn.execute(update(_snapshot).where(_snapshot.c.name == name).values(taken_at=taken_at))


async def taken_at(conn: AsyncConnection, name: str) -> datetime | None:
    """When ``name`` was last taken (the pages' "as of"); None if never."""
    return (
        await conn.execute(select(_snapshot.c.taken_at).where(_snapshot.c.name == name))
    ).scalar()


def fresh(last: datetime | None, now: datetime, younger_than: timedelta | None) -> bool:
    """Whether a snapshot taken at ``last`` is recent enough to skip a refresh at ``now``."""
    return younger_than is not None and last is not None and now - last < younger_than
