"""The bot's Redis connection (drafts, persistence, the notification stream), built from
``REDIS_URL`` without borrowing the api's code: the bot reaches the api only over HTTP."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

#: BotSettings' default: fakeredis in this process, for trying the bot alone.
MEMORY_URL = "memory://"
#: Concurrent updates and the notifier's chat workers share the pool; a burst beyond it
#: waits (up to 10 s) for a free connection instead of failing.
MAX_CONNECTIONS = 200


def connect_redis(url: str) -> Redis:
    """A client for ``url``; ``memory://`` gives a private in-process server each call."""
    if url == MEMORY_URL:
        import fakeredis

        return fakeredis.FakeAsyncRedis(
            server=fakeredis.FakeServer(), decode_responses=False, max_connections=2**16
        )
    pool = BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=10, health_check_interval=30
    )
    return Redis(connection_pool=pool, decode_responses=False)
