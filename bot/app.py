"""build_application(settings): the only place the bot is wired together."""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from telegram import Bot, BotCommand, BotCommandScopeDefault, Update
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
from bot.channel import learn_channel
from bot.client import ApiClient
from bot.complaint_limits import ComplaintLimitsCache
from bot.handlers.common import BotServices, removed_nik, reply, show_menu
from bot.handlers.complaint import add_complaint_handlers
from bot.handlers.start import add_start_handlers
from bot.handlers.status import add_status_handlers
from bot.handlers.tracking import add_tracking_handlers
from bot.http import telegram_request
from bot.notifier import BOT_DATA_KEY, Notifier, Pacing
from bot.persistence import RedisPersistence
from bot.replicas import SharedChats, TurnTakingQueue
from bot.settings import BotSettings
from bot.texts import locale_of, say
from bot.update_order import PerChatOrder

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 128

COMMANDS = (
    ("start", "command_start"),
    ("cek", "command_check"),
    ("adu", "command_complaint"),
    ("lacak", "command_track"),
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
    """Anything outside a conversation: a kind word and the menu (a NIK taken out first)."""
    if not await removed_nik(update, context):
        await reply(update, say(locale_of(context), "unknown_input"))
    await show_menu(update, context)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    # Never log the update itself: it may carry a NIK.
    log.error("handler failed: %s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        await update.effective_chat.send_message(say(locale_of(context), "api_unavailable"))


def build_application(
    settings: BotSettings,
    *,
    api: ApiClient,
    redis: Redis,
    notifications: bool = True,
    telegram_rate_limits: bool = True,
    replicated: bool = False,
) -> Application:
    """The bot. ``telegram_rate_limits=False`` drops the pacing of replies to Telegram's
    30 messages/s, for measuring what the bot itself can handle (bench/bot_status.py).
    ``replicated``: one of several processes behind one webhook (``bot.replicas``)."""

    async def close_api(_: Application) -> None:
        await api.aclose()

    shared = SharedChats(redis) if replicated else None
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        # One connection per update in flight at most; getUpdates has a connection of its own.
        .request(telegram_request(CONCURRENT_UPDATES))
        .get_updates_request(telegram_request(1))
        .persistence(RedisPersistence(redis))
        # Each update mostly waits for the api; handling many at once keeps one slow answer
        # from holding up every other citizen. A chat's own updates go one after another, in
        # order: the next step of its conversation is known once the previous one returned.
        .concurrent_updates(PerChatOrder(CONCURRENT_UPDATES, shared=shared))
        .post_init(register_commands)
        # run_polling and run_webhook end here; the api client's connections close with them.
        .post_shutdown(close_api)
    )
    if telegram_rate_limits:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if shared is not None:
        builder = builder.update_queue(TurnTakingQueue(redis))
    application = builder.build()
    if shared is not None:
        shared.attach(application)
    application.bot_data["services"] = BotServices(
        api=api, limits=ComplaintLimitsCache(api), redis=redis
    )
    add_start_handlers(application)
    add_status_handlers(application)
    add_complaint_handlers(application)
    add_tracking_handlers(application)
    application.add_handler(CallbackQueryHandler(back_to_menu, pattern=r"^menu:main$"))
    application.add_handler(CallbackQueryHandler(expired_button))
    application.add_handler(MessageHandler(filters.ALL, not_understood))
    application.add_error_handler(on_error)
    if notifications:
        attach_notifier(application, redis, settings, api=api)
    return application


# --- notifications ------------------------------------------------------------------------


def attach_notifier(
    application: Application, redis: Redis, settings: BotSettings, *, api: ApiClient
) -> None:
    """Send the api's notifications from this process (``bot.notifier``).

    The sender reads the stream of the channel the api names for the bot's key, asked in
    post_init (``bot.channel``: while the api does not answer, the start waits and asks
    again; the channel is never guessed). It starts after post_init's own work and stops in
    post_stop or post_shutdown, whichever comes first (run_polling and run_webhook call
    both). An application stopped by hand, without those hooks, is noticed between two reads
    of the stream (within a second). It has a Bot of its own: its own pacing, no
    AIORateLimiter in between.
    """
    bot = Bot(
        settings.token,
        base_url=settings.bot_api_url,
        base_file_url=settings.bot_file_url,
        request=telegram_request(settings.notify_overall_limit + 8),
    )
    seen_running = False

    def alive() -> bool:
        nonlocal seen_running
        seen_running = seen_running or application.running
        return application.running or not seen_running

    async def start() -> None:
        notifier = Notifier(
            bot,
            redis,
            channel=await learn_channel(api),
            consumer=settings.consumer_name,
            pacing=Pacing(
                overall_limit=settings.notify_overall_limit,
                window_seconds=settings.notify_window_seconds,
            ),
            alive=alive,
        )
        application.bot_data[BOT_DATA_KEY] = notifier
        await notifier.start()

    async def stop() -> None:
        notifier = application.bot_data.get(BOT_DATA_KEY)
        if notifier is not None:
            await notifier.stop()

    application.post_init = _then(application.post_init, start)
    application.post_stop = _then(application.post_stop, stop)
    application.post_shutdown = _then(application.post_shutdown, stop)


def _then(hook, action):
    """An Application hook that runs ``hook`` (if any), then ``action()``."""

    async def both(application: Application) -> None:
        if hook is not None:
            await hook(application)
        await action()

    return both
