"""Alembic environment: runs migrations on the async engine of the configured database."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlmodel import SQLModel

import api.models  # noqa: F401 - registers every table
from api.db import create_engine

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table (copy, drop, rename). With foreign keys on,
        # dropping the old table would delete or refuse the rows that reference it (e.g. a
        # beneficiary's disbursements). SQLite only takes this setting outside a transaction.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise RuntimeError("cannot switch SQLite foreign keys off inside a transaction")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("a migration left rows whose foreign keys point nowhere")
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def _run_async() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        await connectable.run_sync(_run)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
