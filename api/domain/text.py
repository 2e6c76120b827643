"""Which characters a text may hold, decided in one place for every surface.

A NUL cannot be stored in PostgreSQL text at all, and other control characters and lone
surrogates (half of a UTF-16 pair, which JSON's ``\\ud800`` escape can smuggle in) are never
part of what a person meant to write: they break storage, logs, CSV exports and the Telegram
messages a text ends up in. So every text field refuses them, with the position and code
point of the first one, before anything is stored or batched. Tab and line breaks (LF, and
the CR of a form's CRLF) are allowed only where a text has several lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class TextProblem(StrEnum):
    CONTROL_CHARACTER = "control_character"
    #: A tab or a line break where the text is one line.
    LINE_BREAK = "line_break"
    #: A lone surrogate: not a character at all, only half of a broken one.
    BROKEN_CHARACTER = "broken_character"


@dataclass(frozen=True, slots=True)
class TextFault:
    problem: TextProblem
    position: int  # 1-based, in characters
    code_point: str  # "U+0000": safe to show, never a part of what was typed

    @property
    def params(self) -> dict[str, object]:
        return {"position": self.position, "code_point": self.code_point}


# C0 controls, DEL and C1 controls (Unicode's Cc) and the surrogate block (Cs).
_ONE_LINE_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MULTI_LINE_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = frozenset("\t\n\r")


def text_fault(text: str, *, multiline: bool = False) -> TextFault | None:
    """The first character ``text`` may not hold, or None when every one is acceptable."""
    found = (_MULTI_LINE_REFUSED if multiline else _ONE_LINE_REFUSED).search(text)
    if found is None:
        return None
    character = found.group()
    if "\ud800" <= character <= "\udfff":
        problem = TextProblem.BROKEN_CHARACTER
    elif character in _LINE_BREAKS:
        problem = TextProblem.LINE_BREAK
    else:
        problem = TextProblem.CONTROL_CHARACTER
    return TextFault(problem, found.start() + 1, f"U+{ord(character):04X}")
