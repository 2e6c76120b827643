"""Fixed-window rate limits kept in Redis, shared by every api process.

Each limited subject (a channel user, an API key, a NIK by keyed hash) has a counter that
lives for one window. An attempt bumps all its counters and is refused when any of them is
over its limit, with the seconds until the fullest window resets. A counter may be waived by
a mark: while the mark's key exists, that counter is neither bumped nor enforced for the
attempt (the mark of a channel user who already proved they know a NIK's name, see
``status_check``). One Lua script does that for a whole batch
of attempts, in arrival order: atomic like MULTI/EXEC, but one command and one reply for
every attempt that arrived while the previous batch was in Redis (see ``RateLimiter``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from api.domain.batching import GroupCall

# KEYS: the counters of every attempt, attempt after attempt, each followed by its waiver
# mark when it has one. ARGV[1]: the number of attempts; then per attempt its number of
# counters, then limit, window seconds and "has a waiver mark" (0/1) of each counter in KEYS
# order. Returns per attempt the seconds to wait (0: allowed). EXPIRE … NX: only the first
# hit of a window sets the expiry, so the window is fixed; every counter still always gets
# one.
_HIT = """
local answers = {}
local key_at, arg_at = 0, 2
for attempt = 1, tonumber(ARGV[1]) do
  local retry_after = 0
  local counters = tonumber(ARGV[arg_at])
  for _ = 1, counters do
    key_at = key_at + 1
    local key = KEYS[key_at]
    local limit = tonumber(ARGV[arg_at + 1])
    local window = tonumber(ARGV[arg_at + 2])
    local waived = false
    if ARGV[arg_at + 3] == '1' then
      key_at = key_at + 1
      waived = redis.call('EXISTS', KEYS[key_at]) == 1
    end
    arg_at = arg_at + 3
    if not waived then
      local count = redis.call('INCR', key)
      redis.call('EXPIRE', key, window, 'NX')
      if count > limit then
        local ttl = redis.call('TTL', key)
        if ttl <= 0 then ttl = window end
        if ttl > retry_after then retry_after = ttl end
      end
    end
  end
  arg_at = arg_at + 1
  answers[attempt] = retry_after
end
return answers
"""
_HIT_SHA = hashlib.sha1(_HIT.encode()).hexdigest()
MAX_BATCH = 500  # attempts per script call: keeps one call's time in Redis well under 1 ms

#: The hash tag of every rate-limit key. One script call counts a whole batch of attempts,
#: status checks and filings mixed, and Redis Cluster runs a script only on keys of one hash
#: slot: so all the counters and waiver marks share this one (one shard; what it costs per
#: status check and how far one shard goes: docs/scaling.md).
SLOT_TAG = "{rl}"


def limit_key(*parts: object) -> str:
    """A rate-limit key: ``{rl}:lookup:user:7:tg:41`` from ``"lookup", "user", 7, "tg:41"``."""
    return ":".join((SLOT_TAG, *(str(part) for part in parts)))


@dataclass(frozen=True, slots=True)
class Limit:
    key: str
    limit: int
    window_seconds: int
    # While this key exists the counter is skipped: neither counted nor enforced.
    waived_by: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int = 0


async def hit_many(redis: Redis, attempts: Sequence[Sequence[Limit]]) -> list[Decision]:
    """Count each attempt against its limits, in order; one decision per attempt."""
    keys: list[str] = []
    args: list[int] = [len(attempts)]
    for limits in attempts:
        args.append(len(limits))
        for limit in limits:
            keys.append(limit.key)
            if limit.waived_by is not None:
                keys.append(limit.waived_by)
            args += (limit.limit, limit.window_seconds, int(limit.waived_by is not None))
    try:
        # By digest: the script's text crosses the wire only once per Redis server.
        waits = await redis.evalsha(_HIT_SHA, len(keys), *keys, *args)
    except NoScriptError:  # a restarted or flushed server: EVAL runs and caches it again
        waits = await redis.eval(_HIT, len(keys), *keys, *args)
    return [Decision(allowed=wait == 0, retry_after=int(wait)) for wait in waits]


async def set_marks(redis: Redis, marks: Sequence[tuple[str, int]]) -> list[None]:
    """Set each waiver mark ``(key, seconds)``; one round trip for all of them."""
    async with redis.pipeline(transaction=False) as pipe:
        for key, seconds in marks:
            pipe.set(key, b"1", ex=seconds)
        await pipe.execute()
    return [None] * len(marks)


async def hit(redis: Redis, limits: Sequence[Limit]) -> Decision:
    """Count one attempt against every limit; refuse if any is exceeded."""
    [decision] = await hit_many(redis, [limits])
    return decision


class RateLimiter:
    """``hit`` for concurrent requests: attempts queued while a script call is in Redis go
    together in the next call, so under load one round trip decides many attempts."""

    def __init__(self, redis: Redis) -> None:
        self._calls: GroupCall[Sequence[Limit], Decision] = GroupCall(
            lambda attempts: hit_many(redis, attempts), max_batch=MAX_BATCH
        )
        self._marks: GroupCall[tuple[str, int], None] = GroupCall(
            lambda marks: set_marks(redis, marks), max_batch=MAX_BATCH
        )

    async def hit(self, limits: Sequence[Limit]) -> Decision:
        return await self._calls(limits)

    async def mark(self, key: str, seconds: int) -> None:
        """Set the waiver mark ``key`` for ``seconds`` (grouped like ``hit``)."""
        await self._marks((key, seconds))
