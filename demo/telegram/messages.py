"""The bot's sends: sendMessage, sendPhoto, sendDocument and sendChatAction, with reply
targets, captions, blocked chats, flood control and 429 on demand."""

from __future__ import annotations

import mimetypes
import time
from typing import Any

from demo.telegram.core import as_reply, now
from demo.telegram.files import document_object, image_size, photo_size
from demo.telegram.limits import ApiError
from demo.telegram.markup import check_reply_markup
from demo.telegram.params import Params
from demo.telegram.records import Chat, SentMessage, StoredFile, Upload
from demo.telegram.text_checks import (
    check_caption_length,
    check_text_length,
    format_text,
)

_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)

BLOCKED = "Forbidden: bot was blocked by the user"


def _add_caption(content: dict[str, Any], plain: str | None, entities: list[Any]) -> None:
    if plain:
        content["caption"] = plain
    if entities:
        content["caption_entities"] = entities


class MessageMethods:
    """Sending into a private chat."""

    def _target_chat(self, params: Params) -> Chat:
        """The chat a method addresses (chat_id); a bot may write to any private chat."""
        raw = params.raw("chat_id")
        if raw is None:
            raise ApiError.bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError.bad_request("chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id <= 0 or self.known_chats_only:
                raise ApiError.bad_request("chat not found")
            chat = self._user_chat(chat_id, None)
        return chat

    def _admit_send(self, chat: Chat) -> None:
        """429 on demand, then 403 for a blocked chat, then flood control."""
        if self._fail_next > 0:
            self._fail_next -= 1
            raise ApiError.too_many_requests(self._fail_retry_after)
        if chat.blocked:
            raise ApiError(403, BLOCKED)
        if self.enforce_rate_limits:
            retry_after = self.flood.acquire(chat.user.id)
            if retry_after is not None:
                raise ApiError.too_many_requests(retry_after)

    def _reply_target(self, chat: Chat, params: Params) -> dict[str, Any] | None:
        reply = params.json("reply_parameters")
        if isinstance(reply, dict):
            message_id, lenient = reply.get("message_id"), reply.get("allow_sending_without_reply")
        else:
            message_id = params.integer("reply_to_message_id")
            lenient = params.boolean("allow_sending_without_reply")
        if message_id is None:
            return None
        message = chat.messages.get(int(message_id))
        if message is None or int(message_id) in chat.deleted:
            if lenient:
                return None
            raise ApiError.bad_request("message to be replied not found")
        return message

    def _caption(self, params: Params) -> tuple[str | None, str | None, list[dict[str, Any]]]:
        caption = params.text("caption")
        if caption is None:
            return None, None, []
        plain, entities = format_text(
            caption, params.text("parse_mode"), params.json("caption_entities")
        )
        check_caption_length(plain, self.limits)
        return caption, plain, entities

    def _send_message(self, params: Params) -> dict[str, Any]:
        chat = self._target_chat(params)
        text = params.text("text")
        if text is None:
            raise ApiError.bad_request("message text is empty")
        parse_mode = params.text("parse_mode")
        plain, entities = format_text(text, parse_mode, params.json("entities"))
        check_text_length(plain, self.limits)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits)
        reply_to = self._reply_target(chat, params)
        self._admit_send(chat)
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._bot_message(
            chat, "sendMessage", content, text, plain, parse_mode, entities, markup, reply_to
        )

    def _send_photo(self, params: Params) -> dict[str, Any]:
        chat = self._target_chat(params)
        caption, plain, entities = self._caption(params)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits)
        reply_to = self._reply_target(chat, params)
        source = params.upload("photo")
        if source is None:
            raise ApiError.bad_request("there is no photo in the request")
        size = image_size(source.data) if isinstance(source, Upload) else None
        if isinstance(source, Upload) and size is None:
            raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
        reused = self._reused_file(source)
        self._admit_send(chat)
        if reused is not None:
            stored = reused
        elif isinstance(source, Upload):
            stored = self._store_file(source.data, "photos", mime_type="image/jpeg")
        else:  # an HTTP URL, not fetched
            stored = self._store_file(b"", "photos", mime_type="image/jpeg")
        content: dict[str, Any] = {"photo": [photo_size(stored, size)]}
        _add_caption(content, plain, entities)
        return self._bot_message(
            chat,
            "sendPhoto",
            content,
            caption,
            plain,
            params.text("parse_mode"),
            entities,
            markup,
            reply_to,
            file=stored,
        )

    def _send_document(self, params: Params) -> dict[str, Any]:
        chat = self._target_chat(params)
        caption, plain, entities = self._caption(params)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits)
        reply_to = self._reply_target(chat, params)
        source = params.upload("document")
        if source is None:
            raise ApiError.bad_request("there is no document in the request")
        reused = self._reused_file(source)
        self._admit_send(chat)
        if reused is not None:
            stored = reused
        elif isinstance(source, Upload):
            name = source.filename or "document"
            mime = source.content_type or mimetypes.guess_type(name)[0]
            stored = self._store_file(source.data, "documents", file_name=name, mime_type=mime)
        else:
            stored = self._store_file(b"", "documents", file_name=source.rsplit("/", 1)[-1])
        content: dict[str, Any] = {"document": document_object(stored)}
        _add_caption(content, plain, entities)
        return self._bot_message(
            chat,
            "sendDocument",
            content,
            caption,
            plain,
            params.text("parse_mode"),
            entities,
            markup,
            reply_to,
            file=stored,
        )

    def _reused_file(self, source: Upload | str) -> StoredFile | None:
        """A file sent again by file_id; an unknown identifier that is no URL is refused."""
        if isinstance(source, Upload):
            if not source.data:
                raise ApiError.bad_request("file must be non-empty")
            return None
        if source in self._files:
            return self._files[source]
        if source.lower().startswith(("http://", "https://")):
            return None
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _bot_message(
        self,
        chat: Chat,
        method: str,
        content: dict[str, Any],
        text: str | None,
        plain: str | None,
        parse_mode: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        reply_to: dict[str, Any] | None,
        *,
        file: StoredFile | None = None,
    ) -> dict[str, Any]:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(self.bot_user),
            "chat": chat.user.private_chat(),
            "date": now(),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = as_reply(reply_to)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        elif markup and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        chat.messages[message_id] = message
        sent = SentMessage(
            chat_id=chat.user.id,
            message_id=message_id,
            method=method,
            text=text,
            plain_text=plain,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            date=message["date"],
            sent_at=time.monotonic(),
            file_id=file.file_id if file else None,
            file_name=file.file_name if file else None,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
        )
        chat.from_bot[message_id] = sent
        chat.sent.append(sent)
        self._emit("sent", sent)
        return message

    def _send_chat_action(self, params: Params) -> bool:
        chat = self._target_chat(params)
        action = params.text("action")
        if action not in _CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        if chat.blocked:
            raise ApiError(403, BLOCKED)
        chat.actions.append(action)
        self._notify()
        return True
