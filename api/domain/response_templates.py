"""Response templates: ready answers to a citizen, per category and language, managed by
administrators and offered on the complaint page.

A body may name a few facts of the complaint as placeholders (``{tracking_id}``,
``{office}``, ``{category}``); :func:`fill` puts them in when a handler picks the template.
A template is checked when it is saved (:func:`problems_of`): an unknown placeholder, or a
brace that opens none, is a mistake the administrator is told about by name, so a citizen
never receives a literal ``{trackng_id}``. The table's rows are changed in the caller's
transaction and returned before and after, for the administration audit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.organisation import Change
from api.models import ComplaintCategory, ResponseTemplate

#: What a body may name, and nothing else.
PLACEHOLDERS: tuple[str, ...] = ("tracking_id", "office", "category")
LOCALES: tuple[str, ...] = ("id", "en")
MAX_TITLE = 128
# The audit keeps the body before and after in 4,000 characters of JSON; a longer answer
# would be a letter, not a chat message.
MAX_BODY = 1500

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class TemplateProblem(StrEnum):
    TITLE_MISSING = "title_missing"
    TITLE_TOO_LONG = "title_too_long"
    BODY_MISSING = "body_missing"
    BODY_TOO_LONG = "body_too_long"
    PLACEHOLDER_UNKNOWN = "placeholder_unknown"
    BRACE_UNMATCHED = "brace_unmatched"
    LOCALE_UNKNOWN = "locale_unknown"
    CATEGORY_UNKNOWN = "category_unknown"
    TEMPLATE_NOT_FOUND = "template_not_found"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template: which field, what, and the words it concerns."""

    field: str
    problem: TemplateProblem
    params: Mapping[str, str | int]


class TemplateError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(p.problem.value for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class TemplateRecord:
    id: int
    category_code: str | None
    locale: str
    title: str
    body: str
    active: bool


@dataclass(frozen=True)
class TemplateDraft:
    category_code: str | None
    locale: str
    title: str
    body: str


def placeholders_in(body: str) -> tuple[str, ...]:
    """The placeholder names a body uses, each once, in order of first use."""
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(body)))


def fill(body: str, values: Mapping[str, str]) -> str:
    """The body with each ``{name}`` replaced by ``values[name]``; a placeholder without a
    value stays as written (a saved template names only known ones)."""
    return _PLACEHOLDER.sub(lambda found: values.get(found.group(1), found.group(0)), body)


def problems_of(draft: TemplateDraft) -> list[Problem]:
    """What is wrong with a template before it is saved (empty: nothing)."""
    found: list[Problem] = []
    title, body = draft.title.strip(), draft.body.strip()
    if not title:
        found.append(Problem("title", TemplateProblem.TITLE_MISSING, {}))
    elif len(title) > MAX_TITLE:
        found.append(Problem("title", TemplateProblem.TITLE_TOO_LONG, {"maximum": MAX_TITLE}))
    if not body:
        found.append(Problem("body", TemplateProblem.BODY_MISSING, {}))
    elif len(body) > MAX_BODY:
        found.append(
            Problem(
                "body", TemplateProblem.BODY_TOO_LONG, {"maximum": MAX_BODY, "length": len(body)}
            )
        )
    unknown = [name for name in placeholders_in(body) if name not in PLACEHOLDERS]
    if unknown:
        found.append(
            Problem(
                "body",
                TemplateProblem.PLACEHOLDER_UNKNOWN,
                {
                    "names": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                },
            )
        )
    # Whatever brace is left once the placeholders are taken out opens or closes nothing.
    stray = _PLACEHOLDER.sub("", body)
    if "{" in stray or "}" in stray:
        found.append(Problem("body", TemplateProblem.BRACE_UNMATCHED, {}))
    if draft.locale not in LOCALES:
        found.append(Problem("locale", TemplateProblem.LOCALE_UNKNOWN, {}))
    return found


def _record(row) -> TemplateRecord:
    return TemplateRecord(row.id, row.category_code, row.locale, row.title, row.body, row.active)


_TABLE = ResponseTemplate.__table__


async def templates(
    engine: AsyncEngine,
    *,
    category_code: str | None = None,
    locale: str | None = None,
    active_only: bool = False,
    with_general: bool = False,
) -> list[TemplateRecord]:
    """Templates by category (``with_general``: and those for any category), language and
    state; general ones first, then by title."""
    query = select(_TABLE)
    if category_code is not None:
        own = _TABLE.c.category_code == category_code
        query = query.where(or_(own, _TABLE.c.category_code.is_(None)) if with_general else own)
    if locale is not None:
        query = query.where(_TABLE.c.locale == locale)
    if active_only:
        query = query.where(_TABLE.c.active.is_(True))
    query = query.order_by(_TABLE.c.category_code.is_not(None), _TABLE.c.title, _TABLE.c.id)
    async with engine.connect() as conn:
        return [_record(row) for row in (await conn.execute(query)).all()]


async def template(engine: AsyncEngine, template_id: int) -> TemplateRecord | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(_TABLE).where(_TABLE.c.id == template_id))).first()
    return _record(row) if row else None


async def _check(conn: AsyncConnection, draft: TemplateDraft) -> TemplateDraft:
    problems = problems_of(draft)
    if draft.category_code is not None and not await conn.scalar(
        select(ComplaintCategory.code).where(ComplaintCategory.code == draft.category_code)
    ):
        problems.append(
            Problem(
                "category_code", TemplateProblem.CATEGORY_UNKNOWN, {"code": draft.category_code}
            )
        )
    if problems:
        raise TemplateError(problems)
    return TemplateDraft(draft.category_code, draft.locale, draft.title.strip(), draft.body.strip())


async def add_template(conn: AsyncConnection, draft: TemplateDraft) -> Change[TemplateRecord]:
    checked = await _check(conn, draft)
    now = datetime.now(UTC)
    new_id = (
        await conn.execute(
            insert(_TABLE)
            .values(
                category_code=checked.category_code,
                locale=checked.locale,
                title=checked.title,
                body=checked.body,
                active=True,
                created_at=now,
                updated_at=now,
            )
            .returning(_TABLE.c.id)
        )
    ).scalar_one()
    row = (await conn.execute(select(_TABLE).where(_TABLE.c.id == new_id))).one()
    return Change(None, _record(row))


async def change_template(
    conn: AsyncConnection,
    template_id: int,
    *,
    draft: TemplateDraft | None = None,
    active: bool | None = None,
) -> Change[TemplateRecord]:
    """Rewrite a template (``draft``, checked as a new one) or take it out of (or back into)
    use (``active``)."""
    before = (await conn.execute(select(_TABLE).where(_TABLE.c.id == template_id))).first()
    if before is None:
        raise TemplateError(
            [Problem("id", TemplateProblem.TEMPLATE_NOT_FOUND, {"id": template_id})]
        )
    changes: dict = {}
    if draft is not None:
        checked = await _check(conn, draft)
        changes.update(
            category_code=checked.category_code,
            locale=checked.locale,
            title=checked.title,
            body=checked.body,
        )
    if active is not None:
        changes["active"] = active
    if changes:
        await conn.execute(
            update(_TABLE)
            .where(_TABLE.c.id == template_id)
            .values(**changes, updated_at=datetime.now(UTC))
        )
    after = (await conn.execute(select(_TABLE).where(_TABLE.c.id == template_id))).one()
    return Change(_record(before), _record(after))
