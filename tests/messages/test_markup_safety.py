"""A citizen's text inside a message is escaped exactly once on every surface: an HTML page,
Telegram's HTML parse mode, and plain text for JSON, XML and Open311."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from jinja2 import Environment
from markupsafe import Markup

import messages
from demo.telegram import parse_html

# Markup, an entity written out, a script and a character outside the BMP (two UTF-16 units).
DESCRIPTION = "<b>tebal</b> &amp; <script>alert(1)</script> 🙏"
KEY = "bot_complaint.category_chosen"  # "Pengaduan: <b>{{ label }}</b>. {{ description }}"


def _message(render=messages.render_html, locale: str = "id"):
    return render(locale, KEY, label="Bansos & PKH", description=DESCRIPTION)


class _Page(HTMLParser):
    """What a browser builds from a page: its elements and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text += data


def _browse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def test_a_message_for_an_html_page_is_markup_that_a_page_embeds_escaped_exactly_once():
    message = _message()
    assert isinstance(message, Markup)
    page = Environment(autoescape=True).from_string("<p>{{ message }}</p>").render(message=message)

    assert "<script>" not in page and "&lt;script&gt;" in page
    # "&" typed once is "&amp;"; the "&amp;" typed in the description is "&amp;amp;".
    assert "Bansos &amp; PKH" in page and "&amp;amp;amp;" not in page
    browsed = _browse(page)
    # The template's own <b> stays an element; the citizen's markup is only text.
    assert browsed.tags == ["p", "b"]
    assert browsed.text == f"Pengaduan: Bansos & PKH. {DESCRIPTION}"


def test_plain_text_joined_to_html_markup_is_escaped_not_injected():
    joined = _message() + "<script>alert(2)</script>"
    assert "<script>" not in joined and "&lt;script&gt;alert(2)" in joined


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_a_message_for_telegram_is_valid_telegram_html_showing_the_citizens_characters(locale):
    message = _message(messages.render, locale)
    assert type(message) is str  # the bot appends HTML fragments of its own to it

    text, entities = parse_html(message)  # raises on markup Telegram would refuse
    assert text.endswith(f"Bansos & PKH. {DESCRIPTION}")
    assert [entity["type"] for entity in entities] == ["bold"]  # the label, nothing typed
    assert message == str(_message(locale=locale))  # the same characters as for a page


def test_a_message_as_plain_text_gives_the_citizens_characters_back():
    text = _message(messages.render_text)
    assert type(text) is str
    assert text == f"Pengaduan: Bansos & PKH. {DESCRIPTION}"


def test_a_markup_parameter_is_trusted_as_escaped_and_never_shares_a_cache_entry_with_a_str():
    # A Markup equals and hashes like the str of its characters: the cache must tell them apart.
    as_text = messages.render_html("en", KEY, label="x", description="&amp;")
    as_markup = messages.render_html("en", KEY, label="x", description=Markup("&amp;"))
    assert as_text.endswith(". &amp;amp;") and as_markup.endswith(". &amp;")
    assert messages.render_html("en", KEY, label="x", description="&amp;") == as_text
