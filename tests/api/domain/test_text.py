"""Which characters a text may hold: the one rule every request field is checked against."""

from __future__ import annotations

import pytest

from api.domain.text import TextProblem, text_fault


@pytest.mark.parametrize(
    "text",
    [
        "Siti Aminah",
        "Jl. Merdeka No. 5, RT 01/RW 02",
        "tg:1001",
        "Bantuan tahap 3 belum diterima — sudah 2 bulan.",
        "Ñoño 山田 😀",  # letters of any script and a pair of surrogates joined into one emoji
        "",
    ],
)
def test_ordinary_text_of_any_script_is_accepted_on_one_line(text):
    assert text_fault(text) is None


def test_a_text_of_several_lines_may_hold_tabs_and_line_breaks_of_any_system():
    assert text_fault("Baris satu\nbaris dua\r\n\tbaris tiga", multiline=True) is None


@pytest.mark.parametrize(
    ("text", "multiline", "problem", "position", "code_point"),
    [
        ("tg:\x001001", False, TextProblem.CONTROL_CHARACTER, 4, "U+0000"),
        ("ab\x00", True, TextProblem.CONTROL_CHARACTER, 3, "U+0000"),
        ("bell\x07", True, TextProblem.CONTROL_CHARACTER, 5, "U+0007"),
        ("escape\x1b[31m", False, TextProblem.CONTROL_CHARACTER, 7, "U+001B"),
        ("delete\x7f", False, TextProblem.CONTROL_CHARACTER, 7, "U+007F"),
        ("c1\x85", True, TextProblem.CONTROL_CHARACTER, 3, "U+0085"),
        ("Siti\tAminah", False, TextProblem.LINE_BREAK, 5, "U+0009"),
        ("Siti\nAminah", False, TextProblem.LINE_BREAK, 5, "U+000A"),
        ("Siti\r", False, TextProblem.LINE_BREAK, 5, "U+000D"),
        ("half \ud83d of an emoji", True, TextProblem.BROKEN_CHARACTER, 6, "U+D83D"),
        ("\udc00", False, TextProblem.BROKEN_CHARACTER, 1, "U+DC00"),
    ],
)
def test_the_first_refused_character_is_named_with_its_position_and_code_point(
    text, multiline, problem, position, code_point
):
    fault = text_fault(text, multiline=multiline)
    assert fault is not None
    assert (fault.problem, fault.position, fault.code_point) == (problem, position, code_point)
