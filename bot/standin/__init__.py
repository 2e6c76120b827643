"""A local stand-in for the Telegram Bot API, for tests and the offline ``bansos chat``.

The real python-telegram-bot ``Application`` talks to it over HTTP exactly as it would to
Telegram (give it ``base_url(f"{base}/bot")`` and ``base_file_url(f"{base}/file/bot")``), while
the test or the try-out command plays the citizen through :class:`StandIn`'s driver methods.
See ``bot.standin.server`` for what matches Telegram and what is simplified, and
``bot.standin.limits`` for the limits and formatting rules it enforces.
"""

from bot.standin.limits import DEFAULT_LIMITS, ApiError, FloodControl, Limits, parse_html
from bot.standin.server import (
    DEFAULT_TOKEN,
    ApiCall,
    Injected,
    SentMessage,
    StandIn,
    TgUser,
    serve_asgi,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "FloodControl",
    "Injected",
    "Limits",
    "SentMessage",
    "StandIn",
    "TgUser",
    "parse_html",
    "serve_asgi",
]
