"""A member's saved queue views: a name and the queue page's query string.

Each member keeps at most :data:`MAX_VIEWS`, names of 1 to 64 characters (trimmed),
unique per member; the query string is stored as given (the console parses it like any URL
it receives, so a saved view can show nothing the member could not ask for directly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.models import SavedView

MAX_VIEWS = 20
MAX_NAME = 64
MAX_QUERY = 2000

_t = SavedView.__table__


class SavedViewProblem(StrEnum):
    NAME_LENGTH = "view_name_length"
    NAME_TAKEN = "view_name_taken"
    TOO_MANY = "too_many_views"
    QUERY_TOO_LONG = "view_query_too_long"


class SavedViewError(ValueError):
    def __init__(self, problem: SavedViewProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class View:
    id: int
    name: str
    query: str


async def views_of(engine: AsyncEngine, staff_id: int) -> list[View]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(_t.c.id, _t.c.name, _t.c.query)
            .where(_t.c.staff_id == staff_id)
            .order_by(_t.c.name, _t.c.id)
        )
        return [View(*row) for row in rows]


async def save_view(engine: AsyncEngine, staff_id: int, *, name: str, query: str) -> View:
    name, query = name.strip(), query.lstrip("?")
    if not 1 <= len(name) <= MAX_NAME:
        raise SavedViewError(SavedViewProblem.NAME_LENGTH)
    if len(query) > MAX_QUERY:
        raise SavedViewError(SavedViewProblem.QUERY_TOO_LONG)
    try:
        async with engine.begin() as conn:
            held = (
                await conn.execute(select(func.count()).where(_t.c.staff_id == staff_id))
            ).scalar_one()
            if held >= MAX_VIEWS:
                raise SavedViewError(SavedViewProblem.TOO_MANY)
            new_id = (
                await conn.execute(
                    insert(_t)
                    .values(staff_id=staff_id, name=name, query=query, created_at=datetime.now(UTC))
                    .returning(_t.c.id)
                )
            ).scalar_one()
    except IntegrityError:  # the (staff_id, name) constraint
        raise SavedViewError(SavedViewProblem.NAME_TAKEN) from None
    return View(new_id, name, query)


async def delete_view(engine: AsyncEngine, staff_id: int, view_id: int) -> bool:
    """False when the member has no such view (another member's counts as none)."""
    async with engine.begin() as conn:
        result = await conn.execute(delete(_t).where(_t.c.id == view_id, _t.c.staff_id == staff_id))
    return result.rowcount == 1
