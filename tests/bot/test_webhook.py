"""Webhook mode over real sockets: Telegram's secret-token header is required."""

from __future__ import annotations

import socket

import httpx

from bot.app import build_application
from bot.settings import BotSettings
from demo.telegram import StandIn, TgUser
from tests.bot.conftest import in_process_api

CHAT = 515151
SECRET = "webhook-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_the_bot_answers_through_a_webhook_and_refuses_a_wrong_secret(services, api_key):
    standin = StandIn(enforce_rate_limits=False)
    standin.add_user(TgUser(CHAT, "Budi", language_code="en"))
    port = free_port()
    webhook_url = f"http://127.0.0.1:{port}/telegram"
    async with standin.serving() as base_url:
        api = in_process_api(services, api_key)
        settings = BotSettings(TELEGRAM_BOT_TOKEN=standin.token, TELEGRAM_API_BASE_URL=base_url)
        application = build_application(settings, api=api, redis=services.redis)
        async with application:
            await application.start()
            await application.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="telegram",
                webhook_url=webhook_url,
                secret_token=SECRET,
            )
            try:
                standin.send_command(CHAT, "/start")
                welcome, *_ = await standin.wait_for_messages(CHAT, 3)
                async with httpx.AsyncClient() as http:
                    forged = await http.post(
                        webhook_url,
                        json={"update_id": 999, "message": {}},
                        headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
                    )
            finally:
                await application.updater.stop()
                await application.stop()
        await api.aclose()
    await standin.aclose()

    assert standin.webhook_url == webhook_url
    assert welcome.plain_text.startswith("Hello, Budi!")
    assert forged.status_code == 403
