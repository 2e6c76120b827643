"""Times in the console: the office's local time, named by its zone (WIB, WITA, WIT)."""

from datetime import UTC, datetime

from api.console import formats
from api.domain.time_zones import WIT, WITA

AT = datetime(2026, 11, 3, 16, 5, tzinfo=UTC)  # 23.05 in Jakarta, past midnight further east


def test_a_moment_is_the_offices_local_time_named_by_its_zone():
    assert formats.moment(AT, "id") == "Selasa, 03 November 2026 23.05 WIB"
    assert formats.moment(AT, "id", WITA) == "Rabu, 04 November 2026 00.05 WITA"
    assert formats.moment(AT, "en", WIT) == "Wednesday, 4 November 2026 01:05 WIT"
