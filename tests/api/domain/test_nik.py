"""Specification of NIK parsing, validation and masking (api.domain.nik)."""

from __future__ import annotations

import calendar
import pickle
import re
from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from api.domain.nik import (
    Nik,
    NikError,
    NikProblem,
    check_nik,
    is_valid_nik,
    mask_nik,
    normalize_nik,
    parse_nik,
    try_parse_nik,
)
from api.domain.regions import region_codes

TODAY = date(2026, 6, 15)
# Every birth date in this window has exactly one reading of its two-digit year.
OLDEST = date(TODAY.year - 100, TODAY.month, TODAY.day) + timedelta(days=1)
KNOWN_DISTRICTS = [d.code for d in region_codes().districts()]
VALID = "3510014506900001"  # Banyuwangi, woman born 5 June 1990, serial 0001


def nik_of(district: str, born: date, female: bool, serial: int) -> str:
    day = born.day + 40 if female else born.day
    return f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


@st.composite
def valid_niks(draw: st.DrawFn) -> tuple[str, str, date, str]:
    """(nik, district_code, birth_date, sex) for a NIK that must parse against TODAY."""
    district = draw(st.sampled_from(KNOWN_DISTRICTS))
    born = draw(st.dates(min_value=OLDEST, max_value=TODAY))
    female = draw(st.booleans())
    serial = draw(st.integers(min_value=1, max_value=9999))
    return nik_of(district, born, female, serial), district, born, "P" if female else "L"


def problem_of(raw: str, today: date = TODAY) -> NikError:
    with pytest.raises(NikError) as caught:
        parse_nik(raw, today=today)
    return caught.value


def with_digits(nik: str, start: int, digits: str) -> str:
    return nik[:start] + digits + nik[start + len(digits) :]


# -- valid NIKs ----------------------------------------------------------------------


@given(valid_niks())
def test_every_valid_nik_parses_and_round_trips_its_fields(case):
    raw, district, born, sex = case
    nik = parse_nik(raw, today=TODAY)
    assert nik.value == raw
    assert nik.province_code == district[:2]
    assert nik.regency_code == district[:4]
    assert nik.district_code == district
    assert nik.birth_date == born
    assert nik.sex == sex
    assert nik.serial == raw[12:]
    assert nik.region_verified is True
    assert is_valid_nik(raw, today=TODAY)


SEPARATORS = st.sampled_from([" ", ".", "-", "\u00a0", "\t", "\u2009", "\u2013", "  "])


@given(valid_niks(), st.lists(st.tuples(st.integers(0, 16), SEPARATORS), max_size=8))
def test_spaces_dots_and_dashes_anywhere_still_parse_to_the_same_nik(case, insertions):
    raw = case[0]
    chars = list(raw)
    for position, separator in sorted(insertions, reverse=True):
        chars.insert(position, separator)
    messy = "".join(chars)
    assert normalize_nik(messy) == raw
    assert parse_nik(messy, today=TODAY).value == raw


def test_a_woman_has_forty_added_to_her_day_of_birth():
    nik = parse_nik(VALID, today=TODAY)
    assert (nik.birth_date, nik.sex) == (date(1990, 6, 5), "P")
    man = parse_nik(with_digits(VALID, 6, "05"), today=TODAY)
    assert (man.birth_date, man.sex) == (date(1990, 6, 5), "L")


def test_days_31_and_71_are_the_last_valid_days():
    assert parse_nik(with_digits(VALID, 6, "3101"), today=TODAY).birth_date.day == 31
    assert parse_nik(with_digits(VALID, 6, "7101"), today=TODAY).birth_date.day == 31


def test_a_nik_whose_region_is_not_in_the_current_tables_is_unverified_not_invalid():
    # 91.01.01 is a pre-2022 Papua kecamatan code; those areas now sit under 93-95.
    old_papua = "9101010101850001"
    nik = parse_nik(old_papua, today=TODAY)
    assert nik.region_verified is False
    assert nik.district_code == "910101"
    assert is_valid_nik(old_papua, today=TODAY)


