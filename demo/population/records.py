"""What the generator produces: persons, disbursement rows, families, personas, counts.

Plain immutable records; each knows how to render itself as the rows of the two registry
CSV imports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from api.domain.registry_import.rows import BENEFICIARY_COLUMNS, DISBURSEMENT_COLUMNS


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
