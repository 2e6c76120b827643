"""/start, the main menu, help and the language choice."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

import messages
from bot.handlers.common import reply, show_menu
from bot.notifier import unblock_notifications
from bot.texts import keyboard, locale_of, say

LANGUAGES = {"id": "🇮🇩 Bahasa Indonesia", "en": "🇬🇧 English"}


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, show the privacy notice, then the main menu (language from Telegram at first)."""
    if "locale" not in context.chat_data:
        context.chat_data["locale"] = messages.normalize_locale(
            update.effective_user.language_code if update.effective_user else None
        )
    await unblock_notifications(context, update.effective_chat.id)
    locale = locale_of(context)
    name = update.effective_user.first_name if update.effective_user else ""
    await reply(update, say(locale, "welcome", name=name))
    await reply(update, say(locale, "privacy_notice"))
    await show_menu(update, context)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    if update.callback_query:
        await update.callback_query.answer()
    await reply(update, say(locale_of(context), "help"))


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the two languages."""
    if update.callback_query:
        await update.callback_query.answer()
    await reply(
        update,
        say(locale_of(context), "language_prompt"),
        reply_markup=keyboard([[(label, f"lang:{code}")] for code, label in LANGUAGES.items()]),
    )


async def set_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remember the chosen language for this chat, confirm in it, show the menu again."""
    query = update.callback_query
    await query.answer()
    code = query.data.partition(":")[2]
    context.chat_data["locale"] = messages.normalize_locale(code)
    await reply(update, say(locale_of(context), "language_set"))
    await show_menu(update, context)


def add_start_handlers(application: Application) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler(["help", "bantuan"], help_command))
    application.add_handler(CommandHandler(["bahasa", "language"], choose_language))
    application.add_handler(CallbackQueryHandler(help_command, pattern=r"^menu:help$"))
    application.add_handler(CallbackQueryHandler(choose_language, pattern=r"^menu:lang$"))
    application.add_handler(CallbackQueryHandler(set_language, pattern=r"^lang:(id|en)$"))
