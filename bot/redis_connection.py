"""The bot's Redis connection (drafts, persistence, the notification stream), built from
``REDIS_URL`` without borrowing the api's code: the bot reaches the api only over HTTP."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

#: BotSettings' default: fakeredis in this process, for trying the bot alone.
MEMORY_URL = "memory://"


def connect_redis(url: str) -> Redis:
    """A client for ``url``; ``memory://`` gives a private in-process server each call.

    Concurrent updates and the notifier's chat workers share one pool of 200 connections; a
    burst beyond it waits up to 10 s for a free one instead of failing.
    """
    if url != MEMORY_URL:
        pool = BlockingConnectionPool.from_url(
            url, max_connections=200, timeout=10, health_check_interval=30
        )
        return Redis(connection_pool=pool, decode_responses=False)
    from fakeredis import FakeAsyncRedis, FakeServer

    # No sockets behind it, so nothing to cap: one chat's burst never waits for a connection.
    return FakeAsyncRedis(server=FakeServer(), decode_responses=False, max_connections=2**16)
