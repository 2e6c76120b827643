"""Filing a complaint: category, subject NIK, domicile, story, evidence, privacy, confirm.

The draft lives in ``user_data["complaint"]`` (plain data, persisted to Redis), so it
survives a bot restart; photos are kept as Telegram file ids and uploaded once the
complaint exists. The draft's id is the Idempotency-Key: a submission retried after a
timeout returns the same complaint instead of filing it twice.
"""

from __future__ import annotations

import uuid

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

import messages
from bot.client import ApiRefusal, ApiUnavailable, Upload
from bot.handlers.common import (
    refuse_non_text,
    reply,
    services_of,
    short_text_problem,
    show_menu,
    take_nik,
    user_key,
)
from bot.texts import escape, keyboard, locale_of, plain, say

(
    CATEGORY,
    SUBJECT_NIK,
    DOMICILE,
    REGENCY,
    DISTRICT,
    DESCRIPTION,
    ATTACHMENTS,
    PRIVACY,
    CONFIRM,
) = range(9)

MAX_DESCRIPTION = 4000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_MB = 10
PRIVACY_MODES = ("BIASA", "ANONIM", "RAHASIA")


def text(locale: str, key: str, /, **params: object) -> str:
    return messages.render(locale, f"bot_complaint.{key}", **params)


def draft_of(context: ContextTypes.DEFAULT_TYPE) -> dict:
    return context.user_data.setdefault("complaint", {})


async def _answer_button(update: Update) -> str | None:
    if update.callback_query:
        await update.callback_query.answer()
        return update.callback_query.data
    return None


async def _new_draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> list[dict] | None:
    """A fresh draft; the categories as the api describes them (None: the api is down)."""
    await _answer_button(update)
    locale = locale_of(context)
    try:
        categories = await services_of(context).api.categories(locale=locale)
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return None
    context.user_data["complaint"] = {
        "id": uuid.uuid4().hex,
        "nik_categories": [c["code"] for c in categories if c["requires_subject_nik"]],
        "attachments": [],
    }
    return categories


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Start a fresh draft and offer the categories, each with its one-line explanation."""
    categories = await _new_draft(update, context)
    if categories is None:
        return ConversationHandler.END
    return await _offer_categories(update, context, categories)


async def _offer_categories(update: Update, context, categories: list[dict]) -> int:
    locale = locale_of(context)
    lines = [text(locale, "choose_category")] + [
        text(locale, "category_line", label=plain(c["label"]), description=plain(c["description"]))
        for c in categories
    ]
    await reply(
        update,
        "\n".join(lines),
        reply_markup=keyboard([[(c["label"], f"cat:{c['code']}")] for c in categories]),
    )
    return CATEGORY


async def begin_with_category(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Start a draft of one category, from a button after a status check (usul, sanggah)."""
    code = update.callback_query.data.rpartition(":")[2]
    categories = await _new_draft(update, context)
    if categories is None:
        return ConversationHandler.END
    chosen = next((c for c in categories if c["code"] == code), None)
    if chosen is None:  # a category since retired: let the citizen choose
        return await _offer_categories(update, context, categories)
    await reply(
        update,
        text(
            locale_of(context),
            "category_chosen",
            label=plain(chosen["label"]),
            description=plain(chosen["description"]),
        ),
    )
    return await _continue_with(update, context, code)


