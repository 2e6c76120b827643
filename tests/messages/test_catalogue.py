"""The message catalogue: every locale says everything, safely."""

from __future__ import annotations

import pytest

import messages


def test_every_message_exists_in_every_locale():
    catalogue = {locale: messages.keys(locale) for locale in messages.LOCALES}
    reference = catalogue[messages.DEFAULT_LOCALE]
    assert len(reference) > 40
    for locale, keys in catalogue.items():
        assert keys == reference, (locale, sorted(keys ^ reference))


def test_unknown_locales_fall_back_to_indonesian():
    assert messages.normalize_locale("fr-FR") == "id"
    assert messages.normalize_locale("EN_us") == "en"
    assert messages.render("jv", "status_check.name_required").startswith("Tulis nama")


def test_text_passed_into_a_message_is_escaped():
    rendered = messages.render(
        "en", "eligibility.reason_recipient", programme="<b>PKH</b> & co", desil=3, max_desil=4
    )
    assert "<b>" not in rendered and "&lt;b&gt;PKH&lt;/b&gt; &amp; co" in rendered


def test_a_missing_message_is_a_programming_error_not_a_blank():
    with pytest.raises(messages.UnknownMessage):
        messages.render("id", "eligibility.no_such_message")
    with pytest.raises(messages.UnknownMessage):
        messages.render("id", "no_such_topic.anything")
