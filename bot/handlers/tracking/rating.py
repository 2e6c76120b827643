"""Rating the answer to a complaint; a poor first rating reopens it at the coordination region."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.client import ApiRefusal, ApiUnavailable
from bot.handlers.common import reply, services_of, show_menu, user_key
from bot.handlers.tracking.steps import DRAFT, end
from bot.rendering.complaint import display_tracking_id, long_date, tell
from bot.texts import escape, keyboard, locale_of, plain, say


async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A star button: rate the answer; a poor first rating reopens the complaint."""
    query = update.callback_query
    await query.answer()
    context.chat_data.pop(DRAFT, None)
    locale = locale_of(context)
    tracking_id, rating = context.matches[0].group(1), int(context.matches[0].group(2))
    api = services_of(context).api
    try:
        result = await api.rate(
            tracking_id=tracking_id, user=user_key(update), locale=locale, rating=rating
        )
    except ApiRefusal as refusal:  # rated already, too late, not answered yet
        await reply(update, escape(plain(refusal.message)))
        await show_menu(update, context)
        return end(context)
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return end(context)
    # Rated: its stars must not be pressed again.
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(reply_markup=None)
    shown = display_tracking_id(result["tracking_id"])
    if result["status"] == "IN_PROGRESS":
        due = None
        with contextlib.suppress(ApiRefusal, ApiUnavailable):
            reopened = await api.complaint(
                tracking_id=result["tracking_id"], user=user_key(update), locale=locale
            )
            due = long_date(reopened["deadlines"]["resolve"], locale)
        text = tell(
            locale, "rated_reopened", tracking_id=shown, office=result["office"]["name"], due=due
        )
    else:
        text = tell(
            locale, "rated_closed", tracking_id=shown, rating=rating, appeal_used=rating <= 2
        )
    await reply(
        update,
        text,
        reply_markup=keyboard(
            [
                [(tell(locale, "button_show"), f"track:{result['tracking_id']}")],
                [(say(locale, "button_menu"), "menu:main")],
            ]
        ),
    )
    return end(context)
