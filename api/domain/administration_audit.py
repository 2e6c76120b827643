"""The administration audit: every configuration change, by whom, before and after."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.models import AdministrationAudit


def _as_json(record: Any) -> str | None:
    if record is None:
        return None
    if dataclasses.is_dataclass(record):
        record = dataclasses.asdict(record)
    return json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)


async def record_change(
    conn: AsyncConnection,
    *,
    actor: str,
    actor_staff_id: int | None,
    change: str,
    subject: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """One audit row, in the caller's transaction: the change and its record stand or fall
    together."""
    await conn.execute(
        insert(AdministrationAudit.__table__).values(
            at=datetime.now(UTC),
            actor=actor,
            actor_staff_id=actor_staff_id,
            change=change,
            subject=subject,
            before=_as_json(before),
            after=_as_json(after),
        )
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    change: str
    subject: str
    # Only the fields that differ (all of them for a record that is new or gone).
    fields: tuple[FieldChange, ...]


def _parsed(text: str | None) -> dict:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def differences(before: str | None, after: str | None) -> tuple[FieldChange, ...]:
    """What a change did, field by field, from the audit's JSON before and after."""
    old, new = _parsed(before), _parsed(after)
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    )


async def recent_changes(
    engine: AsyncEngine, *, change: str | None = None, limit: int = 50
) -> list[AuditEntry]:
    """The latest audit rows, newest first, of one kind of change or all."""
    table = AdministrationAudit.__table__
    query = select(table).order_by(table.c.id.desc()).limit(limit)
    if change:
        query = query.where(table.c.change == change)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [
        AuditEntry(
            row.id, row.at, row.actor, row.change, row.subject, differences(row.before, row.after)
        )
        for row in rows
    ]


async def change_kinds(engine: AsyncEngine) -> list[str]:
    """Every kind of change the audit holds, for its filter."""
    table = AdministrationAudit.__table__
    async with engine.connect() as conn:
        kinds = await conn.scalars(select(table.c.change).distinct().order_by(table.c.change))
        return list(kinds.all())
