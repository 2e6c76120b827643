"""What the steps of the complaint conversation share: the states, the draft, and going on
to the next step (or back to the summary when the citizen was editing one part)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

import messages
from bot.client import ApiUnavailable
from bot.handlers.common import complaint_limits, reply, services_of
from bot.texts import keyboard, locale_of, plain

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

PRIVACY_MODES = ("BIASA", "ANONIM", "RAHASIA")


def text(locale: str, key: str, /, **params: object) -> str:
    return messages.render(locale, f"bot_complaint.{key}", **params)


def draft_of(context: ContextTypes.DEFAULT_TYPE) -> dict:
    return context.user_data.setdefault("complaint", {})


async def answer_button(update: Update) -> str | None:
    if update.callback_query:
        await update.callback_query.answer()
        return update.callback_query.data
    return None


async def next_after(update: Update, context: ContextTypes.DEFAULT_TYPE, step: int) -> int:
    """Go on to ``step`` — or back to the summary when the citizen was editing."""
    draft = draft_of(context)
    locale = locale_of(context)
    if draft.pop("editing", False) and draft.get("description"):
        return await show_summary(update, context)
    if step == DESCRIPTION:
        return await ask_description(update, context)
    if step == ATTACHMENTS:
        limits = await complaint_limits(context)
        await reply(
            update,
            text(locale, "ask_attachments", max=limits.attachments_max_count),
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


async def ask_description(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask for the story, stating the api's limit on its length."""
    limits = await complaint_limits(context)
    await reply(
        update, text(locale_of(context), "ask_description", max=limits.description_max_chars)
    )
    return DESCRIPTION


async def show_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    locale = locale_of(context)
    draft = draft_of(context)
    try:
        categories = {
            c["code"]: c for c in await services_of(context).api.categories(locale=locale)
        }
    except ApiUnavailable:
        categories = {}
    chosen = categories.get(draft.get("category"), {})
    domicile = draft.get("domicile")
    await reply(
        update,
        text(
            locale,
            "summary",
            category=plain(chosen.get("label", draft.get("category", ""))),
            subject=draft.get("subject_masked"),
            domicile=_domicile(locale, domicile),
            description=_shortened(draft.get("description", "")),
            attachments=len(draft.get("attachments", [])),
            privacy=text(locale, f"button_privacy_{draft.get('privacy', 'BIASA')}"),
            publication=text(locale, _publication(draft.get("privacy", "BIASA"), chosen)),
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


def _domicile(locale: str, domicile: dict | None) -> str:
    """The kecamatan with its kab/kota: a kecamatan name alone is often found in several."""
    if not domicile:
        return text(locale, "domicile_unknown")
    if not domicile.get("regency"):  # a draft kept from before the kab/kota was noted
        return domicile["name"]
    return text(locale, "domicile", district=domicile["name"], regency=domicile["regency"])


def _publication(privacy: str, category: dict) -> str:
    """Which sentence tells the citizen, before sending, what the public will see.
    Unknown (the api was down): the cautious one, that the story stays private."""
    if privacy == "RAHASIA":
        return "public_nothing"
    if privacy == "BIASA" and category.get("description_public"):
        return "public_with_story"
    return "public_without_story"


def _shortened(description: str, limit: int = 3500) -> str:
    # The summary must fit one message (4096 characters) with its labels.
    return description if len(description) <= limit else description[:limit] + "…"
