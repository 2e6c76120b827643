"""The story, the evidence (photos and PDFs, uploaded once the complaint exists), privacy."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.common import reply
from bot.handlers.complaint.steps import (
    ATTACHMENTS,
    DESCRIPTION,
    MAX_ATTACHMENT_MB,
    MAX_ATTACHMENTS,
    MAX_DESCRIPTION,
    PRIVACY,
    answer_button,
    draft_of,
    next_after,
    show_summary,
    text,
)
from bot.texts import keyboard, locale_of, say


async def receive_description(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Keep the story (≤ 4000 characters)."""
    locale = locale_of(context)
    message = update.effective_message
    if message.forward_origin is not None:
        await reply(update, say(locale, "forwarded_refused"))
        return DESCRIPTION
    if len(message.text) > MAX_DESCRIPTION:
        await reply(update, say(locale, "text_too_long", max=MAX_DESCRIPTION))
        return DESCRIPTION
    draft_of(context)["description"] = message.text.strip()
    return await next_after(update, context, ATTACHMENTS)


async def receive_attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Keep a photo or PDF (its Telegram file id) until the complaint is sent."""
    locale = locale_of(context)
    message = update.effective_message
    draft = draft_of(context)
    attachments = draft.setdefault("attachments", [])
    if len(attachments) >= MAX_ATTACHMENTS:
        await reply(update, text(locale, "attachment_limit", max=MAX_ATTACHMENTS))
        return ATTACHMENTS
    if message.photo:
        item = message.photo[-1]
        name, mime = "foto.jpg", "image/jpeg"
    else:
        item = message.document
        name, mime = item.file_name or "lampiran", item.mime_type or ""
        if not (mime == "application/pdf" or mime.startswith("image/")):
            await reply(update, text(locale, "attachment_not_allowed"))
            return ATTACHMENTS
    if (item.file_size or 0) > MAX_ATTACHMENT_MB * 1024 * 1024:
        await reply(update, text(locale, "attachment_too_big", max_mb=MAX_ATTACHMENT_MB))
        return ATTACHMENTS
    attachments.append({"file_id": item.file_id, "name": name, "mime": mime})
    await reply(
        update,
        text(locale, "attachment_kept", count=len(attachments), max=MAX_ATTACHMENTS),
        reply_markup=keyboard([[(text(locale, "button_continue"), "att:done")]]),
    )
    return ATTACHMENTS


async def attachments_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """On to the privacy choice."""
    await answer_button(update)
    return await next_after(update, context, PRIVACY)


async def pick_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the privacy mode; show the summary."""
    data = await answer_button(update)
    draft_of(context)["privacy"] = data.partition(":")[2]
    draft_of(context).pop("editing", None)
    return await show_summary(update, context)


async def refuse_non_attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Text, stickers and the like at the evidence step: say what is expected, keep the step."""
    locale = locale_of(context)
    await reply(
        update,
        text(locale, "attachment_not_allowed"),
        reply_markup=keyboard([[(text(locale, "button_continue"), "att:done")]]),
    )
    return ATTACHMENTS
