"""What Telegram refuses, and how it says so: sizes, HTML parse mode, buttons, flood control.

Everything here is plain, synchronous Python so it can be unit-tested on its own; the server
(``bot.standin.server``) calls it and turns :class:`ApiError` into the Bot API's error answer
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``.

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

import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
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


# --- HTML parse mode --------------------------------------------------------------------------

_ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins"}
    | {"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote"}
)
_SIMPLE_TAG_TYPES = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# tdlib's order for entities that start at the same offset with the same length.
_TYPE_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_NAMED_REFERENCES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACE = frozenset(b" \t\r\n\x0b\x00")  # tdlib's is_space, which counts the terminating NUL
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_TG_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_BARE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-zA-Z]{2,}([/?#:]|$)")


def _entities_error(detail: str) -> ApiError:
    return ApiError.bad_request(f"can't parse entities: {detail}")


def _decode_reference(data: bytes, pos: int) -> tuple[int, int] | None:
    """A character reference at ``data[pos] == '&'``: (code point, position after it)."""
    end = pos + 1
    code = 0
    if data[end] == ord("#"):
        end += 1
        if data[end] == ord("x"):
            end += 1
            while data[end] in _HEX:
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while 0x30 <= data[end] <= 0x39:
                code = code * 10 + data[end] - 0x30
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while chr(data[end]).isascii() and chr(data[end]).isalpha():
            end += 1
        named = _NAMED_REFERENCES.get(data[pos + 1 : end])
        if named is None:
            return None  # an unsupported reference stays in the text as it is
        code = ord(named)
    if data[end] == ord(";"):
        end += 1
    return code, end


def _checked_link(url: str) -> str:
    """Approximates tdlib's ``get_checked_link``: the link kept, or "" to drop the entity."""
    url = url.strip()
    if not url:
        return ""
    scheme = _URL_SCHEME.match(url)
    if scheme:
        return url if scheme.group(1).lower() in {"http", "https", "tg", "ton", "tonsite"} else ""
    return f"http://{url}" if _BARE_HOST.match(url) else ""


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the parsed text
    begin: int  # byte position in the parsed text


