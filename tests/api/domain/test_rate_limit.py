"""Fixed-window rate limits in Redis (run on the stand-in and on the real server)."""

from __future__ import annotations

import asyncio

from api.domain.rate_limit import Limit, RateLimiter, hit, hit_many
from tests.conftest import BOTH_REDIS

pytestmark = BOTH_REDIS


async def test_attempts_within_the_limit_pass_and_the_next_is_refused_until_the_window_ends(
    redis,
):
    limit = Limit("rl:test:user", limit=3, window_seconds=60)
    decisions = [await hit(redis, [limit]) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 0 < decisions[3].retry_after <= 60


async def test_every_counter_expires_so_no_one_is_blocked_for_good(redis):
    limits = [Limit("rl:test:a", 1, 30), Limit("rl:test:b", 1, 90)]
    for _ in range(3):
        await hit(redis, limits)
    assert 0 < await redis.ttl("rl:test:a") <= 30
    assert 30 < await redis.ttl("rl:test:b") <= 90


async def test_the_fullest_window_decides_how_long_to_wait(redis):
    short, long = Limit("rl:test:s", 1, 30), Limit("rl:test:l", 1, 500)
    await hit(redis, [short, long])
    refused = await hit(redis, [short, long])
    assert not refused.allowed and 30 < refused.retry_after <= 500


async def test_a_server_that_lost_its_script_cache_still_counts(redis):
    limit = Limit("rl:test:flushed", limit=1, window_seconds=60)
    await hit(redis, [limit])
    await redis.script_flush()  # as after a Redis restart
    refused = await hit(redis, [limit])
    assert not refused.allowed and 0 < refused.retry_after <= 60


async def test_attempts_decided_in_one_batch_count_in_arrival_order(redis):
    shared = Limit("rl:test:batch:user", limit=2, window_seconds=60)
    other = Limit("rl:test:batch:other", limit=5, window_seconds=60)
    decisions = await hit_many(redis, [[shared], [shared, other], [other], [shared]])
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert await redis.get("rl:test:batch:other") == b"2"


async def test_concurrent_attempts_share_round_trips_but_the_limit_still_holds(redis):
    limiter = RateLimiter(redis)
    limit = Limit("rl:test:concurrent", limit=3, window_seconds=60)
    decisions = await asyncio.gather(*(limiter.hit([limit]) for _ in range(50)))
    assert sum(d.allowed for d in decisions) == 3
    assert all(0 < d.retry_after <= 60 for d in decisions if not d.allowed)


async def test_a_waived_counter_is_neither_counted_nor_enforced_while_its_mark_exists(redis):
    limiter = RateLimiter(redis)
    nik = Limit("rl:test:waiver:nik", limit=1, window_seconds=60, waived_by="rl:test:mark")
    await hit(redis, [nik])
    assert not (await hit(redis, [nik])).allowed  # full for everyone without the mark

    await limiter.mark("rl:test:mark", 60)
    assert (await hit(redis, [nik])).allowed
    assert await redis.get("rl:test:waiver:nik") == b"2"  # the marked attempt was not counted
    assert 0 < await redis.ttl("rl:test:mark") <= 60


async def test_a_waiver_spares_only_its_own_counter(redis):
    user = Limit("rl:test:waiver:user", limit=1, window_seconds=60)
    nik = Limit("rl:test:waiver:nik2", limit=5, window_seconds=60, waived_by="rl:test:mark2")
    await redis.set("rl:test:mark2", 1)
    decisions = await hit_many(redis, [[user, nik], [user, nik]])
    assert [d.allowed for d in decisions] == [True, False]
