"""Tracking IDs: short, readable aloud, typo-checked, unguessable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.domain.complaints.tracking_id import (
    ALPHABET,
    LENGTH,
    TrackingIdError,
    TrackingIdProblem,
    check_symbol,
    display,
    new_tracking_id,
    parse_tracking_id,
)

bodies = st.text(alphabet=ALPHABET, min_size=LENGTH - 1, max_size=LENGTH - 1)


def test_a_new_id_is_nine_symbols_shown_in_three_groups():
    tracking_id = new_tracking_id()

    assert len(tracking_id) == 9
    assert set(tracking_id) <= set(ALPHABET)
    assert display(tracking_id) == f"{tracking_id[:3]}-{tracking_id[3:6]}-{tracking_id[6:]}"


def test_ids_are_random_not_sequential():
    ids = {new_tracking_id() for _ in range(2000)}

    assert len(ids) == 2000
    # No shared prefix pattern: the first symbol takes many values across a batch.
    assert len({tracking_id[0] for tracking_id in ids}) > 25


def test_the_id_has_no_letters_that_read_like_digits():
    assert not set("ILOU") & set(ALPHABET)


@given(bodies)
def test_what_is_displayed_reads_back(body):
    tracking_id = body + check_symbol(body)

    assert parse_tracking_id(display(tracking_id)) == tracking_id
    assert parse_tracking_id(display(tracking_id).lower()) == tracking_id
    assert parse_tracking_id(" ".join(tracking_id)) == tracking_id


@given(bodies, st.integers(0, LENGTH - 1), st.sampled_from(ALPHABET))
def test_every_single_mistyped_symbol_is_caught(body, position, wrong):
    tracking_id = body + check_symbol(body)
    typo = tracking_id[:position] + wrong + tracking_id[position + 1 :]
    if typo == tracking_id:
        return

    with pytest.raises(TrackingIdError) as caught:
        parse_tracking_id(typo)
    assert caught.value.problem == TrackingIdProblem.CHECK


def test_most_swaps_of_neighbours_are_caught():
    caught = total = 0
    for _ in range(500):
        tracking_id = new_tracking_id()
        for i in range(LENGTH - 1):
            if tracking_id[i] == tracking_id[i + 1]:
                continue
            swapped = tracking_id[:i] + tracking_id[i + 1] + tracking_id[i] + tracking_id[i + 2 :]
            total += 1
            try:
                parse_tracking_id(swapped)
            except TrackingIdError:
                caught += 1
    assert caught / total > 0.95


def test_o_i_and_l_are_read_as_zero_and_one():
    tracking_id = "01" + "2345AB"
    tracking_id += check_symbol(tracking_id)

    assert parse_tracking_id("O" + "I" + tracking_id[2:]) == tracking_id
    assert parse_tracking_id("o" + "l" + tracking_id[2:]) == tracking_id


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", TrackingIdProblem.EMPTY),
        (" - ", TrackingIdProblem.EMPTY),
        ("7K3-M9Q", TrackingIdProblem.LENGTH),
        ("7K3-M9Q-X2P-1", TrackingIdProblem.LENGTH),
        ("7K3-M9Q-X2!", TrackingIdProblem.SYMBOL),
        ("7K3-M9Q-X2U", TrackingIdProblem.SYMBOL),
    ],
)
def test_malformed_ids_say_what_is_wrong(text, problem):
    with pytest.raises(TrackingIdError) as caught:
        parse_tracking_id(text)
    assert caught.value.problem == problem
