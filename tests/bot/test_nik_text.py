"""Which typed texts the bot takes for a NIK (and deletes from the chat where none was asked)."""

from __future__ import annotations

import pytest

from bot.nik_text import contains_nik
from tests.registry_support import SITI


@pytest.mark.parametrize(
    "text",
    [
        SITI,
        "3510 0141 0790 0001",
        "NIK anak saya 3510.0141.0790.0001, tolong",
        "35-10-01-410790-0001",
    ],
)
def test_a_nik_written_whole_or_in_groups_is_noticed(text):
    assert contains_nik(text)


@pytest.mark.parametrize(
    "text",
    [
        "0812 3456 7890 1234",  # a phone number: no province starts with 0
        "3510014107900000",  # serial 0000
        "3510014113900001",  # month 13
        "351001410790001",  # 15 digits
        "35100141079000012",  # 17 digits
        "Rp600.000 dipotong 2026-11-02",
        "7K3-M9Q-X2P",
    ],
)
def test_what_is_not_shaped_like_a_nik_is_left_alone(text):
    assert not contains_nik(text)
