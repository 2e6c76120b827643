"""Settings: secrets are real outside the demo."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import Settings


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
    real = {"NIK_HASH_KEY": "x" * 32, "DATA_ENCRYPTION_KEY": "a" * 43 + "=", "SECRET_KEY": "s" * 32}
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
