"""Stores replayed histories at once: a few multi-row statements instead of a transaction
per step, in one transaction.

Ids are the database's own, given in the order the application would have given them:
complaints by filing time, events and notifications by the time they happened (so the
statistics' fill, which reads events in id order, meets them as it would have).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from api.models import Complaint, ComplaintEvent, OutboxMessage
from demo.history.replay import Replayed

BATCH = 2_000


async def store_histories(engine: AsyncEngine, histories: Sequence[Replayed]) -> int:
    """Insert every complaint, event and notification of ``histories``; returns the number
    of events."""
    complaints = sorted(range(len(histories)), key=lambda i: histories[i].row["created_at"])
    table = Complaint.__table__
    numbers = [histories[i].events[0]["complaint_id"] for i in complaints]
    ids: dict[int, int] = {}
    async with engine.begin() as conn:
        for start in range(0, len(complaints), BATCH):
            chunk = complaints[start : start + BATCH]
            rows = [histories[i].row for i in chunk]
            result = await conn.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
            )
            ids.update(zip(numbers[start : start + BATCH], result.scalars(), strict=True))
        events = sorted(
            (
                {**event, "complaint_id": ids[event["complaint_id"]]}
                for h in histories
                for event in h.events
            ),
            key=lambda event: (event["at"], event["complaint_id"]),
        )
        messages = sorted((m for h in histories for m in h.outbox), key=lambda m: m["created_at"])
        for rows, model in ((events, ComplaintEvent), (messages, OutboxMessage)):
            for start in range(0, len(rows), BATCH):
                await conn.execute(insert(model.__table__), rows[start : start + BATCH])
    return len(events)
