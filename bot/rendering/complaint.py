"""One complaint as one chat message: its status, office, deadline and public timeline.

The api sends what the citizen may see (labels in the citizen's language, the public
timeline, ``citizen_actions``); this module only lays it out, within Telegram's length: the
newest timeline entries are kept, the older ones counted.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import messages
from bot.rendering.fitting import MAX_MESSAGE, clip, visible_length
from bot.texts import plain

JAKARTA = ZoneInfo("Asia/Jakarta")
#: Indonesia's zones by the name written after a time; the api says which one a complaint's
#: office keeps (``time_zone``), and each time is shown there, with that name.
ZONES = {
    "WIB": JAKARTA,
    "WITA": ZoneInfo("Asia/Makassar"),
    "WIT": ZoneInfo("Asia/Jayapura"),
}
#: Statuses in which the office's resolve deadline runs.
OPEN_STATUSES = frozenset({"RECEIVED", "VERIFIED", "IN_PROGRESS"})
#: How much of the complaint's own description the message repeats.
DESCRIPTION_PREVIEW = 300


def tell(locale: str, key: str, /, **params: object) -> str:
    """A sentence of messages/<locale>/bot_tracking.j2."""
    return messages.render(locale, f"bot_tracking.{key}", **params)


def display_tracking_id(tracking_id: str) -> str:
    """``7K3M9QX2P`` -> ``7K3-M9Q-X2P`` (groups of three)."""
    compact = re.sub(r"[\s-]", "", tracking_id).upper()
    return "-".join(compact[i : i + 3] for i in range(0, len(compact), 3))


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def last_on_time_day(deadline: str) -> date:
    """The last day (in Jakarta) still on time for an exclusive deadline instant."""
    return (_instant(deadline) - timedelta(microseconds=1)).astimezone(JAKARTA).date()


def long_date(deadline: str, locale: str) -> str:
    """The last day still on time for ``deadline``, written out in the citizen's language."""
    return plain(messages.long_date(locale, last_on_time_day(deadline)))


def short_date(value: str, locale: str) -> str:
    moment = _instant(value).astimezone(JAKARTA)
    return plain(tell(locale, "short_date", day=moment.day, month=moment.month, year=moment.year))


def _when(value: str, locale: str, zone: str) -> str:
    """``value`` as the local time of ``zone`` (WIB, WITA, WIT), named: "9 Des 2026, 14.05 WITA"."""
    zone = zone if zone in ZONES else "WIB"
    moment = _instant(value).astimezone(ZONES[zone])
    return plain(
        tell(
            locale,
            "when",
            day=moment.day,
            month=moment.month,
            year=moment.year,
            hour=moment.hour,
            minute=moment.minute,
            zone=zone,
        )
    )


def _entry(entry: dict, locale: str, zone: str, *, note: str | None = None) -> str:
    office = entry.get("office") or {}
    return tell(
        locale,
        "entry",
        when=_when(entry["at"], locale, zone),
        kind=entry["kind"],
        status=plain(entry.get("status_label")) or None,
        office=office.get("name"),
        note=entry.get("note") if note is None else note,
    )


def render_timeline(timeline: list[dict], locale: str, budget: int, zone: str = "WIB") -> str:
    """The title and as many of the newest entries as fit in ``budget``, oldest first."""
    title = tell(locale, "timeline_title")
    used = visible_length(title)
    older = visible_length(tell(locale, "timeline_older", count=len(timeline))) + 1
    shown: list[str] = []
    for position, entry in enumerate(reversed(timeline)):
        text = _entry(entry, locale, zone)
        reserve = older if position + 1 < len(timeline) else 0
        if used + 1 + visible_length(text) + reserve > budget:
            if not shown:  # the newest entry alone is too long: shorten its note
                room = (
                    budget
                    - used
                    - 1
                    - reserve
                    - visible_length(_entry(entry, locale, zone, note="x"))
                )
                text = _entry(entry, locale, zone, note=clip(entry.get("note") or "", room + 1))
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
    """One complaint (the api's answer) as one chat message of at most ``limit`` characters."""
    status = complaint["status"]
    head = [
        tell(
            locale,
            "detail",
            tracking_id=complaint["tracking_id_display"],
            category=complaint["category_label"],
            status=plain(complaint["status_label"]),
            office=complaint["office"]["name"],
            description=clip(complaint["description"], DESCRIPTION_PREVIEW),
        )
    ]
    if status in OPEN_STATUSES:
        head.append(
            tell(locale, "deadline", date=long_date(complaint["deadlines"]["resolve"], locale))
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
        filter(
            None,
            [
                top,
                render_timeline(
                    complaint["timeline"], locale, budget, complaint.get("time_zone", "WIB")
                ),
                bottom,
            ],
        )
    )