def test_region_verification_uses_the_region_codes_passed_in():
    from api.domain.regions import District, Province, Regency, RegionCodes

    only_papua = RegionCodes(
        [Province("91", "Papua")],
        [Regency("9101", "91", "Kabupaten Merauke", "kabupaten")],
        [District("910101", "9101", "Merauke")],
    )
    assert parse_nik("9101010101850001", regions=only_papua, today=TODAY).region_verified
    assert not parse_nik(VALID, regions=only_papua, today=TODAY).region_verified


# -- the century rule ----------------------------------------------------------------


def test_a_year_whose_twenty_first_century_date_is_still_to_come_is_read_as_nineteen_hundreds():
    # Today is 15 June 2026: 16 June 26 has not happened yet in 2026, so it is 1926.
    assert parse_nik(with_digits(VALID, 6, "160626"), today=TODAY).birth_date == date(1926, 6, 16)
    assert parse_nik(with_digits(VALID, 6, "010730"), today=TODAY).birth_date.year == 1930


def test_a_birthday_today_or_earlier_this_century_is_read_as_two_thousands():
    assert parse_nik(with_digits(VALID, 6, "150626"), today=TODAY).birth_date == TODAY
    assert parse_nik(with_digits(VALID, 6, "010100"), today=TODAY).birth_date == date(2000, 1, 1)
    assert parse_nik(with_digits(VALID, 6, "290200"), today=TODAY).birth_date == date(2000, 2, 29)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), valid_niks())
def test_the_birth_date_is_never_in_the_future_and_less_than_a_century_ago(today, case):
    result = try_parse_nik(case[0], today=today)
    if isinstance(result, Nik):
        born = result.birth_date
        assert born <= today
        assert (born.year + 100, born.month, born.day) > (today.year, today.month, today.day)
    else:  # only a 29 February can fail, in a century that has no such day
        assert result.problem is NikProblem.DATE_NOT_EXIST


def test_parse_nik_without_today_uses_the_current_date():
    assert parse_nik(VALID).birth_date == date(1990, 6, 5)


# -- invalid NIKs, in check order ----------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", " .-. ", "\u00a0", "\t\n"])
def test_an_empty_or_only_separators_nik_reports_empty(raw):
    error = problem_of(raw)
    assert error.problem is NikProblem.EMPTY
    assert error.params == {}


def test_letters_in_a_nik_report_not_digits_with_how_many_characters_are_wrong():
    error = problem_of("35100145O69OOOO1")  # letter O typed for zero
    assert error.problem is NikProblem.NOT_DIGITS
    assert error.params == {"count": 5}


@pytest.mark.parametrize("raw", ["3510014506900001x", "351001450690000+", "3510٠14506900001"])
def test_non_ascii_digits_and_symbols_report_not_digits_before_length(raw):
    assert problem_of(raw).problem is NikProblem.NOT_DIGITS


def test_nik_with_fifteen_digits_reports_the_length_it_got():
    error = problem_of(VALID[:-1])
    assert error.problem is NikProblem.WRONG_LENGTH
    assert error.params == {"length": 15, "expected": 16}


@given(st.text(alphabet="0123456789", min_size=1, max_size=40).filter(lambda s: len(s) != 16))
def test_any_wrong_number_of_digits_reports_wrong_length_with_that_length(raw):
    error = problem_of(raw)
    assert error.problem is NikProblem.WRONG_LENGTH
    assert error.params == {"length": len(raw), "expected": 16}


BAD_MONTHS = st.sampled_from([0, *range(13, 100)])


@given(valid_niks(), BAD_MONTHS)
def test_a_month_outside_01_to_12_reports_bad_month(case, month):
    error = problem_of(with_digits(case[0], 8, f"{month:02d}"))
    assert error.problem is NikProblem.BAD_MONTH
    assert error.params == {"month": month}


BAD_DAYS = st.sampled_from([0, *range(32, 41), *range(72, 100)])


@given(valid_niks(), BAD_DAYS)
def test_a_day_outside_01_31_and_41_71_reports_bad_day(case, day):
    error = problem_of(with_digits(case[0], 6, f"{day:02d}"))
    assert error.problem is NikProblem.BAD_DAY
    assert error.params == {"day": day}


