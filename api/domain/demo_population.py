"""A synthetic population for demos and benchmarks: families, persons, enrolments and 2026
disbursement histories, written as the two registry CSV imports.

Everything here is made up. Names are random combinations from ``api/data/demo_names.yaml``;
NIKs and family card numbers are structurally valid but invented.

Pure and deterministic: all randomness comes from one ``random.Random(seed)``; the only I/O
is reading the packaged name list (and writing files in :func:`write_csvs`). The same seed
and inputs give byte-identical output.

Streaming: families are generated one at a time, so memory stays flat however large the
population. The only state that grows is one counter per NIK-issuing kecamatan (see
:class:`_SerialAllocator`): at most ``len(district_codes) + 1`` integers, plus the
personas' few numbers. 1,000,000 persons stream in about 25 s at ~17 MB RSS.

Model, briefly (the rules are mirrored from ``api/data/eligibility.yaml``; a test checks
that they agree):

* A family has 1-6 members, head first, a desil (1-10, ~2% not ranked) shared by all
  members, and a kecamatan of domicile from ``district_codes``.
* Enrolment: a family with desil <= 4 is *designated* with probability 0.85 (the other 15%
  are the "usul" case: eligible but not enrolled). A designated family gets SEMBAKO, PKH when
  it has a PKH component, and sometimes (12%) BLT, all on the head. PBI_JK goes to every
  member of a family with desil <= 5 that is designated for it (every cash-designated
  family, 88% of the others). A person is never enrolled in a programme one of their
  exclusion codes closes.
* Exclusions: ASN_TNI_POLRI, GAJI_BPJS and LISTRIK_DI_ATAS_1300VA describe the household
  and are written on every member; TRANSAKSI_JUDI_ONLINE on the head (the account holder);
  MENINGGAL, DUKCAPIL_BELUM_PADAN and GANDA on single persons. About 4% of persons carry one.
* PKH component per member (the largest that applies, deceased members not counted):
  pregnant 3,000,000/yr; age 0-6 3,000,000; 7-12 900,000; 13-15 1,500,000; 16-18
  2,000,000; severe disability 2,400,000; 70+ 2,400,000. Per tahap: the family sum / 4.
* Disbursements (cash programmes only) for tahap that have started by ``today``: past
  tahap run PENETAPAN -> ... -> TRANSAKSI SUKSES; the current tahap stops at varied stages.
  ~2% BUREKOL GAGAL and ~2% TOPUP GAGAL, then possibly a re-route to PT Pos. Every
  (nik, program, tahap) has at most one row per stage, stages strictly in order with
  non-decreasing dates, at most one GAGAL, and only POS rows after it.
"""

from __future__ import annotations

import csv
import os
import random
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

import yaml

from api.domain.eligibility import default_rules
from api.domain.registry_import.rows import BENEFICIARY_COLUMNS, DISBURSEMENT_COLUMNS

__all__ = [
    "BENEFICIARY_COLUMNS",
    "CAPACITY_PER_DISTRICT",
    "DEMO_TODAY",
    "DISBURSEMENT_COLUMNS",
    "DemoCounts",
    "DemoDisbursement",
    "DemoFamily",
    "DemoPerson",
    "EXCLUSION_CLOSES",
    "MAX_DESIL",
    "NAMES_PATH",
    "PERSONAS",
    "POS_STAGES",
    "Persona",
    "PersonaSpec",
    "STAGES",
    "beneficiary_rows",
    "demo_personas",
    "disbursement_rows",
    "generate_population",
    "pkh_annual_component",
    "write_csvs",
]

NAMES_PATH = Path(__file__).resolve().parent.parent / "data" / "demo_names.yaml"

DEMO_TODAY = date(2026, 11, 23)

# --- rules: read from api/data/eligibility.yaml, so the demo follows the rules file ------
_RULES = default_rules()
PROGRAMMES = tuple(_RULES.programmes)
MAX_DESIL = {code: spec.max_desil for code, spec in _RULES.programmes.items()}
CASH_PROGRAMMES = tuple(code for code, spec in _RULES.programmes.items() if spec.cash)
_ALL = frozenset(PROGRAMMES)
_CASH = frozenset(CASH_PROGRAMMES)
# In the rules' order of precedence.
EXCLUSION_CLOSES: dict[str, frozenset[str]] = dict(_RULES.exclusions)
_EXCLUSION_RANK = {code: i for i, code in enumerate(EXCLUSION_CLOSES)}

SEMBAKO_PER_TAHAP = 600_000
BLT_PER_TAHAP = 900_000
BLT_TAHAP = 4
PKH_PREGNANT = 3_000_000
PKH_EARLY_CHILDHOOD = 3_000_000  # age 0-6
PKH_SD = 900_000  # age 7-12
PKH_SMP = 1_500_000  # age 13-15
PKH_SMA = 2_000_000  # age 16-18
PKH_DISABILITY = 2_400_000  # severe disability
PKH_ELDERLY = 2_400_000  # age 70+

STAGES = ("PENETAPAN", "BUREKOL", "CEK_REKENING", "SPM", "SI", "TOPUP", "TRANSAKSI")
POS_STAGES = ("PENETAPAN", "SPM", "TRANSAKSI")
BANKS = ("BRI", "BNI", "MANDIRI")
ACEH = "11"  # province served by BSI (Islamic banking only)

