"""The bot's channel, asked of the api at start-up and never guessed.

The api queues a citizen's notifications under the channel of the key they came through
(``notifications:<channel>``), whatever name the key was created with. A bot that assumed
a name (``telegram-bot``) would read an empty stream while every notification of a key named
``telegram`` waited unread: so it asks ``GET /api/v1/channel`` with its own key, and while
the api does not answer it waits and asks again, saying so in the log.
"""

from __future__ import annotations

import asyncio
import logging

from bot.client import ApiClient, ApiRefusal, ApiUnavailable

log = logging.getLogger("bot.channel")

#: The first wait after the api did not answer; each next one doubles, up to the last.
FIRST_RETRY_SECONDS = 1.0
LAST_RETRY_SECONDS = 30.0


class KeyRefused(Exception):
    """The api refused the bot's key: no channel to read, and nothing else would work."""


async def learn_channel(api: ApiClient) -> str:
    """The channel of the bot's key, once the api answers (asked again with backoff)."""
    attempts = 0
    while True:
        try:
            channel = await api.own_channel()
        except ApiUnavailable as exc:
            attempts += 1
            wait = min(LAST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempts - 1))
            log.warning(
                "The api at %s does not answer (%s): the bot asks it again in %g s which "
                "channel its key belongs to, and reads no notifications until it knows "
                "(attempt %d).",
                api.base_url,
                exc,
                wait,
                attempts,
            )
            await asyncio.sleep(wait)
            continue
        except ApiRefusal as exc:
            raise KeyRefused(
                f"The api at {api.base_url} refused BANSOS_API_KEY ({exc.code}): give the bot a "
                "key of `bansos create-api-key NAME` that is not revoked"
            ) from None
        log.info("Reading the notifications of channel %r (the key's own).", channel)
        return channel
