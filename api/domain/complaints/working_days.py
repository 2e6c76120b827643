"""Working days (hari kerja) and complaint deadlines.

A working day is any day that is not a Saturday or Sunday, an Indonesian national public
holiday, a *cuti bersama* (collective leave decreed each year by SKB 3 Menteri) known to the
``holidays`` library, or an extra day off configured in ``api/data/cuti_bersama.yaml`` (the
government sometimes adds or moves cuti bersama at short notice, before the library knows).

Days are counted in Asia/Jakarta time (WIB) for every complaint, wherever it comes from:
pilot regions span WIB, WITA and WIT, and one national clock keeps deadlines comparable
across offices. Counting in each office's own zone could be a later refinement.

Deadlines are exclusive bounds. "Within N working days" means until the END of the Nth
working day after the day of submission, represented as the instant ``00:00`` Asia/Jakarta
of the calendar day after that working day, so ``now < deadline`` means on time. The
submission day never counts (even when it is a working day); a complaint filed on a weekend
or holiday counts the next working day as day 1.

Pure: no database, no network. Every instant must be timezone-aware; naive datetimes are
refused with :class:`ValueError`. Only :func:`load_calendar` reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import yaml

__all__ = [
    "DEFAULT_CUTI_BERSAMA_PATH",
    "JAKARTA",
    "last_day",
    "WEEKEND",
    "CalendarConfigError",
    "WorkingCalendar",
    "load_calendar",
]

JAKARTA = ZoneInfo("Asia/Jakarta")
WEEKEND = "weekend"
DEFAULT_CUTI_BERSAMA_PATH = Path(__file__).resolve().parents[2] / "data" / "cuti_bersama.yaml"

_NO_EXTRA_DAYS: Mapping[date, str] = MappingProxyType({})
_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)


class CalendarConfigError(ValueError):
    """The cuti bersama configuration is malformed; the message names the entry."""


class WorkingCalendar:
    """Which days are working days, and deadlines counted in working days (Asia/Jakarta).

    Days off = weekends ∪ public holidays ∪ the library's cuti bersama ∪ ``extra_days_off``
    (date -> name). The days off of a year are computed once, on first use, and cached: build
    one calendar at startup and share it.
    """

    def __init__(self, *, extra_days_off: Mapping[date, str] = _NO_EXTRA_DAYS) -> None:
        for day, name in extra_days_off.items():
            if not isinstance(day, date) or isinstance(day, datetime):
                raise TypeError(f"extra day off {day!r} must be a date, not {type(day).__name__}")
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"extra day off {day.isoformat()} needs a non-empty name")
        self._extra = dict(extra_days_off)
        # year -> {date: name} of non-weekend reasons. Filled lazily; a race between threads
        # only computes the same year twice.
        self._by_year: dict[int, dict[date, str]] = {}

    def _days_off(self, year: int) -> dict[date, str]:
        days = self._by_year.get(year)
        if days is None:
            # Imported by the first year counted, not with the module: the holidays library
            # (with dateutil) is memory every api process would hold, and the routes that
            # count no working days (the statistics exports among them) never need it
            # (docs/performance.md, "Statistics exports").
            import holidays

            # language="id": the official Indonesian names (e.g. "Cuti Bersama Hari Raya
            # Idul Fitri"), independent of the process locale.
            library = holidays.country_holidays(
                "ID", years=year, categories=("public", "government"), language="id"
            )
            days = dict(library)
            # The configuration is the newer word on a day, so its name wins.
            days.update((d, name) for d, name in self._extra.items() if d.year == year)
            self._by_year[year] = days
        return days

    def day_off_reason(self, day: date) -> str | None:
        """Why ``day`` is not a working day, or None if it is one.

        A holiday or cuti bersama name (in Indonesian, or as configured) takes precedence over
        ``"weekend"`` (:data:`WEEKEND`) when a holiday falls on a Saturday or Sunday.
        """
        _require_date(day)
        name = self._days_off(day.year).get(day)
        if name is not None:
            return name
        return WEEKEND if day.weekday() >= 5 else None

    def is_working_day(self, day: date) -> bool:
        """True if ``day`` (a calendar date, not an instant) is a working day."""
        _require_date(day)
        return self._is_working(day)

    def _is_working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._days_off(day.year)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The exclusive deadline "within ``days`` working days" of the instant ``start``.

        Returns ``00:00`` Asia/Jakarta of the calendar day after the ``days``-th working day
        strictly after ``start``'s Jakarta date. ``days`` must be at least 1.
        """
        if days < 1:
            raise ValueError(f"a deadline needs at least 1 working day, got {days}")
        return self._end_of_nth_working_day_after(_jakarta_date(start, "start"), days)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days strictly after ``start``'s Jakarta date up to and including ``end``'s.

        This is how far a pause (the complaint waiting for the citizen) pushes deadlines: a
        pause within one day counts 0, Friday evening to Monday morning counts 1 (Monday).
        Returns 0 if ``end <= start``.
        """
        first = _jakarta_date(start, "start")
        last = _jakarta_date(end, "end")
        if end <= start:
            return 0
        count = 0
        day = first + _ONE_DAY
        while day <= last:
            if self._is_working(day):
                count += 1
            day += _ONE_DAY
        return count

    def shift(self, deadline: datetime, days: int) -> datetime:
        """Move the exclusive ``deadline`` later by ``days`` (>= 0) working days.

        The deadline's last day (the Jakarta date of the instant just before it) is treated
        like a submission day: the result is ``00:00`` Asia/Jakarta after the ``days``-th
        working day after it. ``shift(d, 0)`` returns ``d`` unchanged, and for any deadline
        ``d`` from :meth:`add_working_days`: ``shift(add_working_days(s, a), b) ==
        add_working_days(s, a + b)``.
        """
        if days < 0:
            raise ValueError(f"a deadline can only move later, got {days} working days")
        last_day = _jakarta_date(deadline - _ONE_MICROSECOND, "deadline")
        if days == 0:
            return deadline
        return self._end_of_nth_working_day_after(last_day, days)

    def _end_of_nth_working_day_after(self, day: date, n: int) -> datetime:
        while n > 0:
            day += _ONE_DAY
            if self._is_working(day):
                n -= 1
        return datetime.combine(day + _ONE_DAY, time(0), tzinfo=JAKARTA)


def _require_date(day: date) -> None:
    # datetime is a subclass of date but never equal to one: it would silently miss every
    # holiday, so refuse it rather than guess which zone's date was meant.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(
            f"expected a calendar date, got {type(day).__name__}; for an instant pass "
            "instant.astimezone(JAKARTA).date()"
        )


def _jakarta_date(instant: datetime, what: str) -> date:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got naive {instant!r}")
    return instant.astimezone(JAKARTA).date()


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def load_calendar(path: Path | None = None) -> WorkingCalendar:
    """A calendar with the extra days off of ``path`` (default: api/data/cuti_bersama.yaml).

    The file holds ``days:``, a list of ``{date: YYYY-MM-DD, name: ...}``. Raises
    :class:`CalendarConfigError` (a ValueError) naming the entry that is wrong: a date that
    is not a real YYYY-MM-DD date or falls on a weekend (a likely typo: it would change
    nothing), a missing or empty name, an unknown key, or a date listed twice.
    """
    path = DEFAULT_CUTI_BERSAMA_PATH if path is None else Path(path)
    try:
        # BaseLoader keeps every scalar a string, so a bad date such as 2026-02-30 reaches
        # our validation (and its message naming the entry) instead of failing inside YAML.
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise CalendarConfigError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return WorkingCalendar(extra_days_off=_parse_days(raw))
    except CalendarConfigError as exc:
        raise CalendarConfigError(f"{path}: {exc}") from None


def _parse_days(raw: Any) -> dict[date, str]:
    if not isinstance(raw, dict) or set(raw) != {"days"} or not isinstance(raw["days"], list):
        raise CalendarConfigError("expected a single top-level key 'days' holding a list")
    days: dict[date, str] = {}
    for index, entry in enumerate(raw["days"], start=1):
        where = f"days entry {index} ({entry!r})"
        if not isinstance(entry, dict):
            raise CalendarConfigError(f"{where}: expected a mapping with 'date' and 'name'")
        unknown = set(entry) - {"date", "name"}
        if unknown:
            raise CalendarConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
        text = entry.get("date")
        if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
            raise CalendarConfigError(f"{where}: 'date' must be YYYY-MM-DD, got {text!r}")
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise CalendarConfigError(f"{where}: {text!r} is not a real date ({exc})") from None
        if day.weekday() >= 5:
            raise CalendarConfigError(
                f"{where}: {text} is a {day:%A}; a day off on a weekend changes nothing, "
                "check the date"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CalendarConfigError(f"{where}: needs a non-empty 'name'")
        if day in days:
            raise CalendarConfigError(f"{where}: {text} is already listed")
        days[day] = name.strip()
    return days


def last_day(deadline: datetime) -> date:
    """The last calendar day (in Jakarta) that is still on time for an exclusive deadline."""
    return _jakarta_date(deadline - timedelta(microseconds=1), "deadline")