HEAD = "KEPALA_KELUARGA"
WIFE = "ISTRI"
HUSBAND = "SUAMI"
CHILD = "ANAK"
PARENT = "ORANG_TUA"

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
_MAX_AGE = 95  # keeps every birth date within 100 years of today

# --- population shape -------------------------------------------------------------------
_DESIL_WEIGHTS = (15, 14, 13, 12, 10, 9, 8, 7, 6, 6)  # poorer pilot areas: skew to low desil
_UNRANKED = 0.02
_FAMILY_SIZE_WEIGHTS = (9, 16, 23, 25, 16, 11)  # 1..6 persons
_DESIGNATED = 0.85  # share of eligible families actually designated (the rest: "usul")
_PBI_DESIGNATED = 0.88
_BLT_SHARE = 0.12  # of designated families
_DOTTED_REGION = 0.1
_POS_CHANNEL = 0.04
_BANK_WEIGHTS = (50, 30, 20)
_BUREKOL_GAGAL = 0.02
_TOPUP_GAGAL = 0.02
_START_TAHAP_WEIGHTS = (90, 5, 3, 2)  # tahap of 2026 in which a family was first designated

# Exclusions: household codes per family, then per-person codes.
_HOUSEHOLD_EXCLUSIONS = (
    (0.006, "ASN_TNI_POLRI"),
    (0.016, "GAJI_BPJS"),
    (0.026, "LISTRIK_DI_ATAS_1300VA"),
)
_JUDI = 0.006  # of heads
_DUKCAPIL = 0.008
_GANDA = 0.003
_MENINGGAL_YOUNG = 0.001
_MENINGGAL_OLD = 0.02  # 70+

# Current-tahap progress: (index of the last stage reached, its status).
_BANK_PROGRESS = (
    (5, 0, "SUKSES"),
    (4, 1, "PROSES"),
    (4, 2, "PROSES"),
    (8, 3, "PROSES"),
    (9, 4, "PROSES"),
    (15, 5, "PROSES"),
    (15, 6, "PROSES"),
    (40, 6, "SUKSES"),
)
_POS_PROGRESS = ((10, 0, "SUKSES"), (30, 1, "PROSES"), (20, 2, "PROSES"), (40, 2, "SUKSES"))


class DemoPerson(NamedTuple):
    nik: str
    nama: str
    female: bool
    birth_date: date
    relation: str  # KEPALA_KELUARGA, ISTRI, SUAMI, ANAK, ORANG_TUA
    pregnant: bool
    severe_disability: bool
    exclusions: tuple[str, ...]  # in the rules' order of precedence
    programmes: tuple[str, ...]  # in PROGRAMMES order


class DemoDisbursement(NamedTuple):
    nik: str
    program: str
    tahun: int
    tahap: int  # 1-4
    tahapan: str
    status: str
    penyalur: str
    nominal: int
    tanggal: date

    def values(self) -> tuple[str, ...]:
        return (
            self.nik,
            self.program,
            str(self.tahun),
            str(self.tahap),
            self.tahapan,
            self.status,
            self.penyalur,
            str(self.nominal),
            self.tanggal.isoformat(),
        )

    def row(self) -> dict[str, str]:
        return dict(zip(DISBURSEMENT_COLUMNS, self.values(), strict=True))


@dataclass(frozen=True, slots=True)
class DemoFamily:
    no_kk: str
    district_code: str  # kecamatan of domicile, 6 digits
    kode_wilayah: str  # as written in the CSV: 6 digits or dotted (35.10.01)
    desil: int | None
    channel: str  # the family's usual penyalur
    members: tuple[DemoPerson, ...]  # head first
    disbursements: tuple[DemoDisbursement, ...]

    @property
    def head(self) -> DemoPerson:
        return self.members[0]

    def beneficiary_values(self) -> Iterator[tuple[str, ...]]:
        desil = "" if self.desil is None else str(self.desil)
        for p in self.members:
            yield (
                p.nik,
                self.no_kk,
                p.nama,
                self.kode_wilayah,
                desil,
                ";".join(p.programmes),
                ";".join(p.exclusions),
            )

    def beneficiary_rows(self) -> list[dict[str, str]]:
        return [dict(zip(BENEFICIARY_COLUMNS, v, strict=True)) for v in self.beneficiary_values()]

    def disbursement_rows(self) -> list[dict[str, str]]:
        return [d.row() for d in self.disbursements]


@dataclass(frozen=True, slots=True)
class PersonaSpec:
    key: str
    name: str
    shows_en: str
    shows_id: str


@dataclass(frozen=True, slots=True)
class Persona:
    key: str
    nik: str
    name: str
    shows_en: str
    shows_id: str
    family: DemoFamily  # the persona is its head

    @property
    def person(self) -> DemoPerson:
        return self.family.head

    def beneficiary_rows(self) -> list[dict[str, str]]:
        """Rows of the persona's whole family (the persona first)."""
        return self.family.beneficiary_rows()

    def disbursement_rows(self) -> list[dict[str, str]]:
        return self.family.disbursement_rows()


