"""Showing one complaint (``/lacak <ID>``, ``track:<id>``) and listing the citizen's own."""

from __future__ import annotations

import string

from telegram import Update
from telegram.ext import ContextTypes

from bot.client import ApiRefusal, ApiUnavailable
from bot.handlers.common import (
    removed_nik,
    reply,
    services_of,
    short_text_problem,
    show_menu,
    user_key,
)
from bot.handlers.tracking.steps import CHOOSING, DRAFT, end
from bot.rendering.complaint import render_complaint, short_date, tell
from bot.texts import escape, keyboard, locale_of, plain, say

LIST_LIMIT = 10

_URL_SAFE = frozenset(string.ascii_letters + string.digits)


def for_path(typed: str) -> str:
    """What the citizen typed as a tracking ID, safe as one URL path segment.

    Separators go (as the api drops them); any other character that is not an ASCII letter
    or digit becomes ``U``, which is not in the alphabet either, so the api gives the same
    verdict (length, symbol, check digit) and its precise sentence, and nothing typed can
    change the request's path.
    """
    cleaned = "".join(ch for ch in typed if not ch.isspace() and ch not in "-_.")
    if not cleaned:
        return "-"  # the api reads it as empty and says what to type
    return "".join(ch if ch in _URL_SAFE else "U" for ch in cleaned)[:16]


def complaint_buttons(complaint: dict, locale: str):
    tracking_id = complaint["tracking_id"]
    rows = []
    if "provide_info" in complaint["citizen_actions"]:
        rows.append([(tell(locale, "button_answer"), f"info:{tracking_id}")])
    if "rate" in complaint["citizen_actions"]:
        rows.append(
            [
                (tell(locale, "button_star", rating=n), f"rate:{tracking_id}:{n}")
                for n in range(1, 6)
            ]
        )
    rows.append(
        [(tell(locale, "button_list"), "menu:track"), (say(locale, "button_menu"), "menu:main")]
    )
    return keyboard(rows)


async def fetch(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str) -> dict | None:
    """The complaint ``typed`` names, or None once the citizen was told why not."""
    locale = locale_of(context)
    try:
        return await services_of(context).api.complaint(
            tracking_id=for_path(typed), user=user_key(update), locale=locale
        )
    except ApiRefusal as refusal:  # a typo (precisely), or not found
        await reply(update, escape(plain(refusal.message)))
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
    return None


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str) -> bool:
    complaint = await fetch(update, context, typed)
    if complaint is None:
        return False
    locale = locale_of(context)
    await reply(
        update,
        render_complaint(complaint, locale),
        reply_markup=complaint_buttons(complaint, locale),
    )
    return True


async def track(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/lacak <ID>: show that complaint; /lacak alone: list the citizen's own."""
    context.chat_data.pop(DRAFT, None)
    if not context.args:
        return await _list(update, context)
    if await _show(update, context, " ".join(context.args)):
        return end(context)
    return CHOOSING  # the next message may be the corrected number


async def list_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """ "menu:track": list the citizen's own complaints."""
    await update.callback_query.answer()
    context.chat_data.pop(DRAFT, None)
    return await _list(update, context)


async def _list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    locale = locale_of(context)
    try:
        items = await services_of(context).api.my_complaints(
            user=user_key(update), locale=locale, limit=LIST_LIMIT
        )
    except ApiRefusal as refusal:
        await reply(update, escape(plain(refusal.message)))
        return end(context)
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return end(context)
    if not items:
        await reply(update, tell(locale, "list_empty"))
        await show_menu(update, context)
        return end(context)
    lines = [tell(locale, "list_title")]
    lines += [
        tell(
            locale,
            "list_item",
            tracking_id=item["tracking_id_display"],
            category=item["category_label"],
            status=plain(item["status_label"]),
            date=short_date(item["created_at"], locale),
        )
        for item in items
    ]
    rows = [
        [
            (
                tell(
                    locale,
                    "list_button",
                    tracking_id=item["tracking_id_display"],
                    status=plain(item["status_label"]),
                ),
                f"track:{item['tracking_id']}",
            )
        ]
        for item in items
    ]
    rows.append([(say(locale, "button_menu"), "menu:main")])
    await reply(
        update,
        "\n".join(lines) + "\n\n" + tell(locale, "list_prompt"),
        reply_markup=keyboard(rows),
    )
    return CHOOSING


async def receive_tracking_id(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A typed tracking ID (after the list, or after a mistyped one): show it."""
    if await removed_nik(update, context):
        return CHOOSING
    problem = short_text_problem(update, context)
    if problem:
        await reply(update, problem)
        return CHOOSING
    if await _show(update, context, update.effective_message.text):
        return end(context)
    return CHOOSING


async def track_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A complaint's button (from the list, or an old message): show it."""
    await update.callback_query.answer()
    await _show(update, context, context.matches[0].group(1))
    return end(context)
