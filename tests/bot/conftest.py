"""A citizen's chat with the real bot: the real python-telegram-bot Application, polling the
Bot API stand-in over real sockets, calling the real api (in process) with a channel key."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from api.app import create_app
from bot.app import build_application
from bot.client import ApiClient
from bot.settings import BotSettings
from demo.telegram import SentMessage, StandIn, TgUser

CHAT = 424242


def in_process_api(services, api_key: str) -> ApiClient:
    """The bot's api client, calling the real app in this process with ``api_key``."""
    return ApiClient(
        "http://api.test",
        api_key,
        transport=httpx.ASGITransport(app=create_app(services.settings, services=services)),
    )


@dataclass
class Citizen:
    """Plays the citizen in one private chat and reads what the bot answered."""

    standin: StandIn
    chat_id: int = CHAT

    def say(self, text: str):
        return self.standin.send_text(self.chat_id, text)

    def command(self, text: str):
        return self.standin.send_command(self.chat_id, text)

    async def answers(self, count: int, *, within: float = 10) -> list[SentMessage]:
        """Every message the bot has sent, once there are at least ``count``."""
        return await self.standin.wait_for_messages(self.chat_id, count, timeout=within)

    async def next_answers(self, count: int = 1) -> list[SentMessage]:
        """The next ``count`` messages the bot sends after the ones already seen."""
        seen = len(self.standin.sent(self.chat_id))
        return (await self.answers(seen + count))[seen:]

    def press(self, message: SentMessage, label_part: str):
        """Press the button of ``message`` whose label contains ``label_part``."""
        for row in message.reply_markup["inline_keyboard"]:
            for button in row:
                if label_part in button["text"]:
                    return self.standin.press_button(
                        self.chat_id, message.message_id, button["callback_data"]
                    )
        raise AssertionError(f"no button {label_part!r} in {message.reply_markup}")


@contextlib.asynccontextmanager
async def running_bot(standin: StandIn, services, api_key) -> AsyncIterator[None]:
    async with standin.serving() as base_url:
        api = in_process_api(services, api_key)
        settings = BotSettings(TELEGRAM_BOT_TOKEN=standin.token, TELEGRAM_API_BASE_URL=base_url)
        application = build_application(settings, api=api, redis=services.redis)
        async with application:
            # run_polling() would call post_init itself; the tests start the parts by hand.
            await application.post_init(application)
            await application.start()
            await application.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield
            finally:
                await application.updater.stop()
                await application.stop()
        await api.aclose()


@pytest.fixture
async def citizen(services, api_key) -> AsyncIterator[Citizen]:
    standin = StandIn(enforce_rate_limits=False)
    standin.add_user(TgUser(CHAT, "Siti", language_code="id"))
    async with running_bot(standin, services, api_key):
        yield Citizen(standin)
    await standin.aclose()
