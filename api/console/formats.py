"""Dates, times, numbers and money as the member reads them, through babel (CLDR data):
"Jumat, 11 Desember 2026", "14.05 WITA", "Rp50.000", "1.234". Never hand-written.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

from api.domain.statistics.tables import Kind
from api.domain.time_zones import WIB, TimeZone

_BABEL_LOCALE = {"id": "id_ID", "en": "en_GB"}


def _babel(locale: str) -> str:
    return _BABEL_LOCALE.get(locale, "id_ID")


def day(value: date | datetime | None, locale: str, zone: TimeZone = WIB) -> str:
    """ "Jumat, 11 Desember 2026" (an instant is read in ``zone``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone.zone).date()
    return format_date(value, format="full", locale=_babel(locale))


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
        return format_decimal(value * 100, format="#,##0.0", locale=_babel(locale)) + "%"
    if kind in (Kind.MEAN, Kind.RATE):
        return format_decimal(value, format="#,##0.0", locale=_babel(locale))
    if kind is Kind.DATE:
        return format_date(value, format="medium", locale=_babel(locale))
    if kind in (Kind.COUNT, Kind.DAYS):
        return format_decimal(value, locale=_babel(locale))
    return str(value)


def change(ratio: float | None, locale: str) -> str:
    """A relative change with its sign: "+12,5%", "−3,0%"; "" when there is none."""
    if ratio is None:
        return ""
    return format_decimal(ratio * 100, format="+#,##0.0;−#,##0.0", locale=_babel(locale)) + "%"
