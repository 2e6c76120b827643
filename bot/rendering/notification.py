"""One notification as the chat message that announces it, in the citizen's language.

A complaint notification is one event of the complaint's timeline (the same kinds and notes
``/lacak`` shows): its tracking ID is written as :mod:`bot.rendering.complaint` writes it, and
its note is shortened the same way, so the message fits Telegram's length.
"""

from __future__ import annotations

from typing import Any

import messages
from bot.notifications import Notification
from bot.rendering.complaint import display_tracking_id
from bot.rendering.fitting import MAX_MESSAGE, clip, utf16_length, visible_length
from bot.texts import plain

TOPIC = "bot_notifications"
#: Notification kind -> macro of messages/<locale>/bot_notifications.j2.
KINDS = {
    "complaint.received": "received",
    "complaint.status_changed": "status_changed",
    "complaint.answered": "answered",
    "complaint.info_requested": "info_requested",
    "complaint.reply": "reply",
    "complaint.forwarded": "forwarded",
    "complaint.reopened": "reopened",
    "complaint.closed": "closed",
}
#: Kinds that carry the office's (citizen-visible) note.
_WITH_NOTE = frozenset(KINDS.values()) - {"received"}


class _Once(str):
    """A value unique to one message: kept out of ``messages.render``'s cache (it only caches
    plain ``str``/``int`` values), which would otherwise fill up with staff notes."""


def _status_label(locale: str, status: str) -> str:
    try:
        return plain(messages.render(locale, f"complaints.status_{status}"))
    except messages.UnknownMessage:
        return status


def render_notification(notification: Notification) -> str:
    """The message for a notification, in the citizen's language, at most 4096 characters."""
    payload: dict[str, Any] = notification.payload if isinstance(notification.payload, dict) else {}
    locale = notification.locale
    if notification.kind == "disbursement.updated":
        return _disbursement_message(locale, payload)
    kind = KINDS.get(notification.kind, "updated")
    status = str(payload.get("status") or "")
    params: dict[str, object] = {
        "tracking_id": _Once(display_tracking_id(str(payload.get("tracking_id") or "")))
    }
    if kind in ("status_changed", "updated"):
        params["status"] = _status_label(locale, status)
    if kind == "answered":
        params["resolved"] = status != "REJECTED" and payload.get("action") != "reject"
    if kind not in _WITH_NOTE:
        return messages.render(locale, f"{TOPIC}.{kind}", **params)
    note = payload.get("note")
    note = note.strip() if isinstance(note, str) else ""
    return _fitted(locale, kind, params, note)


def _disbursement_message(locale: str, stage: dict[str, Any]) -> str:
    """ "Your aid moved": one stage of one tahap, labelled in the citizen's language."""

    def label(key: str, **params: object) -> str:
        return plain(messages.render(locale, key, **params))

    return messages.render(
        locale,
        f"{TOPIC}.disbursement_updated",
        programme=label("eligibility.programme_name", code=str(stage.get("programme", ""))),
        tahap=label(
            "disbursement.tahap",
            number=int(stage.get("tahap") or 0),
            year=int(stage.get("year") or 0),
        ),
        stage=label("disbursement.stage", code=str(stage.get("stage", ""))),
        status=label("disbursement.status", code=str(stage.get("status", ""))),
        channel=label("disbursement.channel", code=str(stage.get("channel", ""))),
        amount=int(stage.get("amount") or 0),
        date=str(stage.get("date", "")),
    )


def _fitted(locale: str, kind: str, params: dict[str, object], note: str) -> str:
    """Render with the note, shortened with "…" until the message fits."""
    text = messages.render(locale, f"{TOPIC}.{kind}", **params, note=_Once(note) or None)
    for _ in range(8):  # escaping can make a shortened note's markup differ: measure again
        excess = visible_length(text) - MAX_MESSAGE
        if excess <= 0 or len(note) <= 1:
            break
        note = clip(note, utf16_length(note) - excess)
        text = messages.render(locale, f"{TOPIC}.{kind}", **params, note=_Once(note))
    return text
