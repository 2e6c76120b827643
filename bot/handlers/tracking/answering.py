"""Answering the office's request for information: text, and photos or PDFs, sent at once."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes, ConversationHandler

from bot.client import ApiRefusal, ApiUnavailable, Upload
from bot.handlers.common import (
    TELEGRAM_MAX_DOWNLOAD_MB,
    complaint_limits,
    removed_nik,
    reply,
    services_of,
    show_menu,
    user_key,
)
from bot.handlers.tracking.showing import complaint_buttons, fetch
from bot.handlers.tracking.steps import ANSWERING, DRAFT, end
from bot.rendering.complaint import render_complaint, tell
from bot.rendering.fitting import clip
from bot.texts import escape, keyboard, locale_of, plain, say


def _latest_question(complaint: dict) -> str | None:
    for entry in reversed(complaint["timeline"]):
        if entry["kind"] == "request_info":
            return entry.get("note")
    return None


def _done_button(locale: str, tracking_id: str):
    return keyboard([[(tell(locale, "button_done"), f"info-done:{tracking_id}")]])


async def _longest_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """The api's limit on an answer's length; None once the citizen was told the api is down."""
    try:
        return (await complaint_limits(context)).note_max_chars
    except ApiUnavailable:
        await reply(update, say(locale_of(context), "api_unavailable"))
        return None


async def begin_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """ "Answer the request": show the office's question and ask for the answer."""
    await update.callback_query.answer()
    locale = locale_of(context)
    context.chat_data.pop(DRAFT, None)
    complaint = await fetch(update, context, context.matches[0].group(1))
    if complaint is None:
        return end(context)
    longest = await _longest_answer(update, context)
    if longest is None:
        return end(context)
    if "provide_info" not in complaint["citizen_actions"]:
        await reply(
            update, tell(locale, "not_waiting", tracking_id=complaint["tracking_id_display"])
        )
        await reply(
            update,
            render_complaint(complaint, locale),
            reply_markup=complaint_buttons(complaint, locale),
        )
        return end(context)
    context.chat_data[DRAFT] = {
        "tracking_id": complaint["tracking_id"],
        "display": complaint["tracking_id_display"],
        "answered": False,
        "attachments": 0,
    }
    question = _latest_question(complaint)
    await reply(
        update,
        tell(
            locale,
            "ask_answer",
            tracking_id=complaint["tracking_id_display"],
            question=clip(question, 1500) if question else None,
            max=longest,
        ),
    )
    return ANSWERING