class DemoCounts(NamedTuple):
    families: int
    persons: int
    disbursements: int


# --- helpers ------------------------------------------------------------------------------


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def pkh_annual_component(
    age: int, *, pregnant: bool = False, severe_disability: bool = False
) -> int:
    """The yearly PKH component one person brings to the family (0 if none); a person
    counts once, with the largest component that applies."""
    amount = 0
    if pregnant:
        amount = PKH_PREGNANT
    if age <= 6:
        amount = max(amount, PKH_EARLY_CHILDHOOD)
    elif age <= 12:
        amount = max(amount, PKH_SD)
    elif age <= 15:
        amount = max(amount, PKH_SMP)
    elif age <= 18:
        amount = max(amount, PKH_SMA)
    elif age >= 70:
        amount = max(amount, PKH_ELDERLY)
    if severe_disability:
        amount = max(amount, PKH_DISABILITY)
    return amount


def _tahap_window(year: int, tahap: int) -> tuple[int, int]:
    start = date(year, 3 * tahap - 2, 1).toordinal()
    end = (date(year + 1, 1, 1) if tahap == 4 else date(year, 3 * tahap + 1, 1)).toordinal() - 1
    return start, end


def _normalize_districts(district_codes: Sequence[str]) -> tuple[str, ...]:
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


def _dotted(code: str) -> str:
    return f"{code[:2]}.{code[2:4]}.{code[4:]}"


def _cumulative(weights: Iterable[float]) -> tuple[list[float], float]:
    cum = list(accumulate(weights))
    return cum, cum[-1]


class _SerialAllocator:
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


# --- names ------------------------------------------------------------------------------


class _Group:
    __slots__ = (
        "male",
        "female",
        "male_second",
        "female_second",
        "second_share",
        "surnames",
        "male_prefix",
        "female_prefix",
        "prefix_share",
        "birth_order",
    )

    def __init__(self, spec: dict) -> None:
        self.male = tuple(spec["male"])
        self.female = tuple(spec["female"])
        self.male_second = tuple(spec.get("male_second", ()))
        self.female_second = tuple(spec.get("female_second", ()))
        self.second_share = float(spec.get("second_share", 0.0))
        self.surnames = tuple(spec.get("surnames", ()))
        self.male_prefix = tuple(spec.get("male_prefix", ()))
        self.female_prefix = tuple(spec.get("female_prefix", ()))
        self.prefix_share = float(spec.get("prefix_share", 0.0))
        order = spec.get("birth_order")
        self.birth_order = (
            (tuple(tuple(o) for o in order["female"]), tuple(tuple(o) for o in order["male"]))
            if order
            else None
        )


class _NameBook:
    def __init__(self, raw: dict) -> None:
        self.groups = {name: _Group(spec) for name, spec in raw["groups"].items()}
        self.modern_male = tuple(raw["modern"]["male"])
        self.modern_female = tuple(raw["modern"]["female"])
        self.provinces: dict[str, tuple[tuple[str, ...], list[float], float]] = {}
        for prov, weights in raw["provinces"].items():
            names = tuple(weights)
            cum, total = _cumulative(weights.values())
            self.provinces[str(prov)] = (names, cum, total)

    def group_for(self, province: str, r: float) -> str:
        names, cum, total = self.provinces.get(province) or self.provinces["default"]
        return names[bisect(cum, r * total)]


@cache
def _name_book() -> _NameBook:
    return _NameBook(yaml.safe_load(NAMES_PATH.read_text(encoding="utf-8")))


def _pick(seq: Sequence[str], r: float) -> str:
    return seq[int(r * len(seq))]


def _make_name(
    rng: random.Random,
    book: _NameBook,
    group_name: str,
    female: bool,
    birth_year: int,
    *,
    surname: str | None,
    birth_order: int,
) -> str:
    g = book.groups[group_name]
    r = rng.random
    if g.birth_order is not None:  # Balinese: I WAYAN / NI MADE ... + a given name
        prefix = _pick(g.birth_order[0 if female else 1][birth_order % 4], r())
        return f"{prefix} {_pick(g.female if female else g.male, r())}"
    words: list[str] = []
    if g.prefix_share and r() < g.prefix_share:
        words.append(_pick(g.female_prefix if female else g.male_prefix, r()))
    if birth_year >= 2000 and r() < 0.5:
        words.append(_pick(book.modern_female if female else book.modern_male, r()))
    else:
        words.append(_pick(g.female if female else g.male, r()))
    second = g.female_second if female else g.male_second
    # Younger people more often have two given names.
    share = g.second_share + (0.2 if birth_year >= 1990 else 0.0)
    if second and r() < share:
        word = _pick(second, r())
        if word != words[-1]:
            words.append(word)
    if g.surnames:
        words.append(surname or _pick(g.surnames, r()))
    if len(words) > 3:
        del words[1:-2]
    return " ".join(words)


# --- disbursements --------------------------------------------------------------------------

_Plan = list[tuple[str, str, str]]  # (stage, status, channel)


def _full_plan(channel: str) -> _Plan:
    chain = POS_STAGES if channel == "POS" else STAGES
    return [(stage, "SUKSES", channel) for stage in chain]


