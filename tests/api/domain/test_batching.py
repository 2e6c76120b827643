"""GroupCall: concurrent callers share a round trip, yet each is answered for itself alone."""

from __future__ import annotations

import asyncio

import pytest

from api.domain.batching import GroupCall

# Generous: only a caller left waiting forever comes near it.
NEVER = 10


class Rejected(ValueError):
    """What a server says of a batch holding one item it cannot take."""


class Down(ConnectionError):
    """What a server that is not there says of any batch."""


def doubling(sent: list[list[int]]):
    async def send(batch: list[int]) -> list[int]:
        sent.append(list(batch))
        if any(item < 0 for item in batch):  # one bad item: the whole statement is refused
            raise Rejected(f"cannot take {min(batch)}")
        return [item * 2 for item in batch]

    return send


async def test_concurrent_callers_each_get_their_own_answer_from_shared_batches():
    sent: list[list[int]] = []
    group = GroupCall(doubling(sent))
    answers = await asyncio.wait_for(asyncio.gather(*(group(i) for i in range(50))), NEVER)
    assert answers == [i * 2 for i in range(50)]
    assert len(sent) < 50  # they did share round trips


async def test_one_bad_member_fails_only_its_own_caller_not_the_batch():
    sent: list[list[int]] = []
    group = GroupCall(doubling(sent))
    items = [1, 2, -3, 4, 5, -6, 7]
    answers = await asyncio.wait_for(
        asyncio.gather(*(group(i) for i in items), return_exceptions=True), NEVER
    )
    for item, answer in zip(items, answers, strict=True):
        if item < 0:
            assert isinstance(answer, Rejected)
        else:
            assert answer == item * 2
    assert max(len(batch) for batch in sent) > 1  # a shared batch did fail first


async def test_a_batch_of_one_that_fails_is_not_sent_again():
    sent: list[list[int]] = []
    group = GroupCall(doubling(sent))
    with pytest.raises(Rejected):
        await asyncio.wait_for(group(-1), NEVER)
    assert sent == [[-1]]


async def test_a_server_that_is_down_fails_the_batch_at_once_without_a_retry_per_member():
    sent: list[list[int]] = []

    async def send(batch: list[int]) -> list[int]:
        sent.append(list(batch))
        raise Down("connection refused")

    group = GroupCall(send)
    answers = await asyncio.wait_for(
        asyncio.gather(*(group(i) for i in range(20)), return_exceptions=True), NEVER
    )
    assert all(isinstance(answer, Down) for answer in answers)
    # Retrying each member alone against a server that is not there would only multiply
    # the wait (a hung server: one timeout per member).
    assert sum(len(batch) for batch in sent) == 20


async def test_a_caller_who_calls_again_at_once_is_answered_again():
    # A caller woken by its answer calls again before the finished sender task is gone: a
    # sender must still be started for it, or it waits for ever.
    sent: list[list[int]] = []
    group = GroupCall(doubling(sent))

    async def twice(item: int) -> tuple[int, int]:
        return await group(item), await group(item + 100)

    assert await asyncio.wait_for(twice(1), NEVER) == (2, 202)
    answers = await asyncio.wait_for(asyncio.gather(*(twice(i) for i in range(10))), NEVER)
    assert answers == [(i * 2, (i + 100) * 2) for i in range(10)]


async def test_drain_waits_until_every_queued_item_is_sent():
    sent: list[list[int]] = []
    group = GroupCall(doubling(sent))
    callers = [asyncio.create_task(group(i)) for i in range(5)]
    await asyncio.sleep(0)
    await asyncio.wait_for(group.drain(), NEVER)
    assert sorted(item for batch in sent for item in batch) == list(range(5))
    await asyncio.gather(*callers)
