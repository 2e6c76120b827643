"""DATABASE_READ_URL: the status check and the statistics read from a replica, and write
nothing there.

A second connection to the test's own database stands in for the replica: what a test can
tell apart is the connection a statement went through. PgPool's connections (the status
check's family read) are plain asyncpg, so ``pg_stat_activity`` shows what each last ran
under its application name; the statistics' statements are seen by an engine event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from api.application import statistics, status_checks
from api.application.principals import Citizen
from api.domain.statistics.counting import jakarta_day
from api.domain.statistics.queries import StatFilter
from api.domain.status_check import Found
from api.models import LookupAudit
from api.services import Services
from tests.complaints_support import channel_of
from tests.conftest import make_settings
from tests.registry_support import SITI, SITI_WITH_PKH, load_registry

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
async def replicated(services, database_url, redis) -> AsyncIterator[Services]:
    """The api's services with DATABASE_READ_URL set: a second pool on the same server."""
    built = Services.build(make_settings(database_url, DATABASE_READ_URL=database_url), redis=redis)
    yield built
    await built.audit.drain()
    for pool in (built.pool, built.read_pool):
        await pool.close()
    await built.read_engine.dispose()
    await built.engine.dispose()


def statements_through(engine) -> list[str]:
    seen: list[str] = []
    event.listen(
        engine.sync_engine, "before_cursor_execute", lambda _c, _cur, sql, *_: seen.append(sql)
    )
    return seen


async def last_statements_of_read_connections(services: Services) -> list[str]:
    async with services.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT query FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'bansos-read'"
            )
        )
        return [query for (query,) in rows]


async def test_a_status_check_reads_the_family_from_the_replica_and_audits_on_the_primary(
    replicated, api_key, tmp_path
):
    await load_registry(replicated, tmp_path, SITI_WITH_PKH)
    citizen = Citizen(await channel_of(replicated, api_key), "tg:7")

    answer = await status_checks.check_status(replicated, citizen, nik=SITI, name="Siti Aminah")

    assert isinstance(answer.found, Found)
    assert any("unnest" in query for query in await last_statements_of_read_connections(replicated))
    async with replicated.engine.connect() as conn:
        outcomes = (await conn.execute(select(LookupAudit.outcome))).scalars().all()
    assert outcomes == ["found"]


async def test_the_statistics_read_through_the_replica_only(replicated):
    through_replica = statements_through(replicated.read_engine)
    through_primary = statements_through(replicated.engine)
    day = jakarta_day(datetime.now(UTC))

    await statistics.overview(replicated, StatFilter(start=day, end=day), locale="id")
    await statistics.table(replicated, StatFilter(start=day, end=day), "backlog", locale="id")
    await statistics.freshness(replicated)

    assert any("stat_rollup_" in sql for sql in through_replica)
    assert any("stat_backlog" in sql for sql in through_replica)
    assert not [sql for sql in through_primary if "stat_" in sql]


async def test_a_write_sent_through_the_replica_connections_is_refused(replicated):
    with pytest.raises(DBAPIError, match="read-only transaction"):
        async with replicated.read_engine.begin() as conn:
            await conn.execute(LookupAudit.__table__.delete())


async def test_without_a_replica_the_reads_share_the_primary_pool(services):
    assert services.read_engine is services.engine
    assert services.read_pool is services.pool
    async with services.read_engine.connect() as conn:
        assert await conn.scalar(select(func.current_setting("transaction_read_only"))) == "off"