def _progress(x: float, table: tuple[tuple[int, int, str], ...]) -> tuple[int, str]:
    """Pick (last stage index, status) from a table of (weight in %, index, status)."""
    x *= 100
    for weight, last, status in table:
        if x < weight:
            return last, status
        x -= weight
    return table[-1][1], table[-1][2]


def _random_plan(r, channel: str, current: bool) -> _Plan:
    if channel == "POS":
        if not current:
            return _full_plan(channel)
        last, status = _progress(r(), _POS_PROGRESS)
        plan = [(stage, "SUKSES", channel) for stage in POS_STAGES[:last]]
        plan.append((POS_STAGES[last], status, channel))
        return plan
    x = r()
    if x < _BUREKOL_GAGAL:
        plan = [("PENETAPAN", "SUKSES", channel), ("BUREKOL", "GAGAL", channel)]
        y = r() if current else 1.0
        if y >= 0.8:  # re-routed to PT Pos and paid
            plan.append(("SPM", "SUKSES", "POS"))
            plan.append(("TRANSAKSI", "SUKSES" if not current or y >= 0.9 else "PROSES", "POS"))
        elif y >= 0.4:
            plan.append(("SPM", "PROSES", "POS"))
        return plan
    if x < _BUREKOL_GAGAL + _TOPUP_GAGAL:
        plan = [(stage, "SUKSES", channel) for stage in STAGES[:5]]
        plan.append(("TOPUP", "GAGAL", channel))
        y = r() if current else 1.0
        if y >= 0.5:
            plan.append(("TRANSAKSI", "SUKSES" if not current or y >= 0.85 else "PROSES", "POS"))
        return plan
    if not current:
        return _full_plan(channel)
    last, status = _progress(r(), _BANK_PROGRESS)
    plan = [(stage, "SUKSES", channel) for stage in STAGES[:last]]
    plan.append((STAGES[last], status, channel))
    return plan


def _dated(r, plan: _Plan, start: int, cap: int) -> list[int]:
    """Non-decreasing dates in [start, cap] for the rows of one tahap."""
    day = min(start + int(r() * 12), cap)
    dates = [day]
    for _ in range(len(plan) - 1):
        day = min(day + 1 + int(r() * 8), cap)
        dates.append(day)
    return dates


def _disbursements(
    r,
    *,
    head_nik: str,
    programmes: Sequence[str],
    pkh_per_tahap: int,
    channel: str,
    start_tahap: int,
    today: date,
    current_plans: dict[str, _Plan] | None = None,
) -> list[DemoDisbursement]:
    rows: list[DemoDisbursement] = []
    year = today.year
    today_ord = today.toordinal()
    for program in programmes:
        if program == "PKH":
            amount = pkh_per_tahap
        elif program == "SEMBAKO":
            amount = SEMBAKO_PER_TAHAP
        elif program == "BLT":
            amount = BLT_PER_TAHAP
        else:
            continue
        for tahap in range(1, 5):
            if tahap < start_tahap or (program == "BLT" and tahap != BLT_TAHAP):
                continue
            start, end = _tahap_window(year, tahap)
            if start > today_ord:
                break
            current = end >= today_ord
            if current and current_plans is not None and program in current_plans:
                plan = current_plans[program]
            elif current_plans is not None and not current:
                plan = _full_plan(channel)
            else:
                plan = _random_plan(r, channel, current)
            dates = _dated(r, plan, start, min(end, today_ord))
            for (stage, status, via), day in zip(plan, dates, strict=True):
                rows.append(
                    DemoDisbursement(
                        head_nik,
                        program,
                        year,
                        tahap,
                        stage,
                        status,
                        via,
                        amount,
                        date.fromordinal(day),
                    )
                )
    return rows


# --- enrolment ---------------------------------------------------------------------------


class _Member(NamedTuple):
    relation: str
    female: bool
    birth_ordinal: int
    issued_in: str
    name: str
    pregnant: bool = False
    severe_disability: bool = False
    exclusions: tuple[str, ...] = ()


def _closed(exclusions: Iterable[str]) -> frozenset[str]:
    closed: frozenset[str] = frozenset()
    for code in exclusions:
        closed = closed | EXCLUSION_CLOSES[code]
    return closed


