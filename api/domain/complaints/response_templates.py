"""Ready answers to citizens (response templates), as a handler picks one.

Administrators keep them in ``response_template``: per category (NULL: any category) and
language. A handler sees the active ones for the complaint's category in the citizen's
language; the chosen body has its placeholders filled before it lands in the form, where
the handler edits it freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.models import ResponseTemplate

PLACEHOLDERS = ("tracking_id", "office", "category")


@dataclass(frozen=True)
class Template:
    id: int
    title: str
    body: str


async def templates_for(engine: AsyncEngine, category: str, locale: str) -> list[Template]:
    """The active templates for ``category`` (and those for any category) in ``locale``,
    the category's own first, then by title."""
    t = ResponseTemplate.__table__
    query = (
        select(t.c.id, t.c.title, t.c.body)
        .where(
            t.c.active,
            t.c.locale == locale,
            or_(t.c.category_code == category, t.c.category_code.is_(None)),
        )
        .order_by(t.c.category_code.is_(None), t.c.title, t.c.id)
    )
    async with engine.connect() as conn:
        return [Template(*row) for row in (await conn.execute(query)).all()]


def fill(body: str, values: Mapping[str, str]) -> str:
    """``body`` with each known ``{placeholder}`` replaced. Anything else in braces stays as
    written (an administrator's typo must not break the form, nor reach into other data)."""
    for name in PLACEHOLDERS:
        body = body.replace("{" + name + "}", values.get(name, ""))
    return body
