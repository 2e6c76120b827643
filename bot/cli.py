"""``bansos bot``: run the Telegram bot, by long polling or behind a webhook.

Beside the bot and apart from the api's commands: it needs only the bot's settings, and it
reaches the api over HTTP like any other channel.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True)


def run_bot(
    webhook: Annotated[
        bool, typer.Option("--webhook", help="Serve Telegram webhooks instead of polling")
    ] = False,
) -> None:
    """Run the Telegram bot (polling by default). Needs TELEGRAM_BOT_TOKEN and BANSOS_API_KEY."""
    from telegram import Update

    from bot.app import build_application
    from bot.channel import KeyRefused
    from bot.client import ApiClient
    from bot.redis_connection import connect_redis
    from bot.settings import BotSettings

    settings = BotSettings()
    problem = settings.stand_in_problem()
    if problem is not None:
        err.print(
            f"[red]Refusing to start:[/] {problem}. Set it in .env or the environment.",
            highlight=False,
        )
        raise typer.Exit(2)
    if not settings.token or not settings.api_key.get_secret_value():
        err.print(
            "[red]Set TELEGRAM_BOT_TOKEN and BANSOS_API_KEY[/] (or BANSOS_API_KEY_FILE; a key from "
            "`bansos create-api-key telegram-bot`)."
        )
        raise typer.Exit(2)
    if webhook and not (settings.webhook_url and settings.webhook_secret.get_secret_value()):
        err.print("[red]--webhook needs BOT_WEBHOOK_URL and BOT_WEBHOOK_SECRET.[/]")
        raise typer.Exit(2)
    api = ApiClient(settings.api_url, settings.api_key.get_secret_value())
    # Behind a webhook several processes may share the chats (bot.replicas); polling is one.
    application = build_application(
        settings, api=api, redis=connect_redis(settings.redis_url), replicated=webhook
    )
    try:
        if webhook:
            # python-telegram-bot refuses updates whose X-Telegram-Bot-Api-Secret-Token differs.
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path="telegram",
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except KeyRefused as exc:  # at start-up, asking the api for the key's channel
        err.print(f"[red]Refusing to start:[/] {exc}.", highlight=False)
        raise typer.Exit(2) from None
