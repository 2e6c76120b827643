"""getMe and getUpdates: long polling, offsets that confirm, allowed_updates, and the 409
conflicts with a second poller or a webhook."""

from __future__ import annotations

import asyncio
import copy
import itertools
from typing import Any

from demo.telegram.limits import ApiError
from demo.telegram.params import Params

CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdatesMethods:
    """The bot's identity and the polling side of update delivery."""

    def _true(self, params: Params) -> bool:
        return True

    def _get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_allowed_updates(self, params: Params) -> list[str] | None:
        allowed = params.json("allowed_updates")
        if allowed is None:
            return None
        if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
            raise ApiError.bad_request("can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(allowed) if allowed else None
        return allowed

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.number("timeout") or 0.0, 0.0)
        self._set_allowed_updates(params)
        self._confirm(offset)

        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # a getUpdates still waiting ends with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._wait_change(remaining)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_OTHER_POLL)
            if self._webhook is not None:
                raise ApiError(409, CONFLICT_WEBHOOK)
        return copy.deepcopy(list(itertools.islice(self._updates, limit)))

    def _confirm(self, offset: int) -> None:
        before = len(self._updates)
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        if len(self._updates) != before:
            self._notify()