def test_a_bad_month_is_reported_before_a_bad_day():
    assert problem_of(with_digits(VALID, 6, "9999")).problem is NikProblem.BAD_MONTH


@pytest.mark.parametrize(
    ("ddmmyy", "day", "month", "year"),
    [
        ("310490", 31, 4, 1990),  # April has 30 days
        ("710490", 31, 4, 1990),  # the same for a woman
        ("300285", 30, 2, 1985),
        ("290201", 29, 2, 2001),  # 2001 is not a leap year
        ("690223", 29, 2, 2023),  # a woman born on 29 Feb 2023
        ("310999", 31, 9, 1999),
    ],
)
def test_a_birth_date_that_is_not_in_the_calendar_reports_date_not_exist(ddmmyy, day, month, year):
    error = problem_of(with_digits(VALID, 6, ddmmyy))
    assert error.problem is NikProblem.DATE_NOT_EXIST
    assert error.params == {"day": day, "month": month, "year": year}


def test_29_february_is_checked_in_the_century_the_rule_picks():
    # Before 29 Feb 2000 happened, "00" meant 1900, which had no 29 February.
    error = problem_of(with_digits(VALID, 6, "290200"), today=date(1999, 12, 31))
    assert error.params == {"day": 29, "month": 2, "year": 1900}


# -- the calendar, pinned by explicit tables ---------------------------------------------

# Days in each month of a common year and of a leap year, written out rather than computed.
MONTH_LENGTHS = {
    1: 31,
    2: 28,
    3: 31,
    4: 30,
    5: 31,
    6: 30,
    7: 31,
    8: 31,
    9: 30,
    10: 31,
    11: 30,
    12: 31,
}


@pytest.mark.parametrize(("month", "length"), MONTH_LENGTHS.items())
def test_each_months_last_day_exists_and_the_day_after_does_not(month, length):
    # 1990: a common year, read as 1990 against TODAY.
    last = parse_nik(with_digits(VALID, 6, f"{length:02d}{month:02d}90"), today=TODAY)
    assert last.birth_date == date(1990, month, length)
    woman = parse_nik(with_digits(VALID, 6, f"{length + 40:02d}{month:02d}90"), today=TODAY)
    assert (woman.birth_date, woman.sex) == (date(1990, month, length), "P")
    if length < 31:  # day 32 is not a day at all (bad_day), tested above
        error = problem_of(with_digits(VALID, 6, f"{length + 1:02d}{month:02d}90"))
        assert error.problem is NikProblem.DATE_NOT_EXIST
        assert error.params == {"day": length + 1, "month": month, "year": 1990}


def test_the_month_table_is_the_calendars():
    assert {m: calendar.monthrange(1990, m)[1] for m in range(1, 13)} == MONTH_LENGTHS


# The two-digit year reaches 1900-2099 only: 2100 cannot be written in a NIK. 1900 stands for
# the century years that are not leap years (divisible by 100, not by 400), 2000 for those
# that are (divisible by 400).
LEAP_YEARS = [
    ("96", date(2026, 6, 15), 1996),
    ("00", date(2026, 6, 15), 2000),
    ("24", date(2026, 6, 15), 2024),
    ("04", date(2026, 6, 15), 2004),
    ("28", date(2028, 3, 1), 2028),
]
COMMON_YEARS = [
    ("00", date(1999, 12, 31), 1900),  # before 29 Feb 2000 happened, "00" meant 1900
    ("97", date(2026, 6, 15), 1997),
    ("98", date(2026, 6, 15), 1998),
    ("99", date(2026, 6, 15), 1999),
    ("25", date(2026, 6, 15), 2025),
    ("01", date(2026, 6, 15), 2001),
]


