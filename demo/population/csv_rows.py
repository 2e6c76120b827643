"""The population as the rows, and the two UTF-8 CSV files, of the registry imports."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from datetime import date

from api.domain.registry_import.rows import BENEFICIARY_COLUMNS, DISBURSEMENT_COLUMNS
from demo.population.families import generate_population
from demo.population.parameters import DEMO_TODAY
from demo.population.records import DemoCounts


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
