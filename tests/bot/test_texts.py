"""Buttons never carry more than Telegram's 64 bytes of callback_data."""

from __future__ import annotations

import pytest

from bot.texts import button


def test_a_button_within_64_bytes_is_made():
    assert button("Pesanggaran", "confirm:" + "a" * 56).callback_data.endswith("a")


def test_a_button_over_64_bytes_is_refused_before_telegram_would():
    with pytest.raises(ValueError, match="64 bytes"):
        button("Kecamatan", "confirm:" + "é" * 30)  # 38 characters but 68 bytes
