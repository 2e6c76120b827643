"""The citizen's side of the chat: what a test (or ``bansos chat``) makes a citizen do, and
the controls a test has over the stand-in (429 on demand, listeners)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from demo.telegram.core import as_reply, now
from demo.telegram.files import document_object, photo_size
from demo.telegram.markup import inline_callback_data
from demo.telegram.records import Injected, SentMessage, TgUser

_LEADING_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?(?=\s|$)")


class CitizenActions:
    """Driver methods: each queues the update Telegram would send the bot."""

    def add_user(self, user: TgUser) -> TgUser:
        """Register a citizen (name, username, language) before or between their actions."""
        self._user_chat(user.id, user)
        return user

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user: TgUser | None = None,
        forward_from: TgUser | None = None,
        reply_to: int | None = None,
    ) -> Injected:
        """The citizen sends ``text`` (a leading /command gets its bot_command entity)."""
        chat = self._user_chat(chat_id, user)
        content: dict[str, Any] = {"text": text}
        if command := _LEADING_COMMAND.match(text):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command.group(0))}
            ]
        if forward_from is not None:
            content["forward_origin"] = {
                "type": "user",
                "sender_user": forward_from.to_api(),
                "date": now(),
            }
        if reply_to is not None:
            content["reply_to_message"] = as_reply(self._live_message(chat, reply_to))
        return self._user_message(chat, content)

    def send_command(self, chat_id: int, command: str, *, user: TgUser | None = None) -> Injected:
        """The citizen sends a command such as ``/start`` or ``/start token``."""
        if not _LEADING_COMMAND.match(command):
            raise ValueError(f"not a bot command: {command!r}")
        return self.send_text(chat_id, command, user=user)

    def press_button(
        self, chat_id: int, message_id: int, callback_data: str, *, user: TgUser | None = None
    ) -> Injected:
        """The citizen presses an inline button of one of the bot's messages.

        Raises ValueError when that message (still) has no button with this callback_data,
        since a Telegram client could not press it either.
        """
        chat = self._user_chat(chat_id, user)
        message = self._live_message(chat, message_id)
        buttons = inline_callback_data(message.get("reply_markup"))
        if message_id not in chat.from_bot or callback_data not in buttons:
            raise ValueError(
                f"message {message_id} in chat {chat_id} has no button with callback_data "
                f"{callback_data!r} (its buttons: {buttons})"
            )
        query_id = str(next(self._callback_ids))
        self._callbacks[query_id] = {"chat_id": chat_id, "message_id": message_id, "answer": None}
        query = {
            "id": query_id,
            "from": chat.user.to_api(),
            "message": copy.deepcopy(message),
            "chat_instance": str(chat_id * 7919 + self.bot_user["id"]),
            "data": callback_data,
        }
        update = self._push_update("callback_query", query)
        return Injected(
            update["update_id"],
            copy.deepcopy(update),
            message_id=message_id,
            callback_query_id=query_id,
        )

    def send_photo(
        self,
        chat_id: int,
        data: bytes,
        *,
        caption: str | None = None,
        user: TgUser | None = None,
    ) -> Injected:
        """The citizen sends a photo; ``Injected.file_id`` works with getFile and download."""
        chat = self._user_chat(chat_id, user)
        stored = self._store_file(data, "photos", mime_type="image/jpeg")
        content: dict[str, Any] = {"photo": [photo_size(stored)]}
        if caption:
            content["caption"] = caption
        return self._user_message(chat, content, file_id=stored.file_id)

    def send_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        user: TgUser | None = None,
    ) -> Injected:
        """The citizen sends a file as a document."""
        chat = self._user_chat(chat_id, user)
        stored = self._store_file(data, "documents", file_name=file_name, mime_type=mime_type)
        content: dict[str, Any] = {"document": document_object(stored)}
        if caption:
            content["caption"] = caption
        return self._user_message(chat, content, file_id=stored.file_id)

    def send_sticker(
        self, chat_id: int, emoji: str = "👍", *, user: TgUser | None = None
    ) -> Injected:
        chat = self._user_chat(chat_id, user)
        stored = self._store_file(b"RIFF\x00\x00\x00\x00WEBP", "stickers", mime_type="image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._user_message(chat, {"sticker": sticker}, file_id=stored.file_id)

    def send_voice(
        self,
        chat_id: int,
        data: bytes = b"OggS",
        *,
        duration: int = 1,
        user: TgUser | None = None,
    ) -> Injected:
        chat = self._user_chat(chat_id, user)
        stored = self._store_file(data, "voice", mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._user_message(chat, {"voice": voice}, file_id=stored.file_id)

    def send_location(
        self, chat_id: int, latitude: float, longitude: float, *, user: TgUser | None = None
    ) -> Injected:
        chat = self._user_chat(chat_id, user)
        return self._user_message(
            chat, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    def send_contact(
        self, chat_id: int, phone_number: str, *, user: TgUser | None = None
    ) -> Injected:
        """The citizen shares their own phone number (the "share contact" button)."""
        chat = self._user_chat(chat_id, user)
        contact = {
            "phone_number": phone_number,
            "first_name": chat.user.first_name,
            "user_id": chat.user.id,
        }
        return self._user_message(chat, {"contact": contact})

    def inject_update(self, kind: str, payload: dict[str, Any]) -> Injected:
        """Queue any other update as given (``kind`` such as "edited_message")."""
        update = self._push_update(kind, copy.deepcopy(payload))
        return Injected(update["update_id"], copy.deepcopy(update))

    def block(self, chat_id: int) -> None:
        """The citizen blocks the bot: sends answer 403 "Forbidden: bot was blocked by the user"."""
        self._user_chat(chat_id, None).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._user_chat(chat_id, None).blocked = False

    # --- test controls ------------------------------------------------------------------------

    def fail_next_sends(self, count: int, retry_after: int = 1) -> None:
        """Answer the next ``count`` sends with 429 "Too Many Requests: retry after N"."""
        self._fail_next, self._fail_retry_after = count, retry_after

    def add_listener(self, callback: Callable[[str, SentMessage], None]) -> None:
        """Call ``callback(event, message)`` on "sent", "edited" and "deleted" bot messages."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[str, SentMessage], None]) -> None:
        self._listeners.remove(callback)
