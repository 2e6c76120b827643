"""Many chats at once, each chat's updates one after another in the order they came.

The bot handles up to ``max_concurrent_updates`` updates at once: each mostly waits for the
api or Telegram, and one slow answer must not hold up every other citizen. Within one chat,
though, a conversation's next step is only known once the handler of the previous update
has returned; a message handled before that would be read at the wrong step (a name taken
for a malformed NIK). So an update waits for the chat's earlier updates to be done.

A chat's waiting updates hold their places among the ``max_concurrent_updates`` (python-
telegram-bot counts an update from the moment it is handed over), so one chat could only
hold up the others by having that many updates in flight at once.

With several bot processes behind one webhook (``shared``, :mod:`bot.replicas`), an update
also waits for its chat's earlier updates in the other processes, and reads and writes the
chat's state around its handling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.replicas import SharedChats


class PerChatOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int, *, shared: SharedChats | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.shared = shared
        #: Per chat with updates in hand: the lock its updates take turns on, and how many.
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, count = self._chats.get(chat.id, (None, 0))
        lock = lock or asyncio.Lock()
        self._chats[chat.id] = (lock, count + 1)
        try:
            async with lock:  # asyncio.Lock wakes its waiters first come, first served
                if self.shared is None:
                    await coroutine
                    return
                await self.shared.before(update)
                try:
                    await coroutine
                finally:
                    await self.shared.after(update)
        finally:
            lock, count = self._chats[chat.id]
            if count == 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, count - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
