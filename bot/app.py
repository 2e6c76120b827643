"""build_application(settings): the only place the bot is wired together."""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

import messages
from bot.client import ApiClient
from bot.handlers.common import BotServices, reply, show_menu
from bot.handlers.complaint import add_complaint_handlers
from bot.handlers.start import add_start_handlers
from bot.handlers.status import add_status_handlers
from bot.persistence import RedisPersistence
from bot.settings import BotSettings
from bot.texts import locale_of, say

log = logging.getLogger(__name__)

COMMANDS = (
    ("start", "command_start"),
    ("cek", "command_check"),
    ("adu", "command_complaint"),
    ("bahasa", "command_language"),
    ("batal", "command_cancel"),
    ("help", "command_help"),
)


async def register_commands(application: Application) -> None:
    """The command list in both languages (Indonesian is also the default)."""
    for locale in messages.LOCALES:
        commands = [BotCommand(name, say(locale, key)) for name, key in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=locale)
        if locale == messages.DEFAULT_LOCALE:
            await application.bot.set_my_commands(commands, scope=BotCommandScopeDefault())


async def back_to_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Main menu" buttons."""
    await update.callback_query.answer()
    await show_menu(update, context)


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button from an old message, or one whose conversation has ended."""
    await update.callback_query.answer()
    await reply(update, say(locale_of(context), "expired_button"))
    await show_menu(update, context)


async def not_understood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything outside a conversation: a kind word and the menu."""
    await reply(update, say(locale_of(context), "unknown_input"))
    await show_menu(update, context)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    # Never log the update itself: it may carry a NIK.
    log.error("handler failed: %s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        await update.effective_chat.send_message(say(locale_of(context), "api_unavailable"))


def build_application(settings: BotSettings, *, api: ApiClient, redis: Redis) -> Application:
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .persistence(RedisPersistence(redis))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(register_commands)
        .build()
    )
    application.bot_data["services"] = BotServices(api=api)
    add_start_handlers(application)
    add_status_handlers(application)
    add_complaint_handlers(application)
    application.add_handler(CallbackQueryHandler(back_to_menu, pattern=r"^menu:main$"))
    application.add_handler(CallbackQueryHandler(expired_button))
    application.add_handler(MessageHandler(filters.ALL, not_understood))
    application.add_error_handler(on_error)
    return application
