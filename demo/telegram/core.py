"""The state every room of the stand-in shares, and the few operations on it: waking
waiters, finding a citizen's chat, queueing updates, storing files, telling listeners."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from typing import Any

from demo.telegram.records import Chat, Injected, SentMessage, StoredFile, TgUser

#: Update types Telegram only sends when allowed_updates names them.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def now() -> int:
    return int(time.time())


def as_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A message as ``reply_to_message``: Telegram does not nest replies further."""
    reply = copy.deepcopy(message)
    reply.pop("reply_to_message", None)
    return reply


class StandInCore:
    """Shared state and its operations. The state itself is created by ``StandIn.__init__``."""

    def _notify(self) -> None:
        """Wake everything waiting for a change (long polls, webhook sender, wait_until)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, seconds: float | None) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()

    def _user_chat(self, chat_id: int, user: TgUser | None) -> Chat:
        if user is not None and user.id != chat_id:
            raise ValueError("in a private chat the chat id is the citizen's user id")
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = Chat(user or TgUser(chat_id, f"Warga {chat_id}"))
        elif user is not None:
            chat.user = user
        return chat

    def _live_message(self, chat: Chat, message_id: int) -> dict[str, Any]:
        message = chat.messages.get(message_id)
        if message is None or message_id in chat.deleted:
            raise ValueError(f"chat {chat.user.id} has no message {message_id}")
        return message

    def _user_message(
        self, chat: Chat, content: dict[str, Any], *, file_id: str | None = None
    ) -> Injected:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message = {
            "message_id": message_id,
            "from": chat.user.to_api(),
            "chat": chat.user.private_chat(),
            "date": now(),
            **content,
        }
        chat.messages[message_id] = message
        update = self._push_update("message", message)
        return Injected(
            update["update_id"], copy.deepcopy(update), message_id=message_id, file_id=file_id
        )

    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        allowed = self._allowed_updates
        if (kind in allowed) if allowed is not None else (kind not in _OPT_IN_UPDATES):
            self._updates.append(update)
            self._notify()
        return update

    def _store_file(
        self,
        data: bytes,
        folder: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"standin-{folder}-{number:06d}",
            file_unique_id=f"standin-u{number:06d}",
            number=number,
            data=bytes(data),
            folder=folder,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def _emit(self, event: str, sent: SentMessage) -> None:
        for listener in list(self._listeners):
            listener(event, copy.deepcopy(sent))
        self._notify()
