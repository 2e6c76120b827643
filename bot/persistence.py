"""Conversation state and per-chat data in Redis, so a draft survives a bot restart.

python-telegram-bot writes persistence every ``update_interval`` seconds and on a clean
stop; the bot uses a one-second interval, so a crash loses at most the last second of a
conversation. Values are JSON (never pickle): drafts hold only plain data.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from redis.asyncio import Redis
from telegram.ext import BasePersistence, PersistenceInput

PREFIX = "bot:"


def _key(kind: str, ident: object = "") -> str:
    return f"{PREFIX}{kind}:{ident}"


class RedisPersistence(BasePersistence):
    def __init__(self, redis: Redis, *, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.redis = redis

    async def _load_hash(self, kind: str) -> dict[int, dict]:
        raw = await self.redis.hgetall(_key(kind))
        return {int(k): json.loads(v) for k, v in raw.items()}

    async def get_user_data(self) -> dict[int, dict]:
        return defaultdict(dict, await self._load_hash("user_data"))

    async def get_chat_data(self) -> dict[int, dict]:
        return defaultdict(dict, await self._load_hash("chat_data"))

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict[tuple[int | str, ...], object]:
        raw = await self.redis.hgetall(_key("conversation", name))
        return {tuple(json.loads(k)): json.loads(v) for k, v in raw.items()}

    async def update_conversation(
        self, name: str, key: tuple[int | str, ...], new_state: object | None
    ) -> None:
        field = json.dumps(list(key))
        if new_state is None:
            await self.redis.hdel(_key("conversation", name), field)
        else:
            await self.redis.hset(_key("conversation", name), field, json.dumps(new_state))

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self.redis.hset(_key("user_data"), str(user_id), json.dumps(data, default=str))

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self.redis.hset(_key("chat_data"), str(chat_id), json.dumps(data, default=str))

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        await self.redis.hdel(_key("chat_data"), str(chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        await self.redis.hdel(_key("user_data"), str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        return None
