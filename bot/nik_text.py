"""Does a typed text carry a NIK? A light look at its shape, for taking it out of the chat.

The api is the judge of a NIK (``POST /api/v1/nik-checks``); this only has to notice one
typed where none was asked (a name, a story, a menu choice), without a round trip, so that
its message can be deleted like at the NIK steps. It follows the NIK's structure
(``PP KK CC DDMMYY SSSS``: a province code 11-94, a day of birth 01-31 or 41-71 for women,
a month 01-12, a serial other than 0000) so that a phone number (``0812…``), an amount or a
tracking ID is left alone.
"""

from __future__ import annotations

import re

# 16 digits, as people type them: in one run or in groups split by a space, dot or dash.
_CANDIDATE = re.compile(r"(?<![\d.\-])(?:\d[ .\-\u00a0]?){15}\d(?![\d])")
_SEPARATORS = re.compile(r"[ .\-\u00a0]")


def looks_like_nik(digits: str) -> bool:
    """16 digits shaped like a NIK (not checked against the region tables)."""
    if len(digits) != 16 or not digits.isascii() or not digits.isdigit():
        return False
    province, day, month = int(digits[0:2]), int(digits[6:8]), int(digits[8:10])
    return (
        11 <= province <= 94
        and (1 <= day <= 31 or 41 <= day <= 71)
        and 1 <= month <= 12
        and digits[12:] != "0000"
    )


def contains_nik(text: str) -> bool:
    """Whether ``text`` holds anything that looks like a NIK, written whole or in groups."""
    return any(
        looks_like_nik(_SEPARATORS.sub("", match.group())) for match in _CANDIDATE.finditer(text)
    )