@pytest.mark.parametrize(("yy", "today", "year"), LEAP_YEARS)
def test_29_february_exists_in_a_leap_year_and_30_february_does_not(yy, today, year):
    assert parse_nik(with_digits(VALID, 6, f"2902{yy}"), today=today).birth_date == date(
        year, 2, 29
    )
    assert parse_nik(with_digits(VALID, 6, f"6902{yy}"), today=today).sex == "P"
    for day in (30, 70):  # 30 February, for a man and for a woman
        error = problem_of(with_digits(VALID, 6, f"{day:02d}02{yy}"), today=today)
        assert error.problem is NikProblem.DATE_NOT_EXIST
        assert error.params == {"day": 30, "month": 2, "year": year}


@pytest.mark.parametrize(("yy", "today", "year"), COMMON_YEARS)
def test_29_february_does_not_exist_in_a_common_year(yy, today, year):
    assert parse_nik(with_digits(VALID, 6, f"2802{yy}"), today=today).birth_date == date(
        year, 2, 28
    )
    error = problem_of(with_digits(VALID, 6, f"2902{yy}"), today=today)
    assert error.problem is NikProblem.DATE_NOT_EXIST
    assert error.params == {"day": 29, "month": 2, "year": year}


def test_the_leap_year_tables_are_the_calendars():
    assert all(calendar.isleap(year) for _, _, year in LEAP_YEARS)
    assert not any(calendar.isleap(year) for _, _, year in COMMON_YEARS)


@given(valid_niks())
def test_serial_0000_reports_zero_serial(case):
    error = problem_of(case[0][:12] + "0000")
    assert error.problem is NikProblem.ZERO_SERIAL
    assert error.params == {}


def test_is_valid_nik_is_false_for_an_invalid_nik():
    assert not is_valid_nik(VALID[:12] + "0000", today=TODAY)
    assert not is_valid_nik("", today=TODAY)


def test_try_parse_nik_returns_the_error_instead_of_raising():
    result = try_parse_nik("3510013206900001", today=TODAY)
    assert isinstance(result, NikError)
    assert result.problem is NikProblem.BAD_DAY


@given(st.text(alphabet="0123456789 .-x", max_size=20))
@example(VALID)
@example("3510 0145 0690 0001")
@example(VALID[:12] + "0000")
@example("3510013206900001")
@example(VALID[:15] + "\u00b2")  # a digit to isdigit(), not to a NIK
def test_check_nik_accepts_and_refuses_exactly_what_parse_nik_does(raw):
    # try_parse_nik first: the birth date it caches sends check_nik down its fast path.
    parsed = try_parse_nik(raw, today=TODAY)
    checked = check_nik(raw, today=TODAY)
    if isinstance(parsed, Nik):
        assert checked == parsed.value
    else:
        assert isinstance(checked, NikError)
        assert (checked.problem, checked.params) == (parsed.problem, parsed.params)


# The developers' message of each problem, in full: it quotes at most a two-digit field.
MESSAGES = [
    ("", "NIK is empty"),
    (
        "35100145O69OOOO1",
        "NIK contains 5 character(s) other than digits (after removing spaces, dots and dashes)",
    ),
    ("351001450690000", "NIK must have 16 digits; got 15"),
    ("3510014513900001", "NIK birth month (digits 9-10) must be 01-12; got 13"),
    ("3510013206900001", "NIK birth day (digits 7-8) must be 01-31, or 41-71 for women; got 32"),
    ("3510013104900001", "NIK birth date does not exist: day 31 of month 4 in 1990"),
    ("3510014506900000", "NIK serial (last 4 digits) must not be 0000"),
]


def test_every_problem_has_a_message_and_the_table_has_every_problem():
    assert {problem_of(raw).problem for raw, _ in MESSAGES} == set(NikProblem)


@pytest.mark.parametrize(("raw", "message"), MESSAGES)
def test_each_problem_says_what_is_wrong_in_words(raw, message):
    assert str(problem_of(raw)) == message


# -- the birth-date cache (bulk imports parse a million NIKs) -----------------------------


