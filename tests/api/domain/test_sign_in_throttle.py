"""Staff sign-in throttling in Redis: delays, locks, the owner's notice (stand-in and real)."""

from __future__ import annotations

import asyncio

from api.domain.sign_in_throttle import ACCOUNT, Schedule, SignInThrottle
from tests.conftest import BOTH_REDIS

ADDRESS = "203.0.113.7"


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def fail(throttle: SignInThrottle, username: str = "budi", address: str = ADDRESS):
    """One attempt with a wrong password: the refusal, or None once it was checked."""
    refused = await throttle.claim(username, address)
    if refused is None:
        await throttle.failed(username, address)
    return refused


def test_the_account_schedule_grows_then_locks_for_a_quarter_of_an_hour():
    waits = [ACCOUNT.wait_after(failures) for failures in range(1, 12)]
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32, 900, 900]


@BOTH_REDIS
async def test_wrong_passwords_meet_growing_delays_then_a_lock(redis):
    clock = Clock()
    throttle = SignInThrottle(redis, clock=clock)
    refusals = []
    for _ in range(30):
        refused = await fail(throttle)
        if refused is not None:
            refusals.append((refused.retry_after, refused.locked))
            clock.now += refused.retry_after  # the user waits as told
    assert refusals[:7] == [
        (1, False),
        (2, False),
        (4, False),
        (8, False),
        (16, False),
        (32, False),
        (900, True),
    ]
    assert all(locked for _, locked in refusals[6:])  # after the lock, every failure locks


@BOTH_REDIS
async def test_while_an_account_waits_even_the_right_password_is_not_checked(redis):
    clock = Clock()
    throttle = SignInThrottle(redis, clock=clock)
    for _ in range(4):
        assert await fail(throttle) is None
    refused = await throttle.claim("budi", ADDRESS)
    assert refused is not None and refused.retry_at == clock.now + 1
    clock.now += 1
    assert await throttle.claim("budi", ADDRESS) is None


@BOTH_REDIS
async def test_concurrent_guesses_cannot_slip_in_before_the_failures_are_counted(redis):
    throttle = SignInThrottle(redis, clock=Clock())
    claims = await asyncio.gather(*(throttle.claim("budi", ADDRESS) for _ in range(20)))
    # 3 free failures, and the 4th, whose wait starts only once it is counted.
    assert sum(claim is None for claim in claims) == 4


@BOTH_REDIS
async def test_a_success_starts_the_account_afresh_and_tells_the_owner_once(redis):
    clock = Clock()
    throttle = SignInThrottle(redis, clock=clock)
    for _ in range(5):  # 4 checked and wrong, 1 refused
        await fail(throttle)
    clock.now += 60
    assert await throttle.claim("budi", ADDRESS) is None
    assert await throttle.succeeded("budi", ADDRESS) == 5

    assert await throttle.claim("budi", ADDRESS) is None
    assert await throttle.succeeded("budi", ADDRESS) == 0
    for _ in range(3):  # free again after the success
        assert await fail(throttle) is None


@BOTH_REDIS
async def test_one_address_trying_many_accounts_is_slowed_down_too(redis):
    clock = Clock()
    address = Schedule(
        free_failures=2,
        lock_after=4,
        lock_seconds=600,
        first_delay_seconds=1,
        forget_after_seconds=3600,
    )
    throttle = SignInThrottle(redis, clock=clock, address=address)
    results = [await fail(throttle, username=f"user{i}") for i in range(5)]
    assert [r is None for r in results] == [True, True, True, False, False]
    clock.now += 1
    assert await fail(throttle, username="user9") is None  # the 4th failure: locked
    locked = await throttle.claim("someone-else", ADDRESS)
    assert locked is not None and locked.locked and locked.retry_after == 600
    # Another address is not concerned.
    assert await throttle.claim("someone-else", "198.51.100.1") is None


@BOTH_REDIS
async def test_successes_from_a_shared_address_do_not_count_against_it(redis):
    address = Schedule(
        free_failures=2,
        lock_after=4,
        lock_seconds=600,
        first_delay_seconds=1,
        forget_after_seconds=3600,
    )
    throttle = SignInThrottle(redis, clock=Clock(), address=address)
    for i in range(10):  # a whole office signing in from behind one NAT
        assert await throttle.claim(f"staff{i}", ADDRESS) is None
        await throttle.succeeded(f"staff{i}", ADDRESS)


@BOTH_REDIS
async def test_attempts_in_the_same_instant_on_one_address_are_not_refused_by_rounding(redis):
    clock = Clock()
    clock.now = 1_764_934_789.123456  # a time that 14 significant digits would round up
    throttle = SignInThrottle(redis, clock=clock)
    claims = [await throttle.claim(f"staff{i}", ADDRESS) for i in range(10)]
    assert claims == [None] * 10
