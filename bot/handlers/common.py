"""What every conversation shares: the bot's services, the main menu, and kind refusals."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from redis.asyncio import Redis
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.client import ApiClient, ApiRefusal, ApiUnavailable, ComplaintLimits
from bot.complaint_limits import ComplaintLimitsCache
from bot.nik_text import contains_nik
from bot.texts import escape, keyboard, locale_of, plain, say

#: Longest text accepted where a short answer (a NIK, a name, a search) is asked for.
MAX_SHORT_TEXT = 200
#: Longest text read as a NIK: 16 digits with a separator between every two are 31
#: characters. Anything longer is answered here, never sent to the api (which refuses it in
#: words meant for developers).
MAX_NIK_TEXT = 40
#: The largest file a bot may download from Telegram (Telegram's limit, not the api's).
TELEGRAM_MAX_DOWNLOAD_MB = 20


@dataclass(frozen=True)
class BotServices:
    """What handlers need beyond Telegram, kept in ``application.bot_data["services"]``."""

    api: ApiClient
    #: The api's complaint limits, asked once and kept for a few minutes.
    limits: ComplaintLimitsCache
    #: The bot's Redis (conversations, notifications, complaints confirmed in the chat).
    redis: Redis


def services_of(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.application.bot_data["services"]


async def complaint_limits(context: ContextTypes.DEFAULT_TYPE) -> ComplaintLimits:
    """The api's complaint limits; raises ApiUnavailable only if the api never gave them."""
    return await services_of(context).limits.get()


def user_key(update: Update) -> str:
    """How the api knows this citizen: their Telegram chat."""
    return f"tg:{update.effective_chat.id}"


def main_menu(locale: str):
    return keyboard(
        [
            [(say(locale, "button_status"), "menu:status")],
            [(say(locale, "button_complaint"), "menu:complaint")],
            [(say(locale, "button_track"), "menu:track")],
            [
                (say(locale, "button_help"), "menu:help"),
                (say(locale, "button_language"), "menu:lang"),
            ],
        ]
    )


async def reply(update: Update, text: str, **kwargs) -> None:
    """Answer in the chat, whether the update was a message or a button press."""
    await update.effective_chat.send_message(text, parse_mode="HTML", **kwargs)


async def show_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    locale = locale_of(context)
    await reply(update, say(locale, "menu_prompt"), reply_markup=main_menu(locale))


async def refuse_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, voice note, photo or location where text was asked, or text where a button
    was: say so, keep the step (a NIK in it taken out of the chat first)."""
    if await removed_nik(update, context):
        return
    await reply(update, say(locale_of(context), "text_expected"))


def short_text_problem(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Why this message cannot be a short typed answer, as a sentence; None if it can."""
    message = update.effective_message
    locale = locale_of(context)
    if message.forward_origin is not None:
        return say(locale, "forwarded_refused")
    if len(message.text or "") > MAX_SHORT_TEXT:
        return say(locale, "text_too_long", max=MAX_SHORT_TEXT)
    return None


async def take_nik(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, str] | None:
    """Read a typed NIK: delete its message at once, then check its format with the api.

    Returns (the NIK, its masked form), or None after telling the citizen exactly what is
    wrong (the caller stays at its step).
    """
    locale = locale_of(context)
    nik = update.effective_message.text or ""
    problem = None
    if update.effective_message.forward_origin is not None:
        problem = say(locale, "forwarded_refused")
    elif len(nik.strip()) > MAX_NIK_TEXT:
        problem = say(locale, "nik_too_long")
    await _delete(update)
    if problem:
        await reply(update, say(locale, "nik_removed") + "\n" + problem)
        return None
    try:
        checked = await services_of(context).api.check_nik_format(nik=nik, locale=locale)
    except ApiRefusal as refusal:
        await reply(update, say(locale, "nik_removed") + "\n" + escape(plain(refusal.message)))
        return None
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return None
    return nik, checked["nik_masked"]


async def removed_nik(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A NIK typed where none was asked (a name, a story, the menu): delete its message as
    the NIK steps do and tell the citizen why. True when it was deleted; the caller then
    says what happens to the rest of the message."""
    message = update.effective_message
    if not contains_nik(message.text or message.caption or ""):
        return False
    await _delete(update)
    await reply(update, say(locale_of(context), "nik_typed_removed"))
    return True


async def _delete(update: Update) -> None:
    # Too old or already gone: nothing more can be done about it.
    with contextlib.suppress(TelegramError):
        await update.effective_message.delete()


def conversation(
    name: str,
    *,
    entry_points: list,
    states: dict,
    cancel,
    more_fallbacks: tuple = (),
) -> ConversationHandler:
    """A conversation as every one of ours is: kept across restarts, re-entered from its
    start, ended by /batal (or /cancel), and anything but text met with a plain answer."""
    return ConversationHandler(
        name=name,
        persistent=True,
        entry_points=entry_points,
        states=states,
        fallbacks=[
            CommandHandler(["batal", "cancel"], cancel),
            *more_fallbacks,
            MessageHandler(~filters.COMMAND, refuse_non_text),
        ],
        allow_reentry=True,
    )
