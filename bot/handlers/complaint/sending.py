"""The summary's buttons: send the complaint (then its evidence), edit one part, or cancel."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes, ConversationHandler

from bot.client import ApiRefusal, ApiUnavailable, Upload
from bot.filing_confirmations import confirm_in_chat
from bot.handlers.common import reply, services_of, show_menu, user_key
from bot.handlers.complaint.steps import (
    PRIVACY,
    REGENCY,
    answer_button,
    ask_description,
    draft_of,
    next_after,
    show_summary,
    text,
)
from bot.texts import escape, locale_of, plain, say


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Send, edit one part, or cancel."""
    data = await answer_button(update)
    choice = data.partition(":")[2]
    draft = draft_of(context)
    locale = locale_of(context)
    if choice == "send":
        return await _submit(update, context)
    if choice == "cancel":
        return await cancel(update, context)
    draft["editing"] = True
    if choice == "description":
        return await ask_description(update, context)
    if choice == "privacy":
        draft.pop("editing")
        return await next_after(update, context, PRIVACY)
    await reply(update, text(locale, "ask_regency"))
    return REGENCY


async def _submit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    locale = locale_of(context)
    draft = draft_of(context)
    api = services_of(context).api
    await reply(update, text(locale, "sending"))
    fields = {
        "category": draft["category"],
        "description": draft["description"],
        "privacy": draft.get("privacy", "BIASA"),
        "subject_nik": draft.get("subject_nik"),
        "region_code": draft["domicile"]["code"] if draft.get("domicile") else None,
    }
    try:
        filed = await api.file_complaint(
            user=user_key(update), locale=locale, idempotency_key=draft["id"], **fields
        )
    except ApiRefusal as refusal:
        await reply(update, escape(plain(refusal.message)))
        return await show_summary(update, context)
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return await show_summary(update, context)
    # Confirmed below, in this chat: the api's "received" notification would say it twice.
    await confirm_in_chat(services_of(context).redis, filed["tracking_id"])
    for attachment in draft.get("attachments", []):
        await _upload(update, context, filed["tracking_id"], attachment)
    context.user_data.pop("complaint", None)
    await reply(
        update,
        escape(plain(filed["message"]))
        + "\n\n"
        + text(locale, "filed", tracking_id=filed["tracking_id_display"]),
    )
    await show_menu(update, context)
    return ConversationHandler.END


async def _upload(update, context, tracking_id: str, attachment: dict) -> None:
    locale = locale_of(context)
    try:
        telegram_file = await context.bot.get_file(attachment["file_id"])
        data = bytes(await telegram_file.download_as_bytearray())
        await services_of(context).api.attach(
            tracking_id=tracking_id,
            user=user_key(update),
            locale=locale,
            upload=Upload(data, attachment["name"], attachment["mime"] or None),
        )
    except ApiRefusal as refusal:
        reason = plain(refusal.message)
    except (TelegramError, ApiUnavailable):
        reason = plain(say(locale, "api_unavailable"))
    else:
        return
    await reply(update, text(locale, "attachment_failed", name=attachment["name"], reason=reason))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/batal: drop the draft, back to the menu."""
    context.user_data.pop("complaint", None)
    await reply(update, say(locale_of(context), "cancelled"))
    await show_menu(update, context)
    return ConversationHandler.END
