"""Intake's cost on PostgreSQL, in statements sent: the hottest write stays one round trip.

bench/complaints.py measures the throughput; this pins the reason for it, so a refactoring
that quietly adds a query fails here rather than in the next benchmark run.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import event, select

from api.models import Complaint
from tests.complaints_support import PUNGLI_IN_BANYUWANGI, channel_of, file_directly
from tests.registry_support import SITI

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


async def test_through_the_api_pool_a_subject_nik_costs_no_extra_statement(
    services, api_key, registry, statements_sent
):
    # The api files through its plain asyncpg pool: the registry look-up is inside the insert.
    channel = await channel_of(services, api_key)
    registered = replace(PUNGLI_IN_BANYUWANGI, subject_nik=SITI)
    unknown = replace(PUNGLI_IN_BANYUWANGI, subject_nik="3510014107900002")
    statements_sent.clear()

    known_filed = await file_directly(services, channel, registered, pool=services.pool)
    unknown_filed = await file_directly(services, channel, unknown, pool=services.pool)

    assert statements_sent == []  # nothing went through the engine
    async with services.engine.connect() as conn:
        in_registry = dict(
            (await conn.execute(select(Complaint.id, Complaint.subject_in_registry))).all()
        )
    assert in_registry == {known_filed.id: True, unknown_filed.id: False}


async def test_through_the_api_pool_a_retried_idempotency_key_gets_the_first_complaint(
    services, api_key
):
    channel = await channel_of(services, api_key)

    first = await file_directly(services, channel, idempotency_key="k-1", pool=services.pool)
    again = await file_directly(services, channel, idempotency_key="k-1", pool=services.pool)

    assert again.replayed
    assert again.tracking_id == first.tracking_id
