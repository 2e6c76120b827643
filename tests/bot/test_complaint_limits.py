"""The bot asks the api for the complaint limits once, keeps them, and survives an outage."""

from __future__ import annotations

import pytest

from bot.client import ApiUnavailable, ComplaintLimits
from bot.complaint_limits import ComplaintLimitsCache


def limits(description: int) -> ComplaintLimits:
    return ComplaintLimits(description, 4000, 5, 10 * 1024 * 1024, frozenset({"image/jpeg"}))


class FakeApi:
    def __init__(self) -> None:
        self.answers: list[ComplaintLimits | Exception] = []
        self.asked = 0

    async def complaint_limits(self) -> ComplaintLimits:
        self.asked += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_limits_are_asked_once_then_again_after_the_refresh_time():
    api, clock = FakeApi(), Clock()
    api.answers = [limits(4000), limits(3000)]
    cache = ComplaintLimitsCache(api, refresh_seconds=300, clock=clock)

    first = await cache.get()
    clock.now = 299
    still = await cache.get()
    clock.now = 301
    refreshed = await cache.get()

    assert (first.description_max_chars, still.description_max_chars) == (4000, 4000)
    assert refreshed.description_max_chars == 3000
    assert api.asked == 2


async def test_the_last_known_limits_serve_while_the_api_is_down():
    api, clock = FakeApi(), Clock()
    api.answers = [limits(4000), ApiUnavailable("down")]
    cache = ComplaintLimitsCache(api, refresh_seconds=300, clock=clock)
    await cache.get()
    clock.now = 400

    assert (await cache.get()).description_max_chars == 4000


async def test_without_any_known_limits_an_outage_is_reported():
    api = FakeApi()
    api.answers = [ApiUnavailable("down")]

    with pytest.raises(ApiUnavailable):
        await ComplaintLimitsCache(api).get()
