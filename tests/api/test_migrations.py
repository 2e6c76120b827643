"""The schema comes from Alembic migrations and matches the models."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from api.db import create_engine
from api.migrations_runner import upgrade

#: Indexes only PostgreSQL has, made by the migrations and not described by the models.
POSTGRES_ONLY_INDEXES = {"ix_complaint_description_trgm"}


def test_migrations_produce_exactly_the_schema_the_models_describe(database_url):
    async def differences():
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync), SQLModel.metadata
                    )
                )
        finally:
            await engine.dispose()

    unexplained = [
        difference
        for difference in asyncio.run(differences())
        if not (difference[0] == "remove_index" and difference[1].name in POSTGRES_ONLY_INDEXES)
    ]
    assert unexplained == []


def test_postgresql_searches_descriptions_through_a_trigram_index(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no trigram index; it reads every description")
    from sqlalchemy import text

    async def indexes():
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                result = await conn.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE tablename = 'complaint'")
                )
                return [row[0] for row in result]
        finally:
            await engine.dispose()

    assert any("gin_trgm_ops" in definition for definition in asyncio.run(indexes()))


def test_rebuilding_a_table_on_sqlite_keeps_the_rows_that_reference_it(tmp_path):
    # Migration 0005 rebuilds beneficiary (SQLite cannot drop a foreign key in place); with
    # foreign keys on, dropping the old table would delete its disbursements (CASCADE).
    path = tmp_path / "m.db"
    upgrade(f"sqlite:///{path}", "0004")
    now = "2026-11-23 00:00:00"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("INSERT INTO province VALUES ('35', 'Jawa Timur')")
        db.execute("INSERT INTO regency VALUES ('3510', '35', 'Kabupaten Banyuwangi', 'kabupaten')")
        db.execute("INSERT INTO district VALUES ('351001', '3510', 'Pesanggaran')")
        db.execute(
            "INSERT INTO beneficiary (id, nik_hash, name_hash, kk_hash, identity_encrypted,"
            " district_code, programmes, exclusions, fingerprint, created_at, updated_at)"
            " VALUES (1, x'01', x'02', x'03', x'04', '351001', 'PKH', '', x'05', ?, ?)",
            (now, now),
        )
        db.execute(
            "INSERT INTO disbursement (beneficiary_id, programme, year, tahap, stage, status,"
            " channel, amount, occurred_on, updated_at)"
            " VALUES (1, 'PKH', 2026, 4, 'SI', 'SUKSES', 'BRI', 750000, '2026-10-01', ?)",
            (now,),
        )
        db.execute(
            "INSERT INTO disbursement_subscription (beneficiary_id, kk_hash, channel,"
            " channel_user, locale, created_at) VALUES (1, x'03', 'telegram', '1001', 'id', ?)",
            (now,),
        )
    db.close()
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as db:
        counts = [
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("beneficiary", "disbursement", "disbursement_subscription")
        ]
        keys = db.execute("PRAGMA foreign_key_list(disbursement)").fetchall()
    db.close()
    assert counts == [1, 1, 1]
    assert [key[2] for key in keys] == ["beneficiary"]


def test_migration_0012_adds_the_statistics_snapshots_and_takes_them_away_again(tmp_path):
    from alembic import command

    from api.migrations_runner import alembic_config

    path = tmp_path / "m.db"
    url = f"sqlite:///{path}"
    upgrade(url, "0012")
    snapshots = {"stat_backlog", "stat_beneficiaries", "stat_snapshot"}

    def tables() -> set[str]:
        with sqlite3.connect(path) as db:
            return {row[0] for row in db.execute("SELECT name FROM sqlite_master")}

    assert snapshots <= tables()
    command.downgrade(alembic_config(url), "0011")
    assert not snapshots & tables()
    assert "stat_count" in tables()
