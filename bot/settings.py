"""The bot's settings, from the environment (the bot shares no code with the api)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

OFFICIAL_BOT_API = "https://api.telegram.org"
#: What redis-py connects to; anything else (``memory://``) is the in-process stand-in.
REDIS_SERVER_SCHEMES = ("redis://", "rediss://", "unix://")


def _host_and_process() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class BotSettings(BaseSettings):
    # Docstrings are descriptions: docs/operations.md's settings table is generated from them.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, use_attribute_docstrings=True
    )

    environment: Annotated[Literal["production", "test", "demo"], Field(alias="BANSOS_ENV")] = (
        "production"
    )
    """`production`, `test` or `demo`, as for the api: `bansos bot` refuses `REDIS_URL=memory://`
    with `production`."""
    telegram_bot_token: Annotated[SecretStr, Field(alias="TELEGRAM_BOT_TOKEN")] = SecretStr("")
    """The bot's token from @BotFather."""
    # The official server, a self-hosted telegram-bot-api, or the local stand-in: the bot
    # calls {base}/bot{token}/{method} and downloads from {base}/file/bot{token}/{path}.
    telegram_api_base_url: Annotated[str, Field(alias="TELEGRAM_API_BASE_URL")] = OFFICIAL_BOT_API
    """The Bot API server: the official one, a self-hosted `telegram-bot-api`, or the local
    stand-in."""
    api_url: Annotated[str, Field(alias="BANSOS_API_URL")] = "http://127.0.0.1:8000"
    """Where the bot reaches the api."""
    api_key: Annotated[SecretStr, Field(alias="BANSOS_API_KEY")] = SecretStr("")
    """The bot's channel key (`bansos create-api-key telegram-bot`, or `bansos bootstrap`); the
    bot asks the api at start-up which channel it belongs to and reads that channel's
    notifications, whatever its name."""
    # docker compose: `bansos bootstrap` writes the key to a volume the bot reads it from,
    # so the key never passes through .env (used when BANSOS_API_KEY is empty).
    api_key_file: Annotated[Path | None, Field(alias="BANSOS_API_KEY_FILE")] = None
    """A file holding the channel key, read when `BANSOS_API_KEY` is empty (docker compose: the
    bootstrap step writes it)."""
    # Conversation drafts and the notification stream; memory:// keeps them in-process.
    redis_url: Annotated[str, Field(alias="REDIS_URL")] = "memory://"
    """Conversation drafts and the notification stream: the worker's Redis (`memory://` keeps them
    in-process)."""
    webhook_url: Annotated[str | None, Field(alias="BOT_WEBHOOK_URL")] = None
    """The public HTTPS address Telegram posts updates to (`bansos bot --webhook`)."""
    webhook_secret: Annotated[SecretStr, Field(alias="BOT_WEBHOOK_SECRET")] = SecretStr("")
    """The secret token Telegram sends with each webhook update."""
    webhook_listen: Annotated[str, Field(alias="BOT_WEBHOOK_LISTEN")] = "0.0.0.0"
    """The interface the webhook server listens on."""
    webhook_port: Annotated[int, Field(alias="BOT_WEBHOOK_PORT")] = 8443
    """The webhook server's port."""
    # The notifier's name in the stream's consumer group. Two live processes must never share
    # one: a process starting under a name resends, as its own, what the other still holds
    # (read and not acknowledged yet), so both would send it. Hence host and process id by
    # default; a stable name per replica (set here) lets a restarted bot resend its own
    # unacknowledged entries at once instead of after a minute of idleness.
    consumer_name: Annotated[
        str, Field(alias="BOT_CONSUMER_NAME", default_factory=lambda: _host_and_process())
    ]
    """The bot's name in the notification stream's consumer group, unique among the running bot
    processes (default: host name and process id); a stable one per replica resends a
    restarted bot's unacknowledged notifications at once."""
    # Telegram's flood limits: at most this many messages per window over all chats, and one
    # message per window in each chat (tests shrink the window together with the stand-in's).
    notify_overall_limit: Annotated[int, Field(alias="BOT_NOTIFY_OVERALL_LIMIT", ge=1)] = 30
    """Notifications sent per window over all chats (Telegram's flood limit)."""
    notify_window_seconds: Annotated[float, Field(alias="BOT_NOTIFY_WINDOW_SECONDS", gt=0)] = 1.0
    """The window of the notification limits (one message per chat per window)."""

    @model_validator(mode="after")
    def _key_from_file(self) -> BotSettings:
        file = self.api_key_file
        if not self.api_key.get_secret_value() and file is not None and file.is_file():
            self.api_key = SecretStr(file.read_text().strip())
        return self

    def stand_in_problem(self) -> str | None:
        """Why the bot must not start in production on the in-process Redis, or None.

        That stand-in lives in the bot's own process: the worker relays notifications into
        another Redis, so not one would reach a citizen (and drafts would die with the bot).
        """
        if self.environment != "production" or self.redis_url.strip().startswith(
            REDIS_SERVER_SCHEMES
        ):
            return None
        return (
            "REDIS_URL must name the worker's Redis server (`redis://…`) with "
            "BANSOS_ENV=production, not `memory://`, the demo's one-process stand-in"
        )

    @property
    def token(self) -> str:
        return self.telegram_bot_token.get_secret_value()

    @property
    def bot_api_url(self) -> str:
        return f"{self.telegram_api_base_url.rstrip('/')}/bot"

    @property
    def bot_file_url(self) -> str:
        return f"{self.telegram_api_base_url.rstrip('/')}/file/bot"
