"""Group calls: many concurrent callers, one round trip.

Under load, what a status check spends on each of its round trips (a client library's send
and receive, the event loop's wake-ups, the server's per-command or per-statement work) is
larger than what the data carried costs. A ``GroupCall`` sends everything callers queued
while the previous call was in flight as the next call, so one round trip serves a whole
batch: when idle, a batch of one leaves at once (nothing waits for a timer); under load the
batches grow with the load. This is the group commit of databases, applied to reads too.

Each caller still gets its own answer, or the exception of its own item: nothing is
answered that was not done, and one item a server refuses (a value it cannot store) must not
fail the others it happened to travel with. A batch that fails is sent again item by item,
so only the guilty item's caller fails. A failure no item caused (the server is not
answering, see ``unavailable``) fails the batch at once: one retry per item would only
multiply the wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from api.domain.unavailable import is_unavailable

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class GroupCall(Generic[Item, Answer]):
    """``await group(item)`` → that item's answer from ``send(batch)``.

    ``send`` takes the queued items in arrival order and returns one answer per item, in the
    same order. At most ``in_flight`` calls run at once; a batch holds at most ``max_batch``
    items (the rest go in the next one). ``send`` must be all-or-nothing for a batch (one
    statement, one script): a failed batch is sent again item by item.
    """

    def __init__(
        self,
        send: Callable[[list[Item]], Awaitable[Sequence[Answer]]],
        *,
        max_batch: int = 1_000,
        in_flight: int = 1,
        shared_failure: Callable[[BaseException], bool] = is_unavailable,
    ) -> None:
        self._send = send
        self._max_batch = max_batch
        self._in_flight = in_flight
        self._shared_failure = shared_failure
        self._pending: list[tuple[Item, asyncio.Future[Answer]]] = []
        self._senders: set[asyncio.Task[None]] = set()
        # Senders started and not yet past their last look at the queue. Counted from before
        # the task is created to the moment its loop ends: a finished task stays in
        # ``_senders`` until its done-callback runs, and a caller woken by its answer may
        # call again before that; counting tasks, it would start no sender and wait forever.
        self._sending = 0

    async def __call__(self, item: Item) -> Answer:
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append((item, answer))
        if self._sending < self._in_flight:
            self._sending += 1
            sender = asyncio.create_task(self._send_pending())
            self._senders.add(sender)  # a reference, so the task is not collected mid-flight
            sender.add_done_callback(self._senders.discard)
        return await answer

    async def _send_pending(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                await self._answer(batch)
        finally:
            # No await between the loop's last look at the queue and this: a caller who
            # queues from now on starts a sender of its own.
            self._sending -= 1

    async def _answer(self, batch: list[tuple[Item, asyncio.Future[Answer]]]) -> None:
        try:
            answers = await self._sent(batch)
        except Exception as exc:
            if len(batch) == 1 or self._shared_failure(exc):
                _fail(batch, exc)  # every caller of this batch fails; none is left waiting
                return
            await self._answer_one_by_one(batch)
            return
        _settle(batch, answers)

    async def _answer_one_by_one(self, batch: list[tuple[Item, asyncio.Future[Answer]]]) -> None:
        """A refused batch again, item by item: only the guilty items' callers fail."""
        for at, member in enumerate(batch):
            try:
                answers = await self._sent([member])
            except Exception as exc:
                if self._shared_failure(exc):  # the server went away meanwhile
                    _fail(batch[at:], exc)
                    return
                _fail([member], exc)
                continue
            _settle([member], answers)

    async def _sent(self, batch: list[tuple[Item, asyncio.Future[Answer]]]) -> Sequence[Answer]:
        answers = await self._send([item for item, _ in batch])
        if len(answers) != len(batch):
            raise RuntimeError(f"{len(answers)} answers to a batch of {len(batch)}")
        return answers

    async def drain(self) -> None:
        """Wait until every queued item has been sent (at shutdown)."""
        while self._senders:
            await asyncio.gather(*self._senders, return_exceptions=True)


def _fail(batch: list[tuple[Item, asyncio.Future[Answer]]], error: Exception) -> None:
    for _, answer in batch:
        if not answer.done():
            answer.set_exception(error)


def _settle(batch: list[tuple[Item, asyncio.Future[Answer]]], answers: Sequence[Answer]) -> None:
    for (_, answer), value in zip(batch, answers, strict=True):
        # A caller may have gone (its request cancelled); its item was still done.
        if not answer.done():
            answer.set_result(value)
