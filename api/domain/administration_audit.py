"""The administration audit: every configuration change, by whom, before and after."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

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
