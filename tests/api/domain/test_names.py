"""Specification of name normalization and masking (api.domain.names)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.domain.names import mask_name, normalize_name


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Wahyu Lestari", "WAHYU LESTARI"),
        ("  wahyu\t\tlestari \n", "WAHYU LESTARI"),
        ("Nur'aini", "NURAINI"),
        ("NUR’AINI", "NURAINI"),
        ("Nur`aini", "NURAINI"),
        ("Ma\u02bcruf", "MARUF"),
        ("M. Rizky", "M RIZKY"),
        ("Siti-Aisyah", "SITI AISYAH"),
        ("LESTARI, S.Pd.", "LESTARI S PD"),
        ("Ahmad/Ahmat", "AHMAD AHMAT"),
        ("Hamengkubuwono X", "HAMENGKUBUWONO X"),
        ("Agus 2", "AGUS 2"),
        ("ＷＡＨＹＵ", "WAHYU"),  # fullwidth letters from some phone keyboards (NFKC)
        ("wahyu\u00a0lestari", "WAHYU LESTARI"),
        ("", ""),
        (" .,- ", ""),
    ],
)
def test_normalize_name_brings_a_typed_name_to_ktp_form(typed, expected):
    assert normalize_name(typed) == expected


def test_a_typed_name_and_the_registry_name_compare_equal_after_normalizing():
    assert normalize_name("nur'aini  s.") == normalize_name("NURAINI S")


@given(st.text(max_size=40))
def test_normalize_name_is_idempotent(name):
    once = normalize_name(name)
    assert normalize_name(once) == once


@given(st.text(max_size=40))
def test_a_normalized_name_has_no_punctuation_and_single_spaces(name):
    result = normalize_name(name)
    assert result == result.strip()
    assert "  " not in result
    assert not any(ch in result for ch in "'`’.,-")


def test_mask_name_keeps_the_first_and_last_letter_of_each_word():
    assert mask_name("WAHYU LESTARI") == "W***U L*****I"


def test_mask_name_gives_the_cek_bansos_shape_from_the_domain_notes():
    # DOMAIN.md shows "W****N L***I": a six-letter W...N and a five-letter L...I.
    assert mask_name("WARSIN LASMI") == "W****N L***I"
    assert mask_name("WIRAWAN LESTARI") == "W*****N L*****I"


def test_mask_name_keeps_one_letter_words_and_hides_the_second_letter_of_two_letter_words():
    assert mask_name("M NUR AL HAKIM") == "M N*R A* H***M"


def test_mask_name_works_on_the_normalized_name():
    assert mask_name("nur'aini s.") == "N*****I S"
    assert mask_name("") == ""


@given(
    st.lists(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12), max_size=5)
)
def test_a_masked_name_keeps_word_lengths_and_shows_at_most_two_letters_a_word(words):
    masked = mask_name(" ".join(words))
    assert [len(w) for w in masked.split()] == [len(w) for w in words]
    for word, shown in zip(words, masked.split(), strict=True):
        assert shown[0] == word[0]
        assert sum(ch != "*" for ch in shown) <= 2