def _assemble(
    alloc: _SerialAllocator,
    r,
    *,
    district: str,
    kode_wilayah: str,
    desil: int | None,
    members: Sequence[_Member],
    kk_ordinal: int,
    designated: bool,
    pbi_designated: bool,
    blt: bool,
    channel: str,
    start_tahap: int,
    today: date,
    current_plans: dict[str, _Plan] | None = None,
    exact: bool = False,
) -> DemoFamily:
    """Allocate numbers, enrol by rule, and build the disbursement history of one family."""
    people = []
    pkh_annual = 0
    for m in members:
        nik, born = alloc.nik(m.issued_in, m.birth_ordinal, m.female, exact=exact)
        people.append((m, nik, born))
        if "MENINGGAL" not in m.exclusions:
            pkh_annual += pkh_annual_component(
                _age(born, today), pregnant=m.pregnant, severe_disability=m.severe_disability
            )
    no_kk = alloc.kk(district, kk_ordinal, exact=exact)

    head_programmes: list[str] = []
    if desil is not None:
        head_closed = _closed(members[0].exclusions)
        if designated and desil <= MAX_DESIL["PKH"] and pkh_annual and "PKH" not in head_closed:
            head_programmes.append("PKH")
        if designated and desil <= MAX_DESIL["SEMBAKO"] and "SEMBAKO" not in head_closed:
            head_programmes.append("SEMBAKO")
    pbi = pbi_designated and desil is not None and desil <= MAX_DESIL["PBI_JK"]
    blt = (
        blt
        and designated
        and desil is not None
        and desil <= MAX_DESIL["BLT"]
        and "BLT" not in _closed(members[0].exclusions)
    )

    persons = []
    for i, (m, nik, born) in enumerate(people):
        if i == 0:
            programmes = list(head_programmes)
            if pbi and "PBI_JK" not in _closed(m.exclusions):
                programmes.append("PBI_JK")
            if blt:
                programmes.append("BLT")
        else:
            programmes = ["PBI_JK"] if pbi and "PBI_JK" not in _closed(m.exclusions) else []
        persons.append(
            DemoPerson(
                nik,
                m.name,
                m.female,
                born,
                m.relation,
                m.pregnant,
                m.severe_disability,
                m.exclusions,
                tuple(programmes),
            )
        )

    head = persons[0]
    cash = [p for p in head.programmes if p in _CASH]
    disbursements = (
        _disbursements(
            r,
            head_nik=head.nik,
            programmes=cash,
            pkh_per_tahap=pkh_annual // 4,
            channel=channel,
            start_tahap=start_tahap,
            today=today,
            current_plans=current_plans,
        )
        if cash
        else []
    )
    return DemoFamily(
        no_kk, district, kode_wilayah, desil, channel, tuple(persons), tuple(disbursements)
    )


# --- personas ------------------------------------------------------------------------------

PERSONAS: tuple[PersonaSpec, ...] = (
    PersonaSpec(
        "pkh_sembako_paid",
        "BUDI SANTOSO",
        "PKH and Sembako recipient (desil 2); tahap IV paid out and withdrawn (TRANSAKSI SUKSES).",
        "Penerima PKH dan Sembako (desil 2); tahap IV sudah cair dan sudah ditarik "
        "(TRANSAKSI SUKSES).",
    ),
    PersonaSpec(
        "sembako_topup_failed",
        "SRI WAHYUNI",
        "Sembako recipient whose tahap IV top-up failed (inactive account); re-routed to "
        "PT Pos, still in process.",
        "Penerima Sembako; top-up tahap IV gagal (rekening tidak aktif), dialihkan ke "
        "PT Pos dan masih diproses.",
    ),
    PersonaSpec(
        "desil_above_limit",
        "AGUS PRASETYO",
        "Desil 7: not eligible for any programme, the desil is above every limit.",
        "Desil 7: tidak memenuhi syarat program apa pun, desil di atas batas.",
    ),
    PersonaSpec(
        "excluded_asn",
        "HENDRA GUNAWAN",
        "Desil 3 but excluded as ASN/TNI/Polri (civil servant, military or police).",
        "Desil 3 tetapi dikecualikan karena ASN/TNI/Polri.",
    ),
    PersonaSpec(
        "dukcapil_not_matched",
        "NURHAYATI",
        "Desil 2 but not yet matched with Dukcapil population data (DUKCAPIL_BELUM_PADAN): "
        "no programme until the data is corrected.",
        "Desil 2 tetapi data belum padan dengan Dukcapil (DUKCAPIL_BELUM_PADAN): belum "
        "dapat bantuan sampai data diperbaiki.",
    ),
    PersonaSpec(
        "eligible_not_designated",
        "AHMAD FAUZI",
        "Desil 3, meets the limits but is not designated for any programme: can file an "
        "usul (proposal).",
        "Desil 3, memenuhi syarat tetapi belum ditetapkan sebagai penerima: dapat mengajukan usul.",
    ),
    PersonaSpec(
        "pbi_only",
        "SUKARDI",
        "Desil 5: PBI-JK (health-insurance premium) only; above the desil 4 limit of PKH, "
        "Sembako and BLT.",
        "Desil 5: hanya PBI-JK (iuran BPJS Kesehatan dibayar pemerintah); di atas batas "
        "desil 4 untuk PKH, Sembako dan BLT.",
    ),
    PersonaSpec(
        "excluded_electricity",
        "I KETUT SUDARSANA",
        "Desil 4, excluded from PKH, Sembako and BLT for electricity above 1,300 VA; "
        "still receives PBI-JK.",
        "Desil 4, dikecualikan dari PKH, Sembako dan BLT karena daya listrik di atas "
        "1.300 VA; tetap menerima PBI-JK.",
    ),
    PersonaSpec(
        "old_papua_nik",
        "MARKUS MAHUZE",
        "Sembako recipient whose NIK was issued under an old Papua kecamatan code (910101) "
        "that is no longer in the tables (region unverified, not invalid); lives in a pilot "
        "kecamatan; tahap IV in process (SI).",
        "Penerima Sembako dengan NIK terbit di kode kecamatan Papua lama (910101) yang "
        "sudah tidak ada di tabel (wilayah belum terverifikasi, bukan tidak sah); tinggal "
        "di kecamatan percontohan; tahap IV sedang diproses (SI).",
    ),
)

