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