async def pick_category(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the category; ask for the subject's NIK when it needs one."""
    data = await _answer_button(update)
    return await _continue_with(update, context, data.partition(":")[2])


async def _continue_with(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> int:
    draft = draft_of(context)
    draft["category"] = code
    locale = locale_of(context)
    if draft["category"] in draft.get("nik_categories", []):
        await reply(update, text(locale, "ask_subject_nik"))
        return SUBJECT_NIK
    draft.pop("subject_nik", None)
    await reply(update, text(locale, "ask_regency"))
    return REGENCY


async def receive_subject_nik(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Delete the NIK's message, check its format, then ask where the person lives."""
    locale = locale_of(context)
    taken = await take_nik(update, context)
    if taken is None:
        return SUBJECT_NIK
    nik, masked = taken
    draft = draft_of(context)
    draft["subject_nik"], draft["subject_masked"] = nik, masked
    await reply(update, text(locale, "subject_nik_kept", masked=masked))
    return await _ask_domicile(update, context)


async def _ask_domicile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    locale = locale_of(context)
    await reply(
        update,
        text(locale, "ask_domicile"),
        reply_markup=keyboard(
            [
                [(text(locale, "button_registered_domicile"), "dom:registered")],
                [(text(locale, "button_choose_domicile"), "dom:choose")],
            ]
        ),
    )
    return DOMICILE


async def pick_domicile_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The registry's domicile (when the NIK is registered), or choose one."""
    data = await _answer_button(update)
    locale = locale_of(context)
    if data == "dom:registered":
        draft_of(context)["domicile"] = None
        return await _next_after(update, context, DESCRIPTION)
    await reply(update, text(locale, "ask_regency"))
    return REGENCY


async def receive_regency_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Find kab/kota by part of the name and offer them as buttons."""
    locale = locale_of(context)
    problem = short_text_problem(update, context)
    if problem:
        await reply(update, problem)
        return REGENCY
    try:
        found = await services_of(context).api.find_regencies(update.effective_message.text)
    except (ApiRefusal, ApiUnavailable):
        await reply(update, say(locale, "api_unavailable"))
        return REGENCY
    if not found:
        await reply(update, text(locale, "regency_none"))
        return REGENCY
    await reply(
        update,
        text(locale, "regency_matches"),
        reply_markup=keyboard(
            [[(f"{r['name']} ({r['parent_name']})", f"reg:{r['code']}")] for r in found]
        ),
    )
    return REGENCY


async def pick_regency(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the kab/kota; offer its kecamatan."""
    data = await _answer_button(update)
    code = data.partition(":")[2]
    draft = draft_of(context)
    draft["regency"] = code
    return await _offer_districts(update, context, code, None)


async def _offer_districts(update, context, regency_code: str, typed: str | None) -> int:
    locale = locale_of(context)
    try:
        found = await services_of(context).api.find_districts(regency_code, typed)
    except (ApiRefusal, ApiUnavailable):
        await reply(update, say(locale, "api_unavailable"))
        return DISTRICT
    if not found:
        await reply(update, text(locale, "district_none"))
        return DISTRICT
    # The names wait in the draft: a button carries only the code (64 bytes at most).
    draft_of(context)["district_names"] = {d["code"]: d["name"] for d in found}
    await reply(
        update,
        text(locale, "ask_district", regency=found[0]["parent_name"]),
        reply_markup=keyboard([[(d["name"], f"dist:{d['code']}")] for d in found]),
    )
    return DISTRICT


async def receive_district_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Narrow the kecamatan list by part of the name."""
    problem = short_text_problem(update, context)
    if problem:
        await reply(update, problem)
        return DISTRICT
    regency = draft_of(context).get("regency")
    if not regency:
        await reply(update, text(locale_of(context), "ask_regency"))
        return REGENCY
    return await _offer_districts(update, context, regency, update.effective_message.text)


async def pick_district(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the kecamatan as the domicile."""
    data = await _answer_button(update)
    code = data.partition(":")[2]
    draft = draft_of(context)
    draft["domicile"] = {"code": code, "name": draft.get("district_names", {}).get(code, code)}
    return await _next_after(update, context, DESCRIPTION)


async def _next_after(update: Update, context: ContextTypes.DEFAULT_TYPE, step: int) -> int:
    """Go on to ``step`` — or back to the summary when the citizen was editing."""
    draft = draft_of(context)
    locale = locale_of(context)
    if draft.pop("editing", False) and draft.get("description"):
        return await _show_summary(update, context)
    if step == DESCRIPTION:
        await reply(update, text(locale, "ask_description", max=MAX_DESCRIPTION))
    elif step == ATTACHMENTS:
        await reply(
            update,
            text(locale, "ask_attachments", max=MAX_ATTACHMENTS),
            reply_markup=keyboard([[(text(locale, "button_continue"), "att:done")]]),
        )
    elif step == PRIVACY:
        await reply(
            update,
            text(locale, "ask_privacy"),
            reply_markup=keyboard(
                [
                    [(text(locale, f"button_privacy_{mode}"), f"priv:{mode}")]
                    for mode in PRIVACY_MODES
                ]
            ),
        )
    return step


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
    return await _next_after(update, context, ATTACHMENTS)


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
    await _answer_button(update)
    return await _next_after(update, context, PRIVACY)


async def pick_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Remember the privacy mode; show the summary."""
    data = await _answer_button(update)
    draft_of(context)["privacy"] = data.partition(":")[2]
    draft_of(context).pop("editing", None)
    return await _show_summary(update, context)


async def _show_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    locale = locale_of(context)
    draft = draft_of(context)
    try:
        labels = {
            c["code"]: c["label"] for c in await services_of(context).api.categories(locale=locale)
        }
    except ApiUnavailable:
        labels = {}
    domicile = draft.get("domicile")
    await reply(
        update,
        text(
            locale,
            "summary",
            category=plain(labels.get(draft.get("category"), draft.get("category", ""))),
            subject=draft.get("subject_masked"),
            domicile=domicile["name"] if domicile else text(locale, "domicile_registered"),
            description=_shortened(draft.get("description", "")),
            attachments=len(draft.get("attachments", [])),
            privacy=text(locale, f"button_privacy_{draft.get('privacy', 'BIASA')}"),
        ),
        reply_markup=keyboard(
            [
                [(text(locale, "button_send"), "confirm:send")],
                [
                    (text(locale, "button_edit_description"), "confirm:description"),
                    (text(locale, "button_edit_domicile"), "confirm:domicile"),
                ],
                [
                    (text(locale, "button_edit_privacy"), "confirm:privacy"),
                    (text(locale, "button_cancel"), "confirm:cancel"),
                ],
            ]
        ),
    )
    return CONFIRM


def _shortened(description: str, limit: int = 3500) -> str:
    # The summary must fit one message (4096 characters) with its labels.
    return description if len(description) <= limit else description[:limit] + "…"


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Send, edit one part, or cancel."""
    data = await _answer_button(update)
    choice = data.partition(":")[2]
    draft = draft_of(context)
    locale = locale_of(context)
    if choice == "send":
        return await _submit(update, context)
    if choice == "cancel":
        return await cancel(update, context)
    draft["editing"] = True
    if choice == "description":
        await reply(update, text(locale, "ask_description", max=MAX_DESCRIPTION))
        return DESCRIPTION
    if choice == "privacy":
        draft.pop("editing")
        return await _next_after(update, context, PRIVACY)
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
        if refusal.code == "domicile_required":
            draft["editing"] = True
            await reply(update, text(locale, "registered_domicile_unknown"))
            await reply(update, text(locale, "ask_regency"))
            return REGENCY
        await reply(update, escape(plain(refusal.message)))
        return await _show_summary(update, context)
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return await _show_summary(update, context)
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


async def refuse_non_attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Text, stickers and the like at the evidence step: say what is expected, keep the step."""
    locale = locale_of(context)
    await reply(
        update,
        text(locale, "attachment_not_allowed"),
        reply_markup=keyboard([[(text(locale, "button_continue"), "att:done")]]),
    )
    return ATTACHMENTS


def complaint_conversation() -> ConversationHandler:
    typed = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        name="complaint",
        persistent=True,
        entry_points=[
            CommandHandler(["adu", "complaint"], begin),
            CallbackQueryHandler(begin, pattern=r"^menu:complaint$"),
            CallbackQueryHandler(begin_with_category, pattern=r"^menu:complaint:[A-Z_]+$"),
        ],
        states={
            CATEGORY: [CallbackQueryHandler(pick_category, pattern=r"^cat:[A-Z_]+$")],
            SUBJECT_NIK: [MessageHandler(typed, receive_subject_nik)],
            DOMICILE: [CallbackQueryHandler(pick_domicile_source, pattern=r"^dom:")],
            REGENCY: [
                MessageHandler(typed, receive_regency_text),
                CallbackQueryHandler(pick_regency, pattern=r"^reg:\d{4}$"),
            ],
            DISTRICT: [
                MessageHandler(typed, receive_district_text),
                CallbackQueryHandler(pick_district, pattern=r"^dist:\d{6}$"),
            ],
            DESCRIPTION: [MessageHandler(typed, receive_description)],
            ATTACHMENTS: [
                MessageHandler(filters.PHOTO | filters.Document.ALL, receive_attachment),
                CallbackQueryHandler(attachments_done, pattern=r"^att:done$"),
                MessageHandler(~filters.COMMAND, refuse_non_attachment),
            ],
            PRIVACY: [CallbackQueryHandler(pick_privacy, pattern=r"^priv:(BIASA|ANONIM|RAHASIA)$")],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=r"^confirm:")],
        },
        fallbacks=[
            CommandHandler(["batal", "cancel"], cancel),
            MessageHandler(~filters.COMMAND, refuse_non_text),
        ],
        allow_reentry=True,
    )


def add_complaint_handlers(application: Application) -> None:
    application.add_handler(complaint_conversation())
