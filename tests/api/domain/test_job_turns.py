"""Whose turn a periodic job is, over several workers."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from api.domain.job_turns import Turn, take_turn, turn_key
from tests.api.test_unavailable import closed_port
from tests.conftest import BOTH_REDIS


@BOTH_REDIS
async def test_the_first_worker_of_an_interval_takes_the_turn_the_others_skip(redis):
    first = await take_turn(redis, "deadline-job", interval_seconds=60)
    second = await take_turn(redis, "deadline-job", interval_seconds=60)
    other_job = await take_turn(redis, "another-job", interval_seconds=60)

    assert (first, second, other_job) == (Turn.TAKEN, Turn.ANOTHERS, Turn.TAKEN)
    # Held for a little less than the interval, so its holder finds it free at its next run.
    assert 50_000 < await redis.pttl(turn_key("deadline-job")) <= 54_000


@BOTH_REDIS
async def test_a_turn_ends_with_its_interval_even_if_its_holder_died(redis):
    assert await take_turn(redis, "deadline-job", interval_seconds=0.2) is Turn.TAKEN
    await asyncio.sleep(0.3)

    assert await take_turn(redis, "deadline-job", interval_seconds=0.2) is Turn.TAKEN


async def test_without_redis_every_worker_runs_the_job():
    down = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.5)
    try:
        assert await take_turn(down, "deadline-job", interval_seconds=60) is Turn.NO_REDIS
    finally:
        await down.aclose()
