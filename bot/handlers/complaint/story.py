"""The story, the evidence (photos and PDFs, uploaded once the complaint exists), privacy."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.attachment_check import Refusal, check_content, refused_by_claim
from bot.handlers.common import TELEGRAM_MAX_DOWNLOAD_MB, complaint_limits, removed_nik, reply
from bot.handlers.complaint.steps import (
    ATTACHMENTS,
    DESCRIPTION,
    PRIVACY,
    answer_button,
    draft_of,
    next_after,
    show_summary,
    text,
)
from bot.texts import keyboard, locale_of, say

_MB = 1024 * 1024


async def receive_description(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Keep the story (within the api's limit on its length)."""
    locale = locale_of(context)
    message = update.effective_message
    if message.forward_origin is not None:
        await reply(update, say(locale, "forwarded_refused"))
        return DESCRIPTION
    longest = (await complaint_limits(context)).description_max_chars
    if len(message.text) > longest:
        await reply(update, say(locale, "text_too_long", max=longest))
        return DESCRIPTION
    # A story may name someone's NIK: it stays in the complaint (the public list masks it),
    # but not in the chat.
    if await removed_nik(update, context):
        await reply(update, text(locale, "story_kept_with_nik"))
    draft_of(context)["description"] = message.text.strip()
    return await next_after(update, context, ATTACHMENTS)


async def receive_attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Keep a photo or PDF (its Telegram file id) until the complaint is sent.

    The count, size and type are checked against the api's limits now, the file itself
    fetched and read (``bot.attachment_check``), so the citizen hears at once what the api
    would refuse after the complaint was sent, and nothing refused is counted as kept.
    """
    locale = locale_of(context)
    message = update.effective_message
    limits = await complaint_limits(context)
    most = limits.attachments_max_count
    draft = draft_of(context)
    attachments = draft.setdefault("attachments", [])
    if len(attachments) >= most:
        await reply(update, text(locale, "attachment_limit", max=most))
        return ATTACHMENTS
    if message.photo:
        item, name, mime = message.photo[-1], "foto.jpg", "image/jpeg"
    else:
        item = message.document
        name, mime = item.file_name or "lampiran", item.mime_type
    # The file is fetched from Telegram before it goes to the api: both limits apply.
    largest_mb = min(limits.attachment_max_bytes // _MB, TELEGRAM_MAX_DOWNLOAD_MB)
    refusal = refused_by_claim(mime, limits)
    if refusal is None and (item.file_size or 0) > largest_mb * _MB:
        refusal = Refusal.TOO_BIG
    if refusal is None:
        try:
            data = await _fetch(context, item.file_id)
        except TelegramError:
            await reply(update, text(locale, "attachment_unavailable"))
            return ATTACHMENTS
        checked = check_content(data, mime=mime, limits=limits, largest=largest_mb * _MB)
        refusal = checked if isinstance(checked, Refusal) else None
    if refusal is not None:
        params = {"max_mb": largest_mb} if refusal is Refusal.TOO_BIG else {}
        await reply(
            update,
            text(locale, refusal.value, **params),
            reply_markup=keyboard([[(text(locale, "button_continue"), "att:done")]]),
        )
        return ATTACHMENTS
    attachments.append({"file_id": item.file_id, "name": name, "mime": checked.mime})
    await reply(
        update,
        text(locale, "attachment_kept", count=len(attachments), max=most),
        reply_markup=keyboard([[(text(locale, "button_continue"), "att:done")]]),
    )
    return ATTACHMENTS


async def _fetch(context: ContextTypes.DEFAULT_TYPE, file_id: str) -> bytes:
    telegram_file = await context.bot.get_file(file_id)
    return bytes(await telegram_file.download_as_bytearray())


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
    await removed_nik(update, context)
    await reply(
        update,
        text(locale, "attachment_not_allowed"),
        reply_markup=keyboard([[(text(locale, "button_continue"), "att:done")]]),
    )
    return ATTACHMENTS
