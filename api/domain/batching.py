"""Group calls: many concurrent callers, one round trip.

Under load, what a status check spends on each of its round trips (a client library's send
and receive, the event loop's wake-ups, the server's per-command or per-statement work) is
larger than what the data carried costs. A ``GroupCall`` sends everything callers queued
while the previous call was in flight as the next call, so one round trip serves a whole
batch: when idle, a batch of one leaves at once (nothing waits for a timer); under load the
batches grow with the load. This is the group commit of databases, applied to reads too.

Each caller still gets its own answer, or the exception of the call its item went in:
nothing is answered that was not done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class GroupCall(Generic[Item, Answer]):
    """``await group(item)`` → that item's answer from ``send(batch)``.

    ``send`` takes the queued items in arrival order and returns one answer per item, in the
    same order. At most ``in_flight`` calls run at once; a batch holds at most ``max_batch``
    items (the rest go in the next one).
    """

    def __init__(
        self,
        send: Callable[[list[Item]], Awaitable[Sequence[Answer]]],
        *,
        max_batch: int = 1_000,
        in_flight: int = 1,
    ) -> None:
        self._send = send
        self._max_batch = max_batch
        self._in_flight = in_flight
        self._pending: list[tuple[Item, asyncio.Future[Answer]]] = []
        self._senders: set[asyncio.Task[None]] = set()

    async def __call__(self, item: Item) -> Answer:
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append((item, answer))
        # A finished sender stays in the set until its done-callback runs, one loop step
        # later; counting it would leave this item queued with no sender, its caller waiting
        # forever (a caller that awaits again at once, as every sequential client does).
        if sum(not sender.done() for sender in self._senders) < self._in_flight:
            sender = asyncio.create_task(self._send_pending())
            self._senders.add(sender)  # a reference, so the task is not collected mid-flight
            sender.add_done_callback(self._senders.discard)
        return await answer

    async def _send_pending(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                answers = await self._send([item for item, _ in batch])
                if len(answers) != len(batch):
                    raise RuntimeError(f"{len(answers)} answers to a batch of {len(batch)}")
            except Exception as exc:  # every caller in this batch fails; none is left waiting
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(exc)
                continue
            for (_, answer), value in zip(batch, answers, strict=False):
                # A caller may have gone (its request cancelled); its item was still done.
                if not answer.done():
                    answer.set_result(value)

    async def drain(self) -> None:
        """Wait until every queued item has been sent (at shutdown)."""
        while self._senders:
            await asyncio.gather(*self._senders, return_exceptions=True)