OLD_PAPUA_DISTRICT = "910101"  # Kab. Merauke before the 2022 split (now 93.01)


def _ord(y: int, m: int, d: int) -> int:
    return date(y, m, d).toordinal()


def _persona_family(
    spec: PersonaSpec, index: int, codes: tuple[str, ...], alloc: _SerialAllocator, today: date
) -> DemoFamily:
    d = codes[index % len(codes)]
    bank = "BSI" if d.startswith(ACEH) else None
    r = random.Random(f"persona:{spec.key}").random
    key = spec.key
    kw: dict = {
        "designated": True,
        "pbi_designated": True,
        "blt": False,
        "start_tahap": 1,
        "current_plans": {},
    }
    if key == "pkh_sembako_paid":
        desil, channel = 2, bank or "BRI"
        members = [
            _Member(HEAD, False, _ord(1983, 5, 14), d, spec.name),
            _Member(WIFE, True, _ord(1987, 8, 2), d, "SITI AMINAH"),
            _Member(CHILD, False, _ord(2015, 2, 10), d, "RIZKY SAPUTRA"),
            _Member(CHILD, True, _ord(2021, 6, 20), d, "NAYLA PUTRI"),
        ]
        kw["current_plans"] = {"PKH": _full_plan(channel), "SEMBAKO": _full_plan(channel)}
    elif key == "sembako_topup_failed":
        desil, channel = 1, bank or "BNI"
        members = [
            _Member(HEAD, True, _ord(1964, 11, 3), d, spec.name),
            _Member(CHILD, False, _ord(1996, 1, 25), d, "EKO PURNOMO"),
        ]
        plan = [(stage, "SUKSES", channel) for stage in STAGES[:5]]
        plan += [("TOPUP", "GAGAL", channel), ("TRANSAKSI", "PROSES", "POS")]
        kw["current_plans"] = {"SEMBAKO": plan}
    elif key == "desil_above_limit":
        desil, channel = 7, bank or "BRI"
        members = [
            _Member(HEAD, False, _ord(1980, 9, 9), d, spec.name),
            _Member(WIFE, True, _ord(1983, 4, 17), d, "ENDANG LESTARI"),
            _Member(CHILD, False, _ord(2010, 7, 30), d, "GILANG RAMADHAN"),
        ]
    elif key == "excluded_asn":
        desil, channel = 3, bank or "MANDIRI"
        asn = ("ASN_TNI_POLRI",)
        members = [
            _Member(HEAD, False, _ord(1978, 12, 1), d, spec.name, exclusions=asn),
            _Member(WIFE, True, _ord(1982, 3, 8), d, "YULIANI", exclusions=asn),
            _Member(CHILD, True, _ord(2017, 10, 5), d, "AULIA RAHMAWATI", exclusions=asn),
        ]
    elif key == "dukcapil_not_matched":
        desil, channel = 2, bank or "BRI"
        members = [
            _Member(
                HEAD, True, _ord(1979, 6, 11), d, spec.name, exclusions=("DUKCAPIL_BELUM_PADAN",)
            ),
            _Member(CHILD, False, _ord(2012, 8, 19), d, "DIMAS PRATAMA"),
        ]
    elif key == "eligible_not_designated":
        desil, channel = 3, bank or "BRI"
        members = [
            _Member(HEAD, False, _ord(1990, 1, 15), d, spec.name),
            _Member(WIFE, True, _ord(1993, 9, 23), d, "DEWI RAHAYU"),
            _Member(CHILD, True, _ord(2022, 4, 2), d, "ZAHRA AULIA"),
        ]
        kw.update(designated=False, pbi_designated=False)
    elif key == "pbi_only":
        desil, channel = 5, bank or "BRI"
        members = [
            _Member(HEAD, False, _ord(1975, 2, 27), d, spec.name),
            _Member(WIFE, True, _ord(1977, 11, 12), d, "SUMIATI"),
            _Member(CHILD, True, _ord(2005, 5, 5), d, "PUTRI WULANDARI"),
        ]
    elif key == "excluded_electricity":
        desil, channel = 4, bank or "BNI"
        listrik = ("LISTRIK_DI_ATAS_1300VA",)
        members = [
            _Member(HEAD, False, _ord(1970, 8, 17), d, spec.name, exclusions=listrik),
            _Member(WIFE, True, _ord(1974, 2, 14), d, "NI MADE SUARTINI", exclusions=listrik),
        ]
    elif key == "old_papua_nik":
        desil, channel = 3, bank or "MANDIRI"
        members = [
            _Member(HEAD, False, _ord(1986, 7, 21), OLD_PAPUA_DISTRICT, spec.name),
            _Member(WIFE, True, _ord(1988, 3, 30), d, "SUMARNI"),
        ]
        plan = [(stage, "SUKSES", channel) for stage in STAGES[:4]]
        plan.append(("SI", "PROSES", channel))
        kw["current_plans"] = {"SEMBAKO": plan}
    else:  # pragma: no cover - every spec is handled above
        raise AssertionError(key)
    return _assemble(
        alloc,
        r,
        district=d,
        kode_wilayah=d,
        desil=desil,
        members=members,
        kk_ordinal=_ord(2023, 1, 16 + index),
        channel=channel,
        today=today,
        exact=True,
        **kw,
    )


