"""`bansos stats rebuild` and `bansos stats verify` as an operator runs them."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from bansos.cli import app

runner = CliRunner()


@pytest.fixture
def migrated(tmp_path) -> dict[str, str]:
    env = {
        "BANSOS_ENV": "demo",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "REDIS_URL": "memory://",
    }
    assert runner.invoke(app, ["migrate"], env=env).exit_code == 0
    return env


def test_rebuild_counts_the_events_and_says_how_many(migrated):
    result = runner.invoke(app, ["stats", "rebuild"], env=migrated)
    assert result.exit_code == 0, result.output
    assert "Counted 0 complaint events (up to event 0)." in result.output
    assert "Backlog snapshot: 0 open complaints." in result.output
    assert "Hotspot denominators: 0 beneficiaries in 0 kecamatan." in result.output


def test_verify_without_drift_exits_0(migrated):
    result = runner.invoke(
        app, ["stats", "verify", "--from", "2026-11-01", "--to", "2026-11-30"], env=migrated
    )
    assert result.exit_code == 0, result.output
    assert (
        "2026-11-01..2026-11-30: 0 events up to event 0, 0 drift(s), 0 in the rollups."
        in result.output
    )
    assert "Backlog snapshot: 0 open complaints, 0 drift(s)." in result.output


def test_verify_prints_each_drift_and_exits_1(migrated):
    path = migrated["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO stat_count VALUES"
            " ('2026-11-02', 'received', 0, 'DINSOS-3510', 'WK4', '35', '3510', '351001',"
            " 'PUNGLI', '', 'telegram-bot', '2026-11-01', 3)"
        )

    result = runner.invoke(
        app, ["stats", "verify", "--from", "2026-11-01", "--to", "2026-11-30"], env=migrated
    )

    assert result.exit_code == 1
    assert "drift: day=2026-11-02 metric=received value=0 office_code=DINSOS-3510" in result.output
    assert "counted 3, events say 0" in result.output
    assert "1 drift(s)" in result.output


def test_verify_reports_a_rollup_that_disagrees_with_the_counts(migrated):
    path = migrated["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:  # a hand-edited national figure for November
        db.execute(
            "INSERT INTO stat_rollup_nation VALUES ('month', '2026-11-01', 'received', 0, 7)"
        )

    result = runner.invoke(
        app, ["stats", "verify", "--from", "2026-11-01", "--to", "2026-11-30"], env=migrated
    )

    assert result.exit_code == 1
    assert (
        "rollup drift: stat_rollup_nation span=month start=2026-11-01 metric=received value=0: "
        "stored 7, stat_count sums 0" in result.output
    )
    assert "0 drift(s), 1 in the rollups." in result.output


def test_verify_refuses_a_period_that_ends_before_it_starts(migrated):
    result = runner.invoke(
        app, ["stats", "verify", "--from", "2026-11-30", "--to", "2026-11-01"], env=migrated
    )
    assert result.exit_code == 2
