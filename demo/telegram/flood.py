"""Flood control: Telegram's per-chat and overall message rates, as a sliding window."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class FloodControl:
    """Sliding-window limits on messages: per chat, and over all chats.

    Each window counts the messages accepted during the last ``window_seconds``; a message that
    would exceed ``per_chat`` (in its chat) or ``overall`` is refused with
    ``retry_after = ceil(seconds until the oldest counted message leaves the window)`` (at least
    1) and is not counted. The attributes can be changed while the stand-in runs.
    """

    def __init__(
        self,
        *,
        per_chat: int = 1,
        overall: int = 30,
        window_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_chat, self.overall, self.window_seconds = per_chat, overall, window_seconds
        self.clock = clock
        self._all: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    def _room_in(self, times: deque[float], limit: int, now: float) -> float:
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        if len(times) < limit:
            return 0.0
        return times[len(times) - limit] + self.window_seconds - now

    def acquire(self, chat_id: int) -> int | None:
        """Count a message for ``chat_id``; or, if over a limit, the retry_after to answer."""
        now = self.clock()
        chat = self._chats.setdefault(chat_id, deque())
        wait = max(
            self._room_in(chat, self.per_chat, now), self._room_in(self._all, self.overall, now)
        )
        if wait > 0:
            return max(1, math.ceil(wait))
        chat.append(now)
        self._all.append(now)
        return None

    def reset(self) -> None:
        self._all.clear()
        self._chats.clear()
