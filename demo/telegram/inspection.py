"""What a test can read back: the chats as they stand, the bot's calls, and waiting for a
condition to hold."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from demo.telegram.commands import scope_key
from demo.telegram.records import ApiCall, SentMessage


class Inspection:
    """Read-only views of the state (copies), and waits on it."""

    def sent(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to the chat, in order, as they stand now (copies)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.sent) if chat else []

    def deleted(self, chat_id: int) -> list[int]:
        """Ids of the messages the bot deleted in the chat (its own and the citizen's)."""
        chat = self._chats.get(chat_id)
        return list(chat.deleted) if chat else []

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The whole chat, both sides, as Bot API Message objects (deleted ones included)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(list(chat.messages.values())) if chat else []

    def chat_actions(self, chat_id: int) -> list[str]:
        chat = self._chats.get(chat_id)
        return list(chat.actions) if chat else []

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard the citizen currently sees (until the bot removes it)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.reply_keyboard) if chat else None

    def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """How the bot answered a button press (text, show_alert, url), None if not yet."""
        query = self._callbacks.get(callback_query_id)
        return copy.deepcopy(query["answer"]) if query else None

    def commands(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[dict[str, str]]:
        """The bot's command list for a scope (default scope) and language ("" = all)."""
        key = (scope_key(scope), language_code)
        return copy.deepcopy(self._commands.get(key, []))

    def menu_button(self, chat_id: int | None = None) -> dict[str, Any]:
        return copy.deepcopy(self._menu_button_of(chat_id))

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """The requests the bot made, oldest first; only those of ``method`` if given."""
        if method is None:
            return list(self._calls)
        return [call for call in self._calls if call.method.lower() == method.lower()]

    @property
    def webhook_url(self) -> str | None:
        return self._webhook.url if self._webhook else None

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by getUpdates' offset nor delivered to the webhook."""
        return len(self._updates)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 (a deadline for a condition, not for I/O)
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` holds; it is checked after every change of state."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"stand-in: {what} not reached within {timeout}s")
            await self._wait_change(remaining)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until the bot has sent ``count`` messages to the chat; returns ``sent()``."""

        def enough() -> bool:
            chat = self._chats.get(chat_id)
            return chat is not None and len(chat.sent) >= count

        try:
            await self.wait_until(enough, timeout=timeout)
        except TimeoutError:
            texts = [message.plain_text for message in self.sent(chat_id)]
            raise TimeoutError(
                f"the bot sent {len(texts)} message(s) to chat {chat_id} within {timeout}s, "
                f"not {count}: {texts}"
            ) from None
        return self.sent(chat_id)

    async def wait_until_consumed(self, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update was confirmed (polling) or delivered (webhook)."""
        await self.wait_until(
            lambda: not self._updates, timeout=timeout, what="all updates consumed"
        )
