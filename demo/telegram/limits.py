"""What Telegram refuses, and how it says so: sizes, HTML parse mode, buttons, flood control.

This module holds the sizes (:class:`Limits`) and the error (:class:`ApiError`); the rules
live beside it, one topic each: ``html_parse`` (HTML parse mode), ``text_checks`` (the
entities parameter and text lengths), ``markup`` (keyboards and callback_data) and ``flood``
(flood control). All plain, synchronous Python so each can be unit-tested on its own; the
server (``demo.telegram.server``) calls them and turns :class:`ApiError` into the Bot API's
error answer ``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``.

Matches Telegram:

- the size limits of :class:`Limits` (text 4096 and caption 1024 characters *after* entity
  parsing, counted in Unicode code points as Telegram does; callback_data 1-64 *bytes*; getFile
  up to 20 MB; uploads up to 50 MB);
- HTML parse mode: :func:`parse_html` follows tdlib's ``parse_html`` (the code the Bot API
  server runs) step by step, with its error texts and UTF-8 byte offsets: the allowed tags, the
  four named character references plus numeric ones, attribute parsing, ``<pre><code
  class="language-x">``, ``<blockquote expandable>``, ``<a href="tg://user?id=N">``, and
  entity offsets in UTF-16 code units;
- the error texts the Bot API gives for these cases, as far as they are known.

Simplified:

- link checking (tdlib's ``get_checked_link``) is approximated: http/https/tg/ton links are
  kept, a bare host gets ``http://``, anything else drops the link entity (as tdlib does for
  links it rejects: silently);
- the ``entities`` parameter is validated strictly: an entity that is malformed or reaches past
  the text is refused with 400, where Telegram would drop or clip some of them silently;
- no automatic entities (urls, mentions, hashtags) are added, and leading/trailing whitespace
  is not trimmed from the text;
- flood control is a strict sliding window (Telegram tolerates short bursts and publishes no
  exact algorithm); ``retry_after`` is the whole seconds until the window has room again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Telegram's size limits; every one can be changed for a test."""

    max_text_length: int = 4096
    max_caption_length: int = 1024
    max_callback_data_bytes: int = 64
    max_callback_answer_length: int = 200
    #: getFile refuses bigger files ("file is too big"): bots can download up to 20 MB.
    max_download_bytes: int = 20 * 1024 * 1024
    #: Multipart uploads by the bot (sendPhoto, sendDocument) up to 50 MB.
    max_upload_bytes: int = 50 * 1024 * 1024
    max_commands: int = 100
    max_command_length: int = 32
    max_command_description_length: int = 256


DEFAULT_LIMITS = Limits()


class ApiError(Exception):
    """A Bot API error answer: HTTP status = ``error_code``, worded as Telegram words it."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    @classmethod
    def bad_request(cls, detail: str) -> ApiError:
        return cls(400, f"Bad Request: {detail}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2
