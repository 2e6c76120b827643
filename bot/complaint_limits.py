"""The api's complaint limits, asked once and kept for a few minutes.

Every check the bot makes before it sends (a description's length, an answer's length, the
number, size and type of attachments) and every sentence that states a limit uses these, so
the bot never tells a citizen a number the api does not check.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.client import ApiClient, ApiRefusal, ApiUnavailable, ComplaintLimits

#: How long the limits are used before the api is asked again.
REFRESH_SECONDS = 300.0


class ComplaintLimitsCache:
    """:meth:`get` answers the limits, asking the api at most every ``refresh_seconds``.

    When the api cannot be asked, the limits it gave last are used; before it ever gave any,
    :class:`~bot.client.ApiUnavailable` is raised (the citizen is told to try again).
    """

    def __init__(
        self,
        api: ApiClient,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api, self._refresh, self._clock = api, refresh_seconds, clock
        self._limits: ComplaintLimits | None = None
        self._asked_at = 0.0

    async def get(self) -> ComplaintLimits:
        now = self._clock()
        if self._limits is not None and now - self._asked_at < self._refresh:
            return self._limits
        try:
            self._limits = await self._api.complaint_limits()
        except (ApiUnavailable, ApiRefusal) as exc:
            if self._limits is None:
                raise ApiUnavailable(f"complaint limits: {exc}") from exc
            return self._limits  # the last ones the api gave: still the best known
        self._asked_at = now
        return self._limits
