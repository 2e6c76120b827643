"""The first steps: a fresh draft, its category, and the NIK of the person concerned."""

from __future__ import annotations

import uuid

from telegram import Update
from telegram.ext import ContextTypes, ConversationHandler

from bot.client import ApiUnavailable
from bot.handlers.common import complaint_limits, reply, services_of, take_nik
from bot.handlers.complaint.domicile import ask_domicile
from bot.handlers.complaint.steps import (
    CATEGORY,
    REGENCY,
    SUBJECT_NIK,
    answer_button,
    draft_of,
    text,
)
from bot.texts import keyboard, locale_of, plain, say


async def _new_draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> list[dict] | None:
    """A fresh draft; the categories as the api describes them (None: the api is down)."""
    await answer_button(update)
    locale = locale_of(context)
    try:
        categories = await services_of(context).api.categories(locale=locale)
        await complaint_limits(context)  # asked now, so that no later step waits for it
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
    data = await answer_button(update)
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
    return await ask_domicile(update, context)
