"""Every message the bot may send is valid Telegram HTML that fits one message, whatever a
citizen (or an officer) typed into it. Checked with the stand-in's port of Telegram's parser."""

from __future__ import annotations

import pytest

import messages
from demo.telegram import parse_html

TELEGRAM_MAX_TEXT = 4096
# What a citizen might type: markup, entities, quotes, a long run of text.
HOSTILE = '<b>Siti</b> & <a href="x">"Budi"</a> </i> &amp; ' + "panjang " * 60


def _bot_keys(locale: str) -> list[str]:
    return sorted(k for k in messages.keys(locale) if k.startswith(("bot", "complaints.")))


def _render_hostile(locale: str, key: str) -> str:
    topic, _, name = key.partition(".")
    macro = getattr(messages._module(locale, topic), name)
    params = {argument: HOSTILE for argument in macro.arguments}
    for _ in range(len(params) + 1):
        try:
            return messages.render(locale, key, **params)
        except (TypeError, ValueError, IndexError) as failure:
            # A numeric parameter (an amount, a count, a weekday): give it a number instead.
            numeric = next((k for k, v in params.items() if isinstance(v, str)), None)
            if numeric is None:
                raise failure
            params[numeric] = 1234567 if "amount" in numeric else 3
    raise AssertionError(key)


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_every_bot_message_is_valid_telegram_html_and_fits_one_message(locale):
    for key in _bot_keys(locale):
        rendered = _render_hostile(locale, key)
        text, _entities = parse_html(rendered)  # raises on markup Telegram would refuse
        assert 0 < len(text) <= TELEGRAM_MAX_TEXT, key
        assert "<b>Siti</b>" not in rendered or "&lt;b&gt;Siti" in rendered, key
