"""Intake's cost on PostgreSQL, in statements sent: the hottest write stays one round trip.

bench/complaints.py measures the throughput; this pins the reason for it, so a refactoring
that quietly adds a query fails here rather than in the next benchmark run.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import event

from tests.complaints_support import PUNGLI_IN_BANYUWANGI, channel_of, file_directly

# The one-statement write is PostgreSQL's (SQLite takes the same rows in one transaction).
pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
async def statements_sent(services):
    """The SQL statements the engine sends from now on, in order."""
    await services.directory.get()  # the directory is cached per process, not per request
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(services.engine.sync_engine, "before_cursor_execute", record)
    yield sent
    event.remove(services.engine.sync_engine, "before_cursor_execute", record)


async def test_a_complaint_with_its_event_key_and_notification_is_one_statement(
    services, api_key, statements_sent
):
    channel = await channel_of(services, api_key)
    statements_sent.clear()

    await file_directly(services, channel, idempotency_key="retry-1")

    assert len(statements_sent) == 1


async def test_a_subject_nik_adds_only_the_registry_lookup(services, api_key, statements_sent):
    channel = await channel_of(services, api_key)
    about_someone = replace(PUNGLI_IN_BANYUWANGI, subject_nik="3510014107900001")
    statements_sent.clear()

    await file_directly(services, channel, about_someone)

    assert len(statements_sent) == 2
