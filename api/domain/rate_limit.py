"""Fixed-window rate limits kept in Redis, shared by every api process.

Each limited subject (a channel user, a NIK by keyed hash) has a counter that lives for one
window. All counters of one request are bumped by a single Lua script, atomic like MULTI/EXEC
but one command and one reply: the request is refused when any of them is over its limit,
with the seconds until the fullest window resets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

# KEYS: the counters; ARGV: limit and window seconds of each counter, in the same order.
# Returns the seconds to wait (0: allowed). EXPIRE … NX: only the first hit of a window
# sets the expiry, so the window is fixed; every counter still always gets one.
_HIT = """
local retry_after = 0
for index, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[index * 2 - 1])
  local window = tonumber(ARGV[index * 2])
  local count = redis.call('INCR', key)
  redis.call('EXPIRE', key, window, 'NX')
  if count > limit then
    local ttl = redis.call('TTL', key)
    if ttl <= 0 then ttl = window end
    if ttl > retry_after then retry_after = ttl end
  end
end
return retry_after
"""
_HIT_SHA = hashlib.sha1(_HIT.encode()).hexdigest()


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
    keys = [limit.key for limit in limits]
    args = [value for limit in limits for value in (limit.limit, limit.window_seconds)]
    try:
        # By digest: the script's text crosses the wire only once per Redis server.
        retry_after = int(await redis.evalsha(_HIT_SHA, len(keys), *keys, *args))
    except NoScriptError:  # a restarted or flushed server: EVAL runs and caches it again
        retry_after = int(await redis.eval(_HIT, len(keys), *keys, *args))
    return Decision(allowed=retry_after == 0, retry_after=retry_after)
