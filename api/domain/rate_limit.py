"""Fixed-window rate limits kept in Redis, shared by every api process.

Each limited subject (a channel user, a NIK by keyed hash) has a counter that lives for one
window. All counters of one request are bumped in a single MULTI/EXEC round trip; the
request is refused when any of them is over its limit, with the seconds until the fullest
window resets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Limit:
    key: str
    limit: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int = 0


async def hit(redis: Redis, limits: Sequence[Limit]) -> Decision:
    """Count one attempt against every limit; refuse if any is exceeded."""
    async with redis.pipeline(transaction=True) as pipe:
        for limit in limits:
            pipe.incr(limit.key)
            # NX: only the first hit of a window sets the expiry, so the window is fixed.
            pipe.expire(limit.key, limit.window_seconds, nx=True)
            pipe.ttl(limit.key)
        replies = await pipe.execute()
    retry_after = 0
    for index, limit in enumerate(limits):
        count, _, ttl = replies[index * 3 : index * 3 + 3]
        if int(count) > limit.limit:
            retry_after = max(retry_after, int(ttl) if int(ttl) > 0 else limit.window_seconds)
    return Decision(allowed=retry_after == 0, retry_after=retry_after)
