"""scripts/backup.sh and scripts/restore_check.sh against the real PostgreSQL, as the monthly
drill of docs/operations.md runs them: back up a database with a person, a complaint and its
photo, restore it into a fresh database, and check it with the keys."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.registry_support import SITI

ROOT = Path(__file__).resolve().parents[1]
# PostgreSQL only: the session's database of the other backend (SQLite, one file) is not used.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
async def deployment(services, client, registry) -> dict[str, str]:
    """A database with Siti, a complaint about her with a photo, and its environment."""
    filed = await client.post(
        "/api/v1/complaints",
        json={
            "reporter": {"channel_user": "tg:1001", "locale": "id"},
            "category": "BANTUAN_TIDAK_DITERIMA",
            "description": "Bantuan PKH tahap 3 belum saya terima.",
            "subject_nik": SITI,
            "region_code": "351001",
        },
    )
    uploaded = await client.post(
        f"/api/v1/complaints/{filed.json()['tracking_id']}/attachments",
        data={"channel_user": "tg:1001"},
        files={"file": ("bukti.png", _photo(), "image/png")},
    )
    assert uploaded.status_code == 201
    settings = services.settings
    outside = {k: v for k, v in os.environ.items() if not k.startswith(("BANSOS_", "DATABASE"))}
    return {
        **outside,
        "BANSOS": f"{sys.executable} -m bansos",
        "BANSOS_ENV": "production",
        "DATABASE_URL": settings.database_url,
        "ATTACHMENTS_DIR": settings.attachments_dir,
        "NIK_HASH_KEY": settings.nik_hash_key.get_secret_value(),
        "DATA_ENCRYPTION_KEY": settings.data_encryption_key.get_secret_value(),
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "REDIS_URL": "memory://",
    }


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def database_exists(name: str) -> bool:
    listed = subprocess.run(
        ["psql", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", PG_URL],
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.strip() == "1"


@pytest.fixture
def fresh_database():
    """The URL of a database name nobody uses (the script creates it); dropped after."""
    names: list[str] = []

    def make() -> str:
        names.append(f"bansos_restore_{uuid.uuid4().hex[:10]}")
        return make_url(PG_URL).set(database=names[-1]).render_as_string(hide_password=False)

    yield make
    for name in names:
        subprocess.run(
            ["psql", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', PG_URL],
            capture_output=True,
        )


def test_a_backup_restores_into_a_fresh_database_and_opens_with_the_keys(
    deployment, fresh_database, tmp_path
):
    made = run("backup.sh", str(tmp_path / "backups"), env=deployment)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "attachments.tar.gz",
        "database.dump",
    ]

    target = fresh_database()
    checked = run("restore_check.sh", "--drop", str(backup), target, env=deployment)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 beneficiaries, 1 complaints, 1 attachments" in checked.stdout
    assert "Checked 1 people and 1 complaints with the keys, 1 attachment files." in (
        checked.stdout
    )
    assert "belong together" in checked.stdout
    assert not database_exists(make_url(target).database)  # --drop: the drill leaves nothing


def test_a_restore_with_another_encryption_key_fails_and_says_which(
    deployment, fresh_database, tmp_path
):
    backup = run("backup.sh", str(tmp_path), env=deployment).stdout.strip()
    other_key = {
        **deployment,
        "DATA_ENCRYPTION_KEY": "b3RoZXIta2V5LW9mLTMyLWJ5dGVzLWV4YWN0bHkhISE=",
    }
    checked = run("restore_check.sh", "--drop", backup, fresh_database(), env=other_key)
    assert checked.returncode == 1
    assert "does not decrypt (another DATA_ENCRYPTION_KEY?)" in checked.stderr


def test_a_backup_missing_an_attachment_fails_the_check(deployment, fresh_database, tmp_path):
    for photo in Path(deployment["ATTACHMENTS_DIR"]).rglob("*.png"):
        photo.unlink()
    backup = run("backup.sh", str(tmp_path), env=deployment).stdout.strip()
    checked = run("restore_check.sh", "--drop", backup, fresh_database(), env=deployment)
    assert checked.returncode == 1
    assert "its file is missing" in checked.stderr


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    deployment, fresh_database, tmp_path
):
    backup = Path(run("backup.sh", str(tmp_path), env=deployment).stdout.strip())
    with (backup / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    target = fresh_database()
    checked = run("restore_check.sh", str(backup), target, env=deployment)
    assert checked.returncode != 0
    assert "FAILED" in checked.stdout + checked.stderr
    assert not database_exists(make_url(target).database)


def test_restore_check_never_restores_over_an_existing_database(deployment, tmp_path):
    backup = run("backup.sh", str(tmp_path), env=deployment).stdout.strip()
    live = deployment["DATABASE_URL"]
    checked = run("restore_check.sh", "--drop", backup, live, env=deployment)
    assert checked.returncode != 0
    assert "already exists" in checked.stderr
    # --drop removes only what the run created: the live database is still there.
    assert database_exists(make_url(live).database)
