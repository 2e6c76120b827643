"""The one statistics filter as a URL carries it: pages, JSON API and exports read it alike.

A view is shared by its address, so every part of the filter is a query parameter:

=============  ==========================================================================
``from``       first day, ``YYYY-MM-DD`` (Asia/Jakarta); default: 29 days before ``to``
``to``         last day, inclusive; default: today
``basis``      ``event`` (default): count what happened in the period; ``cohort``: follow
               the complaints filed in the period's months, whenever things happened to them
``region``     a coordination region's code (``WK1`` …)
``province``   2 digits, ``regency`` 4 digits, ``district`` (kecamatan) 6 digits
``office``     an office's code
``category``, ``programme``, ``channel``
=============  ==========================================================================

Nothing in it can select a person: there is no reporter, NIK or free-text parameter.
Malformed values are refused with the parameter's name and what is wrong (never dropped:
a figure read under a filter other than the one asked for would mislead); whether a code
exists is the application's check, which knows the directory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from enum import StrEnum

from api.domain.statistics.queries import StatFilter

#: The longest period one view may cover: a figure over more is better read by month.
MAX_DAYS = 3 * 366
DEFAULT_DAYS = 30


class Basis(StrEnum):
    EVENT = "event"
    COHORT = "cohort"


class Granularity(StrEnum):
    """How a trend is drawn: one point per day for a month, per week up to half a year,
    per month beyond (and always per month for a cohort, which is kept by month)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


#: URL parameter → StatFilter field, for the dimensions.
PARAMETERS = {
    "region": "coordination_region_code",
    "province": "province_code",
    "regency": "regency_code",
    "district": "district_code",
    "office": "office_code",
    "category": "category_code",
    "programme": "programme",
    "channel": "channel",
}
_SHAPES = {
    "region": re.compile(r"[A-Z0-9_-]{1,16}"),
    "province": re.compile(r"\d{2}"),
    "regency": re.compile(r"\d{4}"),
    "district": re.compile(r"\d{6}"),
    "office": re.compile(r"[A-Z0-9_.-]{1,32}"),
    "category": re.compile(r"[A-Z0-9_]{1,32}"),
    "programme": re.compile(r"[A-Z0-9_]{1,16}"),
    # A channel is named by whoever made its key: any printable text.
    "channel": re.compile(r"[^\x00-\x1f\x7f]{1,64}"),
}
#: Every parameter the filter reads; others in a URL are left to the page (paging, format).
NAMES = ("from", "to", "basis", *PARAMETERS)


@dataclass(frozen=True)
class FilterProblem(Exception):
    """``parameter`` is wrong: ``code`` says how (a message key's last part)."""

    parameter: str
    code: str  # "bad_date", "reversed", "too_long", "bad_basis", "bad_code", "mismatch"

    def __str__(self) -> str:
        return f"{self.parameter}: {self.code}"


def parse_filter(params: Mapping[str, str], *, today: date) -> StatFilter:
    """The filter ``params`` asks for; :class:`FilterProblem` for the first thing wrong."""
    given = {name: params[name].strip() for name in NAMES if params.get(name, "").strip()}
    end = _day(given, "to") or today
    start = _day(given, "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise FilterProblem("from", "reversed")
    if (end - start).days + 1 > MAX_DAYS:
        raise FilterProblem("from", "too_long")
    try:
        basis = Basis(given.get("basis", Basis.EVENT))
    except ValueError:
        raise FilterProblem("basis", "bad_basis") from None
    dimensions: dict[str, str] = {}
    for parameter, field_name in PARAMETERS.items():
        value = given.get(parameter)
        if value is None:
            continue
        if parameter != "channel":
            value = value.upper()
        if not _SHAPES[parameter].fullmatch(value):
            raise FilterProblem(parameter, "bad_code")
        dimensions[field_name] = value
    _check_places_nest(dimensions)
    return StatFilter(start=start, end=end, cohort=basis is Basis.COHORT, **dimensions)


def filter_params(where: StatFilter) -> dict[str, str]:
    """The URL parameters of ``where`` (the inverse of :func:`parse_filter`)."""
    params = {"from": where.start.isoformat(), "to": where.end.isoformat()}
    if where.cohort:
        params["basis"] = Basis.COHORT.value
    for parameter, field_name in PARAMETERS.items():
        value = getattr(where, field_name)
        if value is not None:
            params[parameter] = value
    return params


def previous_period(where: StatFilter) -> StatFilter:
    """The same filter over the period just before, of the same length (whole months for a
    cohort, so a month is compared with the month before)."""
    if where.cohort:
        first = where.start.replace(day=1)
        months = _months_between(first, where.end) + 1
        start = _add_months(first, -months)
        end = first - timedelta(days=1)
        return replace(where, start=start, end=end)
    length = (where.end - where.start).days + 1
    return replace(
        where,
        start=where.start - timedelta(days=length),
        end=where.start - timedelta(days=1),
    )


def granularity(where: StatFilter) -> Granularity:
    days = (where.end - where.start).days + 1
    if where.cohort or days > 183:
        return Granularity.MONTH
    if days > 62:
        return Granularity.WEEK
    return Granularity.DAY


def period_start(day: date, step: Granularity) -> date:
    """The first day of the trend point ``day`` falls in (weeks start on Monday)."""
    if step is Granularity.MONTH:
        return day.replace(day=1)
    if step is Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    return day


def points(where: StatFilter) -> list[date]:
    """Every trend point of the period, empty ones included (a gap is a zero, not a jump)."""
    step = granularity(where)
    found: list[date] = []
    day = period_start(where.start, step)
    while day <= where.end:
        found.append(day)
        day = _next(day, step)
    return found


def dimensions_of(where: StatFilter) -> dict[str, str]:
    """The dimensions ``where`` narrows (field → value)."""
    return {
        f.name: getattr(where, f.name)
        for f in fields(where)
        if f.name in PARAMETERS.values() and getattr(where, f.name) is not None
    }


def _day(given: Mapping[str, str], name: str) -> date | None:
    if name not in given:
        return None
    try:
        return date.fromisoformat(given[name])
    except ValueError:
        raise FilterProblem(name, "bad_date") from None


def _check_places_nest(dimensions: Mapping[str, str]) -> None:
    """A kecamatan must lie in the kab/kota asked for, a kab/kota in the province."""
    district = dimensions.get("district_code")
    regency = dimensions.get("regency_code")
    province = dimensions.get("province_code")
    if district and regency and not district.startswith(regency):
        raise FilterProblem("district", "mismatch")
    if regency and province and not regency.startswith(province):
        raise FilterProblem("regency", "mismatch")
    if district and province and not district.startswith(province):
        raise FilterProblem("district", "mismatch")


def _next(day: date, step: Granularity) -> date:
    if step is Granularity.MONTH:
        return _add_months(day, 1)
    return day + timedelta(days=7 if step is Granularity.WEEK else 1)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month
