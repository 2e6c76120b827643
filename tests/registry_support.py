"""A small registry for tests: people and payments written as the ministry's CSV files and
imported through the real importer, so tests read the data exactly as the product stores it.

The ``registry`` fixture (tests/conftest.py) imports the ``registry_rows`` fixture's rows; a
module whose tests need other people overrides ``registry_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from api.domain.registry_import import ImportReport, import_beneficiaries, import_disbursements
from api.services import Services

BENEFICIARY_HEADER = "nik,no_kk,nama,kode_wilayah,desil,program,keterangan"
DISBURSEMENT_HEADER = "nik,program,tahun,tahap,tahapan,status,penyalur,nominal,tanggal"

SITI = "3510014107900001"  # woman born 1 July 1990, kecamatan 351001 Pesanggaran (Banyuwangi)
KK = "3510010101100001"  # Siti's family card


@dataclass(frozen=True)
class RegistryRows:
    """What the ``registry`` fixture imports: rows under the two headers above."""

    beneficiaries: tuple[str, ...]
    disbursements: tuple[str, ...] = ()
    #: The day the disbursements are imported on (None: the real today).
    today: date | None = None


#: Siti alone, a PKH recipient in Pesanggaran: enough for most conversations.
SITI_WITH_PKH = RegistryRows(beneficiaries=(f"{SITI},{KK},Siti Aminah,351001,3,PKH,",))


def write_csv(path: Path, header: str, *rows: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def importer_args(services: Services) -> dict:
    """The keyword arguments every import takes from the api's services."""
    return {"protector": services.protector, "regions": services.regions, "rules": services.rules}


async def import_people(
    services: Services, directory: Path, *rows: str, name: str = "b.csv"
) -> ImportReport:
    """Import beneficiary rows, written to ``directory / name``."""
    path = write_csv(directory / name, BENEFICIARY_HEADER, *rows)
    return await import_beneficiaries(services.engine, path, **importer_args(services))


async def import_payments(
    services: Services,
    directory: Path,
    *rows: str,
    name: str = "d.csv",
    today: date | None = None,
) -> ImportReport:
    """Import disbursement rows, written to ``directory / name``, as seen on ``today``."""
    path = write_csv(directory / name, DISBURSEMENT_HEADER, *rows)
    extra = {} if today is None else {"today": today}
    return await import_disbursements(services.engine, path, **importer_args(services), **extra)


async def load_registry(services: Services, directory: Path, rows: RegistryRows) -> None:
    """Import ``rows``' people, then their payments, through files in ``directory``."""
    await import_people(services, directory, *rows.beneficiaries)
    if rows.disbursements:
        await import_payments(services, directory, *rows.disbursements, today=rows.today)
