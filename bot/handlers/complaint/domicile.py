"""Where the person concerned lives: a kab/kota and kecamatan found by name, or "not sure"
(the api then puts the complaint at a triage desk, where an officer determines it)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.client import ApiRefusal, ApiUnavailable
from bot.handlers.common import removed_nik, reply, services_of, short_text_problem
from bot.handlers.complaint.steps import (
    DESCRIPTION,
    DISTRICT,
    DOMICILE,
    REGENCY,
    answer_button,
    draft_of,
    next_after,
    text,
)
from bot.texts import keyboard, locale_of, say


async def ask_domicile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    locale = locale_of(context)
    await reply(
        update,
        text(locale, "ask_domicile"),
        reply_markup=keyboard(
            [
                [(text(locale, "button_unknown_domicile"), "dom:unknown")],
                [(text(locale, "button_choose_domicile"), "dom:choose")],
            ]
        ),
    )
    return DOMICILE


async def pick_domicile_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Choose the domicile, or leave it to the triage desk."""
    data = await answer_button(update)
    locale = locale_of(context)
    if data == "dom:unknown":
        draft_of(context)["domicile"] = None
        return await next_after(update, context, DESCRIPTION)
    await reply(update, text(locale, "ask_regency"))
    return REGENCY


async def receive_regency_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Find kab/kota by part of the name and offer them as buttons."""
    locale = locale_of(context)
    if await removed_nik(update, context):
        return REGENCY
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
    data = await answer_button(update)
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
    draft_of(context)["regency_name"] = found[0]["parent_name"]
    await reply(
        update,
        text(locale, "ask_district", regency=found[0]["parent_name"]),
        reply_markup=keyboard([[(d["name"], f"dist:{d['code']}")] for d in found]),
    )
    return DISTRICT


async def receive_district_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Narrow the kecamatan list by part of the name."""
    if await removed_nik(update, context):
        return DISTRICT
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
    data = await answer_button(update)
    code = data.partition(":")[2]
    draft = draft_of(context)
    draft["domicile"] = {
        "code": code,
        "name": draft.get("district_names", {}).get(code, code),
        "regency": draft.get("regency_name"),
    }
    return await next_after(update, context, DESCRIPTION)
