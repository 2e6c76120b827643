"""The Redis client: the real server, or fakeredis in-process for the embedded default."""

from __future__ import annotations

from redis.asyncio import Redis

MEMORY_URL = "memory://"


def create_redis(url: str) -> Redis:
    if url == MEMORY_URL:
        import fakeredis

        # One in-process server per client factory call: the embedded default is one process.
        return fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer(), decode_responses=False)
    return Redis.from_url(url, decode_responses=False, health_check_interval=30)
