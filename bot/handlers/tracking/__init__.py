"""Following a complaint: its status and public timeline, answering the office, rating.

``/lacak <ID>`` shows one complaint; ``/lacak`` alone (or the menu) lists the citizen's own.
When the office asked for information, the citizen answers in the chat (text, and photos or
PDFs as attachments); when it was answered, the citizen rates it 1–5, and a poor first
rating reopens it at the coordination region.

Every button carries what it needs (``track:<id>``, ``info:<id>``, ``rate:<id>:<n>``) and
is an entry point, so a button of an old message still works after its conversation ended.
The only thing kept between two messages is which complaint is being answered and what was
sent so far (``chat_data["tracking_answer"]``): the answer itself goes to the api at once.

This module wires the conversation (its diagram: ``tracking.mmd``); ``showing`` shows and
lists, ``answering`` answers a request for information, ``rating`` rates; the message itself
is rendered by :mod:`bot.rendering.complaint`, as for every other surface.
"""

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.handlers.common import conversation
from bot.handlers.tracking.answering import (
    begin_answer,
    cancel,
    done_pressed,
    receive_answer,
    receive_attachment,
    refuse_at_answer,
    refuse_forwarded,
    to_menu,
)
from bot.handlers.tracking.rating import rate
from bot.handlers.tracking.showing import list_pressed, receive_tracking_id, track, track_pressed
from bot.handlers.tracking.steps import (
    ANSWERING,
    CHOOSING,
    DONE_PATTERN,
    INFO_PATTERN,
    RATE_PATTERN,
    TRACK_PATTERN,
)


def tracking_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        "tracking",
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
        cancel=cancel,
        more_fallbacks=(CallbackQueryHandler(to_menu, pattern=r"^menu:main$"),),
    )


def add_tracking_handlers(application: Application, group: int = 0) -> None:
    application.add_handler(tracking_conversation(), group=group)
