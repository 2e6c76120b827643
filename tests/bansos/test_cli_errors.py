"""The `bansos` command, run as an operator runs it (the installed entry point, in a folder
of its own): a setup mistake is answered by one or two plain sentences saying what to do,
never a library's trace or a link to its documentation; and beside the demo, administration
commands need no variables at all."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANSOS = Path(sys.executable).parent / "bansos"
CONFIGURATION = ("BANSOS_ENV", "DATABASE_URL", "REDIS_URL", "NIK_HASH_KEY")
CONFIGURATION += ("DATA_ENCRYPTION_KEY", "SECRET_KEY", "TELEGRAM_BOT_TOKEN", "BANSOS_API_KEY")
PASSWORD = "kata-sandi-yang-panjang\n"


def bansos(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    """``bansos ARGS`` in ``cwd`` with ``env`` as the only configuration."""
    clean = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    # PYTHONPATH: this checkout's code even where the virtualenv was installed from another.
    clean.update(PYTHONPATH=str(ROOT), COLUMNS="200", **env)
    return subprocess.run(
        [str(BANSOS), *args], cwd=cwd, env=clean, input=stdin, capture_output=True, text=True
    )


def plain(result: subprocess.CompletedProcess) -> str:
    """What the operator reads, checked to be an error in plain words."""
    said = (result.stdout + result.stderr).strip()
    assert result.returncode == 2, said
    for sign in ("Traceback", "pydantic", "http", "validation error", "sqlalche.me", "[SQL"):
        assert sign not in said, said
    assert len(re.findall(r"[.!?](?:\s|$)", said)) <= 2, said
    return said


def test_a_production_start_without_secrets_says_which_and_how_to_make_them(tmp_path):
    said = plain(bansos("migrate", cwd=tmp_path, BANSOS_ENV="production"))
    assert "NIK_HASH_KEY, DATA_ENCRYPTION_KEY and SECRET_KEY must be set to real secrets." in said
    assert "`bansos generate-keys`" in said and "python3 dev.py demo" in said


#: Real secrets (of the right shapes), so that only the stand-ins are left to refuse.
SECRETS = {
    "NIK_HASH_KEY": "production-nik-hash-key-0123456789",
    "DATA_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1kYXRhLWtleS0zMi1ieXRlcyEhISE=",
    "SECRET_KEY": "production-secret-key-0123456789",
}
#: A PostgreSQL server nobody listens on: a refusal comes before any connection.
UNREACHABLE_POSTGRES = "postgresql://bansos:rahasia@127.0.0.1:9/bansos"


@pytest.mark.parametrize("command", ["migrate", "serve", "worker", "create-api-key mitra"])
def test_production_on_a_sqlite_file_is_refused_naming_database_url(tmp_path, command):
    said = plain(
        bansos(
            *command.split(),
            cwd=tmp_path,
            BANSOS_ENV="production",
            DATABASE_URL=f"sqlite:///{tmp_path / 'bansos.db'}",
            REDIS_URL="redis://127.0.0.1:9/0",
            **SECRETS,
        )
    )
    assert said.startswith("Refusing to start: DATABASE_URL must name a PostgreSQL database")
    assert "BANSOS_ENV=production" in said
    assert not (tmp_path / "bansos.db").exists()  # nothing was written in the meantime


def test_production_with_the_default_database_is_refused_too(tmp_path):
    said = plain(bansos("migrate", cwd=tmp_path, BANSOS_ENV="production", **SECRETS))
    assert "DATABASE_URL must name a PostgreSQL database (`postgresql://…`)" in said
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize("redis_url", [None, "memory://"])
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_production_servers_on_the_in_process_redis_are_refused_naming_redis_url(
    tmp_path, command, redis_url
):
    redis = {} if redis_url is None else {"REDIS_URL": redis_url}  # unset: the default
    said = plain(
        bansos(
            command,
            cwd=tmp_path,
            BANSOS_ENV="production",
            DATABASE_URL=UNREACHABLE_POSTGRES,
            **redis,
            **SECRETS,
        )
    )
    assert said == (
        "Refusing to start: REDIS_URL must name a Redis server (`redis://…`) with "
        "BANSOS_ENV=production, not `memory://`, the demo's one-process stand-in. "
        "Set it in .env or the environment."
    )


@pytest.mark.parametrize("redis_url", [None, "memory://"])
def test_the_production_bot_on_the_in_process_redis_is_refused_naming_redis_url(
    tmp_path, redis_url
):
    redis = {} if redis_url is None else {"REDIS_URL": redis_url}
    said = plain(
        bansos(
            "bot",
            cwd=tmp_path,
            BANSOS_ENV="production",
            TELEGRAM_BOT_TOKEN="123456:stand-in",
            BANSOS_API_KEY="bsk_00000000_x",
            **redis,
        )
    )
    assert said.startswith("Refusing to start: REDIS_URL must name the worker's Redis server")
    assert "BANSOS_ENV=production" in said and "memory://" in said


def test_a_value_of_the_wrong_kind_names_the_variable_and_what_it_takes(tmp_path):
    said = plain(bansos("migrate", cwd=tmp_path, BANSOS_ENV="prod"))
    assert said.endswith(
        "BANSOS_ENV must be one of demo, test, production. Set it in .env or the environment."
    )
    said = plain(bansos("migrate", cwd=tmp_path, BANSOS_ENV="demo", LOOKUP_LIMIT_PER_USER="ten"))
    assert "LOOKUP_LIMIT_PER_USER must be a whole number." in said
    assert "ten" not in said  # a value is never echoed: it could be a secret


def test_a_database_without_tables_says_to_migrate(tmp_path):
    said = plain(
        bansos(
            *("create-staff", "budi", "--role", "HANDLER", "--office", "DINSOS-1872"),
            cwd=tmp_path,
            stdin=PASSWORD,
            BANSOS_ENV="demo",
            DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}",
        )
    )
    assert "Run `bansos migrate`, then `bansos load-reference`" in said


def test_a_database_that_does_not_answer_says_which_variable_names_it(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    said = plain(
        bansos(
            "migrate",
            cwd=tmp_path,
            BANSOS_ENV="demo",
            DATABASE_URL=f"postgresql://bansos:rahasia@127.0.0.1:{port}/bansos",
        )
    )
    assert (
        said == "The database at DATABASE_URL does not answer. Start it, or correct DATABASE_URL."
    )


@pytest.fixture
def demo_clone(tmp_path) -> Path:
    """A folder where the demo ran: its database migrated and loaded, as `bansos demo` does."""
    demo = {"BANSOS_ENV": "demo", "DATABASE_URL": "sqlite:///var/demo.db"}
    (tmp_path / "var").mkdir()
    assert bansos("migrate", cwd=tmp_path, **demo).returncode == 0
    assert bansos("load-reference", cwd=tmp_path, **demo).returncode == 0
    return tmp_path


def test_create_staff_beside_the_demo_needs_no_variables(demo_clone):
    command = ("create-staff", "budi", "--role", "HANDLER", "--office", "DINSOS-1872")

    created = bansos(*command, cwd=demo_clone, stdin=PASSWORD)
    again = bansos(*command, cwd=demo_clone, stdin=PASSWORD)

    assert created.returncode == 0, created.stderr
    assert "Created handler budi." in created.stdout
    assert "the demo's database" in created.stderr  # it says where it worked
    # The same database the demo serves: the name is taken there now.
    assert "the username 'budi' is taken" in plain(again)


def test_beside_the_demo_any_setting_given_means_no_guessing(demo_clone):
    """A deployment sets its secrets, so it never lands on the demo's database."""
    said = plain(bansos("create-api-key", "mitra", cwd=demo_clone, SECRET_KEY="x" * 32))
    assert "NIK_HASH_KEY and DATA_ENCRYPTION_KEY must be set to real secrets." in said
