"""One settings class, read from the environment (and an optional ``.env`` file).

Secrets have no usable default: outside the demo, a placeholder ("changethis") or an empty
secret stops the process at start-up rather than running with a key everyone knows.
"""

from __future__ import annotations

import base64
from enum import StrEnum
from functools import cached_property
from typing import Annotated

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER = "changethis"

# Fixed keys for the demo only, so that a demo database made yesterday still opens today.
# They are public (they are in this file): the demo's data is synthetic.
_DEMO_NIK_HASH_KEY = "ZGVtby1uaWstaGFzaC1rZXktbm90LWZvci1wcm9kdWN0aW9uIQ=="
_DEMO_DATA_KEY = "ZGVtby1kYXRhLWtleS0zMi1ieXRlcy1vbmx5ISEhISE="
_DEMO_SECRET_KEY = "demo-secret-key-not-for-production"


class Environment(StrEnum):
    DEMO = "demo"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettings(ValueError):
    """A secret is missing or is a placeholder outside the demo."""


class Settings(BaseSettings):
    # Each setting's docstring is its description: docs/operations.md's table is generated
    # from them (tools/settings_table.py), so the documentation cannot drift from the code.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, use_attribute_docstrings=True
    )

    environment: Annotated[Environment, Field(alias="BANSOS_ENV")] = Environment.PRODUCTION
    """`production`, `test` or `demo` (only `demo` runs with built-in keys)."""
    database_url: Annotated[str, Field(alias="DATABASE_URL")] = "sqlite:///var/bansos.db"
    """`postgresql://…` or `sqlite:///path`."""
    # "memory://" selects the in-process Redis stand-in (fakeredis), for the embedded default.
    redis_url: Annotated[str, Field(alias="REDIS_URL")] = "memory://"
    """`redis://…`, or `memory://` for the in-process stand-in (one process only)."""

    # Keyed hash (HMAC-SHA256) for looking people up by NIK without storing the NIK.
    nik_hash_key: Annotated[SecretStr, Field(alias="NIK_HASH_KEY")] = SecretStr(PLACEHOLDER)
    """Secret: the key of the keyed hashes people are found by (NIK, name, family card, channel
    user). `bansos generate-keys`; rotate with `bansos rotate-keys nik-hash`."""
    # AES-256-GCM key (base64, 32 bytes) for what staff may later need to read back.
    data_encryption_key: Annotated[SecretStr, Field(alias="DATA_ENCRYPTION_KEY")] = SecretStr(
        PLACEHOLDER
    )
    """Secret: base64 of 32 bytes, the AES-256-GCM key of what staff read back (NIK, name,
    reporter). `bansos generate-keys`; rotate with `bansos rotate-keys encryption`."""
    secret_key: Annotated[SecretStr, Field(alias="SECRET_KEY")] = SecretStr(PLACEHOLDER)
    """Secret: signs the status check's subscribe buttons and the console's forms; changing it
    voids only those in flight."""

    # Key rotation (docs/operations.md): the keys being retired, read alongside the current ones.
    data_encryption_key_previous: Annotated[
        SecretStr, Field(alias="DATA_ENCRYPTION_KEY_PREVIOUS")
    ] = SecretStr("")
    """Comma-separated earlier DATA_ENCRYPTION_KEYs, for reading only: set while `bansos
    rotate-keys encryption` re-encrypts, removed once it reports nothing left."""
    nik_hash_key_previous: Annotated[SecretStr, Field(alias="NIK_HASH_KEY_PREVIOUS")] = SecretStr(
        ""
    )
    """The NIK_HASH_KEY being retired, read only by `bansos rotate-keys nik-hash`."""

    # Status-check rate limits, attempts per window (docs/security.md, "rate limits"): per
    # channel user; per API key over all its users; per NIK through one API key; per NIK over
    # every key. A user who already checked a NIK with the right name is spared the two
    # per-NIK limits, so strangers guessing names cannot lock the owner out.
    lookup_limit_per_user: Annotated[int, Field(alias="LOOKUP_LIMIT_PER_USER", ge=1)] = 10
    """Status checks per channel user per window."""
    lookup_limit_per_key: Annotated[int, Field(alias="LOOKUP_LIMIT_PER_KEY", ge=1)] = 20_000
    """Status checks per API key, over all its users, per window."""
    lookup_limit_per_nik: Annotated[int, Field(alias="LOOKUP_LIMIT_PER_NIK", ge=1)] = 5
    """Status checks of one NIK through one API key per window (a user who already checked the NIK
    with the right name is spared)."""
    lookup_limit_per_nik_all_keys: Annotated[
        int, Field(alias="LOOKUP_LIMIT_PER_NIK_ALL_KEYS", ge=1)
    ] = 50
    """Status checks of one NIK over every API key per window (with the same exception)."""
    lookup_window_seconds: Annotated[int, Field(alias="LOOKUP_WINDOW_SECONDS", ge=1)] = 600
    """The window of the status-check limits."""
    # Complaint rate limits: filings per window, per channel user and per subject NIK.
    intake_limit_per_user: Annotated[int, Field(alias="INTAKE_LIMIT_PER_USER", ge=1)] = 20
    """Complaint filings per channel user per window."""
    # One partner's or the bot's filings over all its users, an hour: far above a pilot's
    # peak (some hundreds an hour through the bot), far below a flood.
    intake_limit_per_key: Annotated[int, Field(alias="INTAKE_LIMIT_PER_KEY", ge=1)] = 5000
    """Complaint filings per API key, over all its users, per window."""
    intake_limit_per_nik: Annotated[int, Field(alias="INTAKE_LIMIT_PER_NIK", ge=1)] = 10
    """Complaint filings about one subject NIK per window."""
    intake_window_seconds: Annotated[int, Field(alias="INTAKE_WINDOW_SECONDS", ge=1)] = 3600
    """The window of the filing limits."""

    db_pool_size: Annotated[int, Field(alias="DB_POOL_SIZE", ge=1)] = 10
    """Database connections per process."""
    # A database or Redis that does not answer fails a request at once (503 + Retry-After)
    # rather than stalling it: a new PostgreSQL connection gets this long to open, a Redis
    # command (or connection) this long to answer. Redis answers in well under a millisecond.
    db_connect_timeout_seconds: Annotated[
        float, Field(alias="DB_CONNECT_TIMEOUT_SECONDS", gt=0)
    ] = 3.0
    """How long a new PostgreSQL connection may take before the request fails with 503."""
    redis_timeout_seconds: Annotated[float, Field(alias="REDIS_TIMEOUT_SECONDS", gt=0)] = 0.3
    """How long a Redis command may take before the request fails with 503."""
    # Where attachments go with the local-directory storage (the default).
    attachments_dir: Annotated[str, Field(alias="ATTACHMENTS_DIR")] = "var/attachments"
    """Where complaint photos and PDFs are stored (back it up with the database)."""
    # How often the api's background worker relays the outbox and checks deadlines; 0 turns
    # the in-process worker off (production runs `bansos worker` as its own process).
    worker_interval_seconds: Annotated[float, Field(alias="WORKER_INTERVAL_SECONDS", ge=0)] = 1.0
    """The in-process worker's relay interval in seconds; `0` = none (run `bansos worker`)."""
    # The open backlog is a state, not an event: the worker takes it as a snapshot (one
    # GROUP BY over the open complaints) this often, and the pages show its "as of".
    stats_snapshot_seconds: Annotated[float, Field(alias="STATS_SNAPSHOT_SECONDS", gt=0)] = 300.0
    """How often the worker refreshes the statistics' backlog snapshot, in seconds."""
    log_level: Annotated[str, Field(alias="LOG_LEVEL")] = "INFO"
    """`DEBUG`, `INFO`, `WARNING` or `ERROR`."""
    # Bearer token a Prometheus server sends to scrape GET /metrics. Unset (the default), the
    # api serves no /metrics at all: the port faces the internet (docs/metrics.md).
    metrics_token: Annotated[SecretStr | None, Field(alias="METRICS_TOKEN")] = None
    """Bearer token a Prometheus server sends to scrape `GET /metrics`; unset, the api serves
    no `/metrics` at all (docs/metrics.md)."""
    cors_origins: Annotated[list[str], NoDecode, Field(alias="CORS_ORIGINS")] = []
    """Comma-separated origins allowed to call the api from a browser; empty = none."""

    @model_validator(mode="before")
    @classmethod
    def _split_cors(cls, data: dict) -> dict:
        raw = data.get("CORS_ORIGINS") if isinstance(data, dict) else None
        if isinstance(raw, str):
            data["CORS_ORIGINS"] = [o.strip() for o in raw.split(",") if o.strip()]
        return data

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment is Environment.DEMO:
            return self
        weak = [
            name
            for name, value in (
                ("NIK_HASH_KEY", self.nik_hash_key),
                ("DATA_ENCRYPTION_KEY", self.data_encryption_key),
                ("SECRET_KEY", self.secret_key),
            )
            if value.get_secret_value().strip() in ("", PLACEHOLDER)
        ]
        if weak:
            raise InsecureSettings(
                f"{', '.join(weak)} must be set to real secrets (BANSOS_ENV={self.environment}); "
                "only BANSOS_ENV=demo runs with built-in demo keys. "
                "Generate keys with `bansos generate-keys`."
            )
        if self.metrics_token_value == PLACEHOLDER:
            raise InsecureSettings(
                "METRICS_TOKEN is the placeholder: set a long random one (`openssl rand -hex "
                "32`), or leave it unset for no /metrics."
            )
        try:
            key = base64.b64decode(self.data_encryption_key.get_secret_value(), validate=True)
        except ValueError as exc:
            raise InsecureSettings("DATA_ENCRYPTION_KEY must be base64") from exc
        if len(key) != 32:
            raise InsecureSettings("DATA_ENCRYPTION_KEY must decode to 32 bytes (AES-256)")
        for previous in _split_keys(self.data_encryption_key_previous):
            try:
                if len(base64.b64decode(previous, validate=True)) == 32:
                    continue
            except ValueError:
                pass
            raise InsecureSettings(
                "DATA_ENCRYPTION_KEY_PREVIOUS must list base64 keys of 32 bytes, comma-separated"
            )
        return self

    def _secret(self, value: SecretStr, demo_value: str) -> str:
        raw = value.get_secret_value()
        if self.environment is Environment.DEMO and raw in ("", PLACEHOLDER):
            return demo_value
        return raw

    @cached_property
    def nik_hash_key_bytes(self) -> bytes:
        return self._secret(self.nik_hash_key, _DEMO_NIK_HASH_KEY).encode()

    @cached_property
    def data_key_bytes(self) -> bytes:
        return base64.b64decode(self._secret(self.data_encryption_key, _DEMO_DATA_KEY))

    @cached_property
    def previous_data_keys_bytes(self) -> tuple[bytes, ...]:
        """Earlier encryption keys, tried after the current one when a ciphertext is read."""
        return tuple(base64.b64decode(k) for k in _split_keys(self.data_encryption_key_previous))

    @cached_property
    def previous_nik_hash_key_bytes(self) -> bytes | None:
        raw = self.nik_hash_key_previous.get_secret_value().strip()
        return raw.encode() if raw else None

    @cached_property
    def secret_key_value(self) -> str:
        return self._secret(self.secret_key, _DEMO_SECRET_KEY)

    @property
    def metrics_token_value(self) -> str | None:
        """The scrape token, or None when /metrics is off (unset or empty)."""
        if self.metrics_token is None:
            return None
        return self.metrics_token.get_secret_value().strip() or None

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql"))


def _split_keys(value: SecretStr) -> list[str]:
    return [k.strip() for k in value.get_secret_value().split(",") if k.strip()]


def get_settings(**overrides: object) -> Settings:
    """Read the settings from the environment; keyword overrides use the env names."""
    return Settings(**overrides)  # type: ignore[arg-type]
