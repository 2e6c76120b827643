"""Parse, validate and mask a NIK (Nomor Induk Kependudukan).

A NIK is 16 digits, ``PP KK CC DDMMYY SSSS``: province, kabupaten/kota and kecamatan
codes of where it was first issued, the day of birth (+40 for women), month and
two-digit year of birth, and a serial that is never ``0000``.

Pure: no I/O except through the :class:`~api.domain.regions.RegionCodes` passed in
(by default the shared :func:`~api.domain.regions.region_codes`). Fast: parsing a valid
NIK costs a few microseconds, since bulk imports run it once per row.

A NIK is personal data (UU 27/2022): nothing here ever puts one into an error message,
an exception's params or a ``repr``. Show a citizen :func:`mask_nik` output at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from api.domain.regions import RegionCodes, region_codes

__all__ = [
    "NIK_LENGTH",
    "Nik",
    "NikError",
    "NikProblem",
    "check_nik",
    "is_valid_nik",
    "mask_nik",
    "normalize_nik",
    "parse_nik",
    "try_parse_nik",
]

NIK_LENGTH = 16

_DIGITS = frozenset("0123456789")

# Separators people type or paste inside a NIK ("3510.0112.3456.0001",
# "3510-01-...") besides whitespace: ASCII dot and hyphen plus the dash and dot
# look-alikes that phone keyboards and word processors substitute for them.
_SEPARATORS = (
    ".\uff0e"  # full stop, fullwidth full stop
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"  # hyphen-minus, dashes, minus
)
_STRIP_SEPARATORS = str.maketrans(dict.fromkeys(_SEPARATORS))


class NikProblem(StrEnum):
    """Why a NIK is invalid, in the order :func:`parse_nik` checks. The value is also
    the name of the citizen message macro in ``messages/<locale>/nik.j2``."""

    EMPTY = "empty"
    NOT_DIGITS = "not_digits"  # params: count (characters that are not digits)
    WRONG_LENGTH = "wrong_length"  # params: length, expected
    BAD_MONTH = "bad_month"  # params: month (the MM digits as a number)
    BAD_DAY = "bad_day"  # params: day (the DD digits as a number)
    DATE_NOT_EXIST = "date_not_exist"  # params: day (calendar day, -40 for women), month, year
    ZERO_SERIAL = "zero_serial"


def _describe(problem: NikProblem, params: dict[str, int | str]) -> str:
    match problem:
        case NikProblem.EMPTY:
            return "NIK is empty"
        case NikProblem.NOT_DIGITS:
            return (
                f"NIK contains {params['count']} character(s) other than digits "
                f"(after removing spaces, dots and dashes)"
            )
        case NikProblem.WRONG_LENGTH:
            return f"NIK must have {params['expected']} digits; got {params['length']}"
        case NikProblem.BAD_MONTH:
            return f"NIK birth month (digits 9-10) must be 01-12; got {params['month']:02d}"
        case NikProblem.BAD_DAY:
            return (
                f"NIK birth day (digits 7-8) must be 01-31, or 41-71 for women; "
                f"got {params['day']:02d}"
            )
        case NikProblem.DATE_NOT_EXIST:
            return (
                f"NIK birth date does not exist: day {params['day']} of month "
                f"{params['month']} in {params['year']}"
            )
        case NikProblem.ZERO_SERIAL:
            return "NIK serial (last 4 digits) must not be 0000"
    return str(problem)  # pragma: no cover - every member is handled above


class NikError(ValueError):
    """An invalid NIK. ``problem`` says which check failed and ``params`` the details a
    citizen message needs (see :class:`NikProblem`); ``str(exc)`` is an English message
    for developers. Neither ever contains the NIK: at most a two-digit field of it
    (day or month), never enough to identify anybody."""

    def __init__(self, problem: NikProblem, **params: int | str) -> None:
        self.problem = problem
        self.params: dict[str, int | str] = params
        super().__init__(_describe(problem, params))

    def __reduce__(self):  # keep problem and params through pickling (multiprocessing)
        return (_rebuild_error, (self.problem, self.params))


def _rebuild_error(problem: NikProblem, params: dict[str, int | str]) -> NikError:
    return NikError(problem, **params)


@dataclass(frozen=True, slots=True)
class Nik:
    """A structurally valid NIK and the fields it encodes.

    ``value`` is the normalized 16 digits; ``province_code`` (2), ``regency_code`` (4)
    and ``district_code`` (6) are its region prefixes; ``sex`` is ``"P"`` (perempuan)
    when the day field is above 40, else ``"L"``; ``serial`` is the last 4 digits.
    ``region_verified`` tells whether the kecamatan code exists in the current
    Kemendagri tables; an unknown one is merely unverified (regions split, NIKs are
    never renumbered).

    ``repr()`` and ``str()`` show only the masked form, so a Nik that slips into a log
    line or an f-string does not leak the number.
    """

    value: str
    province_code: str
    regency_code: str
    district_code: str
    birth_date: date
    sex: Literal["L", "P"]
    serial: str
    region_verified: bool

    @property
    def masked(self) -> str:
        """The NIK with its middle 8 digits hidden, e.g. ``3510********0001``."""
        return mask_nik(self.value)

    def __repr__(self) -> str:
        # Every other field is a slice of the NIK; together with the masked form they
        # would rebuild it, so none of them is shown.
        return f"Nik({self.masked!r}, region_verified={self.region_verified})"

    def __str__(self) -> str:
        return self.masked


def normalize_nik(raw: str) -> str:
    """Remove whitespace (any Unicode space, including non-breaking), dots and dashes
    from ``raw``. Nothing else is removed or converted, so anything that is not an
    ASCII digit is still there for :func:`parse_nik` to report."""
    if raw.isdigit() and raw.isascii():  # the common case: already clean
        return raw
    return "".join(raw.split()).translate(_STRIP_SEPARATORS)


# Birth-date fields (the 6 DDMMYY characters) resolve to the same result for every NIK
# born on that day, and a million-row import has at most ~75,000 distinct ones. Results
# are cached per ``today`` because the century choice depends on it.
_BirthResult = tuple[date, Literal["L", "P"]] | tuple[NikProblem, dict[str, int]]
_birth_caches: dict[date, dict[str, _BirthResult]] = {}
_MAX_BIRTH_CACHE = 200_000  # guard against adversarial input filling memory


_NOT_CACHED = (None,)


def _resolve_birth(ddmmyy: str, today: date) -> _BirthResult:
    day = int(ddmmyy[0:2])
    month = int(ddmmyy[2:4])
    yy = int(ddmmyy[4:6])
    if not 1 <= month <= 12:
        return NikProblem.BAD_MONTH, {"month": month}
    if 1 <= day <= 31:
        sex: Literal["L", "P"] = "L"
    elif 41 <= day <= 71:
        sex = "P"
        day -= 40
    else:
        return NikProblem.BAD_DAY, {"day": day}
    # The latest year not in the future: 20YY unless that birthday is after today.
    # Compared as tuples so that a non-existent date (29 Feb 2001) still picks a year
    # and is then reported as date_not_exist for that year.
    year = 2000 + yy
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    if day > _days_in_month(year, month):
        return NikProblem.DATE_NOT_EXIST, {"day": day, "month": month, "year": year}
    return date(year, month, day), sex


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _birth(ddmmyy: str, today: date) -> _BirthResult:
    cache = _birth_caches.get(today)
    if cache is None:
        if len(_birth_caches) >= 4:  # only tests use many different "today"s
            _birth_caches.clear()
        cache = _birth_caches[today] = {}
    result = cache.get(ddmmyy)
    if result is None:
        result = _resolve_birth(ddmmyy, today)
        if len(cache) >= _MAX_BIRTH_CACHE:
            cache.clear()
        cache[ddmmyy] = result
    return result


def _checked(raw: str, today: date) -> tuple[str, tuple[date, Literal["L", "P"]]] | NikError:
    """The normalized value and its birth date and sex, or the first check that fails."""
    if not raw:
        return NikError(NikProblem.EMPTY)
    value = normalize_nik(raw)
    if not value:
        return NikError(NikProblem.EMPTY)
    if not (value.isascii() and value.isdigit()):
        # isdigit() alone would accept non-ASCII digits such as "١" or "²".
        return NikError(NikProblem.NOT_DIGITS, count=sum(ch not in _DIGITS for ch in value))
    if len(value) != NIK_LENGTH:
        return NikError(NikProblem.WRONG_LENGTH, length=len(value), expected=NIK_LENGTH)
    birth = _birth(value[6:12], today)
    if isinstance(birth[0], NikProblem):
        return NikError(birth[0], **birth[1])  # type: ignore[arg-type]
    if value[12:] == "0000":
        return NikError(NikProblem.ZERO_SERIAL)
    return value, birth  # type: ignore[return-value]


def try_parse_nik(
    raw: str, *, regions: RegionCodes | None = None, today: date | None = None
) -> Nik | NikError:
    """Like :func:`parse_nik` but returns the :class:`NikError` instead of raising it,
    for bulk imports where invalid rows are expected and exceptions cost time."""
    checked = _checked(raw, today or date.today())
    if isinstance(checked, NikError):
        return checked
    value, (birth_date, sex) = checked
    district_code = value[:6]
    if regions is None:
        regions = region_codes()
    return Nik(
        value,
        value[:2],
        value[:4],
        district_code,
        birth_date,
        sex,
        value[12:],
        regions.has_district(district_code),
    )


def check_nik(raw: str, *, today: date) -> str | NikError:
    """The normalized 16 digits of ``raw`` if :func:`parse_nik` would accept it, else the
    :class:`NikError` it would raise. For the bulk import, which needs only the value:
    building a :class:`Nik` costs more than all the checks together."""
    # The common case of a registry file, 16 clean digits of a known birth date, in a few
    # operations; anything else takes the full checks, which give the same answer.
    if len(raw) == NIK_LENGTH and raw.isdigit() and raw.isascii() and raw[12:] != "0000":
        cache = _birth_caches.get(today)
        if cache is not None and type(cache.get(raw[6:12], _NOT_CACHED)[0]) is date:
            return raw
    checked = _checked(raw, today)
    return checked if isinstance(checked, NikError) else checked[0]


def parse_nik(raw: str, *, regions: RegionCodes | None = None, today: date | None = None) -> Nik:
    """Normalize ``raw`` (see :func:`normalize_nik`) and parse it into a :class:`Nik`.

    Checks, in order: empty, not_digits, wrong_length, bad_month, bad_day,
    date_not_exist, zero_serial; the first that fails raises :class:`NikError`.
    The two-digit year becomes 20YY when that birth date is not after ``today``
    (default: the current date), else 19YY. The region is never a reason to reject:
    ``region_verified`` is False when the kecamatan code is not in ``regions``
    (default: the shipped Kemendagri tables).
    """
    result = try_parse_nik(raw, regions=regions, today=today)
    if isinstance(result, NikError):
        raise result
    return result


def is_valid_nik(
    raw: str, *, regions: RegionCodes | None = None, today: date | None = None
) -> bool:
    """Whether :func:`parse_nik` would accept ``raw`` (an unverified region is valid)."""
    return isinstance(try_parse_nik(raw, regions=regions, today=today), Nik)


def mask_nik(nik: str) -> str:
    """Hide the middle 8 digits of a normalized 16-digit NIK: ``3510********0001``.

    Raises :class:`ValueError` (without repeating the input) for anything that is not
    exactly 16 ASCII digits; normalize first with :func:`normalize_nik`.
    """
    if len(nik) != NIK_LENGTH or not (nik.isascii() and nik.isdigit()):
        raise ValueError("mask_nik needs a normalized NIK of exactly 16 digits")
    return f"{nik[:4]}********{nik[12:]}"