def test_a_birth_date_is_worked_out_once_for_every_nik_born_that_day(monkeypatch):
    import api.domain.nik as nik_module

    resolved = []
    resolve = nik_module._resolve_birth

    def counting(ddmmyy, today):
        resolved.append(ddmmyy)
        return resolve(ddmmyy, today)

    monkeypatch.setattr(nik_module, "_birth_caches", {})
    monkeypatch.setattr(nik_module, "_resolve_birth", counting)
    today = date(2026, 6, 16)
    # Born 5 June 1990: a woman and a man, serials that differ in every digit.
    for raw in ("3510014506900001", "3510014506901234", "3510010506909999"):
        parse_nik(raw, today=today)
    parse_nik("3510014506900001", today=today)

    assert resolved == ["450690", "050690"]


def test_the_birth_date_cache_stays_bounded(monkeypatch):
    import api.domain.nik as nik_module

    monkeypatch.setattr(nik_module, "_birth_caches", {})
    monkeypatch.setattr(nik_module, "_MAX_BIRTH_CACHE", 3)
    # At most four "today"s are kept...
    for day in range(1, 7):
        parse_nik(VALID, today=date(2026, 6, day + 10))
        assert len(nik_module._birth_caches) <= 4
    # ... and at most _MAX_BIRTH_CACHE birth dates for one of them.
    today = date(2026, 6, 20)
    for born in range(1, 9):
        assert parse_nik(with_digits(VALID, 6, f"{born:02d}0690"), today=today).birth_date.day == (
            born
        )
        assert len(nik_module._birth_caches[today]) <= 3


def test_nik_error_is_a_value_error():
    assert issubclass(NikError, ValueError)


@pytest.mark.parametrize(
    "raw", ["", "3510014506900001x", "3510013206900001", "3510014513900001", "3510014506900000"]
)
def test_a_nik_error_survives_pickling_for_the_import_workers(raw):
    error = problem_of(raw)

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is NikError
    assert (copy.problem, copy.params, str(copy)) == (error.problem, error.params, str(error))


# -- the NIK never leaks -------------------------------------------------------------

DIGIT_RUN = re.compile(r"\d{5,}")


def leaks(nik_digits: str, text: str) -> bool:
    # The longest field a message may quote is a 4-digit year; five or more digits in a
    # row, or the NIK itself, would be part of the NIK.
    return nik_digits in text or DIGIT_RUN.search(text) is not None


@given(
    st.one_of(
        st.text(alphabet="0123456789", min_size=10, max_size=24),
        st.text(alphabet="0123456789 .-aO", min_size=10, max_size=24),
        valid_niks().map(lambda case: case[0][:12] + "0000"),
    )
)
def test_error_messages_and_params_never_contain_the_nik(raw):
    result = try_parse_nik(raw, today=TODAY)
    if isinstance(result, Nik):
        return
    digits = normalize_nik(raw)
    for text in (str(result), repr(result), repr(result.args), repr(result.params)):
        assert not leaks(digits, text), text


@given(valid_niks())
def test_repr_and_str_of_a_nik_show_only_the_masked_form(case):
    raw = case[0]
    nik = parse_nik(raw, today=TODAY)
    assert str(nik) == mask_nik(raw) == nik.masked
    for text in (str(nik), repr(nik), f"{nik}", f"{nik!r}", repr([nik])):
        assert raw not in text
        assert raw[4:12] not in text


# -- masking -------------------------------------------------------------------------


def test_mask_nik_keeps_the_first_four_and_last_four_digits():
    assert mask_nik("3510014506900001") == "3510********0001"


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_mask_nik_hides_exactly_the_middle_eight_digits(raw):
    masked = mask_nik(raw)
    assert len(masked) == 16
    assert masked[:4] == raw[:4] and masked[12:] == raw[12:]
    assert masked[4:12] == "********"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "351001450690001",
        "35100145069000011",
        "3510 0145 0690 0001",
        "35100145069000AB",  # sixteen characters, two of them letters
        "351001450690000\u0661",  # an Arabic-Indic one: a digit to isdigit(), not ASCII
        "351001450690000\u00b2",  # superscript two
    ],
)
def test_mask_nik_refuses_anything_but_sixteen_normalized_digits(raw):
    with pytest.raises(ValueError) as caught:
        mask_nik(raw)
    assert str(caught.value) == "mask_nik needs a normalized NIK of exactly 16 digits"
