"""Random families, streamed one at a time after the personas: composition, names,
exclusions, desil, channel; then enrolment by rule (:mod:`demo.population.enrolment`)."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from datetime import date

from demo.population.enrolment import Member, assemble_family
from demo.population.names import make_name, name_book, pick
from demo.population.numbers import SerialAllocator, cumulative, dotted, normalize_districts
from demo.population.parameters import (
    ACEH,
    BANKS,
    CHILD,
    DEMO_TODAY,
    EXCLUSION_RANK,
    HEAD,
    MAX_DESIL,
    PARENT,
    WIFE,
)
from demo.population.personas import personas_in
from demo.population.records import DemoFamily

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


class _Generator:
    def __init__(self, codes: tuple[str, ...], seed: int, today: date) -> None:
        self.codes = codes
        self.rng = random.Random(seed)
        self.today = today
        self.today_ord = today.toordinal()
        self.book = name_book()
        self.desil_cum, self.desil_total = cumulative(_DESIL_WEIGHTS)
        self.size_cum, self.size_total = cumulative(_FAMILY_SIZE_WEIGHTS)
        self.bank_cum, self.bank_total = cumulative(_BANK_WEIGHTS)
        self.start_cum, self.start_total = cumulative(_START_TAHAP_WEIGHTS)
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

    def family(self, alloc: SerialAllocator) -> DemoFamily:
        rng = self.rng
        r = rng.random
        codes = self.codes
        today_ord = self.today_ord
        district = codes[int(r() * len(codes))]
        kode_wilayah = dotted(district) if r() < _DOTTED_REGION else district
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
            surname = pick(g.surnames, r())
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
            name = make_name(
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
            exclusions = tuple(sorted(codes_here, key=EXCLUSION_RANK.__getitem__))
            members.append(
                Member(relation, female, birth, issued, name, pregnant, disabled, exclusions)
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
        return assemble_family(
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
    codes = normalize_districts(district_codes)
    return _stream(codes, families, seed, today, include_personas)


def _stream(
    codes: tuple[str, ...], families: int, seed: int, today: date, include_personas: bool
) -> Iterator[DemoFamily]:
    alloc = SerialAllocator()
    if include_personas:
        for persona in personas_in(codes, alloc, today):
            yield persona.family
    gen = _Generator(codes, seed, today)
    for _ in range(families):
        yield gen.family(alloc)
