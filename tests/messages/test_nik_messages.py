"""Every NIK problem has a kind, specific citizen message in every locale."""

from __future__ import annotations

from datetime import date

import pytest

import messages
from api.domain.nik import NikError, NikProblem, parse_nik

TODAY = date(2026, 6, 15)

# One real bad NIK per problem, so the macros are called with the params a real
# NikError carries rather than with params a test invented.
BAD_NIKS: dict[NikProblem, list[str]] = {
    NikProblem.EMPTY: ["", " - "],
    NikProblem.NOT_DIGITS: ["35100145O6900001", "3510O145O69OOOO1"],
    NikProblem.WRONG_LENGTH: ["351001450690001", "35100145069000011", "3"],
    NikProblem.BAD_MONTH: ["3510014513900001", "3510014500900001"],
    NikProblem.BAD_DAY: ["3510013506900001", "3510010006900001", "3510017506900001"],
    NikProblem.DATE_NOT_EXIST: ["3510013104900001", "3510016902010001", "3510013002850001"],
    NikProblem.ZERO_SERIAL: ["3510014506900000"],
}
CASES = [(nik, problem) for problem, niks in BAD_NIKS.items() for nik in niks]


def error_for(raw: str) -> NikError:
    with pytest.raises(NikError) as caught:
        parse_nik(raw, today=TODAY)
    return caught.value


def test_every_problem_has_a_bad_nik_in_these_tests():
    assert set(BAD_NIKS) == set(NikProblem)


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_every_nik_problem_and_the_unverified_region_note_has_a_message(locale):
    wanted = {f"nik.{problem.value}" for problem in NikProblem} | {"nik.unverified_region"}
    assert wanted <= messages.keys(locale)


@pytest.mark.parametrize("locale", messages.LOCALES)
@pytest.mark.parametrize(("raw", "problem"), CASES)
def test_each_message_renders_with_the_params_of_a_real_error_and_hides_the_nik(
    locale, raw, problem
):
    error = error_for(raw)
    assert error.problem is problem
    text = messages.render(locale, f"nik.{error.problem}", **error.params)
    assert text.strip()
    assert "{" not in text and "  " not in text
    if raw.strip(" -"):
        assert raw not in text


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_wrong_length_says_how_many_digits_were_sent(locale):
    text = messages.render(locale, "nik.wrong_length", length=15)
    assert "16" in text and "15" in text


def test_the_indonesian_wrong_length_message_reads_plainly():
    assert messages.render("id", "nik.wrong_length", length=15).startswith(
        "NIK harus 16 angka; yang Anda kirim 15 angka."
    )


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_bad_day_explains_the_day_digits_and_the_women_rule(locale):
    text = messages.render(locale, "nik.bad_day", day=35)
    assert "35" in text and "01" in text and "31" in text and "41" in text and "71" in text


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_date_not_exist_names_the_date_and_explains_a_non_leap_year(locale):
    text = messages.render(locale, "nik.date_not_exist", day=29, month=2, year=2001)
    assert "29" in text and "2001" in text
    assert ("kabisat" if locale == "id" else "leap year") in text


@pytest.mark.parametrize("locale", messages.LOCALES)
@pytest.mark.parametrize("problem", list(NikProblem))
def test_every_message_still_renders_when_its_params_are_missing(locale, problem):
    params = {"length": 15} if problem is NikProblem.WRONG_LENGTH else {}
    assert messages.render(locale, f"nik.{problem}", **params)


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_unverified_region_says_the_check_continues(locale):
    text = messages.render(locale, "nik.unverified_region")
    assert "Kemendagri" in text
    assert ("lanjutkan" if locale == "id" else "continuing") in text
