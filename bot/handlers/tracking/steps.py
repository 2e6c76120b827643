"""What the parts of the tracking conversation share: its states, its buttons' patterns,
and the one thing kept between two messages (the answer being written)."""

from __future__ import annotations

from telegram.ext import ContextTypes, ConversationHandler

CHOOSING, ANSWERING = range(2)

#: ``chat_data`` key of the answer being written: which complaint, and what was sent so far.
DRAFT = "tracking_answer"

_ID = r"[0-9A-Z]{9}"
TRACK_PATTERN = rf"^track:({_ID})$"
INFO_PATTERN = rf"^info:({_ID})$"
DONE_PATTERN = rf"^info-done:({_ID})$"
RATE_PATTERN = rf"^rate:({_ID}):([1-5])$"


def end(context: ContextTypes.DEFAULT_TYPE) -> int:
    """End the conversation, forgetting any answer being written."""
    context.chat_data.pop(DRAFT, None)
    return ConversationHandler.END
