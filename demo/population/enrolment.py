"""Enrolment by rule: who in a family gets which programme, the PKH component each member
brings, and the family record with its disbursement history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from demo.population.disbursements import Plan, disbursement_history
from demo.population.numbers import SerialAllocator
from demo.population.parameters import (
    CASH,
    EXCLUSION_CLOSES,
    MAX_DESIL,
    PKH_DISABILITY,
    PKH_EARLY_CHILDHOOD,
    PKH_ELDERLY,
    PKH_PREGNANT,
    PKH_SD,
    PKH_SMA,
    PKH_SMP,
)
from demo.population.records import DemoFamily, DemoPerson


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


class Member(NamedTuple):
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


def assemble_family(
    alloc: SerialAllocator,
    r,
    *,
    district: str,
    kode_wilayah: str,
    desil: int | None,
    members: Sequence[Member],
    kk_ordinal: int,
    designated: bool,
    pbi_designated: bool,
    blt: bool,
    channel: str,
    start_tahap: int,
    today: date,
    current_plans: dict[str, Plan] | None = None,
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
    cash = [p for p in head.programmes if p in CASH]
    disbursements = (
        disbursement_history(
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
