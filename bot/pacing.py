"""How fast the notifier may send: Telegram allows about 30 messages per second overall and
1 per second in a private chat. (python-telegram-bot's AIORateLimiter does not space private
chats, and the notifier does not use it.)

- overall, a token bucket of ``overall_limit`` tokens (:class:`SendWindow`): a send takes one
  and gives it back one window after *Telegram's answer* to it arrived. Telegram accepts a
  message before it answers, so two sends that share a token are accepted more than a window
  apart, whatever the latency: no window of Telegram's clock sees more than ``overall_limit``
  of them. The price is the round trip: throughput is ``overall_limit / (window + latency)``.
  Waiting chats get tokens in the order they asked (FIFO), so no chat starves.
- per chat, the next message waits until one window after the answer to the previous one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Pacing:
    #: Messages per window over all chats; each chat gets one message per window.
    overall_limit: int = 30
    window_seconds: float = 1.0
    #: Backoff of a chat whose message failed (not 429, not 403): doubled up to the maximum.
    retry_first_seconds: float = 1.0
    retry_max_seconds: float = 300.0

    def backoff(self, attempts: int) -> float:
        return min(self.retry_max_seconds, self.retry_first_seconds * 2 ** max(0, attempts - 1))


class SendWindow:
    """At most ``limit`` sends per ``window``, counted from Telegram's answers.

    A token bucket: :meth:`acquire` takes a token (waiting, first come first served, while
    there is none) and :meth:`release_after_window` gives it back one window later; call it
    once the answer to the send has arrived.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._free = limit
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a token just as it was cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release_after_window(self) -> None:
        asyncio.get_running_loop().call_later(self.window, self.release)

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
