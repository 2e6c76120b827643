"""The `bansos` command as an operator uses it."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from bansos.cli import app
from tests.conftest import POSTGRES_ONLY
from tests.registry_support import BENEFICIARY_HEADER, KK, SITI, write_csv

runner = CliRunner()


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {
        "BANSOS_ENV": "demo",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "REDIS_URL": "memory://",
    }


@pytest.fixture
def migrated(env) -> dict[str, str]:
    assert runner.invoke(app, ["migrate"], env=env).exit_code == 0
    loaded = runner.invoke(app, ["load-reference"], env=env)
    assert "40 pilot kabupaten/kota" in loaded.output
    return env


def command_paths(group=None, prefix=()):
    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from command_paths(command, (*prefix, name))


def test_every_command_explains_itself_with_help():
    paths = list(command_paths())
    assert {("demo",), ("import", "beneficiaries"), ("create-api-key",)} <= set(paths)
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage" in result.output


def test_import_with_some_bad_rows_lands_the_rest_and_exits_1(migrated, tmp_path):
    path = write_csv(
        tmp_path / "b.csv",
        BENEFICIARY_HEADER,
        f"{SITI},{KK},Siti,351001,3,PKH,",
        f"3510014107900002,{KK},Ani,351001,33,PKH,",
    )
    errors = tmp_path / "errors.txt"
    result = runner.invoke(
        app, ["import", "beneficiaries", str(path), "--errors-file", str(errors)], env=migrated
    )
    assert result.exit_code == 1
    assert "2 rows read: 1 added, 0 updated, 0 unchanged, 1 rejected." in result.output
    assert errors.read_text() == "line 3: desil: must be a whole number from 1 to 10, or empty\n"
    again = runner.invoke(app, ["import", "beneficiaries", str(path)], env=migrated)
    assert "0 added, 0 updated, 1 unchanged, 1 rejected" in again.output


def test_import_of_a_clean_file_exits_0(migrated, tmp_path):
    path = write_csv(tmp_path / "b.csv", BENEFICIARY_HEADER, f"{SITI},{KK},Siti,351001,3,PKH,")
    assert runner.invoke(app, ["import", "beneficiaries", str(path)], env=migrated).exit_code == 0


def test_import_with_a_renamed_column_writes_nothing_and_exits_2(migrated, tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(
        "nik,kk,nama,kode_wilayah,desil,program,keterangan\n"
        "3510014107900001,3510010101100001,Siti,351001,3,PKH,\n"
    )
    result = runner.invoke(app, ["import", "beneficiaries", str(path)], env=migrated)
    assert result.exit_code == 2
    assert "missing column(s): no_kk; unexpected column(s): kk" in result.output
    assert "before writing anything" in result.output


def test_replacing_the_registry_on_sqlite_says_it_needs_postgresql_and_exits_2(migrated, tmp_path):
    path = write_csv(tmp_path / "b.csv", BENEFICIARY_HEADER, f"{SITI},{KK},Siti,351001,3,PKH,")
    result = runner.invoke(app, ["import", "beneficiaries", "--replace", str(path)], env=migrated)
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output and "without --replace" in result.output


@POSTGRES_ONLY
def test_replacing_the_registry_reports_who_was_removed(database_url, tmp_path):
    env = {"BANSOS_ENV": "demo", "DATABASE_URL": database_url, "REDIS_URL": "memory://"}
    both = write_csv(
        tmp_path / "both.csv",
        BENEFICIARY_HEADER,
        f"{SITI},{KK},Siti,351001,3,PKH,",
        f"3510014107900002,{KK},Ani,351001,3,PKH,",
    )
    one = write_csv(tmp_path / "one.csv", BENEFICIARY_HEADER, f"{SITI},{KK},Siti,351001,4,PKH,")
    command = ["import", "beneficiaries", "--replace"]
    assert runner.invoke(app, [*command, str(both)], env=env).exit_code == 0
    result = runner.invoke(app, [*command, str(one)], env=env)
    assert result.exit_code == 0
    assert (
        "1 rows read: 0 added, 1 updated, 0 unchanged, 1 removed (not in the file), 0 rejected."
        in result.output
    )


def test_import_of_a_missing_file_says_so(migrated, tmp_path):
    result = runner.invoke(
        app, ["import", "disbursements", str(tmp_path / "nope.csv")], env=migrated
    )
    assert result.exit_code == 2 and "No such file" in result.output


def test_placeholder_secrets_stop_a_production_start(tmp_path):
    env = {
        "BANSOS_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "NIK_HASH_KEY": "changethis",
        "DATA_ENCRYPTION_KEY": "changethis",
        "SECRET_KEY": "changethis",
    }
    result = runner.invoke(app, ["serve"], env=env)
    assert result.exit_code == 2
    assert (
        "NIK_HASH_KEY, DATA_ENCRYPTION_KEY and SECRET_KEY must be set to real secrets."
        in result.output
    )


def test_generated_keys_are_accepted_in_production(tmp_path):
    from api.settings import Settings

    lines = runner.invoke(app, ["generate-keys"]).output.split()
    values = dict(line.split("=", 1) for line in lines)
    servers = {"DATABASE_URL": "postgresql://bansos@db/bansos", "REDIS_URL": "redis://redis:6379/0"}
    settings = Settings(_env_file=None, BANSOS_ENV="production", **values, **servers)
    assert len(settings.data_key_bytes) == 32


def test_an_api_key_is_printed_once_and_can_be_revoked(migrated):
    key = runner.invoke(app, ["create-api-key", "telegram-bot"], env=migrated).output.strip()
    assert re.fullmatch(r"bsk_[0-9a-f]{8}_[\w-]{43}", key)
    prefix = key.split("_")[1]
    assert runner.invoke(app, ["revoke-api-key", prefix], env=migrated).exit_code == 0
    again = runner.invoke(app, ["revoke-api-key", prefix], env=migrated)
    assert again.exit_code == 1 and "No active key" in again.output


def test_create_staff_makes_an_account_that_can_sign_in(migrated):
    created = runner.invoke(
        app,
        ["create-staff", "admin", "--role", "admin"],
        input="kata-sandi-yang-panjang\n",
        env=migrated,
    )

    assert created.exit_code == 0 and "Created admin admin." in created.output
    taken = runner.invoke(
        app,
        ["create-staff", "admin", "--role", "admin"],
        input="kata-sandi-yang-panjang\n",
        env=migrated,
    )
    assert taken.exit_code == 2
    assert "Not created: the username 'admin' is taken" in taken.output


def test_create_staff_refuses_a_short_password_and_a_handler_without_office(migrated):
    short = runner.invoke(
        app,
        ["create-staff", "siti", "--role", "handler", "--office", "DINSOS-3510"],
        input="pendek\n",
        env=migrated,
    )
    homeless = runner.invoke(
        app,
        ["create-staff", "budi", "--role", "handler"],
        input="kata-sandi-yang-panjang\n",
        env=migrated,
    )

    assert short.exit_code == homeless.exit_code == 2
    assert "at least 12 characters" in short.output
    assert "belongs to an office" in homeless.output


def test_a_statistics_key_is_made_for_the_country_or_one_region(migrated):
    national = runner.invoke(app, ["create-api-key", "dasbor", "--statistics"], env=migrated)
    regional = runner.invoke(
        app, ["create-api-key", "dasbor-wk1", "--statistics", "--region", "wk1"], env=migrated
    )
    unknown = runner.invoke(
        app, ["create-api-key", "dasbor", "--statistics", "--region", "WK99"], env=migrated
    )
    channel_with_region = runner.invoke(
        app, ["create-api-key", "mitra", "--region", "WK1"], env=migrated
    )

    assert national.exit_code == 0 and national.output.startswith("bsk_")
    assert regional.exit_code == 0 and regional.output.startswith("bsk_")
    assert unknown.exit_code == 2 and "no coordination region" in unknown.output
    assert channel_with_region.exit_code == 2
