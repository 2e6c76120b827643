"""Whose turn it is to run a periodic job, when several workers run at once.

A job such as the deadline job must run once per interval over all the workers, not once
per worker: each run reads every open complaint, and two runs at once only race each other's
conditional updates. The first worker of an interval to ask takes the turn, a key in Redis
that expires a little before the interval ends (so that the same worker, ticking on its own
schedule, finds it gone at its next run); the others skip the job until then. A worker that
dies with the turn in hand holds it no longer than that: the job is at most one interval late.

Without Redis nobody can take the turn and every worker runs the job: the jobs guarded here
stay correct when run twice (their updates are conditional), only wasteful.
"""

from __future__ import annotations

import enum
import os
import socket

from redis.asyncio import Redis
from redis.exceptions import RedisError

PREFIX = "worker:turn:"
#: The share of the interval a turn lasts.
TURN_SHARE = 0.9


class Turn(enum.Enum):
    TAKEN = "taken"  # this worker runs the job
    ANOTHERS = "anothers"  # another worker ran it this interval: skip
    NO_REDIS = "no_redis"  # nobody can tell: run it (the job tolerates a second run)


def turn_key(job: str) -> str:
    return f"{PREFIX}{job}"


def holder() -> str:
    """Who took a turn, for an operator reading the key: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def take_turn(redis: Redis, job: str, *, interval_seconds: float) -> Turn:
    try:
        taken = await redis.set(
            turn_key(job), holder(), nx=True, px=max(1, int(interval_seconds * TURN_SHARE * 1000))
        )
    except (RedisError, OSError):
        return Turn.NO_REDIS
    return Turn.TAKEN if taken else Turn.ANOTHERS
