"""Several bot processes behind one webhook URL: each chat's updates in order, on one state.

Behind a balancer, a chat's next update may reach another process than its last one. Within
one process :class:`~bot.update_order.PerChatOrder` keeps a chat's updates one after another;
across processes three things are needed, all in Redis:

- **a queue of turns per chat**: an update takes its place (its ``update_id``, which Telegram
  numbers in order) in ``bot:turns:<chat>`` when it is *received*, before the webhook answers
  Telegram, so Telegram's next update for the chat, wherever it lands, queues behind it. It
  is handled once it is first in the queue, and leaves the queue when done. An update left
  in the queue by a process that died is passed over after ``TURN_WAIT_SECONDS``.
- **the chat's state read before each update**: python-telegram-bot reads conversations and
  chat data once, at start; here the chat's conversation states and data are read again from
  Redis when its turn comes, since another process may have moved the conversation on;
- **the state written after each update**, not a second later: the next update of the chat
  may already wait in another process.

Only in webhook mode (``bansos bot --webhook``): polling allows one process per token.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from redis.asyncio import Redis
from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot.persistence import redis_key

TURNS_PREFIX = "bot:turns:"
#: A chat's queue is forgotten this long after its last update (nobody waits that long).
TURNS_TTL_SECONDS = 600
#: An update first in its chat's queue for this long belonged to a process that died.
TURN_WAIT_SECONDS = 30.0
#: How often a waiting update looks whether its turn came.
TURN_POLL_SECONDS = 0.02


def turns_key(chat_id: int) -> str:
    return f"{TURNS_PREFIX}{chat_id}"


def _chat_of(update: object) -> int | None:
    chat = update.effective_chat if isinstance(update, Update) else None
    return chat.id if chat is not None else None


class TurnTakingQueue(asyncio.Queue):
    """The application's update queue: an update takes its chat's turn as it is received."""

    def __init__(self, redis: Redis) -> None:
        super().__init__()
        self.redis = redis

    async def put(self, item: Any) -> None:
        chat_id = _chat_of(item)
        if chat_id is not None:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.zadd(turns_key(chat_id), {str(item.update_id): item.update_id})
                pipe.expire(turns_key(chat_id), TURNS_TTL_SECONDS)
                await pipe.execute()
        await super().put(item)


class SharedChats:
    """Turns and state of the chats shared by the bot processes (see the module docstring)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.application: Application | None = None

    def attach(self, application: Application) -> None:
        self.application = application

    async def before(self, update: Update) -> None:
        """Wait for the update's turn in its chat, then read the chat's state."""
        chat_id = _chat_of(update)
        if chat_id is None:
            return
        await self._wait_for_turn(chat_id, update.update_id)
        await self._read_state(update, chat_id)

    async def after(self, update: Update) -> None:
        """Write the chat's state at once and hand the turn on."""
        chat_id = _chat_of(update)
        if chat_id is None:
            return
        try:
            await self.application.update_persistence()
        finally:
            await self.redis.zrem(turns_key(chat_id), str(update.update_id))

    async def _wait_for_turn(self, chat_id: int, update_id: int) -> None:
        key, waited_since, first_seen = turns_key(chat_id), time.monotonic(), None
        while True:
            first = await self.redis.zrange(key, 0, 0, withscores=True)
            if not first or int(first[0][1]) >= update_id:
                return  # first in the queue (or the queue expired: nobody to wait for)
            if first[0][1] != first_seen:
                first_seen, waited_since = first[0][1], time.monotonic()
            elif time.monotonic() - waited_since >= TURN_WAIT_SECONDS:
                # The update ahead has not moved for too long: its process died with it.
                await self.redis.zrem(key, first[0][0])
                continue
            await asyncio.sleep(TURN_POLL_SECONDS)

    async def _read_state(self, update: Update, chat_id: int) -> None:
        application = self.application
        handlers = list(_persistent_conversations(application))
        keys = [handler._get_key(update) for handler in handlers]
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hget(redis_key("chat_data"), str(chat_id))
            for handler, key in zip(handlers, keys, strict=True):
                pipe.hget(redis_key("conversation", handler.name), json.dumps(list(key)))
            chat_data, *states = await pipe.execute()
        stored = json.loads(chat_data) if chat_data is not None else {}
        data = application.chat_data[chat_id]
        data.clear()
        data.update(stored)
        application.persistence.remember_chat_data(chat_id, chat_data)
        for handler, key, state in zip(handlers, keys, states, strict=True):
            conversations = handler._conversations
            if state is None:
                conversations.data.pop(key, None)  # ended elsewhere; no write to track
            else:
                conversations.update_no_track({key: json.loads(state)})


def _persistent_conversations(application: Application):
    for group in application.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler) and handler.persistent:
                yield handler
