"""HTML parse mode, as tdlib's ``parse_html`` (the code the Bot API server runs) does it:
allowed tags, character references, attributes, entity offsets in UTF-16 code units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from demo.telegram.limits import ApiError

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


def entities_error(detail: str) -> ApiError:
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


def checked_link(url: str) -> str:
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
                    raise entities_error(
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
                raise entities_error(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in _ALLOWED_TAGS:
                raise entities_error(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument, i = _parse_attributes(data, tag, begin, i)
            if tag == "span" and argument != "spoiler":
                raise entities_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append(_OpenTag(tag, argument, utf16, len(out)))
            i += 1  # past '>'
            continue

        # an end tag
        if not stack:
            raise entities_error(f"Unexpected end tag at byte offset {begin}")
        while data[i] not in _SPACE and data[i] != ord(">"):
            i += 1
        end_tag = data[begin + 2 : i].lower().decode("utf-8", "replace")
        while data[i] in _SPACE and data[i] != 0:
            i += 1
        if data[i] != ord(">"):
            raise entities_error(f"Unclosed end tag at byte offset {begin}")
        open_tag = stack[-1]
        if end_tag and end_tag != open_tag.name:
            raise entities_error(
                f'Unmatched end tag at byte offset {begin}, expected "</{open_tag.name}>", '
                f'found "</{end_tag}>"'
            )
        if utf16 > open_tag.offset:
            _close_entity(found, open_tag, utf16 - open_tag.offset, bytes(out[open_tag.begin :]))
        stack.pop()
        i += 1

    if stack:
        raise entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
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
            raise entities_error(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while data[i] != 0 and data[i] in _SPACE:
            i += 1
        if data[i] != ord("="):
            if data[i] == 0:
                raise entities_error(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == b"expandable":
                argument = "1"
            continue
        i += 1
        while data[i] != 0 and data[i] in _SPACE:
            i += 1
        if data[i] == 0:
            raise entities_error(f'Unclosed start tag "{tag}" at byte offset {begin}')
        if data[i] not in b"'\"":
            token_begin = i
            while data[i] in _NAME_TOKEN:
                i += 1
            value = data[token_begin:i].lower().decode("ascii")
            if data[i] not in _SPACE and data[i] != ord(">"):
                raise entities_error(f"Unexpected end of name token at byte offset {token_begin}")
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
            raise entities_error(f"Unclosed start tag at byte offset {begin}")
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
            raise entities_error("Invalid custom emoji identifier specified")
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
        elif link := checked_link(url):
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
