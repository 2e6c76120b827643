"""Working days and complaint deadlines (api/domain/complaints/working_days.py).

Expected dates are worked out by hand from the calendar in each test's comments. Days off
come from the `holidays` library (0.109) plus api/data/cuti_bersama.yaml. Deadlines are
exclusive: 00:00 Asia/Jakarta of the day after the last working day.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.domain.complaints.working_days import (
    DEFAULT_CUTI_BERSAMA_PATH,
    JAKARTA,
    WEEKEND,
    CalendarConfigError,
    WorkingCalendar,
    last_day,
    load_calendar,
)
from messages import long_date

JAYAPURA = ZoneInfo("Asia/Jayapura")  # WIT, UTC+9
MAKASSAR = ZoneInfo("Asia/Makassar")  # WITA, UTC+8

CAL = WorkingCalendar()


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


# --- which days are off -------------------------------------------------------------------


def test_weekdays_are_working_days_and_weekends_are_not():
    # July 2026 has no holiday. 2026-07-10 is a Friday.
    assert CAL.is_working_day(date(2026, 7, 10))
    assert not CAL.is_working_day(date(2026, 7, 11))
    assert not CAL.is_working_day(date(2026, 7, 12))
    assert CAL.day_off_reason(date(2026, 7, 11)) == WEEKEND == "weekend"
    assert CAL.day_off_reason(date(2026, 7, 10)) is None


def test_lebaran_2026_public_holidays_and_cuti_bersama_are_days_off_with_their_names():
    # Idul Fitri 2026: public holidays Sat 21 and Sun 22 March, cuti bersama Fri 20,
    # Mon 23 and Tue 24 March. Wed 25 is a working day again.
    for day in (20, 21, 22, 23, 24):
        assert not CAL.is_working_day(date(2026, 3, day)), day
        assert "Idul Fitri" in CAL.day_off_reason(date(2026, 3, day))
    assert "Cuti Bersama" in CAL.day_off_reason(date(2026, 3, 20))
    # A holiday on a Saturday is reported by its name, not as a weekend.
    assert CAL.day_off_reason(date(2026, 3, 21)) != WEEKEND
    assert CAL.is_working_day(date(2026, 3, 25))


def test_calendar_refuses_a_datetime_where_a_date_is_meant():
    with pytest.raises(TypeError, match="calendar date"):
        CAL.is_working_day(datetime(2026, 3, 20, tzinfo=JAKARTA))
    with pytest.raises(TypeError) as caught:
        CAL.day_off_reason(datetime(2026, 3, 20, tzinfo=JAKARTA))
    # The message tells the developer how to get the date that was meant.
    assert str(caught.value) == (
        "expected a calendar date, got datetime; for an instant pass "
        "instant.astimezone(JAKARTA).date()"
    )


def test_the_days_off_of_a_year_are_worked_out_once(monkeypatch):
    # The library itself: the calendar imports it on first use (not with the module).
    import holidays

    asked = []
    library = holidays.country_holidays

    def counting(country, *, years: int, **options):
        asked.append(years)
        return library(country, years=years, **options)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    cal = WorkingCalendar()
    for day in range(1, 32):
        cal.is_working_day(date(2026, 12, day))
    cal.add_working_days(wib(2026, 12, 14, 10), 14)

    assert asked == [2026, 2027]


# --- deadlines ----------------------------------------------------------------------------


def test_deadline_skips_weekends_and_does_not_count_the_submission_day():
    # Filed Mon 2026-07-06. Day 1 Tue 7, 2 Wed 8, 3 Thu 9, 4 Fri 10, (Sat, Sun), 5 Mon 13.
    assert CAL.add_working_days(wib(2026, 7, 6, 10), 5) == wib(2026, 7, 14)
    # Filed at the very first instant of Monday: Monday still does not count.
    assert CAL.add_working_days(wib(2026, 7, 6), 1) == wib(2026, 7, 8)


def test_friday_afternoon_complaint_must_be_verified_by_the_end_of_wednesday():
    # Filed Fri 2026-07-10 15:30. Day 1 Mon 13, 2 Tue 14, 3 Wed 15: due by end of Wednesday.
    deadline = CAL.add_working_days(wib(2026, 7, 10, 15, 30), 3)
    assert deadline == wib(2026, 7, 16)
    assert wib(2026, 7, 15, 23, 59) < deadline  # late Wednesday evening is still on time


def test_complaint_filed_on_saturday_counts_monday_as_day_one():
    # Filed Sat 2026-07-11 (or Sun 12). Day 1 Mon 13, 2 Tue 14, 3 Wed 15.
    assert CAL.add_working_days(wib(2026, 7, 11, 9), 3) == wib(2026, 7, 16)
    assert CAL.add_working_days(wib(2026, 7, 12, 21), 1) == wib(2026, 7, 14)


def test_deadline_skips_nyepi_eid_al_fitr_and_their_cuti_bersama():
    # March 2026: Wed 18 cuti bersama Nyepi, Thu 19 Nyepi, Fri 20 cuti bersama Idul Fitri,
    # Sat 21 / Sun 22 Idul Fitri, Mon 23 and Tue 24 cuti bersama Idul Fitri.
    # Filed Tue 17: day 1 Wed 25, 2 Thu 26, 3 Fri 27.
    assert CAL.add_working_days(wib(2026, 3, 17, 10), 3) == wib(2026, 3, 28)
    # 5 days: ... 3 Fri 27, (Sat, Sun), 4 Mon 30, 5 Tue 31.
    assert CAL.add_working_days(wib(2026, 3, 17, 10), 5) == wib(2026, 4, 1)
    # Filed Mon 16: day 1 Tue 17, then 2 Wed 25, 3 Thu 26.
    assert CAL.add_working_days(wib(2026, 3, 16, 10), 3) == wib(2026, 3, 27)


def test_deadline_skips_a_configured_extra_cuti_bersama_day():
    cal = WorkingCalendar(extra_days_off={date(2026, 7, 14): "Cuti bersama tambahan (uji)"})
    assert not cal.is_working_day(date(2026, 7, 14))
    assert cal.day_off_reason(date(2026, 7, 14)) == "Cuti bersama tambahan (uji)"
    # Filed Fri 2026-07-10: day 1 Mon 13, (Tue 14 off), 2 Wed 15, 3 Thu 16.
    assert cal.add_working_days(wib(2026, 7, 10, 15), 3) == wib(2026, 7, 17)
    # The shared calendar without that configuration is unaffected.
    assert CAL.add_working_days(wib(2026, 7, 10, 15), 3) == wib(2026, 7, 16)


def test_year_end_days_off_2026_are_known():
    # Preconditions of the two year-end tests, so a change in the library's data shows here.
    assert not CAL.is_working_day(date(2026, 12, 24))  # Thu, cuti bersama Natal
    assert not CAL.is_working_day(date(2026, 12, 25))  # Fri, Natal
    assert not CAL.is_working_day(date(2027, 1, 1))  # Fri, Tahun Baru
    assert not CAL.is_working_day(date(2027, 1, 5))  # Tue, Isra Mikraj 2027
    assert CAL.is_working_day(date(2026, 12, 31))  # Thu, not a cuti bersama in 2026


def test_14_day_deadline_skips_christmas_its_cuti_bersama_and_new_year():
    # Filed Mon 2026-12-14. Dec: 1 Tue 15, 2 Wed 16, 3 Thu 17, 4 Fri 18, 5 Mon 21, 6 Tue 22,
    # 7 Wed 23, (Thu 24 cuti bersama, Fri 25 Natal), 8 Mon 28, 9 Tue 29, 10 Wed 30,
    # 11 Thu 31. Jan 2027: (Fri 1 Tahun Baru), 12 Mon 4, (Tue 5 Isra Mikraj), 13 Wed 6,
    # 14 Thu 7.
    assert CAL.add_working_days(wib(2026, 12, 14, 10), 14) == wib(2027, 1, 8)


def test_60_day_field_check_deadline_runs_across_the_year_end():
    # Filed Mon 2026-11-02 (no holiday in November). Working days counted per week:
    # Nov 3-6: 4, Nov 9-13: 9, 16-20: 14, 23-27: 19, Nov 30-Dec 4: 24, Dec 7-11: 29,
    # 14-18: 34, 21-23: 37 (24 cuti bersama, 25 Natal), 28-31: 41, (Jan 1 off) Jan 4: 42,
    # (Jan 5 off) 6-8: 45, 11-15: 50, 18-22: 55, 25-29: 60 -> last day Fri 2027-01-29.
    assert CAL.add_working_days(wib(2026, 11, 2, 10), 60) == wib(2027, 1, 30)


def test_days_are_counted_in_jakarta_even_when_utc_is_still_the_previous_day():
    # Thu 2026-07-09 18:30 UTC is already Fri 2026-07-10 01:30 WIB: Friday is the
    # submission day, so day 1 Mon 13, 2 Tue 14, 3 Wed 15. (Counting from the UTC date
    # would wrongly make Friday day 1 and end on Tuesday.)
    deadline = CAL.add_working_days(datetime(2026, 7, 9, 18, 30, tzinfo=UTC), 3)
    assert deadline == wib(2026, 7, 16)
    assert deadline == datetime(2026, 7, 15, 17, 0, tzinfo=UTC)
    # Fri 2026-07-10 17:30 UTC is Sat 00:30 WIB: filed on Saturday, Monday is day 1.
    assert CAL.add_working_days(datetime(2026, 7, 10, 17, 30, tzinfo=UTC), 1) == wib(2026, 7, 14)


def test_days_are_counted_in_jakarta_even_for_a_complaint_made_in_wit():
    # Tue 2026-07-14 01:00 WIT (Papua) is still Mon 13 23:00 WIB: submission day Monday.
    assert CAL.add_working_days(datetime(2026, 7, 14, 1, tzinfo=JAYAPURA), 1) == wib(2026, 7, 15)


def test_deadline_is_midnight_jakarta_and_zero_or_negative_days_are_refused():
    deadline = CAL.add_working_days(datetime(2026, 7, 6, 10, tzinfo=MAKASSAR), 3)
    assert deadline.tzinfo == JAKARTA
    assert (deadline.hour, deadline.minute, deadline.second, deadline.microsecond) == (0, 0, 0, 0)
    for days in (0, -1):
        with pytest.raises(ValueError, match="at least 1 working day"):
            CAL.add_working_days(wib(2026, 7, 6), days)


# --- pausing: "needs information from the citizen" ----------------------------------------


def test_pause_within_one_day_counts_no_working_day():
    assert CAL.working_days_between(wib(2026, 7, 6, 9), wib(2026, 7, 6, 16)) == 0


def test_pause_from_friday_evening_to_monday_morning_counts_monday_only():
    assert CAL.working_days_between(wib(2026, 7, 10, 18), wib(2026, 7, 13, 8)) == 1
    # Started on Saturday: Monday still counts once.
    assert CAL.working_days_between(wib(2026, 7, 11, 10), wib(2026, 7, 13, 8)) == 1


def test_pause_across_christmas_skips_the_weekend_the_holiday_and_its_cuti_bersama():
    # Wed 2026-12-23 -> Tue 29: (Thu 24 cuti bersama, Fri 25 Natal, Sat, Sun), Mon 28, Tue 29.
    assert CAL.working_days_between(wib(2026, 12, 23, 10), wib(2026, 12, 29, 9)) == 2


def test_pause_that_ends_before_it_starts_counts_zero():
    assert CAL.working_days_between(wib(2026, 7, 13, 8), wib(2026, 7, 10, 18)) == 0
    assert CAL.working_days_between(wib(2026, 7, 13, 8), wib(2026, 7, 13, 8)) == 0


def test_pause_is_counted_in_jakarta_days():
    # Mon 2026-07-13 16:30 UTC = 23:30 WIB Monday; 17:30 UTC = 00:30 WIB Tuesday.
    start = datetime(2026, 7, 13, 16, 30, tzinfo=UTC)
    assert CAL.working_days_between(start, datetime(2026, 7, 13, 16, 59, tzinfo=UTC)) == 0
    assert CAL.working_days_between(start, datetime(2026, 7, 13, 17, 30, tzinfo=UTC)) == 1


def test_shift_moves_a_deadline_later_by_working_days():
    # Deadline end of Wed 2026-12-23; 2 more working days: (24, 25, 26, 27 off) Mon 28, Tue 29.
    assert CAL.shift(wib(2026, 12, 24), 2) == wib(2026, 12, 30)
    # The same instant given in UTC.
    assert CAL.shift(datetime(2026, 12, 23, 17, tzinfo=UTC), 2) == wib(2026, 12, 30)
    # Deadline end of Fri 2026-07-10, 1 day: Mon 13.
    assert CAL.shift(wib(2026, 7, 11), 1) == wib(2026, 7, 14)


def test_shift_by_zero_keeps_the_deadline_and_negative_shift_is_refused():
    deadline = wib(2026, 7, 16)
    assert CAL.shift(deadline, 0) == deadline
    with pytest.raises(ValueError, match="only move later"):
        CAL.shift(deadline, -1)


def test_a_paused_complaint_gets_its_follow_up_deadline_pushed_by_the_pause():
    # Filed Fri 2026-12-18; 5-day follow-up: 1 Mon 21, 2 Tue 22, 3 Wed 23, (24-27 off),
    # 4 Mon 28, 5 Tue 29 -> due end of Tue 29.
    filed = wib(2026, 12, 18, 10)
    follow_up = CAL.add_working_days(filed, 5)
    assert follow_up == wib(2026, 12, 30)
    # Waiting for the citizen from Tue 22 11:00 to Mon 28 14:00: Wed 23 and Mon 28 elapse.
    paused = CAL.working_days_between(wib(2026, 12, 22, 11), wib(2026, 12, 28, 14))
    assert paused == 2
    # Two more working days after Tue 29: Wed 30, Thu 31 -> due end of Thu 31.
    assert CAL.shift(follow_up, paused) == wib(2027, 1, 1)


# --- the last on-time day, as shown to citizens ---------------------------------------------


def test_the_last_day_of_an_exclusive_deadline_is_the_day_before_its_midnight():
    assert last_day(wib(2026, 7, 14)) == date(2026, 7, 13)
    # The same instant in UTC (17:00 the day before) and in WIT: the day is Jakarta's.
    assert last_day(datetime(2026, 7, 13, 17, tzinfo=UTC)) == date(2026, 7, 13)
    assert last_day(datetime(2026, 7, 14, 2, tzinfo=JAYAPURA)) == date(2026, 7, 13)
    # Any later instant of the 14th leaves the whole 14th on time.
    assert last_day(wib(2026, 7, 14) + timedelta(microseconds=1)) == date(2026, 7, 14)
    assert last_day(wib(2026, 7, 14, 23, 59)) == date(2026, 7, 14)


def test_the_last_day_of_a_deadline_at_new_year_is_31_december():
    assert last_day(wib(2027, 1, 1)) == date(2026, 12, 31)
    assert last_day(datetime(2026, 12, 31, 17, tzinfo=UTC)) == date(2026, 12, 31)


def test_the_last_day_refuses_a_naive_deadline():
    with pytest.raises(ValueError, match="deadline must be a timezone-aware"):
        last_day(datetime(2026, 7, 14))


# Filed when, within how many working days -> the last day the citizen is told, worked out
# by hand from the calendar above.
SHOWN_DEADLINES = [
    # Across a weekend: filed Fri 10 July; Mon 13, Tue 14, Wed 15.
    (wib(2026, 7, 10, 15, 30), 3, date(2026, 7, 15), "Rabu, 15 Juli 2026"),
    # Across Nyepi and Idul Fitri: filed Tue 17 March; 18-24 off, Wed 25, Thu 26, Fri 27.
    (wib(2026, 3, 17, 10), 3, date(2026, 3, 27), "Jumat, 27 Maret 2026"),
    # Ending on the last day of the year: filed Tue 29 Dec; Wed 30, Thu 31.
    (wib(2026, 12, 29, 10), 2, date(2026, 12, 31), "Kamis, 31 Desember 2026"),
    # Across Christmas and New Year: filed Wed 23 Dec; (24, 25, 26, 27 off) Mon 28, Tue 29,
    # Wed 30, Thu 31, (Fri 1 Jan off, 2, 3) Mon 4 January 2027.
    (wib(2026, 12, 23, 16), 5, date(2027, 1, 4), "Senin, 4 Januari 2027"),
]


@pytest.mark.parametrize(("filed", "days", "last", "shown"), SHOWN_DEADLINES)
def test_the_deadline_shown_to_the_citizen_is_the_last_working_day(filed, days, last, shown):
    deadline = CAL.add_working_days(filed, days)

    assert last_day(deadline) == last
    assert CAL.is_working_day(last)
    assert long_date("id", last_day(deadline)) == shown


# --- naive datetimes ----------------------------------------------------------------------


class _NoOffset(tzinfo):
    """A time zone that does not know its offset: the instant is naive all the same."""

    def utcoffset(self, dt):
        return None


def test_an_instant_whose_zone_has_no_offset_is_refused_as_naive():
    with pytest.raises(ValueError, match="start must be a timezone-aware"):
        CAL.add_working_days(datetime(2026, 7, 10, 15, tzinfo=_NoOffset()), 3)


def test_naive_datetimes_are_refused():
    naive = datetime(2026, 7, 10, 15)
    aware = wib(2026, 7, 10, 15)
    with pytest.raises(ValueError, match="start must be a timezone-aware"):
        CAL.add_working_days(naive, 3)
    with pytest.raises(ValueError, match="start must be a timezone-aware"):
        CAL.working_days_between(naive, aware)
    with pytest.raises(ValueError, match="end must be a timezone-aware"):
        CAL.working_days_between(aware, naive)
    with pytest.raises(ValueError, match="deadline must be a timezone-aware"):
        CAL.shift(naive, 1)
    with pytest.raises(ValueError, match="deadline must be a timezone-aware"):
        CAL.shift(naive, 0)


# --- the configuration file ---------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cuti_bersama.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_configuration_loads():
    assert DEFAULT_CUTI_BERSAMA_PATH.name == "cuti_bersama.yaml"
    cal = load_calendar()
    assert cal.is_working_day(date(2026, 7, 10))
    assert not cal.is_working_day(date(2026, 3, 20))


def test_configured_days_are_honoured(tmp_path):
    path = _write(
        tmp_path,
        "days:\n"
        "  - date: 2026-07-14\n"
        '    name: "Cuti Bersama tambahan (contoh)"\n'
        "  - {date: '2026-12-31', name: Cuti Bersama Tahun Baru}\n",
    )
    cal = load_calendar(path)
    assert cal.day_off_reason(date(2026, 7, 14)) == "Cuti Bersama tambahan (contoh)"
    assert cal.day_off_reason(date(2026, 12, 31)) == "Cuti Bersama Tahun Baru"
    assert cal.add_working_days(wib(2026, 7, 10, 15), 3) == wib(2026, 7, 17)


def test_an_empty_list_of_days_is_accepted(tmp_path):
    cal = load_calendar(_write(tmp_path, "# nothing yet\ndays: []\n"))
    assert cal.is_working_day(date(2026, 7, 14))


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (
            "  - {date: 2026-07-14, name: A}\n  - {date: 2026-02-30, name: B}\n",
            "entry 2.*2026-02-30",
        ),
        ("  - {date: 14/07/2026, name: A}\n", "entry 1.*YYYY-MM-DD"),
        ("  - {date: 2026-07-14}\n", "entry 1.*2026-07-14.*name"),
        ("  - {date: 2026-07-14, name: '  '}\n", "entry 1.*name"),
        ("  - {name: Cuti}\n", "entry 1.*Cuti.*YYYY-MM-DD"),
        ("  - {date: 2026-07-11, name: A}\n", "entry 1.*2026-07-11 is a Saturday"),
        ("  - {date: 2026-07-14, name: A}\n  - {date: 2026-07-14, name: B}\n", "entry 2.*already"),
        ("  - {date: 2026-07-14, nama: A}\n", "entry 1.*unknown key.*nama"),
        ("  - 2026-07-14\n", "entry 1.*mapping"),
    ],
)
def test_loader_rejects_a_bad_entry_and_names_it(tmp_path, entries, expected):
    path = _write(tmp_path, "days:\n" + entries)
    with pytest.raises(CalendarConfigError, match=expected) as caught:
        load_calendar(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["", "days:\n", "- {date: 2026-07-14, name: A}\n", "day: []\n"])
def test_loader_rejects_a_file_without_a_days_list(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(CalendarConfigError) as caught:
        load_calendar(path)
    assert str(caught.value) == f"{path}: expected a single top-level key 'days' holding a list"


def test_loader_says_why_a_weekend_day_is_refused(tmp_path):
    path = _write(tmp_path, "days:\n  - {date: 2026-07-11, name: A}\n")
    with pytest.raises(CalendarConfigError) as caught:
        load_calendar(path)
    assert str(caught.value).endswith(
        "2026-07-11 is a Saturday; a day off on a weekend changes nothing, check the date"
    )


def test_the_configuration_is_read_as_utf_8_whatever_the_servers_locale(tmp_path):
    path = _write(tmp_path, "days:\n  - {date: 2026-07-14, name: Cuti bersama \u2013 uji}\n")
    # A C locale without Python's UTF-8 mode would read the file as ASCII.
    script = (
        "import sys; from datetime import date; "
        "from api.domain.complaints.working_days import load_calendar; "
        "print(ascii(load_calendar(sys.argv[1]).day_off_reason(date(2026, 7, 14))))"
    )
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True
    )
    assert done.stdout.strip() == ascii("Cuti bersama \u2013 uji"), done.stderr


def test_loader_rejects_invalid_yaml(tmp_path):
    with pytest.raises(CalendarConfigError, match="not valid YAML"):
        load_calendar(_write(tmp_path, "days: [\n"))


def test_calendar_refuses_malformed_extra_days():
    with pytest.raises(TypeError, match="must be a date, not datetime$"):
        WorkingCalendar(extra_days_off={datetime(2026, 7, 14, tzinfo=JAKARTA): "A"})
    with pytest.raises(ValueError, match="2026-07-14 needs a non-empty name"):
        WorkingCalendar(extra_days_off={date(2026, 7, 14): ""})


# --- properties ---------------------------------------------------------------------------

_ZONES = st.sampled_from([UTC, JAKARTA, MAKASSAR, JAYAPURA, timezone(timedelta(hours=-5))])
_STARTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=_ZONES
)
_PROPERTY_CAL = WorkingCalendar(extra_days_off={date(2026, 7, 14): "Cuti bersama (uji)"})


@settings(max_examples=300, deadline=None)
@given(start=_STARTS, n=st.integers(min_value=1, max_value=60))
def test_deadline_is_the_end_of_exactly_the_nth_working_day(start, n):
    deadline = _PROPERTY_CAL.add_working_days(start, n)
    last_instant = deadline - timedelta(microseconds=1)
    assert deadline > start
    assert deadline.astimezone(JAKARTA).time().isoformat() == "00:00:00"
    assert _PROPERTY_CAL.working_days_between(start, last_instant) == n
    assert _PROPERTY_CAL.is_working_day(last_instant.astimezone(JAKARTA).date())


@settings(max_examples=200, deadline=None)
@given(
    start=_STARTS,
    a=st.integers(min_value=1, max_value=30),
    b=st.integers(min_value=0, max_value=30),
)
def test_shifting_a_deadline_equals_a_longer_deadline(start, a, b):
    deadline = _PROPERTY_CAL.add_working_days(start, a)
    shifted = _PROPERTY_CAL.shift(deadline, b)
    assert shifted == _PROPERTY_CAL.add_working_days(start, a + b)
    one_us = timedelta(microseconds=1)
    assert _PROPERTY_CAL.working_days_between(deadline - one_us, shifted - one_us) == b