async def _draft_or_end(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict | None:
    draft = context.chat_data.get(DRAFT)
    if draft is None:  # the chat's data was lost while the step was open
        await reply(update, say(locale_of(context), "expired_button"))
        await show_menu(update, context)
    return draft


async def receive_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The answer as text: sent to the office at once."""
    locale = locale_of(context)
    # The office may have asked for a NIK: it may go to the office, but not stay in the chat.
    await removed_nik(update, context)
    draft = await _draft_or_end(update, context)
    if draft is None:
        return end(context)
    text = update.effective_message.text
    longest = await _longest_answer(update, context)
    if longest is None:
        return ANSWERING
    if len(text) > longest:
        await reply(update, tell(locale, "answer_too_long", max=longest, length=len(text)))
        return ANSWERING
    if draft["answered"]:
        await reply(
            update,
            tell(locale, "answer_already_sent"),
            reply_markup=_done_button(locale, draft["tracking_id"]),
        )
        return ANSWERING
    if not await _send_answer(update, context, draft, text):
        return ANSWERING if DRAFT in context.chat_data else ConversationHandler.END
    if draft["attachments"]:  # the evidence came first: the answer completes it
        return await _finish(update, context)
    await reply(
        update,
        tell(locale, "answer_sent", office=draft["office"], status=draft["status"]),
        reply_markup=_done_button(locale, draft["tracking_id"]),
    )
    return ANSWERING


async def _send_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: dict, text: str
) -> bool:
    """Send the text answer; False once the citizen was told why it was not taken.

    When the complaint no longer waits for an answer (404/409), the step ends too.
    """
    locale = locale_of(context)
    try:
        result = await services_of(context).api.answer_request(
            tracking_id=draft["tracking_id"], user=user_key(update), locale=locale, message=text
        )
    except ApiRefusal as refusal:
        await reply(update, escape(plain(refusal.message)))
        if refusal.status in (404, 409):
            context.chat_data.pop(DRAFT, None)
            await show_menu(update, context)
        return False
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return False
    draft.update(
        answered=True, office=result["office"]["name"], status=plain(result["status_label"])
    )
    return True


async def receive_attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A photo or a file: attached to the complaint at once, confirmed one by one."""
    locale = locale_of(context)
    draft = await _draft_or_end(update, context)
    if draft is None:
        return end(context)
    message = update.effective_message
    if message.photo:
        source, filename, content_type = message.photo[-1], "foto.jpg", "image/jpeg"
    else:
        source = message.document
        filename, content_type = source.file_name or "berkas", source.mime_type
    # Telegram's limit; the api's own (size, type, count) it states itself when it refuses.
    if source.file_size and source.file_size > TELEGRAM_MAX_DOWNLOAD_MB * 1024 * 1024:
        await reply(update, tell(locale, "attachment_too_big", max_mb=TELEGRAM_MAX_DOWNLOAD_MB))
        return ANSWERING
    try:
        data = bytes(await (await source.get_file()).download_as_bytearray())
    except TelegramError:
        await reply(update, tell(locale, "attachment_fetch_failed"))
        return ANSWERING
    try:
        stored = await services_of(context).api.attach(
            tracking_id=draft["tracking_id"],
            user=user_key(update),
            locale=locale,
            upload=Upload(data=data, filename=filename, content_type=content_type),
        )
    except ApiRefusal as refusal:  # not a photo or PDF, too large, the sixth one, closed
        await reply(update, escape(plain(refusal.message)))
        return ANSWERING
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return ANSWERING
    draft["attachments"] += 1
    saved = tell(locale, "attachment_saved", number=draft["attachments"], name=stored["filename"])
    caption = (message.caption or "").strip()
    if caption and not draft["answered"]:
        # The caption is the answer; more photos of the same album may still follow.
        # (Telegram keeps captions to 1024 characters, far below the api's limit.)
        longest = (await complaint_limits(context)).note_max_chars
        if not await _send_answer(update, context, draft, caption[:longest]):
            return ANSWERING if DRAFT in context.chat_data else ConversationHandler.END
        await reply(
            update,
            saved
            + "\n"
            + tell(locale, "answer_sent", office=draft["office"], status=draft["status"]),
            reply_markup=_done_button(locale, draft["tracking_id"]),
        )
        return ANSWERING
    await reply(
        update,
        saved + "\n" + tell(locale, "more_attachments", answered=draft["answered"]),
        reply_markup=_done_button(locale, draft["tracking_id"]) if draft["answered"] else None,
    )
    return ANSWERING


async def done_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """ "Done": finish, once the written answer went out."""
    await update.callback_query.answer()
    draft = context.chat_data.get(DRAFT)
    if draft is None or draft["tracking_id"] != context.matches[0].group(1):
        await reply(update, say(locale_of(context), "expired_button"))
        await show_menu(update, context)
        return end(context)
    if not draft["answered"]:
        await reply(update, tell(locale_of(context), "answer_needed"))
        return ANSWERING
    return await _finish(update, context)


async def _finish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    draft = context.chat_data.pop(DRAFT)
    await reply(update, _finished(draft, locale_of(context)))
    await show_menu(update, context)
    return ConversationHandler.END


def _finished(draft: dict, locale: str) -> str:
    return tell(
        locale,
        "finished",
        tracking_id=draft["display"],
        office=draft["office"],
        status=draft["status"],
        attachments=draft["attachments"],
    )


async def refuse_forwarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A forwarded message where the citizen's own answer is asked: say so, keep the step."""
    await reply(update, say(locale_of(context), "forwarded_refused"))
    return ANSWERING


async def refuse_at_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A sticker, voice note, video or location where an answer is asked: keep the step."""
    await reply(update, tell(locale_of(context), "answer_expected"))
    return ANSWERING


# -- leaving ----------------------------------------------------------------------------


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/batal: end the step, saying exactly what was already sent."""
    locale = locale_of(context)
    draft = context.chat_data.pop(DRAFT, None)
    if draft and draft["answered"]:
        await reply(update, _finished(draft, locale))
    elif draft and draft["attachments"]:
        await reply(update, tell(locale, "cancelled_with_attachments", count=draft["attachments"]))
    else:
        await reply(update, say(locale, "cancelled"))
    await show_menu(update, context)
    return ConversationHandler.END


async def to_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """ "Main menu" pressed during a step: end it (saying what was sent) and show the menu."""
    await update.callback_query.answer()
    locale = locale_of(context)
    draft = context.chat_data.pop(DRAFT, None)
    if draft and draft["answered"]:
        await reply(update, _finished(draft, locale))
    elif draft and draft["attachments"]:
        await reply(update, tell(locale, "cancelled_with_attachments", count=draft["attachments"]))
    await show_menu(update, context)
    return ConversationHandler.END