def _personas(codes: tuple[str, ...], alloc: _SerialAllocator, today: date) -> list[Persona]:
    out = []
    for i, spec in enumerate(PERSONAS):
        family = _persona_family(spec, i, codes, alloc, today)
        out.append(
            Persona(spec.key, family.head.nik, spec.name, spec.shows_en, spec.shows_id, family)
        )
    return out


def demo_personas(district_codes: Sequence[str], *, today: date = DEMO_TODAY) -> list[Persona]:
    """The hand-designed personas, exactly as :func:`generate_population` puts them at the
    start of the population for the same ``district_codes`` (persona i lives in
    ``district_codes[i % len(district_codes)]``). Independent of the seed."""
    return _personas(_normalize_districts(district_codes), _SerialAllocator(), today)


# --- random families ----------------------------------------------------------------------


class _Generator:
    def __init__(self, codes: tuple[str, ...], seed: int, today: date) -> None:
        self.codes = codes
        self.rng = random.Random(seed)
        self.today = today
        self.today_ord = today.toordinal()
        self.book = _name_book()
        self.desil_cum, self.desil_total = _cumulative(_DESIL_WEIGHTS)
        self.size_cum, self.size_total = _cumulative(_FAMILY_SIZE_WEIGHTS)
        self.bank_cum, self.bank_total = _cumulative(_BANK_WEIGHTS)
        self.start_cum, self.start_total = _cumulative(_START_TAHAP_WEIGHTS)
        self.kk_floor = date(2008, 1, 1).toordinal()

    def _birth(self, age: int) -> int:
        """A birth ordinal for someone ``age`` full years old today."""
        age = min(age, _MAX_AGE)
        return self.today_ord - int((age + self.rng.random()) * 365.2425)

    def _issued(self, home: str, p_home: float) -> str:
        r = self.rng.random
        if len(self.codes) == 1 or r() < p_home:
            return home
        return self.codes[int(r() * len(self.codes))]

    def family(self, alloc: _SerialAllocator) -> DemoFamily:
        rng = self.rng
        r = rng.random
        codes = self.codes
        today_ord = self.today_ord
        district = codes[int(r() * len(codes))]
        kode_wilayah = _dotted(district) if r() < _DOTTED_REGION else district
        desil = None if r() < _UNRANKED else bisect(self.desil_cum, r() * self.desil_total) + 1
        size = bisect(self.size_cum, r() * self.size_total) + 1
        group = self.book.group_for(district[:2], r())
        book = self.book

        # Composition: (relation, female, age)
        comp: list[tuple[str, bool, int]] = []
        if size == 1:
            female = r() < 0.55
            age = 55 + int(r() * 36) if r() < 0.7 else 20 + int(r() * 35)
            comp.append((HEAD, female, age))
        else:
            female_head = r() < 0.15
            head_age = 22 + int(r() * 54)
            comp.append((HEAD, female_head, head_age))
            if not female_head and r() < 0.92:
                comp.append((WIFE, True, max(17, head_age - int(r() * 9))))
            if len(comp) < size and size >= 3 and head_age < 60 and r() < 0.15:
                comp.append((PARENT, r() < 0.65, min(_MAX_AGE, head_age + 20 + int(r() * 16))))
            oldest_child = max(0, min(head_age - 18, 28))
            children = sorted(
                (int(r() * (oldest_child + 1)) for _ in range(size - len(comp))), reverse=True
            )
            comp.extend((CHILD, r() < 0.49, age) for age in children)

        household: tuple[str, ...] = ()
        x = r()
        for threshold, code in _HOUSEHOLD_EXCLUSIONS:
            if x < threshold:
                household = (code,)
                if code == "GAJI_BPJS" and r() < 0.15:
                    household = ("GAJI_BPJS", "LISTRIK_DI_ATAS_1300VA")
                break

        surname = None
        g = book.groups[group]
        if g.surnames:
            surname = _pick(g.surnames, r())
        members = []
        child_order = 0
        for relation, female, age in comp:
            birth = self._birth(age)
            if relation == CHILD:
                issued = self._issued(district, 0.97)
                order = child_order
                child_order += 1
            else:
                issued = self._issued(district, 0.88)
                order = int(r() * 4)
            birth_year = date.fromordinal(birth).year
            # Children (and a male head) carry the father's clan name; a wife keeps her own.
            own_surname = (
                surname if relation == CHILD or (relation == HEAD and not female) else None
            )
            name = _make_name(
                rng, book, group, female, birth_year, surname=own_surname, birth_order=order
            )
            pregnant = female and relation in (HEAD, WIFE) and 18 <= age <= 42 and r() < 0.06
            disabled = r() < 0.012
            codes_here = list(household)
            y = r()
            p_dead = _MENINGGAL_OLD if age >= 70 else _MENINGGAL_YOUNG
            if y < p_dead:
                codes_here.append("MENINGGAL")
            elif y < p_dead + _DUKCAPIL:
                codes_here.append("DUKCAPIL_BELUM_PADAN")
            elif y < p_dead + _DUKCAPIL + _GANDA:
                codes_here.append("GANDA")
            if relation == HEAD and r() < _JUDI:
                codes_here.append("TRANSAKSI_JUDI_ONLINE")
            exclusions = tuple(sorted(codes_here, key=_EXCLUSION_RANK.__getitem__))
            members.append(
                _Member(relation, female, birth, issued, name, pregnant, disabled, exclusions)
            )

        youngest = max(m.birth_ordinal for m in members)
        kk_from = max(youngest, self.kk_floor)
        kk_ordinal = kk_from + int(r() * (today_ord - kk_from + 1))

        eligible = desil is not None and desil <= MAX_DESIL["SEMBAKO"]
        designated = eligible and r() < _DESIGNATED
        pbi_designated = designated or (
            desil is not None and desil <= MAX_DESIL["PBI_JK"] and r() < _PBI_DESIGNATED
        )
        blt = designated and r() < _BLT_SHARE
        if district.startswith(ACEH):
            channel = "BSI"
        elif r() < _POS_CHANNEL:
            channel = "POS"
        else:
            channel = BANKS[bisect(self.bank_cum, r() * self.bank_total)]
        start_tahap = bisect(self.start_cum, r() * self.start_total) + 1
        return _assemble(
            alloc,
            r,
            district=district,
            kode_wilayah=kode_wilayah,
            desil=desil,
            members=members,
            kk_ordinal=kk_ordinal,
            designated=designated,
            pbi_designated=pbi_designated,
            blt=blt,
            channel=channel,
            start_tahap=start_tahap,
            today=self.today,
        )


