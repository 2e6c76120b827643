"""Kemendagri administrative region codes: provinces, kabupaten/kota and kecamatan.

Pure and read-only: the tables ship with the package in ``api/data/regions/*.csv``
(see the README there for their source and checks) and are loaded once into memory by
:func:`region_codes`. No database is involved.

Codes are fixed-width strings of digits without dots, exactly as in the CSV files:
province ``"35"``, regency ``"3510"``, district ``"351001"``. Leading zeros matter, so a
code is never an ``int``. Lookups take codes in that form; use
:func:`normalize_region_code` first on anything a person typed (``"35.10.01"``).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

__all__ = [
    "District",
    "Province",
    "Regency",
    "RegionCodes",
    "normalize_region_code",
    "region_codes",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "regions"

RegencyKind = Literal["kabupaten", "kota"]

# Widths of the codes at each level; 10 is a desa/kelurahan code (not shipped, but a
# valid code that callers may receive, so normalize_region_code accepts it).
_CODE_WIDTHS = (2, 4, 6, 10)

# Regency names carry their kind as a prefix ("Kabupaten Malang", "Kota Malang",
# "Kota Administrasi Jakarta Utara"). People search for "malang" or "jakarta utara",
# so the prefix is ignored when ranking matches.
_REGENCY_PREFIXES = ("kabupaten administrasi ", "kota administrasi ", "kabupaten ", "kota ")


@dataclass(frozen=True, slots=True)
class Province:
    """A province (provinsi): 2-digit ``code`` and its official ``name``."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Regency:
    """A kabupaten or kota: 4-digit ``code``, its 2-digit ``province_code``, the official
    ``name`` (with its "Kabupaten "/"Kota " prefix) and ``kind``."""

    code: str
    province_code: str
    name: str
    kind: RegencyKind


@dataclass(frozen=True, slots=True)
class District:
    """A kecamatan: 6-digit ``code``, its 4-digit ``regency_code`` and ``name``."""

    code: str
    regency_code: str
    name: str


def normalize_region_code(raw: str) -> str:
    """Return the digits of a region code typed with or without dots and spaces.

    Accepts ``"35"``, ``"35.10"``, ``"35.10.01"``, ``"351001"``, ``"35.10.01.2001"``,
    ``"3510012001"`` (a province, regency, district or village code). Raises
    :class:`ValueError` when anything but digits remains or the number of digits is not
    2, 4, 6 or 10. The message states what was wrong but never repeats the input, since
    callers sometimes pass a NIK here by mistake and a NIK must not be echoed.
    """
    digits = "".join(str(raw).split()).replace(".", "")
    if not digits:
        raise ValueError("region code is empty")
    if not (digits.isascii() and digits.isdigit()):
        others = sum(1 for ch in digits if ch not in "0123456789")
        raise ValueError(
            f"region code may contain only digits, dots and spaces; "
            f"found {others} other character(s)"
        )
    if len(digits) not in _CODE_WIDTHS:
        raise ValueError(
            f"region code must have 2 (province), 4 (kabupaten/kota), 6 (kecamatan) "
            f"or 10 (desa/kelurahan) digits; got {len(digits)}"
        )
    return digits


def _match_rank(key: str, needle: str) -> int | None:
    """0 exact, 1 prefix, 2 start of an inner word, 3 anywhere inside; None if absent."""
    pos = key.find(needle)
    if pos < 0:
        return None
    if pos == 0:
        return 0 if len(key) == len(needle) else 1
    # A later occurrence may start a word even when the first one does not.
    if f" {needle}" in key:
        return 2
    return 3


def _search_key(text: str) -> str:
    return " ".join(text.casefold().split())


def bare_regency_name(name: str) -> str:
    """A kab/kota's name without its kind, case-folded: "Kota Administrasi Jakarta Utara"
    → "jakarta utara"."""
    return _regency_key(name)


def _regency_key(name: str) -> str:
    key = _search_key(name)
    for prefix in _REGENCY_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


