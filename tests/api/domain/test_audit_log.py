"""The lookup audit: batched, but nothing is answered before its row is committed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from api.domain.audit_log import AuditLog
from api.models import LookupAudit


async def test_concurrent_lookups_are_all_on_record_when_their_calls_return(services):
    # As the api builds it: COPY on the asyncpg pool on PostgreSQL, the engine on SQLite.
    audit = AuditLog(services.engine, services.pool)
    await asyncio.gather(
        *(
            audit.record(
                api_key_id=None,
                channel="bot",
                channel_user=f"tg:{i}",
                nik_hash=None,
                outcome="unknown_nik",
            )
            for i in range(250)
        )
    )
    async with services.sessions() as session:
        count = (await session.execute(select(func.count()).select_from(LookupAudit))).scalar()
    assert count == 250


async def test_a_failed_audit_write_fails_the_lookup_instead_of_answering_it(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")  # no tables
    audit = AuditLog(engine)
    with pytest.raises(Exception, match="lookup_audit"):
        await audit.record(
            api_key_id=None, channel="bot", channel_user="tg:1", nik_hash=None, outcome="found"
        )
    await engine.dispose()


# PostgreSQL only: SQLite stores a NUL in text, so no row is refused there.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_row_the_database_refuses_fails_only_its_own_lookup_not_its_batch(services):
    # PostgreSQL refuses a NUL in text; one such row in a COPY batch once failed every
    # lookup that shared it. (Requests can no longer carry one: this is the second line.)
    audit = AuditLog(services.engine, services.pool)
    users = [f"tg:{i}" if i % 20 else f"tg:\x00{i}" for i in range(60)]
    outcomes = await asyncio.gather(
        *(
            audit.record(
                api_key_id=None, channel="bot", channel_user=user, nik_hash=None, outcome="found"
            )
            for user in users
        ),
        return_exceptions=True,
    )
    failed = [user for user, outcome in zip(users, outcomes, strict=True) if outcome is not None]
    assert failed == [user for user in users if "\x00" in user]
    async with services.sessions() as session:
        count = (await session.execute(select(func.count()).select_from(LookupAudit))).scalar()
    assert count == 57
