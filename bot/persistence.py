"""Conversation state and per-chat data in Redis, so a draft survives a bot restart.

python-telegram-bot writes persistence every ``update_interval`` seconds and on a clean
stop; the bot uses a one-second interval, so a crash loses at most the last second of a
conversation. Values are JSON (never pickle): drafts hold only plain data.

What it costs per update matters (docs/performance.md, "The bot"): PTB hands over each
pass's writes at once, one call per chat and per conversation, and each call used to be a
Redis round trip on a connection of its own. Now:

- the writes of one pass go to Redis in one pipeline (``_Batch``);
- a chat's data is written only when it differs from what Redis already holds (a status
  check touches a chat without changing its data);
- per-user data is not kept: no handler uses ``user_data``.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any

from redis.asyncio import Redis
from telegram.ext import BasePersistence, PersistenceInput

PREFIX = "bot:"
#: What a chat that Redis holds nothing for reads as (``chat_data`` is a defaultdict).
_EMPTY = json.dumps({})


def redis_key(kind: str, ident: object = "") -> str:
    return f"{PREFIX}{kind}:{ident}"


class _Batch:
    """Redis commands queued in one pass of the event loop, sent as one pipeline.

    The first command of a pass schedules the send at the end of the pass's ready callbacks,
    so the writes PTB starts together (``asyncio.gather``) all join before it goes; each
    caller waits for the pipeline and gets its error, if any.
    """

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._commands: list[tuple[str, tuple[Any, ...]]] = []
        self._sent: asyncio.Future[None] | None = None

    async def run(self, command: str, *args: Any) -> None:
        if self._sent is None:
            loop = asyncio.get_running_loop()
            self._sent = loop.create_future()
            # Retrieved even when every caller was cancelled (no "never retrieved" warning).
            self._sent.add_done_callback(lambda f: f.cancelled() or f.exception())
            loop.call_soon(lambda: asyncio.ensure_future(self._send()))
        self._commands.append((command, args))
        await asyncio.shield(self._sent)

    async def _send(self) -> None:
        commands, sent = self._commands, self._sent
        self._commands, self._sent = [], None
        pipe = self.redis.pipeline(transaction=False)
        for command, args in commands:
            getattr(pipe, command)(*args)
        try:
            await pipe.execute()
        except Exception as exc:
            sent.set_exception(exc)
        else:
            sent.set_result(None)


class RedisPersistence(BasePersistence):
    def __init__(self, redis: Redis, *, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.redis = redis
        self._batch = _Batch(redis)
        #: Per chat, the JSON Redis holds (as read at start or written since).
        self._stored: dict[int, str] = {}

    def remember_chat_data(self, chat_id: int, stored: bytes | None) -> None:
        """What Redis holds for a chat, as just read by another path (``bot.replicas``)."""
        if stored is None:
            self._stored.pop(chat_id, None)
        else:
            self._stored[chat_id] = stored.decode()

    async def get_user_data(self) -> dict[int, dict]:
        return defaultdict(dict)

    async def get_chat_data(self) -> dict[int, dict]:
        raw = await self.redis.hgetall(redis_key("chat_data"))
        self._stored = {int(k): v.decode() for k, v in raw.items()}
        return defaultdict(dict, {k: json.loads(v) for k, v in self._stored.items()})

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict[tuple[int | str, ...], object]:
        raw = await self.redis.hgetall(redis_key("conversation", name))
        return {tuple(json.loads(k)): json.loads(v) for k, v in raw.items()}

    async def update_conversation(
        self, name: str, key: tuple[int | str, ...], new_state: object | None
    ) -> None:
        field = json.dumps(list(key))
        if new_state is None:
            await self._batch.run("hdel", redis_key("conversation", name), field)
        else:
            await self._batch.run(
                "hset", redis_key("conversation", name), field, json.dumps(new_state)
            )

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        value = json.dumps(data, default=str)
        if self._stored.get(chat_id, _EMPTY) == value:
            return
        await self._batch.run("hset", redis_key("chat_data"), str(chat_id), value)
        self._stored[chat_id] = value

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._batch.run("hdel", redis_key("chat_data"), str(chat_id))
        self._stored.pop(chat_id, None)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        return None

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        return None
