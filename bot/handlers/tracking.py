"""Following a complaint: its status and public timeline, answering the office, rating.

``/lacak <ID>`` shows one complaint; ``/lacak`` alone (or the menu) lists the citizen's own.
When the office asked for information, the citizen answers in the chat (text, and photos or
PDFs as attachments); when it was answered, the citizen rates it 1–5, and a poor first
rating reopens it at the coordination region.

Every button carries what it needs (``track:<id>``, ``info:<id>``, ``rate:<id>:<n>``) and
is an entry point, so a button of an old message still works after its conversation ended.
The only thing kept between two messages is which complaint is being answered and what was
sent so far (``chat_data["tracking_answer"]``): the answer itself goes to the api at once.
"""

from __future__ import annotations

import contextlib
import html
import re
import string
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

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
    user_key,
)
from bot.texts import escape, keyboard, locale_of, plain, say

CHOOSING, ANSWERING = range(2)

#: Telegram's limit for one message, in UTF-16 code units of the text as read.
MAX_MESSAGE = 4096
#: The api's limit for an answer (its ``MAX_NOTE``).
MAX_ANSWER = 4000
#: The largest file a bot may download from Telegram.
MAX_DOWNLOAD_MB = 20
LIST_LIMIT = 10
DESCRIPTION_PREVIEW = 300
DRAFT = "tracking_answer"
JAKARTA = ZoneInfo("Asia/Jakarta")
#: Statuses in which the office's resolve deadline runs.
OPEN_STATUSES = frozenset({"RECEIVED", "VERIFIED", "IN_PROGRESS"})

_ID = r"[0-9A-Z]{9}"
TRACK_PATTERN = rf"^track:({_ID})$"
INFO_PATTERN = rf"^info:({_ID})$"
DONE_PATTERN = rf"^info-done:({_ID})$"
RATE_PATTERN = rf"^rate:({_ID}):([1-5])$"

_TAG = re.compile(r"<[^>]*>")
_URL_SAFE = frozenset(string.ascii_letters + string.digits)


def tell(locale: str, key: str, /, **params: object) -> str:
    return messages.render(locale, f"bot_tracking.{key}", **params)


# -- showing a complaint ---------------------------------------------------------------


def display_id(tracking_id: str) -> str:
    """``7K3M9QX2P`` → ``7K3-M9Q-X2P``."""
    return "-".join(tracking_id[i : i + 3] for i in range(0, len(tracking_id), 3))


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


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def last_on_time_day(deadline: str) -> date:
    """The last day (in Jakarta) still on time for an exclusive deadline instant."""
    return (_instant(deadline) - timedelta(microseconds=1)).astimezone(JAKARTA).date()


def _when(value: str, locale: str) -> str:
    moment = _instant(value).astimezone(JAKARTA)
    return plain(
        tell(
            locale,
            "when",
            day=moment.day,
            month=moment.month,
            year=moment.year,
            hour=moment.hour,
            minute=moment.minute,
        )
    )


def _short_date(value: str, locale: str) -> str:
    moment = _instant(value).astimezone(JAKARTA)
    return plain(tell(locale, "short_date", day=moment.day, month=moment.month, year=moment.year))


def _long_date(deadline: str, locale: str) -> str:
    return plain(messages.long_date(locale, last_on_time_day(deadline)))


def visible_length(text: str) -> int:
    """How long an HTML message is for Telegram: the text as read, in UTF-16 code units."""
    return len(html.unescape(_TAG.sub("", text)).encode("utf-16-le")) // 2


