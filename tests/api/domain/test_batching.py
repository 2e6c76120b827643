"""GroupCall: every queued item is sent, whenever its caller arrives."""

from __future__ import annotations

import asyncio

from api.domain.batching import GroupCall


async def _echo(items: list[int]) -> list[int]:
    await asyncio.sleep(0)
    return items


async def test_a_caller_that_calls_again_at_once_after_its_answer_is_still_answered():
    # The first call's sender has finished but is not yet forgotten when the second arrives:
    # the second item must get a sender of its own, not wait for ever.
    group: GroupCall[int, int] = GroupCall(_echo)

    first = await group(1)
    async with asyncio.timeout(5):  # not wait_for: its new task would hide the bug
        second = await group(2)

    assert (first, second) == (1, 2)


async def test_concurrent_callers_share_a_batch_and_each_gets_its_own_answer():
    batches: list[list[int]] = []

    async def send(items: list[int]) -> list[int]:
        batches.append(list(items))
        await asyncio.sleep(0)
        return [item * 10 for item in items]

    group: GroupCall[int, int] = GroupCall(send)

    answers = await asyncio.gather(*(group(n) for n in range(5)))

    assert answers == [0, 10, 20, 30, 40]
    assert sum(len(batch) for batch in batches) == 5 and len(batches) < 5
