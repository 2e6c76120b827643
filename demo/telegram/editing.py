"""Changing what was sent: edits of text, caption and inline keyboard, deletions, and the
answers to button presses (callback queries)."""

from __future__ import annotations

from typing import Any

from demo.telegram.core import now
from demo.telegram.limits import ApiError
from demo.telegram.markup import check_reply_markup
from demo.telegram.params import Params
from demo.telegram.records import Chat, SentMessage
from demo.telegram.text_checks import (
    check_text_length,
    format_text,
)


class EditingMethods:
    """Edits, deletions and callback query answers."""

    def _editable(self, params: Params) -> tuple[Chat, dict[str, Any], SentMessage]:
        if params.raw("inline_message_id") is not None:
            raise ApiError.bad_request("inline messages are not served by the stand-in")
        chat = self._target_chat(params)
        message_id = params.integer("message_id", invalid="message to edit not found")
        if message_id is None:
            raise ApiError.bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message_id in chat.deleted:
            raise ApiError.bad_request("message to edit not found")
        if message_id not in chat.from_bot:
            raise ApiError.bad_request("message can't be edited")
        return chat, message, chat.from_bot[message_id]

    def _apply_edit(
        self,
        message: dict[str, Any],
        sent: SentMessage,
        *,
        text_field: str | None,
        raw: str | None,
        plain: str | None,
        parse_mode: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Edit text or caption (``text_field``; None: markup only), refusing a no-op edit."""
        entities_field = "entities" if text_field == "text" else "caption_entities"
        unchanged_markup = message.get("reply_markup") == markup
        unchanged_text = text_field is None or (
            message.get(text_field) == plain and message.get(entities_field, []) == entities
        )
        if unchanged_markup and unchanged_text:
            raise ApiError.bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        if text_field is not None:
            sent.history.append(sent.text)
            sent.text, sent.plain_text, sent.parse_mode = raw, plain, parse_mode
            sent.entities = entities
            for key, value in ((text_field, plain), (entities_field, entities)):
                if value:
                    message[key] = value
                else:
                    message.pop(key, None)
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        sent.reply_markup = markup
        sent.edited = True
        message["edit_date"] = now()
        self._emit("edited", sent)
        return message

    def _edit_message_text(self, params: Params) -> dict[str, Any]:
        chat, message, sent = self._editable(params)
        if "text" not in message:
            raise ApiError.bad_request("there is no text in the message to edit")
        text = params.text("text")
        if text is None:
            raise ApiError.bad_request("message text is empty")
        parse_mode = params.text("parse_mode")
        plain, entities = format_text(text, parse_mode, params.json("entities"))
        check_text_length(plain, self.limits)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits, inline_only=True)
        return self._apply_edit(
            message,
            sent,
            text_field="text",
            raw=text,
            plain=plain,
            parse_mode=parse_mode,
            entities=entities,
            markup=markup,
        )

    def _edit_message_caption(self, params: Params) -> dict[str, Any]:
        chat, message, sent = self._editable(params)
        if "text" in message:
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption, plain, entities = self._caption(params)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits, inline_only=True)
        return self._apply_edit(
            message,
            sent,
            text_field="caption",
            raw=caption,
            plain=plain,
            parse_mode=params.text("parse_mode"),
            entities=entities,
            markup=markup,
        )

    def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        chat, message, sent = self._editable(params)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits, inline_only=True)
        return self._apply_edit(
            message,
            sent,
            text_field=None,
            raw=None,
            plain=None,
            parse_mode=None,
            entities=[],
            markup=markup,
        )

    def _delete_message(self, params: Params) -> bool:
        chat = self._target_chat(params)
        message_id = params.integer("message_id", invalid="message to delete not found")
        if message_id is None:
            raise ApiError.bad_request("message identifier is not specified")
        if message_id not in chat.messages or message_id in chat.deleted:
            raise ApiError.bad_request("message to delete not found")
        chat.deleted.append(message_id)
        sent = chat.from_bot.get(message_id)
        if sent is not None:
            sent.deleted = True
            self._emit("deleted", sent)
        else:
            self._notify()
        return True

    def _answer_callback_query(self, params: Params) -> bool:
        query = self._callbacks.get(params.text("callback_query_id") or "")
        if query is None or query["answer"] is not None:
            raise ApiError.bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.text("text")
        if text is not None and len(text) > self.limits.max_callback_answer_length:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        query["answer"] = {
            "text": text,
            "show_alert": params.boolean("show_alert"),
            "url": params.text("url"),
            "cache_time": params.integer("cache_time") or 0,
        }
        self._notify()
        return True
