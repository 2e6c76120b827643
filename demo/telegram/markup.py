"""Reply markup: inline keyboards, reply keyboards, their removal, and callback_data."""

from __future__ import annotations

import json
from typing import Any

from demo.telegram.html_parse import checked_link
from demo.telegram.limits import DEFAULT_LIMITS, ApiError, Limits

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
            if "url" in button and not checked_link(str(button["url"])):
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
