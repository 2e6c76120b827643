"""The Redis client: the real server, or fakeredis in-process for the embedded default."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

MEMORY_URL = "memory://"
MAX_CONNECTIONS = 200


def create_redis(url: str) -> Redis:
    if url == MEMORY_URL:
        import fakeredis

        # One in-process server per client factory call: the embedded default is one process.
        # No sockets behind it, so no reason to cap concurrent "connections".
        return fakeredis.FakeAsyncRedis(
            server=fakeredis.FakeServer(), decode_responses=False, max_connections=2**16
        )
    # A burst beyond the pool waits (up to 10 s) for a free connection instead of failing.
    pool = BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=10, health_check_interval=30
    )
    return Redis(connection_pool=pool, decode_responses=False)