# --- public entry points ------------------------------------------------------------------


def generate_population(
    *,
    district_codes: Sequence[str],
    families: int,
    seed: int = 2026,
    today: date = DEMO_TODAY,
    include_personas: bool = True,
) -> Iterator[DemoFamily]:
    """Yield the personas' families (unless ``include_personas`` is False) and then
    ``families`` random families, one at a time. Deterministic in all arguments; the
    arguments are checked at once (ValueError), not on the first ``next``."""
    if families < 0:
        raise ValueError("families must be >= 0")
    codes = _normalize_districts(district_codes)
    return _stream(codes, families, seed, today, include_personas)


def _stream(
    codes: tuple[str, ...], families: int, seed: int, today: date, include_personas: bool
) -> Iterator[DemoFamily]:
    alloc = _SerialAllocator()
    if include_personas:
        for persona in _personas(codes, alloc, today):
            yield persona.family
    gen = _Generator(codes, seed, today)
    for _ in range(families):
        yield gen.family(alloc)


def beneficiary_rows(
    *,
    district_codes: Sequence[str],
    families: int,
    seed: int = 2026,
    today: date = DEMO_TODAY,
    include_personas: bool = True,
) -> Iterator[dict[str, str]]:
    """Rows of the beneficiaries import, keyed by :data:`BENEFICIARY_COLUMNS`."""
    for family in generate_population(
        district_codes=district_codes,
        families=families,
        seed=seed,
        today=today,
        include_personas=include_personas,
    ):
        for values in family.beneficiary_values():
            yield dict(zip(BENEFICIARY_COLUMNS, values, strict=True))


def disbursement_rows(
    *,
    district_codes: Sequence[str],
    families: int,
    seed: int = 2026,
    today: date = DEMO_TODAY,
    include_personas: bool = True,
) -> Iterator[dict[str, str]]:
    """Rows of the disbursements import, keyed by :data:`DISBURSEMENT_COLUMNS`."""
    for family in generate_population(
        district_codes=district_codes,
        families=families,
        seed=seed,
        today=today,
        include_personas=include_personas,
    ):
        for d in family.disbursements:
            yield d.row()


def write_csvs(
    beneficiaries_path: str | os.PathLike[str],
    disbursements_path: str | os.PathLike[str],
    *,
    district_codes: Sequence[str],
    families: int,
    seed: int = 2026,
    today: date = DEMO_TODAY,
    include_personas: bool = True,
) -> DemoCounts:
    """Stream the population to the two CSV files (UTF-8, header row, LF line endings) in
    one pass. Paths may be anything ``open`` accepts, e.g. ``os.devnull``."""
    stream = generate_population(
        district_codes=district_codes,
        families=families,
        seed=seed,
        today=today,
        include_personas=include_personas,
    )
    n_families = n_persons = n_disbursements = 0
    with (
        open(beneficiaries_path, "w", encoding="utf-8", newline="") as bf,
        open(disbursements_path, "w", encoding="utf-8", newline="") as df,
    ):
        bw = csv.writer(bf, lineterminator="\n")
        dw = csv.writer(df, lineterminator="\n")
        bw.writerow(BENEFICIARY_COLUMNS)
        dw.writerow(DISBURSEMENT_COLUMNS)
        for family in stream:
            n_families += 1
            n_persons += len(family.members)
            bw.writerows(family.beneficiary_values())
            if family.disbursements:
                n_disbursements += len(family.disbursements)
                dw.writerows([d.values() for d in family.disbursements])
    return DemoCounts(n_families, n_persons, n_disbursements)
