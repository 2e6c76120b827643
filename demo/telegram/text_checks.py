"""The ``entities`` parameter, text after parse mode, and the text and caption lengths."""

from __future__ import annotations

from typing import Any

from demo.telegram.html_parse import checked_link, entities_error, parse_html
from demo.telegram.limits import ApiError, Limits, utf16_length

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
        raise entities_error('Field "entities" must be of type Array')
    total = utf16_length(text)
    result = []
    for entity in raw:
        if not isinstance(entity, dict):
            raise entities_error("expected an Object as message entity")
        for field in ("type", "offset", "length"):
            if field not in entity:
                raise entities_error(f'Can\'t find field "{field}"')
        kind, offset, length = entity["type"], entity["offset"], entity["length"]
        if kind not in ENTITY_TYPES:
            raise entities_error("Unsupported type specified")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise entities_error('Field "offset" must be a non-negative Number')
        if not isinstance(length, int) or isinstance(length, bool) or length <= 0:
            raise entities_error('Field "length" must be a positive Number')
        if offset + length > total:
            raise entities_error("entity ends after the end of the text")
        if kind == "text_link" and not checked_link(str(entity.get("url", ""))):
            raise entities_error("Wrong HTTP URL specified")
        if kind == "text_mention" and not isinstance(entity.get("user"), dict):
            raise entities_error('Can\'t find field "user"')
        if kind == "custom_emoji" and not str(entity.get("custom_emoji_id", "")).isdigit():
            raise entities_error("Invalid custom emoji identifier specified")
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
