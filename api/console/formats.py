"""Dates, times, numbers and money as the member reads them, through babel (CLDR data):
"Jumat, 11 Desember 2026", "14.05 WITA", "Rp50.000", "1.234". Never hand-written.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, format_percent, parse_pattern

from api.domain.statistics.tables import Kind
from api.domain.time_zones import WIB, TimeZone

_BABEL_LOCALE = {"id": "id_ID", "en": "en_GB"}


def _babel(locale: str) -> str:
    return _BABEL_LOCALE.get(locale, "id_ID")


@cache
def _locale(locale: str) -> Locale:
    return Locale.parse(_babel(locale))


@cache
def _grouping(locale: str) -> tuple[str, str] | None:
    """The locale's group and minus symbols (CLDR) when its decimal pattern groups digits
    plainly by three; None otherwise (then babel formats every number)."""
    if parse_pattern(_locale(locale).decimal_formats[None]).grouping != (3, 3):
        return None
    symbols = _locale(locale).number_symbols["latn"]
    return symbols["group"], symbols["minusSign"]


def _whole(value: int, locale: str) -> str:
    """A whole number exactly as babel writes it, fast: a statistics page writes thousands
    of them, and babel's general path (locale lookup, Decimal quantizing) costs ~50 µs each."""
    symbols = _grouping(locale)
    if symbols is None:
        return format_decimal(value, locale=_locale(locale))
    group, minus = symbols
    digits = f"{abs(value):,}".replace(",", group)
    return minus + digits if value < 0 else digits


def day(value: date | datetime | None, locale: str, zone: TimeZone = WIB) -> str:
    """ "Jumat, 11 Desember 2026" (an instant is read in ``zone``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone.zone).date()
    return format_date(value, format="full", locale=_babel(locale))


def month(value: date, locale: str) -> str:
    """ "Desember 2026" (a month of a table)."""
    return format_date(value, format="LLLL yyyy", locale=_babel(locale))


def percent(value: float, locale: str) -> str:
    """ "88%" (a share, whole per cent)."""
    return format_percent(value, locale=_babel(locale))


def short_day(value: datetime | None, locale: str, zone: TimeZone = WIB) -> str:
    """ "11 Des 2026" (for tables)."""
    if value is None:
        return ""
    return format_date(value.astimezone(zone.zone).date(), format="medium", locale=_babel(locale))


def moment(value: datetime | None, locale: str, zone: TimeZone = WIB) -> str:
    """ "Jumat, 11 Desember 2026 14.05 WITA": an instant in the office's zone, named."""
    if value is None:
        return ""
    local = value.astimezone(zone.zone)
    clock = format_time(local, format="short", locale=_babel(locale))
    return f"{day(local.date(), locale)} {clock} {zone.abbreviation}"


def number(value: int | float, locale: str) -> str:
    return format_decimal(value, locale=_babel(locale))


def money(amount: int | float, locale: str) -> str:
    """ "Rp50.000" (rupiah have no minor unit in practice)."""
    return format_currency(
        amount, "IDR", format="¤#,##0", currency_digits=False, locale=_babel(locale)
    )


def figure(value, kind: Kind, locale: str) -> str:
    """A statistics value as its column's kind is read: "1.234", "87,5%", "4", "3,8";
    "–" where there is nothing to show (a median of nothing, a share of zero)."""
    if value is None:
        return "–"
    if kind is Kind.SHARE:
        return format_decimal(value * 100, format="#,##0.0", locale=_locale(locale)) + "%"
    if kind in (Kind.MEAN, Kind.RATE):
        return format_decimal(value, format="#,##0.0", locale=_locale(locale))
    if kind is Kind.DATE:
        return format_date(value, format="medium", locale=_babel(locale))
    if kind in (Kind.COUNT, Kind.DAYS, Kind.HOURS):
        if isinstance(value, int):
            return _whole(value, locale)
        return format_decimal(value, locale=_locale(locale))
    return str(value)


def change(ratio: float | None, locale: str) -> str:
    """A relative change with its sign: "+12,5%", "−3,0%"; "" when there is none."""
    if ratio is None:
        return ""
    return format_decimal(ratio * 100, format="+#,##0.0;−#,##0.0", locale=_babel(locale)) + "%"


def trend_points(days: list[date], locale: str) -> list[str]:
    """A trend's axis: "1 Nov" per day or week, "Nov 2026" per month (the points' spacing
    says which)."""
    monthly = len(days) > 1 and (days[1] - days[0]).days >= 28
    pattern = "MMM y" if monthly else "d MMM"
    return [format_date(day, format=pattern, locale=_babel(locale)) for day in days]
