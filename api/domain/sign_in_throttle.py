"""Staff sign-in throttling: growing delays, then a temporary lock, per account and per address.

Password guessing is slowed per account (the username as typed, known or not, so a refusal
says nothing about which usernames exist) and per client address (one address spraying many
accounts). Each subject has a count of failures; past its free failures every further one
makes the next attempt wait twice as long, and at ``lock_after`` the subject is locked for
``lock_seconds``. While a subject waits, every attempt is refused before any password is
checked, the right one too: the refusal says when to retry.

An attempt is counted as a failure *before* its password is checked (atomically with the
decision, in one Lua script), and the count is undone when it succeeds. So a burst of
concurrent guesses cannot all slip in before the first failure is recorded.

The account's owner is told at the next successful sign-in how many attempts failed or were
refused since their last one (``SignInThrottle.succeeded``).

Times come from ``clock`` (seconds since the epoch), not from Redis, so tests can move it;
Redis expiry only clears subjects nobody has tried for a long time.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Schedule:
    """How one kind of subject is slowed down."""

    free_failures: int  # failures with no wait at all (typos)
    lock_after: int  # the failure that locks the subject
    lock_seconds: int
    first_delay_seconds: int  # the wait after the first failure past the free ones; doubles
    forget_after_seconds: int  # failures are forgotten this long after the last attempt

    def wait_after(self, failures: int) -> int:
        """Seconds the next attempt must wait after ``failures`` failures."""
        if failures >= self.lock_after:
            return self.lock_seconds
        if failures <= self.free_failures:
            return 0
        return self.first_delay_seconds * 2 ** (failures - self.free_failures - 1)


# 3 typos free, then 1, 2, 4 … 32 s, then 15 minutes locked: about 10 guesses in the first
# quarter of an hour, then one per lock (before: ~26 guesses per second per worker).
ACCOUNT = Schedule(
    free_failures=3,
    lock_after=10,
    lock_seconds=15 * 60,
    first_delay_seconds=1,
    forget_after_seconds=24 * 3600,
)
# An office's staff share one address behind NAT: far more room, the same shape.
ADDRESS = Schedule(
    free_failures=50,
    lock_after=200,
    lock_seconds=15 * 60,
    first_delay_seconds=1,
    forget_after_seconds=3600,
)
# How long the owner's "N failed attempts since your last sign-in" is kept.
NOTICE_SECONDS = 90 * 24 * 3600

# KEYS: the account's and the address's state (hashes: failures, until, locked), the
# account's notice counter. ARGV: now, notice seconds, then per subject free failures, lock
# after, lock seconds, first delay, forget after. Returns {1} when the attempt may go on (and
# has been counted as a failure), or {0, seconds to wait, 1 if locked}.
_CLAIM = """
local now = tonumber(ARGV[1])
local wait, locked = 0, 0
for i = 1, 2 do
  local state = redis.call('HMGET', KEYS[i], 'until', 'locked')
  local left = tonumber(state[1] or '0') - now
  if left > wait then
    wait = left
    locked = tonumber(state[2] or '0')
  end
end
if wait > 0 then
  redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[2])
  return {0, tostring(wait), locked}
end
for i = 1, 2 do
  local at = 2 + (i - 1) * 5
  local free, lock_after = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  local lock_seconds, first = tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
  local failures = redis.call('HINCRBY', KEYS[i], 'failures', 1)
  local delay, lock = 0, 0
  if failures >= lock_after then
    delay, lock = lock_seconds, 1
  elseif failures > free then
    delay = first * 2 ^ (failures - free - 1)
  end
  if delay > 0 then  -- (a wait of 0 must not be written: tostring rounds it up to a wait)
    redis.call('HSET', KEYS[i], 'until', string.format('%.3f', now + delay), 'locked', lock)
  end
  redis.call('EXPIRE', KEYS[i], ARGV[at + 5])
end
return {1}
"""

# KEYS: the account's state, the address's state, the account's notice counter. Returns the
# notice count. The account starts afresh; the address keeps its other failures.
_SUCCEED = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('HGET', KEYS[2], 'failures') or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], 'failures', -1)
end
local notice = tonumber(redis.call('GET', KEYS[3]) or '0')
redis.call('DEL', KEYS[3])
return notice
"""


@dataclass(frozen=True, slots=True)
class Refused:
    """Not now: retry at ``retry_at`` (epoch seconds); ``locked`` tells a lock from a delay."""

    retry_after: int
    retry_at: float
    locked: bool


#: The hash tag of every sign-in key: the claim and success scripts touch an account's and an
#: address's keys together, which Redis Cluster allows only within one hash slot. Staff
#: sign-ins are few (thousands an hour at most): one slot is plenty.
SLOT_TAG = "{signin}"


def _subject(kind: str, value: str) -> str:
    # Hashed: fixed-length keys, and no username or address in clear in Redis.
    return f"{SLOT_TAG}:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


class SignInThrottle:
    """``claim`` before checking a password, then ``failed`` or ``succeeded``."""

    def __init__(
        self,
        redis: Redis,
        *,
        clock: Callable[[], float] = time.time,
        account: Schedule = ACCOUNT,
        address: Schedule = ADDRESS,
    ) -> None:
        self._redis = redis
        # By digest after the first call (EVALSHA), re-sent by redis-py after a Redis restart.
        self._claim, self._succeed = redis.register_script(_CLAIM), redis.register_script(_SUCCEED)
        self.clock = clock
        self._schedules = (account, address)

    def _keys(self, username: str, address: str | None) -> list[str]:
        account = _subject("account", username)
        return [account, _subject("address", address or "unknown"), f"{account}:notice"]

    async def claim(self, username: str, address: str | None) -> Refused | None:
        """None: go on and check the password (the attempt already counts as a failure).
        Otherwise the attempt is refused unchecked, and counted for the owner's notice."""
        now = self.clock()
        args: list[object] = [repr(now), NOTICE_SECONDS]
        for schedule in self._schedules:
            args += (
                schedule.free_failures,
                schedule.lock_after,
                schedule.lock_seconds,
                schedule.first_delay_seconds,
                schedule.forget_after_seconds,
            )
        answer = await self._claim(keys=self._keys(username, address), args=args)
        if int(answer[0]) == 1:
            return None
        wait = float(answer[1])
        return Refused(retry_after=math.ceil(wait), retry_at=now + wait, locked=answer[2] == 1)

    async def failed(self, username: str, address: str | None) -> None:
        """The password was wrong (already counted by ``claim``): tell the owner later."""
        notice = self._keys(username, address)[2]
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incr(notice)
            pipe.expire(notice, NOTICE_SECONDS)
            await pipe.execute()

    async def succeeded(self, username: str, address: str | None) -> int:
        """Start the account afresh; the attempts that failed or were refused since the
        owner's last sign-in."""
        return int(await self._succeed(keys=self._keys(username, address)))
