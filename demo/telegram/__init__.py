"""A local stand-in for the Telegram Bot API, for tests and the offline ``bansos chat``.

The real python-telegram-bot ``Application`` talks to it over HTTP exactly as it would to
Telegram (give it ``base_url(f"{base}/bot")`` and ``base_file_url(f"{base}/file/bot")``), while
the test or the try-out command plays the citizen through :class:`StandIn`'s driver methods.
See ``demo.telegram.server`` for what matches Telegram and what is simplified, and
``demo.telegram.limits`` for the limits and formatting rules it enforces (one module
per topic beside it).
"""

from demo.telegram.flood import FloodControl
from demo.telegram.html_parse import parse_html
from demo.telegram.limits import DEFAULT_LIMITS, ApiError, Limits
from demo.telegram.records import ApiCall, Injected, SentMessage, TgUser
from demo.telegram.server import DEFAULT_TOKEN, StandIn
from demo.telegram.serving import serve_asgi

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
