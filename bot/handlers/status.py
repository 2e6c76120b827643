"""The status check: NIK, then the name as on the KTP, then eligibility and disbursements.

The message carrying the NIK is deleted from the chat as soon as it is read. The NIK itself
waits for the name in this process's memory only (``bot_data``, which is never persisted):
it is never written to Redis, and a bot restart between the two steps just asks again.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.client import ApiRefusal, ApiUnavailable
from bot.handlers.common import (
    conversation,
    removed_nik,
    reply,
    services_of,
    short_text_problem,
    show_menu,
    take_nik,
    user_key,
)
from bot.texts import escape, keyboard, locale_of, plain, say

ASK_NIK, ASK_NAME = range(2)


def _pending(context: ContextTypes.DEFAULT_TYPE) -> dict[int, str]:
    return context.application.bot_data.setdefault("pending_nik", {})


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask for the NIK."""
    if update.callback_query:
        await update.callback_query.answer()
    await reply(update, say(locale_of(context), "ask_nik"))
    return ASK_NIK


async def receive_nik(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Delete the NIK's message, check its format, and ask for the name."""
    locale = locale_of(context)
    taken = await take_nik(update, context)
    if taken is None:
        return ASK_NIK
    nik, masked = taken
    _pending(context)[update.effective_chat.id] = nik
    await reply(
        update,
        say(locale, "nik_removed")
        + f"\nNIK <code>{escape(masked)}</code>\n\n"
        + say(locale, "ask_name"),
    )
    return ASK_NAME


async def receive_name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask the api and show the answer."""
    locale = locale_of(context)
    if await removed_nik(update, context):
        await reply(update, say(locale, "name_not_nik"))
        return ASK_NAME
    problem = short_text_problem(update, context)
    if problem:
        await reply(update, problem)
        return ASK_NAME
    nik = _pending(context).get(update.effective_chat.id)
    if nik is None:  # the bot restarted between the two steps: ask again
        await reply(update, say(locale, "ask_nik"))
        return ASK_NIK
    try:
        answer = await services_of(context).api.check_status(
            nik=nik, name=update.effective_message.text, user=user_key(update), locale=locale
        )
    except ApiRefusal as refusal:
        await reply(update, escape(plain(refusal.message)))
        if refusal.field == "name":
            return ASK_NAME
        _pending(context).pop(update.effective_chat.id, None)
        return ConversationHandler.END
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return ASK_NAME
    _pending(context).pop(update.effective_chat.id, None)
    await reply(
        update,
        render_answer(answer, locale),
        reply_markup=_next_steps(locale, answer),
    )
    return ConversationHandler.END


def render_answer(answer: dict, locale: str) -> str:
    """The api's answer as one chat message (well under Telegram's 4096 characters)."""
    if not answer["found"]:
        return escape(plain(answer["message"]))
    person = answer["person"]
    domicile = person["domicile"]
    place = ", ".join(filter(None, [domicile.get("district"), domicile.get("regency")]))
    parts = [say(locale, "status_header", name=person["name_masked"], place=place)]
    if not person["nik_region_verified"]:
        parts.append(say(locale, "status_unverified_region"))
    for programme in person["programmes"]:
        lines = [
            say(
                locale,
                "status_programme",
                name=plain(programme["name"]),
                standing=plain(programme["standing_label"]),
                reason=plain(programme["reason"]),
                next_step=plain(programme["next_step"]),
            )
        ]
        lines += _stages(programme, locale)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _stages(programme: dict, locale: str) -> list[str]:
    """The programme's disbursement stages under a heading (a failure marked, beside the
    stage the aid moved on to); for a recipient with none yet, a line saying so."""
    stages = programme["disbursements"]
    if not stages:
        return [say(locale, "status_no_stages")] if programme["standing"] == "recipient" else []
    return [say(locale, "status_stages")] + [
        say(
            locale,
            "status_disbursement",
            tahap=plain(d["tahap_label"]),
            stage=plain(d["stage_label"]),
            status=plain(d["status_label"]),
            channel=plain(d["channel_label"]),
            amount=d["amount"],
            date=d["date"],
            failed=d["status"] == "GAGAL",
        )
        for d in stages
    ]


def _next_steps(locale: str, answer: dict):
    """Where a citizen goes from an answer: be told when the aid moves, propose a family
    that is not (yet) a recipient (usul), object to a recipient (sanggah), and the rest."""
    person = answer.get("person")
    rows = []
    if answer.get("subscription_token"):
        rows.append([(say(locale, "button_subscribe"), f"sub:{answer['subscription_token']}")])
    if person is None or any(p["standing"] != "recipient" for p in person["programmes"]):
        rows.append([(say(locale, "button_usul"), "menu:complaint:USUL")])
    rows += [
        [(say(locale, "button_sanggah"), "menu:complaint:SANGGAH")],
        [(say(locale, "button_complaint"), "menu:complaint")],
        [(say(locale, "button_check_again"), "menu:status")],
        [(say(locale, "button_menu"), "menu:main")],
    ]
    return keyboard(rows)


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Tell me when my aid moves" (the button carries the api's signed token, no NIK)."""
    query = update.callback_query
    await query.answer()
    locale = locale_of(context)
    try:
        done = await services_of(context).api.subscribe(
            token=query.data.partition(":")[2], user=user_key(update), locale=locale
        )
    except ApiRefusal as refusal:
        await reply(update, escape(plain(refusal.message)))
        return
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return
    await reply(update, escape(plain(done["message"])))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/batal: forget the NIK, back to the menu."""
    _pending(context).pop(update.effective_chat.id, None)
    await reply(update, say(locale_of(context), "cancelled"))
    await show_menu(update, context)
    return ConversationHandler.END


def status_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        "status",
        entry_points=[
            CommandHandler(["cek", "check"], begin),
            CallbackQueryHandler(begin, pattern=r"^menu:status$"),
        ],
        states={
            ASK_NIK: [MessageHandler(text, receive_nik)],
            ASK_NAME: [MessageHandler(text, receive_name)],
        },
        cancel=cancel,
    )


def add_status_handlers(application: Application) -> None:
    application.add_handler(status_conversation())
    application.add_handler(CallbackQueryHandler(subscribe, pattern=r"^sub:[A-Za-z0-9_-]+$"))
