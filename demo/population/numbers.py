"""NIK and family-card (KK) numbers that are unique by construction, the kecamatan codes
they are issued in, and cumulative weights for the weighted draws."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import accumulate

# --- NIK / KK serial allocation ---------------------------------------------------------
# Within one issuing kecamatan the k-th generated number (k counted from _DATE_CLASSES) gets
# serial k // _DATE_CLASSES + 1 and a date moved back by at most _DATE_CLASSES - 1 days so
# that its ordinal is ≡ k (mod _DATE_CLASSES). Two numbers with the same serial then come
# from the same block of _DATE_CLASSES consecutive k, hence have different residues, hence
# different dates: unique without remembering anything but one counter per kecamatan. All
# dates lie within 100 years, so different dates give different DDMMYY. NIKs and KK numbers
# share the counters, so a KK number never equals a NIK either. Serial 0001 (k < B) is kept
# for the personas.
_DATE_CLASSES = 128
_MAX_SERIAL = 9999
CAPACITY_PER_DISTRICT = _DATE_CLASSES * (_MAX_SERIAL - 1)  # NIKs + KKs per kecamatan


def normalize_districts(district_codes: Sequence[str]) -> tuple[str, ...]:
    if isinstance(district_codes, str):
        raise TypeError("district_codes must be a sequence of codes, not one string")
    codes = []
    for raw in district_codes:
        code = str(raw).replace(".", "").strip()
        if len(code) != 6 or not (code.isascii() and code.isdigit()):
            raise ValueError("district codes must be 6-digit kecamatan codes")
        codes.append(code)
    if not codes:
        raise ValueError("at least one district code is needed")
    return tuple(codes)


def dotted(code: str) -> str:
    return f"{code[:2]}.{code[2:4]}.{code[4:]}"


def cumulative(weights: Iterable[float]) -> tuple[list[float], float]:
    cum = list(accumulate(weights))
    return cum, cum[-1]


class SerialAllocator:
    """NIK and KK numbers that are unique by construction (see the comment on
    ``_DATE_CLASSES``). Memory: one int per issuing kecamatan, plus the few numbers handed
    out to personas.

    Serial 0001 is kept for the personas, whose numbers carry their exact, hand-picked
    dates; every generated number has a serial of 0002 or more."""

    __slots__ = ("_next", "_exact")

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self._exact: set[str] = set()

    def _take(self, prefix: str, ordinal: int, female: bool, exact: bool) -> tuple[str, date]:
        if exact:
            when = date.fromordinal(ordinal)
            serial = 1
        else:
            k = self._next.get(prefix, _DATE_CLASSES)
            serial = k // _DATE_CLASSES + 1
            if serial > _MAX_SERIAL:
                raise ValueError(
                    f"more than {CAPACITY_PER_DISTRICT:,} numbers issued in one kecamatan; "
                    "pass more district codes"
                )
            self._next[prefix] = k + 1
            when = date.fromordinal(ordinal - (ordinal - k) % _DATE_CLASSES)
        day = when.day + 40 if female else when.day
        number = f"{prefix}{day:02d}{when.month:02d}{when.year % 100:02d}{serial:04d}"
        if exact:
            if number in self._exact:
                raise ValueError("two personas share a kecamatan and a date")
            self._exact.add(number)
        return number, when

    def nik(
        self, prefix: str, ordinal: int, female: bool, *, exact: bool = False
    ) -> tuple[str, date]:
        """A new NIK issued in ``prefix`` and the birth date it encodes: ``ordinal``, or
        (unless ``exact``) up to _DATE_CLASSES - 1 days earlier."""
        return self._take(prefix, ordinal, female, exact)

    def kk(self, prefix: str, ordinal: int, *, exact: bool = False) -> str:
        """A new family card number issued in ``prefix`` on (about) ``ordinal``."""
        return self._take(prefix, ordinal, False, exact)[0]
