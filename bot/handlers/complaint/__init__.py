"""Filing a complaint: category, subject NIK, domicile, story, evidence, privacy, confirm.

The draft lives in ``user_data["complaint"]`` (plain data, persisted to Redis), so it
survives a bot restart; photos are kept as Telegram file ids and uploaded once the
complaint exists. The draft's id is the Idempotency-Key: a submission retried after a
timeout returns the same complaint instead of filing it twice.

This module wires the conversation (its diagram: ``complaint.mmd``); ``category``,
``domicile``, ``story`` and ``sending`` hold the steps, ``steps`` what they share.
"""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.handlers.common import conversation
from bot.handlers.complaint.category import (
    begin,
    begin_with_category,
    pick_category,
    receive_subject_nik,
)
from bot.handlers.complaint.domicile import (
    pick_district,
    pick_domicile_source,
    pick_regency,
    receive_district_text,
    receive_regency_text,
)
from bot.handlers.complaint.sending import cancel, confirm
from bot.handlers.complaint.steps import (
    ATTACHMENTS,
    CATEGORY,
    CONFIRM,
    DESCRIPTION,
    DISTRICT,
    DOMICILE,
    PRIVACY,
    REGENCY,
    SUBJECT_NIK,
)
from bot.handlers.complaint.story import (
    attachments_done,
    pick_privacy,
    receive_attachment,
    receive_description,
    refuse_non_attachment,
)


def complaint_conversation() -> ConversationHandler:
    typed = filters.TEXT & ~filters.COMMAND
    return conversation(
        "complaint",
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
        cancel=cancel,
    )


def add_complaint_handlers(application: Application) -> None:
    application.add_handler(complaint_conversation())
