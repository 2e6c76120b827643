"""Small-cell suppression: no published figure singles out a person in a small place."""

from __future__ import annotations

import pytest

from api.domain.statistics.suppression import Cell, Mark, complement, count, derived, shown


@pytest.mark.parametrize(
    ("n", "reads"), [(0, "0"), (1, "<10"), (9, "<10"), (10, "10"), (250, "250")]
)
def test_a_count_from_one_to_nine_reads_less_than_ten(n, reads):
    assert shown(count(n)) == reads


def test_a_hidden_count_keeps_no_public_value():
    assert count(3).public is None
    assert count(12).public == 12


@pytest.mark.parametrize(("complaints", "reads"), [(0, "–"), (9, "–"), (10, "4"), (40, "4")])
def test_a_median_of_fewer_than_ten_complaints_reads_a_dash(complaints, reads):
    assert shown(derived(4, complaints=complaints)) == reads


def test_a_share_with_nothing_to_share_reads_a_dash_even_with_many_complaints():
    assert shown(derived(None, complaints=50)) == "–"


def test_a_total_with_one_hidden_part_hides_the_smallest_other_part_too():
    # 15 = 12 + 3: with the 3 alone hidden, 15 − 12 would give it away.
    total, parts = complement(count(15), [count(12), count(3), count(0)])

    assert [shown(total), *(shown(part) for part in parts)] == ["15", "*", "<10", "0"]


def test_a_total_whose_other_parts_are_empty_is_hidden_itself():
    total, parts = complement(count(11), [count(0), count(4)])

    assert total.mark is Mark.COMPLEMENT
    assert [shown(part) for part in parts] == ["0", "<10"]


@pytest.mark.parametrize(
    ("total", "parts"),
    [
        (count(30), [count(12), count(14)]),  # nothing hidden
        (count(30), [count(12), count(4), count(5)]),  # two hidden: only their sum is known
        (count(6), [count(2), count(4)]),  # the total is hidden itself
    ],
)
def test_a_total_that_gives_nothing_away_is_left_as_it_is(total, parts):
    assert complement(total, parts) == (total, tuple(parts))


def test_the_smallest_other_part_is_chosen_and_ties_go_to_the_first():
    _, parts = complement(count(40), [count(20), count(11), count(2), count(11)])

    assert [part.mark for part in parts] == [None, Mark.COMPLEMENT, Mark.SMALL, None]


def test_a_value_is_written_by_the_callers_format():
    assert shown(Cell(0.875), write=lambda v: f"{v:.0%}") == "88%"
