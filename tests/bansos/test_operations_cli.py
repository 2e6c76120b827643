"""Running a deployment from the command line: ``bansos bootstrap``, ``rotate-keys`` and
``verify-data``, as docs/operations.md tells an operator to use them."""

from __future__ import annotations

import base64
import re
import stat

import pytest
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from api.models import AdministrationAudit, ApiKey, Staff
from bansos.cli import app
from tests.registry_support import BENEFICIARY_HEADER, KK, SITI, write_csv

runner = CliRunner()
OLD_DATA_KEY = base64.b64encode(b"o" * 32).decode()
NEW_DATA_KEY = base64.b64encode(b"n" * 32).decode()


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    values = {
        # Real keys required as in production, on a SQLite file (which production refuses).
        "BANSOS_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}",
        "REDIS_URL": "memory://",
        "NIK_HASH_KEY": "operations-test-nik-hash-key-0001",
        "DATA_ENCRYPTION_KEY": OLD_DATA_KEY,
        "SECRET_KEY": "operations-test-secret",
        "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        "DATA_ENCRYPTION_KEY_PREVIOUS": "",
        "NIK_HASH_KEY_PREVIOUS": "",
    }
    assert runner.invoke(app, ["migrate"], env=values).exit_code == 0
    assert runner.invoke(app, ["load-reference"], env=values).exit_code == 0
    return values


def counts(env) -> tuple[int, int, int]:
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        return tuple(
            conn.scalar(select(func.count()).select_from(table))
            for table in (Staff.__table__, ApiKey.__table__, AdministrationAudit.__table__)
        )


def test_bootstrap_makes_the_first_admin_and_the_bots_key_once(env, tmp_path):
    key_file = tmp_path / "secrets" / "bot-api-key"
    first = runner.invoke(app, ["bootstrap", "--key-file", str(key_file)], env=env)
    assert first.exit_code == 0, first.output
    password = re.search(r"temporary password (\S+) \(shown only this once\)", first.output)
    assert password and len(password.group(1)) >= 12
    assert f"Wrote a new telegram-bot key to {key_file}." in first.output
    key = key_file.read_text().strip()
    assert re.fullmatch(r"bsk_[0-9a-f]{8}_[\w-]{43}", key)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        admin = conn.execute(select(Staff.role, Staff.must_change_password)).one()
    assert tuple(admin) == ("ADMIN", True)  # the console asks for their own password first
    before = counts(env)

    second = runner.invoke(app, ["bootstrap", "--key-file", str(key_file)], env=env)
    assert second.exit_code == 0
    assert "An administrator exists: none created." in second.output
    assert "key in" in second.output and "is valid: kept." in second.output
    assert "password" not in second.output
    assert key_file.read_text().strip() == key
    assert counts(env) == before == (1, 1, 2)


def test_bootstrap_replaces_a_revoked_or_lost_key_and_keeps_the_admin(env, tmp_path):
    key_file = tmp_path / "bot-api-key"
    runner.invoke(app, ["bootstrap", "--key-file", str(key_file)], env=env)
    old = key_file.read_text().strip()
    assert runner.invoke(app, ["revoke-api-key", old.split("_")[1]], env=env).exit_code == 0
    again = runner.invoke(app, ["bootstrap", "--key-file", str(key_file)], env=env)
    assert "Wrote a new telegram-bot key" in again.output
    assert key_file.read_text().strip() != old
    key_file.unlink()
    lost = runner.invoke(app, ["bootstrap", "--key-file", str(key_file)], env=env)
    assert "Wrote a new telegram-bot key" in lost.output and key_file.exists()
    assert counts(env)[0] == 1


def test_the_bot_reads_the_key_bootstrap_wrote(env, tmp_path, monkeypatch):
    from bot.settings import BotSettings

    key_file = tmp_path / "bot-api-key"
    runner.invoke(app, ["bootstrap", "--key-file", str(key_file)], env=env)
    monkeypatch.delenv("BANSOS_API_KEY", raising=False)
    monkeypatch.setenv("BANSOS_API_KEY_FILE", str(key_file))
    settings = BotSettings(_env_file=None)
    assert settings.api_key.get_secret_value() == key_file.read_text().strip()


def test_rotation_commands_say_which_variables_to_set(env):
    for command in (["rotate-keys", "encryption"], ["rotate-keys", "nik-hash"]):
        result = runner.invoke(app, command, env=env)
        assert result.exit_code == 2
        assert "_PREVIOUS to the old one" in result.output, command
        assert "Traceback" not in result.output


def test_an_encryption_key_rotation_as_the_operator_runs_it(env, tmp_path):
    people = write_csv(
        tmp_path / "b.csv",
        BENEFICIARY_HEADER,
        f"{SITI},{KK},Siti Aminah,351001,3,PKH,",
        f"3510016504150002,{KK},Dewi Aminah,351001,3,PBI_JK,",
    )
    assert runner.invoke(app, ["import", "beneficiaries", str(people)], env=env).exit_code == 0
    assert runner.invoke(app, ["verify-data"], env=env).exit_code == 0
    new_only = {**env, "DATA_ENCRYPTION_KEY": NEW_DATA_KEY}
    refused = runner.invoke(app, ["verify-data"], env=new_only)
    assert refused.exit_code == 1
    assert "does not decrypt (another DATA_ENCRYPTION_KEY?)" in refused.output

    during = {**new_only, "DATA_ENCRYPTION_KEY_PREVIOUS": OLD_DATA_KEY}
    rotated = runner.invoke(app, ["rotate-keys", "encryption", "--batch-size", "1"], env=during)
    assert rotated.exit_code == 0, rotated.output
    assert "beneficiary.identity_encrypted: 2 read, 2 re-encrypted, 0 under neither key." in (
        rotated.output
    )
    assert "remove DATA_ENCRYPTION_KEY_PREVIOUS" in rotated.output
    assert runner.invoke(app, ["verify-data"], env=new_only).exit_code == 0
    old_again = runner.invoke(app, ["verify-data"], env=env)
    assert old_again.exit_code == 1


def test_verify_data_refuses_a_database_behind_the_code(env):
    engine = create_engine(env["DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    result = runner.invoke(app, ["verify-data"], env=env)
    assert result.exit_code == 1
    assert "run `bansos migrate`" in result.output


def test_a_nik_hash_rotation_exits_1_when_rows_open_under_neither_key(env, tmp_path):
    people = write_csv(tmp_path / "b.csv", BENEFICIARY_HEADER, f"{SITI},{KK},Siti,351001,3,PKH,")
    runner.invoke(app, ["import", "beneficiaries", str(people)], env=env)
    wrong = {
        **env,
        "NIK_HASH_KEY": "the-new-nik-hash-key-000000000001",
        "NIK_HASH_KEY_PREVIOUS": "not-the-key-the-rows-were-made-with",
    }
    result = runner.invoke(app, ["rotate-keys", "nik-hash"], env=wrong)
    assert result.exit_code == 1
    assert "beneficiary: 1 read, 0 re-hashed, 1 under neither key." in result.output
    assert "check the keys in the settings" in result.output
