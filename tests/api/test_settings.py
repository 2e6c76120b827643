"""Settings: secrets are real outside the demo, and production runs on no stand-in."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.app import create_app
from api.settings import Settings, StandInInProduction

REAL = {"NIK_HASH_KEY": "x" * 32, "DATA_ENCRYPTION_KEY": "a" * 43 + "=", "SECRET_KEY": "s" * 32}
#: What production runs on: PostgreSQL and a Redis server.
SERVERS = {
    "DATABASE_URL": "postgresql://bansos@db:5432/bansos",
    "REDIS_URL": "redis://redis:6379/0",
}


def test_production_refuses_placeholder_secrets():
    with pytest.raises(ValidationError, match="must be set to real secrets"):
        Settings(_env_file=None, BANSOS_ENV="production")


def test_production_refuses_a_data_key_of_the_wrong_size():
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(
            _env_file=None,
            BANSOS_ENV="production",
            NIK_HASH_KEY="x" * 32,
            DATA_ENCRYPTION_KEY="c2hvcnQ=",
            SECRET_KEY="s" * 32,
        )


def test_the_demo_runs_with_built_in_keys_that_stay_the_same_between_runs():
    first = Settings(_env_file=None, BANSOS_ENV="demo")
    second = Settings(_env_file=None, BANSOS_ENV="demo")
    assert first.data_key_bytes == second.data_key_bytes and len(first.data_key_bytes) == 32
    assert first.nik_hash_key_bytes == second.nik_hash_key_bytes


def test_previous_encryption_keys_must_be_keys_too():
    real = {**REAL, **SERVERS}
    with pytest.raises(ValidationError, match="DATA_ENCRYPTION_KEY_PREVIOUS must list base64"):
        Settings(
            _env_file=None, BANSOS_ENV="production", DATA_ENCRYPTION_KEY_PREVIOUS="c2hvcnQ=", **real
        )
    two = Settings(
        _env_file=None,
        BANSOS_ENV="production",
        DATA_ENCRYPTION_KEY_PREVIOUS=f"{'b' * 43}=, {'c' * 43}=",
        **real,
    )
    assert [len(key) for key in two.previous_data_keys_bytes] == [32, 32]
    assert Settings(_env_file=None, BANSOS_ENV="production", **real).previous_data_keys_bytes == ()


@pytest.mark.parametrize("database_url", [None, "sqlite:///var/bansos.db", "sqlite+aiosqlite:///x"])
def test_production_refuses_a_sqlite_database_naming_database_url(database_url):
    chosen = {} if database_url is None else {"DATABASE_URL": database_url}
    with pytest.raises(ValidationError, match="DATABASE_URL must name a PostgreSQL database"):
        Settings(_env_file=None, BANSOS_ENV="production", **REAL, **chosen)


@pytest.mark.parametrize("redis_url", [None, "memory://", ""])
def test_production_servers_refuse_the_in_process_redis_naming_redis_url(redis_url):
    servers = {"DATABASE_URL": SERVERS["DATABASE_URL"]}  # REDIS_URL unset: the default
    if redis_url is not None:
        servers["REDIS_URL"] = redis_url
    settings = Settings(_env_file=None, BANSOS_ENV="production", **REAL, **servers)
    with pytest.raises(StandInInProduction, match="REDIS_URL must name a Redis server"):
        settings.require_shared_redis()
    # `uvicorn api.asgi:app` without `bansos serve` gets no further either.
    with pytest.raises(StandInInProduction, match="REDIS_URL"):
        create_app(settings)


def test_production_on_postgresql_and_a_redis_server_starts():
    settings = Settings(_env_file=None, BANSOS_ENV="production", **REAL, **SERVERS)
    settings.require_shared_redis()
    assert settings.is_postgres and settings.has_redis_server


@pytest.mark.parametrize("environment", ["demo", "test"])
def test_the_demo_and_the_tests_keep_the_stand_ins(environment):
    settings = Settings(_env_file=None, BANSOS_ENV=environment, **REAL)
    settings.require_shared_redis()
    assert settings.database_url.startswith("sqlite") and settings.redis_url == "memory://"


def test_without_database_read_url_the_reads_go_to_database_url():
    settings = Settings(_env_file=None, BANSOS_ENV="production", **REAL, **SERVERS)
    assert settings.read_url == SERVERS["DATABASE_URL"] and not settings.has_read_replica


def test_database_read_url_names_the_replica_the_reads_go_to():
    replica = "postgresql://bansos@replica:5432/bansos"
    settings = Settings(
        _env_file=None, BANSOS_ENV="production", DATABASE_READ_URL=replica, **REAL, **SERVERS
    )
    assert settings.read_url == replica and settings.has_read_replica


def test_production_refuses_a_sqlite_read_replica_naming_database_read_url():
    with pytest.raises(ValidationError, match="DATABASE_READ_URL must name a PostgreSQL"):
        Settings(
            _env_file=None,
            BANSOS_ENV="production",
            DATABASE_READ_URL="sqlite:///var/replica.db",
            **REAL,
            **SERVERS,
        )
