"""Telegram's length of a message, and text shortened to fit it.

Telegram counts a message's text after entity parsing (tags gone, entities decoded) in UTF-16
code units, which is never less than the code points either way of counting gives, so a text
within :func:`visible_length` of :data:`MAX_MESSAGE` fits however Telegram counts.
"""

from __future__ import annotations

import html
import re

#: Telegram's limit for one message, in UTF-16 code units of the text as read.
MAX_MESSAGE = 4096

_TAG = re.compile(r"<[^>]*>")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_length(text: str) -> int:
    """How long an HTML message is for Telegram: the text as read, in UTF-16 code units."""
    return utf16_length(html.unescape(_TAG.sub("", text)))


def clip(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UTF-16 code units, ending in "…" when something was
    cut (the "…" counted); a character is never split."""
    if utf16_length(text) <= units:
        return text
    kept, used = [], 0
    for ch in text:
        width = utf16_length(ch)
        if used + width > units - 1:
            break
        kept.append(ch)
        used += width
    return "".join(kept).rstrip() + "…"
