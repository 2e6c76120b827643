"""What the bot says: messages/<locale>/bot.j2 and the api's own sentences, made safe for HTML.

Every sentence comes from ``messages``; this module only picks the locale and makes keyboards.
Sentences the api sends are HTML-escaped by the api's templates already: they are unescaped
here and escaped again as they go into the bot's templates, so nothing is escaped twice and
nothing a citizen typed can break Telegram's markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ContextTypes

import messages

#: Telegram refuses callback_data over 64 bytes; every button's data is checked against it.
MAX_CALLBACK_BYTES = 64


def locale_of(context: ContextTypes.DEFAULT_TYPE) -> str:
    return messages.normalize_locale((context.chat_data or {}).get("locale"))


def say(locale: str, key: str, /, **params: object) -> str:
    return messages.render(locale, f"bot.{key}", **params)


def plain(api_text: str | None) -> str:
    """An api sentence as plain text (to be escaped again by a template or ``escape``)."""
    return html.unescape(api_text or "")


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def button(text: str, data: str) -> InlineKeyboardButton:
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback_data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return InlineKeyboardButton(plain(text), callback_data=data)


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Rows of (label, callback_data) as an inline keyboard."""
    return InlineKeyboardMarkup([[button(label, data) for label, data in row] for row in rows])
