"""Times in the console: the office's local time, named by its zone (WIB, WITA, WIT); and
statistics figures written as their kind is read."""

from datetime import UTC, date, datetime

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from api.console import formats
from api.domain.statistics.tables import Kind
from api.domain.time_zones import WIT, WITA

AT = datetime(2026, 11, 3, 16, 5, tzinfo=UTC)  # 23.05 in Jakarta, past midnight further east


def test_a_moment_is_the_offices_local_time_named_by_its_zone():
    assert formats.moment(AT, "id") == "Selasa, 03 November 2026 23.05 WIB"
    assert formats.moment(AT, "id", WITA) == "Rabu, 04 November 2026 00.05 WITA"
    assert formats.moment(AT, "en", WIT) == "Wednesday, 4 November 2026 01:05 WIT"


@pytest.mark.parametrize(
    ("value", "kind", "locale", "shown"),
    [
        (1234567, Kind.COUNT, "id", "1.234.567"),
        (1234567, Kind.COUNT, "en", "1,234,567"),
        (0.875, Kind.SHARE, "id", "87,5%"),
        (0.875, Kind.SHARE, "en", "87.5%"),
        (3.85, Kind.MEAN, "id", "3,8"),
        (12, Kind.DAYS, "id", "12"),
        (date(2026, 11, 30), Kind.DATE, "id", "30 Nov 2026"),
        (None, Kind.DAYS, "id", "–"),
        (None, Kind.SHARE, "en", "–"),
    ],
)
def test_a_statistics_figure_is_written_as_its_kind_in_the_members_language(
    value, kind, locale, shown
):
    assert formats.figure(value, kind, locale) == shown


def test_a_change_carries_its_sign_and_nothing_when_there_is_none():
    assert formats.change(0.125, "id") == "+12,5%"
    assert formats.change(-0.03, "en") == "−3.0%"
    assert formats.change(None, "id") == ""


@given(st.integers(-(10**12), 10**12), st.sampled_from(["id", "en"]))
def test_a_whole_count_reads_exactly_as_babel_writes_it(value, locale):
    assert formats.figure(value, Kind.COUNT, locale) == format_decimal(
        value, locale={"id": "id_ID", "en": "en_GB"}[locale]
    )
