"""Every sentence a citizen reads, per locale.

Each topic is one Jinja2 file, ``messages/<locale>/<topic>.j2``, and each message is a
macro in it: ``render("id", "nik.wrong_length", length=15)`` calls the macro
``wrong_length`` of ``messages/id/nik.j2``. Keeping sentences out of code lets translators
work on whole files and lets tests check that every key exists in every locale.

Templates are rendered with autoescape on, because the bot sends them in Telegram's HTML
parse mode and a citizen's own text (a name, a description) ends up inside them.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

LOCALES: tuple[str, ...] = ("id", "en")
DEFAULT_LOCALE = "id"
_ROOT = Path(__file__).parent


class UnknownMessage(LookupError):
    """A message key that no template defines: a programming error, never a citizen's."""


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


def render(locale: str | None, key: str, /, **params: object) -> str:
    """Render message ``topic.name`` in ``locale`` (falling back to the default locale)."""
    locale = normalize_locale(locale)
    items = tuple(sorted(params.items()))
    if all(value is None or type(value) in (str, int) for _, value in items):
        # Labels and reasons repeat endlessly (a status check renders ~30 of them), and a
        # macro call costs microseconds: identical calls are answered from a small cache.
        return _render_cached(locale, key, items)
    return _render(locale, key, params)


def _render(locale: str, key: str, params: dict) -> str:
    topic, _, name = key.partition(".")
    if not name:
        raise UnknownMessage(f"message key {key!r} must look like 'topic.name'")
    macro = getattr(_module(locale, topic), name, None)
    if macro is None:
        raise UnknownMessage(f"no message {key!r} for locale {locale!r}")
    return str(macro(**params)).strip()


@lru_cache(maxsize=8192)
def _render_cached(locale: str, key: str, items: tuple) -> str:
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
