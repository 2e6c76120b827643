"""Every sentence a citizen reads, per locale.

Each topic is one Jinja2 file, ``messages/<locale>/<topic>.j2``, and each message is a
macro in it: ``render("id", "nik.wrong_length", length=15)`` calls the macro
``wrong_length`` of ``messages/id/nik.j2``. Keeping sentences out of code lets translators
work on whole files and lets tests check that every key exists in every locale.

Templates are rendered with autoescape on, because a citizen's own text (a name, a
description) ends up inside them. Each surface takes a message through one function:

- ``render_html`` -> ``Markup``: for an HTML page; a Jinja2 template embeds it as is (escaped
  exactly once) and a ``Markup`` it is combined with escapes whatever plain text joins it.
- ``render`` -> ``str``: Telegram's HTML parse mode, the same characters as a plain string,
  because the bot assembles a message from HTML fragments (``say(...) + "<code>…</code>"``),
  which a ``Markup`` would escape.
- ``render_text`` -> ``str``: plain text for JSON, XML and Open311, which escape for
  themselves.
"""

from __future__ import annotations

import html
import re
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

LOCALES: tuple[str, ...] = ("id", "en")
DEFAULT_LOCALE = "id"
_ROOT = Path(__file__).parent
#: A tag of a template's own markup. Escaped parameters never hold a literal "<", so whatever
#: this matches in rendered output was written by a translator, never typed by a citizen.
_TAG = re.compile(r"<[^>]*>")
#: Parameter types whose value alone decides the output (besides None).
_CACHEABLE = (str, int)


class UnknownMessage(LookupError):
    """A message key that no template defines: a programming error, never a citizen's."""


@lru_cache(maxsize=256)  # a status check asks ~30 times per request for the same header
def normalize_locale(locale: str | None) -> str:
    """Map anything a channel sends ("en-US", "EN", None) to a supported locale."""
    if not locale:
        return DEFAULT_LOCALE
    base = locale.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LOCALES else DEFAULT_LOCALE


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(_ROOT)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


@cache
def _module(locale: str, topic: str):
    try:
        return _environment().get_template(f"{locale}/{topic}.j2").module
    except Exception as exc:  # TemplateNotFound and syntax errors alike
        raise UnknownMessage(f"no message topic {topic!r} for locale {locale!r}") from exc


def render_html(locale: str | None, key: str, /, **params: object) -> Markup:
    """Message ``topic.name`` in ``locale`` (falling back to the default locale), as HTML.

    Parameters are escaped once and the template's markup is kept; the result is a
    ``Markup``, so an autoescaping template embeds it unchanged. A ``Markup`` parameter (one
    message inside another) is trusted as already escaped.
    """
    return _rendered(locale, key, params)


def render(locale: str | None, key: str, /, **params: object) -> str:
    """The message as Telegram HTML: ``render_html``'s characters as a plain ``str``.

    Entities and tags are Telegram-valid (the bot sends with ``parse_mode=HTML``). A plain
    ``str`` because the bot concatenates messages with HTML fragments of its own; embedding
    this in an HTML page would escape it a second time: pages use ``render_html``.
    """
    return str(_rendered(locale, key, params))


def render_text(locale: str | None, key: str, /, **params: object) -> str:
    """The message as plain text (template tags dropped, entities decoded), for surfaces that
    escape for themselves: JSON, XML, Open311. A citizen's characters come back unchanged."""
    return html.unescape(_TAG.sub("", render(locale, key, **params)))


def _rendered(locale: str | None, key: str, params: dict) -> Markup:
    locale = normalize_locale(locale)
    items = tuple(sorted(params.items()))
    for _, value in items:
        # ``type(...) not in`` rather than isinstance: a ``Markup`` equals and hashes like the
        # ``str`` of its characters, so the two must never share a cache entry (and ``str``
        # subclasses such as the notifier's one-off notes stay out of the cache on purpose).
        if value is not None and type(value) not in _CACHEABLE:
            return _render(locale, key, params)
    # Labels and reasons repeat endlessly (a status check renders ~30 of them), and a macro
    # call costs microseconds: identical calls are answered from a small cache.
    return _render_cached(locale, key, items)


def _render(locale: str, key: str, params: dict) -> Markup:
    topic, _, name = key.partition(".")
    if not name:
        raise UnknownMessage(f"message key {key!r} must look like 'topic.name'")
    macro = getattr(_module(locale, topic), name, None)
    if macro is None:
        raise UnknownMessage(f"no message {key!r} for locale {locale!r}")
    # An autoescaping macro returns Markup; Markup(...) states it, whatever Jinja2 version.
    return Markup(macro(**params)).strip()


@lru_cache(maxsize=8192)
def _render_cached(locale: str, key: str, items: tuple) -> Markup:
    return _render(locale, key, dict(items))


def keys(locale: str) -> set[str]:
    """Every message key a locale defines, for the completeness tests."""
    found: set[str] = set()
    for path in sorted((_ROOT / locale).glob("*.j2")):
        module = _module(locale, path.stem)
        found |= {
            f"{path.stem}.{name}"
            for name in dir(module)
            if not name.startswith("_") and callable(getattr(module, name))
        }
    return found


def long_date(locale: str | None, day: date) -> str:
    """``Rabu, 25 November 2026`` / ``Wednesday, 25 November 2026``."""
    return render(
        locale,
        "dates.long_date",
        weekday=day.weekday(),
        day=day.day,
        month=day.month,
        year=day.year,
    )