def _clip(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UTF-16 code units, with … when something was cut."""
    if len(text.encode("utf-16-le")) // 2 <= units:
        return text
    kept, used = [], 0
    for ch in text:
        width = len(ch.encode("utf-16-le")) // 2
        if used + width > units - 1:
            break
        kept.append(ch)
        used += width
    return "".join(kept).rstrip() + "…"


def _entry(entry: dict, locale: str, *, note: str | None = None) -> str:
    office = entry.get("office") or {}
    return tell(
        locale,
        "entry",
        when=_when(entry["at"], locale),
        kind=entry["kind"],
        status=plain(entry.get("status_label")) or None,
        office=office.get("name"),
        note=entry.get("note") if note is None else note,
    )


def _timeline(timeline: list[dict], locale: str, budget: int) -> str:
    """The title and as many of the newest entries as fit in ``budget``, oldest first."""
    title = tell(locale, "timeline_title")
    used = visible_length(title)
    older = visible_length(tell(locale, "timeline_older", count=len(timeline))) + 1
    shown: list[str] = []
    for position, entry in enumerate(reversed(timeline)):
        text = _entry(entry, locale)
        reserve = older if position + 1 < len(timeline) else 0
        if used + 1 + visible_length(text) + reserve > budget:
            if not shown:  # the newest entry alone is too long: shorten its note
                room = budget - used - 1 - reserve - visible_length(_entry(entry, locale, note="x"))
                text = _entry(entry, locale, note=_clip(entry.get("note") or "", room + 1))
                shown.append(text)
            break
        shown.append(text)
        used += 1 + visible_length(text)
    lines = [title]
    if len(shown) < len(timeline):
        lines.append(tell(locale, "timeline_older", count=len(timeline) - len(shown)))
    return "\n".join([*lines, *reversed(shown)])


def _reopened_before(complaint: dict) -> bool:
    return any(entry["kind"] == "reopen" for entry in complaint["timeline"])


def render_complaint(complaint: dict, locale: str, *, limit: int = MAX_MESSAGE) -> str:
    """One complaint as one chat message of at most ``limit`` characters."""
    status = complaint["status"]
    head = [
        tell(
            locale,
            "detail",
            tracking_id=complaint["tracking_id_display"],
            category=complaint["category_label"],
            status=plain(complaint["status_label"]),
            office=complaint["office"]["name"],
            description=_clip(complaint["description"], DESCRIPTION_PREVIEW),
        )
    ]
    if status in OPEN_STATUSES:
        head.append(
            tell(locale, "deadline", date=_long_date(complaint["deadlines"]["resolve"], locale))
        )
    elif status == "NEEDS_INFO":
        head.append(tell(locale, "deadline_paused"))
    if complaint.get("rating"):
        head.append(tell(locale, "your_rating", rating=complaint["rating"]))
    actions = complaint["citizen_actions"]
    foot = []
    if "provide_info" in actions:
        foot.append(tell(locale, "prompt_provide_info"))
    if "rate" in actions:
        foot.append(tell(locale, "prompt_rate", appeal=not _reopened_before(complaint)))
    top, bottom = "\n".join(head), "\n\n".join(foot)
    budget = limit - visible_length(top) - 2 - (visible_length(bottom) + 2 if bottom else 0)
    return "\n\n".join(
        filter(None, [top, _timeline(complaint["timeline"], locale, budget), bottom])
    )


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


async def _fetch(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str) -> dict | None:
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
    complaint = await _fetch(update, context, typed)
    if complaint is None:
        return False
    locale = locale_of(context)
    await reply(
        update,
        render_complaint(complaint, locale),
        reply_markup=complaint_buttons(complaint, locale),
    )
    return True


def _end(context: ContextTypes.DEFAULT_TYPE) -> int:
    context.chat_data.pop(DRAFT, None)
    return ConversationHandler.END


async def track(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/lacak <ID>: show that complaint; /lacak alone: list the citizen's own."""
    context.chat_data.pop(DRAFT, None)
    if not context.args:
        return await _list(update, context)
    if await _show(update, context, " ".join(context.args)):
        return _end(context)
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
        return _end(context)
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return _end(context)
    if not items:
        await reply(update, tell(locale, "list_empty"))
        await show_menu(update, context)
        return _end(context)
    lines = [tell(locale, "list_title")]
    lines += [
        tell(
            locale,
            "list_item",
            tracking_id=item["tracking_id_display"],
            category=item["category_label"],
            status=plain(item["status_label"]),
            date=_short_date(item["created_at"], locale),
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
    problem = short_text_problem(update, context)
    if problem:
        await reply(update, problem)
        return CHOOSING
    if await _show(update, context, update.effective_message.text):
        return _end(context)
    return CHOOSING


async def track_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A complaint's button (from the list, or an old message): show it."""
    await update.callback_query.answer()
    await _show(update, context, context.matches[0].group(1))
    return _end(context)


# -- answering a request for information ----------------------------------------------


def _latest_question(complaint: dict) -> str | None:
    for entry in reversed(complaint["timeline"]):
        if entry["kind"] == "request_info":
            return entry.get("note")
    return None


def _done_button(locale: str, tracking_id: str):
    return keyboard([[(tell(locale, "button_done"), f"info-done:{tracking_id}")]])


async def begin_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """ "Answer the request": show the office's question and ask for the answer."""
    await update.callback_query.answer()
    locale = locale_of(context)
    context.chat_data.pop(DRAFT, None)
    complaint = await _fetch(update, context, context.matches[0].group(1))
    if complaint is None:
        return _end(context)
    if "provide_info" not in complaint["citizen_actions"]:
        await reply(
            update, tell(locale, "not_waiting", tracking_id=complaint["tracking_id_display"])
        )
        await reply(
            update,
            render_complaint(complaint, locale),
            reply_markup=complaint_buttons(complaint, locale),
        )
        return _end(context)
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
            question=_clip(question, 1500) if question else None,
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
    draft = await _draft_or_end(update, context)
    if draft is None:
        return _end(context)
    text = update.effective_message.text
    if len(text) > MAX_ANSWER:
        await reply(update, tell(locale, "answer_too_long", max=MAX_ANSWER, length=len(text)))
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
        return _end(context)
    message = update.effective_message
    if message.photo:
        source, filename, content_type = message.photo[-1], "foto.jpg", "image/jpeg"
    else:
        source = message.document
        filename, content_type = source.file_name or "berkas", source.mime_type
    if source.file_size and source.file_size > MAX_DOWNLOAD_MB * 1024 * 1024:
        await reply(update, tell(locale, "attachment_too_big", max_mb=MAX_DOWNLOAD_MB))
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
        if not await _send_answer(update, context, draft, caption[:MAX_ANSWER]):
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
        return _end(context)
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


# -- rating ---------------------------------------------------------------------------


async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A star button: rate the answer; a poor first rating reopens the complaint."""
    query = update.callback_query
    await query.answer()
    context.chat_data.pop(DRAFT, None)
    locale = locale_of(context)
    tracking_id, rating = context.matches[0].group(1), int(context.matches[0].group(2))
    api = services_of(context).api
    try:
        result = await api.rate(
            tracking_id=tracking_id, user=user_key(update), locale=locale, rating=rating
        )
    except ApiRefusal as refusal:  # rated already, too late, not answered yet
        await reply(update, escape(plain(refusal.message)))
        await show_menu(update, context)
        return _end(context)
    except ApiUnavailable:
        await reply(update, say(locale, "api_unavailable"))
        return _end(context)
    # Rated: its stars must not be pressed again.
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(reply_markup=None)
    shown = display_id(result["tracking_id"])
    if result["status"] == "IN_PROGRESS":
        due = None
        with contextlib.suppress(ApiRefusal, ApiUnavailable):
            reopened = await api.complaint(
                tracking_id=result["tracking_id"], user=user_key(update), locale=locale
            )
            due = _long_date(reopened["deadlines"]["resolve"], locale)
        text = tell(
            locale, "rated_reopened", tracking_id=shown, office=result["office"]["name"], due=due
        )
    else:
        text = tell(
            locale, "rated_closed", tracking_id=shown, rating=rating, appeal_used=rating <= 2
        )
    await reply(
        update,
        text,
        reply_markup=keyboard(
            [
                [(tell(locale, "button_show"), f"track:{result['tracking_id']}")],
                [(say(locale, "button_menu"), "menu:main")],
            ]
        ),
    )
    return _end(context)


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


def tracking_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        name="tracking",
        persistent=True,
        entry_points=[
            CommandHandler(["lacak", "track"], track),
            CallbackQueryHandler(list_pressed, pattern=r"^menu:track$"),
            CallbackQueryHandler(track_pressed, pattern=TRACK_PATTERN),
            CallbackQueryHandler(begin_answer, pattern=INFO_PATTERN),
            CallbackQueryHandler(rate, pattern=RATE_PATTERN),
        ],
        states={
            CHOOSING: [MessageHandler(text, receive_tracking_id)],
            ANSWERING: [
                MessageHandler(filters.FORWARDED & ~filters.COMMAND, refuse_forwarded),
                MessageHandler(text, receive_answer),
                MessageHandler(filters.PHOTO | filters.Document.ALL, receive_attachment),
                CallbackQueryHandler(done_pressed, pattern=DONE_PATTERN),
                MessageHandler(~filters.COMMAND, refuse_at_answer),
            ],
        },
        fallbacks=[
            CommandHandler(["batal", "cancel"], cancel),
            CallbackQueryHandler(to_menu, pattern=r"^menu:main$"),
            MessageHandler(~filters.COMMAND, refuse_non_text),
        ],
        allow_reentry=True,
    )


def add_tracking_handlers(application: Application, group: int = 0) -> None:
    application.add_handler(tracking_conversation(), group=group)