class RegionCodes:
    """In-memory, read-only view of the three code tables.

    Lookups (:meth:`province`, :meth:`regency`, :meth:`district`) are single dict
    lookups; the ``*_of`` methods return tuples ordered by code. Build it with
    :func:`region_codes` (shared instance) or :meth:`load` (fresh, e.g. from a test
    directory).
    """

    def __init__(
        self,
        provinces: list[Province],
        regencies: list[Regency],
        districts: list[District],
    ) -> None:
        self._provinces = {p.code: p for p in provinces}
        self._regencies = {r.code: r for r in regencies}
        self._districts = {d.code: d for d in districts}
        by_province: defaultdict[str, list[Regency]] = defaultdict(list)
        for r in sorted(regencies, key=lambda r: r.code):
            by_province[r.province_code].append(r)
        by_regency: defaultdict[str, list[District]] = defaultdict(list)
        for d in sorted(districts, key=lambda d: d.code):
            by_regency[d.regency_code].append(d)
        self._regencies_of = {k: tuple(v) for k, v in by_province.items()}
        self._districts_of = {k: tuple(v) for k, v in by_regency.items()}
        # Precomputed search keys, so a search is one pass of str.find.
        self._regency_keys = [
            (_regency_key(r.name), _search_key(r.name), r) for r in self._regencies.values()
        ]
        self._district_keys = [(_search_key(d.name), d) for d in self._districts.values()]

    @classmethod
    def load(cls, directory: Path | str = DATA_DIR) -> RegionCodes:
        """Read ``provinces.csv``, ``regencies.csv`` and ``districts.csv`` from
        ``directory`` (UTF-8, header row, codes as strings)."""
        directory = Path(directory)
        provinces = [Province(code, name) for code, name in _rows(directory / "provinces.csv")]
        regencies = [
            Regency(code, province_code, name, kind)  # type: ignore[arg-type]
            for code, province_code, name, kind in _rows(directory / "regencies.csv")
        ]
        districts = [
            District(code, regency_code, name)
            for code, regency_code, name in _rows(directory / "districts.csv")
        ]
        return cls(provinces, regencies, districts)

    # -- lookups -------------------------------------------------------------------

    def province(self, code: str) -> Province | None:
        """The province with this 2-digit code, or None."""
        return self._provinces.get(code)

    def regency(self, code: str) -> Regency | None:
        """The kabupaten/kota with this 4-digit code, or None."""
        return self._regencies.get(code)

    def district(self, code: str) -> District | None:
        """The kecamatan with this 6-digit code, or None."""
        return self._districts.get(code)

    def has_district(self, code: str) -> bool:
        """Whether this 6-digit kecamatan code exists (the NIK region check)."""
        return code in self._districts

    def provinces(self) -> tuple[Province, ...]:
        """All provinces, ordered by code."""
        return tuple(sorted(self._provinces.values(), key=lambda p: p.code))

    def regencies(self) -> tuple[Regency, ...]:
        """All kabupaten/kota, ordered by code."""
        return tuple(sorted(self._regencies.values(), key=lambda r: r.code))

    def districts(self) -> tuple[District, ...]:
        """All kecamatan, ordered by code."""
        return tuple(sorted(self._districts.values(), key=lambda d: d.code))

    def regencies_of(self, province_code: str) -> tuple[Regency, ...]:
        """The kabupaten/kota of a province, ordered by code; empty if unknown."""
        return self._regencies_of.get(province_code, ())

    def districts_of(self, regency_code: str) -> tuple[District, ...]:
        """The kecamatan of a kabupaten/kota, ordered by code; empty if unknown."""
        return self._districts_of.get(regency_code, ())

    @property
    def counts(self) -> tuple[int, int, int]:
        """(provinces, regencies, districts)."""
        return len(self._provinces), len(self._regencies), len(self._districts)

    # -- search --------------------------------------------------------------------

    def search_regencies(self, text: str, limit: int = 10) -> list[Regency]:
        """Kabupaten/kota whose name contains ``text`` (case-insensitive).

        The "Kabupaten "/"Kota " (and "Administrasi ") prefix is ignored when matching,
        unless ``text`` itself includes it ("kota malang" finds only Kota Malang).
        Best matches first: exact name, then names starting with ``text``, then a word
        starting with it, then any inner match; ties by name, then code. Blank ``text``
        finds nothing.
        """
        needle = _search_key(text)
        if not needle or limit <= 0:
            return []
        found: list[tuple[int, str, str, Regency]] = []
        for key, full_key, regency in self._regency_keys:
            rank = _match_rank(key, needle)
            if rank is None:
                # "kota malang" should still find Kota Malang.
                rank = _match_rank(full_key, needle)
            if rank is not None:
                found.append((rank, key, regency.code, regency))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found[:limit]]

    def search_districts(
        self, text: str, regency_code: str | None = None, limit: int = 10
    ) -> list[District]:
        """Kecamatan whose name contains ``text`` (case-insensitive), optionally only
        within one kabupaten/kota. Ranked like :meth:`search_regencies`."""
        needle = _search_key(text)
        if not needle or limit <= 0:
            return []
        if regency_code is None:
            candidates = self._district_keys
        else:
            candidates = [(_search_key(d.name), d) for d in self.districts_of(regency_code)]
        found: list[tuple[int, str, str, District]] = []
        for key, district in candidates:
            rank = _match_rank(key, needle)
            if rank is not None:
                found.append((rank, key, district.code, district))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found[:limit]]


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)  # header
        return [row for row in reader if row]


@cache
def region_codes() -> RegionCodes:
    """The shared :class:`RegionCodes` for the shipped tables, loaded on first use."""
    return RegionCodes.load()
