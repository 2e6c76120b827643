"""Indonesia's three time zones, and which one an office (by its province) keeps.

Deadlines are counted on one national clock (Asia/Jakarta; see working_days); the console
shows each one, and "today", in the office's own zone so a handler in Jayapura reads 02.00
WIT where Jakarta reads midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class TimeZone:
    abbreviation: str  # WIB, WITA, WIT: what Indonesians write after a time
    zone: ZoneInfo


WIB = TimeZone("WIB", ZoneInfo("Asia/Jakarta"))
WITA = TimeZone("WITA", ZoneInfo("Asia/Makassar"))
WIT = TimeZone("WIT", ZoneInfo("Asia/Jayapura"))

# Province codes (Kemendagri) east of WIB. Kalimantan Barat (61) and Tengah (62) keep WIB.
_WITA = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
_WIT = frozenset({"81", "82", "91", "92", "93", "94", "95", "96", "97"})


def zone_of_province(province_code: str | None) -> TimeZone:
    """The zone of a province (WIB for the national desks, which have none)."""
    if province_code in _WITA:
        return WITA
    if province_code in _WIT:
        return WIT
    return WIB