def parse_html(html: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the text the citizen sees and its entities (Bot API JSON).

    Raises :class:`ApiError` 400 "Bad Request: can't parse entities: ..." with tdlib's wording
    (byte offsets are UTF-8 byte offsets into ``html``, as Telegram reports them).
    """
    data = html.encode("utf-8") + b"\x00"  # tdlib reads a NUL-terminated C string
    size = len(data) - 1
    out = bytearray()
    utf16 = 0
    found: list[dict[str, Any]] = []
    stack: list[_OpenTag] = []
    i = 0
    while i < size:
        c = data[i]
        if c == ord("&"):
            decoded = _decode_reference(data, i)
            if decoded is not None:
                code, i = decoded
                if 0xD800 <= code <= 0xDFFF:
                    raise _entities_error(
                        "Text contains invalid Unicode characters after decoding HTML entities, "
                        "check for unmatched surrogate code units"
                    )
                utf16 += 2 if code > 0xFFFF else 1
                out += chr(code).encode("utf-8")
                continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:  # first byte of a character
                utf16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if data[i] != ord("/"):
            while data[i] not in _SPACE and data[i] != ord(">"):
                i += 1
            if data[i] == 0:
                raise _entities_error(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in _ALLOWED_TAGS:
                raise _entities_error(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument, i = _parse_attributes(data, tag, begin, i)
            if tag == "span" and argument != "spoiler":
                raise _entities_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append(_OpenTag(tag, argument, utf16, len(out)))
            i += 1  # past '>'
            continue

        # an end tag
        if not stack:
            raise _entities_error(f"Unexpected end tag at byte offset {begin}")
        while data[i] not in _SPACE and data[i] != ord(">"):
            i += 1
        end_tag = data[begin + 2 : i].lower().decode("utf-8", "replace")
        while data[i] in _SPACE and data[i] != 0:
            i += 1
        if data[i] != ord(">"):
            raise _entities_error(f"Unclosed end tag at byte offset {begin}")
        open_tag = stack[-1]
        if end_tag and end_tag != open_tag.name:
            raise _entities_error(
                f'Unmatched end tag at byte offset {begin}, expected "</{open_tag.name}>", '
                f'found "</{end_tag}>"'
            )
        if utf16 > open_tag.offset:
            _close_entity(found, open_tag, utf16 - open_tag.offset, bytes(out[open_tag.begin :]))
        stack.pop()
        i += 1

    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in found:
        if entity["type"] == "code":
            entity.pop("language", None)
    found.sort(key=lambda e: (e["offset"], -e["length"], _TYPE_PRIORITY.get(e["type"], 50)))
    return out.decode("utf-8"), found


def _parse_attributes(data: bytes, tag: str, begin: int, i: int) -> tuple[str, int]:
    """The attributes of a start tag from ``i`` to its '>': (the tag's argument, index of '>')."""
    argument = ""
    while data[i] != ord(">"):
        while data[i] != 0 and data[i] in _SPACE:
            i += 1
        if data[i] == ord(">"):
            break
        name_begin = i
        while data[i] not in _SPACE and data[i] not in b"=>/\"'":
            i += 1
        name = data[name_begin:i]
        if not name:
            raise _entities_error(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while data[i] != 0 and data[i] in _SPACE:
            i += 1
        if data[i] != ord("="):
            if data[i] == 0:
                raise _entities_error(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == b"expandable":
                argument = "1"
            continue
        i += 1
        while data[i] != 0 and data[i] in _SPACE:
            i += 1
        if data[i] == 0:
            raise _entities_error(f'Unclosed start tag "{tag}" at byte offset {begin}')
        if data[i] not in b"'\"":
            token_begin = i
            while data[i] in _NAME_TOKEN:
                i += 1
            value = data[token_begin:i].lower().decode("ascii")
            if data[i] not in _SPACE and data[i] != ord(">"):
                raise _entities_error(f"Unexpected end of name token at byte offset {token_begin}")
        else:
            quote = data[i]
            i += 1
            chunk = bytearray()
            while data[i] != quote and data[i] != 0:
                if data[i] == ord("&"):
                    decoded = _decode_reference(data, i)
                    if decoded is not None:
                        chunk += chr(decoded[0]).encode("utf-8", "surrogatepass")
                        i = decoded[1]
                        continue
                chunk.append(data[i])
                i += 1
            if data[i] == quote:
                i += 1
            value = chunk.decode("utf-8", "replace")
        if data[i] == 0:
            raise _entities_error(f"Unclosed start tag at byte offset {begin}")
        if tag == "a" and name == b"href":
            argument = value
        elif tag == "code" and name == b"class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and name == b"class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and name == b"emoji-id":
            argument = value
        elif tag == "blockquote" and name == b"expandable":
            argument = "1"
    return argument, i


def _close_entity(found: list[dict[str, Any]], tag: _OpenTag, length: int, inner: bytes) -> None:
    offset = tag.offset
    if tag.name in _SIMPLE_TAG_TYPES:
        found.append({"type": _SIMPLE_TAG_TYPES[tag.name], "offset": offset, "length": length})
    elif tag.name == "tg-emoji":
        if not tag.argument.isdigit() or int(tag.argument) == 0:
            raise _entities_error("Invalid custom emoji identifier specified")
        found.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": tag.argument,
            }
        )
    elif tag.name == "a":
        url = tag.argument or inner.decode("utf-8", "replace")
        mention = _TG_USER_LINK.match(url.strip())
        if mention:
            user = {"id": int(mention.group(1)), "is_bot": False, "first_name": ""}
            found.append({"type": "text_mention", "offset": offset, "length": length, "user": user})
        elif link := _checked_link(url):
            found.append({"type": "text_link", "offset": offset, "length": length, "url": link})
    elif tag.name == "pre":
        last = found[-1] if found else None
        if (
            last
            and last["type"] == "code"
            and (last["offset"], last["length"]) == (offset, length)
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            found.append({"type": "pre", "offset": offset, "length": length})
    elif tag.name == "code":
        last = found[-1] if found else None
        if (
            last
            and last["type"] == "pre"
            and (last["offset"], last["length"]) == (offset, length)
            and tag.argument
        ):
            last["language"] = tag.argument
        else:
            entity = {"type": "code", "offset": offset, "length": length}
            if tag.argument:
                entity["language"] = tag.argument  # dropped at the end unless inside <pre>
            found.append(entity)
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.argument else "blockquote"
        found.append({"type": kind, "offset": offset, "length": length})


# --- the entities parameter -------------------------------------------------------------------

ENTITY_TYPES = frozenset(
    {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number"}
    | {"bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre"}
    | {"blockquote", "expandable_blockquote", "text_link", "text_mention", "custom_emoji"}
)


def check_entities(raw: Any, text: str) -> list[dict[str, Any]]:
    """Validate an ``entities``/``caption_entities`` parameter (already JSON-decoded)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _entities_error('Field "entities" must be of type Array')
    total = utf16_length(text)
    result = []
    for entity in raw:
        if not isinstance(entity, dict):
            raise _entities_error("expected an Object as message entity")
        for field in ("type", "offset", "length"):
            if field not in entity:
                raise _entities_error(f'Can\'t find field "{field}"')
        kind, offset, length = entity["type"], entity["offset"], entity["length"]
        if kind not in ENTITY_TYPES:
            raise _entities_error("Unsupported type specified")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise _entities_error('Field "offset" must be a non-negative Number')
        if not isinstance(length, int) or isinstance(length, bool) or length <= 0:
            raise _entities_error('Field "length" must be a positive Number')
        if offset + length > total:
            raise _entities_error("entity ends after the end of the text")
        if kind == "text_link" and not _checked_link(str(entity.get("url", ""))):
            raise _entities_error("Wrong HTTP URL specified")
        if kind == "text_mention" and not isinstance(entity.get("user"), dict):
            raise _entities_error('Can\'t find field "user"')
        if kind == "custom_emoji" and not str(entity.get("custom_emoji_id", "")).isdigit():
            raise _entities_error("Invalid custom emoji identifier specified")
        result.append(dict(entity))
    return result


def format_text(
    text: str, parse_mode: str | None, entities: Any
) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode`` (or check ``entities``): the visible text and its entities.

    HTML is parsed as Telegram does. Markdown and MarkdownV2 are accepted but not parsed (the
    text is kept as sent, without entities): a simplification.
    """
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, check_entities(entities, text)
    if mode == "html":
        return parse_html(text)
    if mode in {"markdown", "markdownv2"}:
        return text, []
    raise ApiError.bad_request("unsupported parse_mode")


def check_text_length(plain: str, limits: Limits) -> None:
    """A message text after entity parsing: 1..max_text_length characters."""
    if not plain.strip():
        raise ApiError.bad_request("message text is empty")
    if len(plain) > limits.max_text_length:
        raise ApiError.bad_request("message is too long")


def check_caption_length(plain: str, limits: Limits) -> None:
    if len(plain) > limits.max_caption_length:
        raise ApiError.bad_request("message caption is too long")


# --- reply markup -----------------------------------------------------------------------------

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _decode_json_param(raw: Any, error: str) -> Any:
    if isinstance(raw, str | bytes):
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError.bad_request(error) from None
    return raw


def check_reply_markup(
    raw: Any, limits: Limits = DEFAULT_LIMITS, *, inline_only: bool = False
) -> dict[str, Any] | None:
    """Validate ``reply_markup`` (a JSON string or an object): the markup as a dict, or None."""
    if raw is None or raw == "":
        return None
    markup = _decode_json_param(raw, "can't parse reply keyboard markup JSON object")
    if not isinstance(markup, dict):
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"], limits)
        return markup
    if inline_only:
        raise ApiError.bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError.bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if isinstance(button, str):
                    continue
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise ApiError.bad_request(
                        'can\'t parse keyboard button: Field "text" must be of type String'
                    )
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise ApiError.bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_keyboard(rows: Any, limits: Limits) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise ApiError.bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            if not isinstance(button.get("text"), str):
                raise ApiError.bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not any(action in button for action in _INLINE_ACTIONS):
                raise ApiError.bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= limits.max_callback_data_bytes:
                    raise ApiError.bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not _checked_link(str(button["url"])):
                raise ApiError.bad_request("BUTTON_URL_INVALID")


def inline_callback_data(markup: dict[str, Any] | None) -> list[str]:
    """Every callback_data of an inline keyboard (empty for other markups)."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        button["callback_data"]
        for row in markup["inline_keyboard"]
        for button in row
        if "callback_data" in button
    ]


# --- flood control ----------------------------------------------------------------------------


class FloodControl:
    """Sliding-window limits on messages: per chat, and over all chats.

    Each window counts the messages accepted during the last ``window_seconds``; a message that
    would exceed ``per_chat`` (in its chat) or ``overall`` is refused with
    ``retry_after = ceil(seconds until the oldest counted message leaves the window)`` (at least
    1) and is not counted. The attributes can be changed while the stand-in runs.
    """

    def __init__(
        self,
        *,
        per_chat: int = 1,
        overall: int = 30,
        window_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_chat, self.overall, self.window_seconds = per_chat, overall, window_seconds
        self.clock = clock
        self._all: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    def _room_in(self, times: deque[float], limit: int, now: float) -> float:
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        if len(times) < limit:
            return 0.0
        return times[len(times) - limit] + self.window_seconds - now

    def acquire(self, chat_id: int) -> int | None:
        """Count a message for ``chat_id``; or, if over a limit, the retry_after to answer."""
        now = self.clock()
        chat = self._chats.setdefault(chat_id, deque())
        wait = max(
            self._room_in(chat, self.per_chat, now), self._room_in(self._all, self.overall, now)
        )
        if wait > 0:
            return max(1, math.ceil(wait))
        chat.append(now)
        self._all.append(now)
        return None

    def reset(self) -> None:
        self._all.clear()
        self._chats.clear()
