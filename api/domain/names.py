"""Personal names as printed on the KTP: comparing and masking them.

Pure functions. A citizen types a name however their phone lets them ("Nur'aini",
"m. rizky", "SITI  AISYAH"); the population registry holds it in KTP style (uppercase,
no punctuation). :func:`normalize_name` brings both to one comparable form, and
:func:`mask_name` shows a name the way Cek Bansos does, so a citizen can recognise it
without it being disclosed to whoever else reads the screen.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["mask_name", "normalize_name"]

# Apostrophe look-alikes are deleted rather than turned into spaces: "NUR'AINI" is
# written "NURAINI" on a KTP, not "NUR AINI". The acute accent and prime are included
# because keyboards substitute them for the apostrophe; they are removed before NFKC,
# which would otherwise decompose the accent into a space and a combining mark.
_APOSTROPHES = "'`\u2018\u2019\u201b\u02bb\u02bc\u02b9\u00b4\u2032\uff07"
_DROP_APOSTROPHES = str.maketrans(dict.fromkeys(_APOSTROPHES))


# A name already in KTP form (ASCII capitals and digits, single spaces) is its own
# normal form: the bulk import meets millions of these and skips the Unicode work.
_ALREADY_NORMAL = re.compile(r"[A-Z0-9]+(?: [A-Z0-9]+)*")


def normalize_name(name: str) -> str:
    """Return ``name`` in a form for comparing a typed name with the KTP's.

    Unicode NFKC, uppercase, apostrophes removed (``Nur'aini`` -> ``NURAINI``), every
    other character that is not a letter, digit or combining mark (dots, commas,
    hyphens, slashes, symbols, control characters) turned into a space, then runs of
    whitespace collapsed to one space and the ends stripped. Digits are kept.
    ``normalize_name(normalize_name(x)) == normalize_name(x)``.
    """
    if _ALREADY_NORMAL.fullmatch(name):
        return name
    text = unicodedata.normalize("NFKC", name.translate(_DROP_APOSTROPHES)).upper()
    # Uppercasing can leave text that NFKC would change again (e.g. a dotted I), and
    # the result must be stable when normalized a second time.
    text = unicodedata.normalize("NFKC", text).translate(_DROP_APOSTROPHES)
    chars = [ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " " for ch in text]
    return " ".join("".join(chars).split())


def _mask_word(word: str) -> str:
    if len(word) <= 1:
        return word
    if len(word) == 2:
        return word[0] + "*"
    return word[0] + "*" * (len(word) - 2) + word[-1]


def mask_name(name: str) -> str:
    """Mask a name Cek Bansos style: each word keeps its first and last character and
    the ones between become ``*`` (``WAHYU LESTARI`` -> ``W***U L*****I``).

    A one-letter word is kept as is; a two-letter word keeps only its first letter
    (``AL`` -> ``A*``). The name is normalized first (see :func:`normalize_name`), so
    the result is uppercase and single-spaced whatever was passed in.
    """
    return " ".join(_mask_word(word) for word in normalize_name(name).split())
