"""Row checks for the registry imports: pure, one function per file format.

Each checker takes one CSV row (a list of strings in header order) and returns either a
ready-to-write record or a ``RowError`` naming the line, the column and what is wrong.
Messages are for the operator running the import and never contain the NIK, the name or the
family card number of the row (an import report is often pasted into a ticket).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from api.domain.eligibility import EligibilityRules
from api.domain.names import normalize_name
from api.domain.nik import NikError, check_nik
from api.domain.protection import Protector
from api.domain.regions import RegionCodes, normalize_region_code

BENEFICIARY_COLUMNS = ("nik", "no_kk", "nama", "kode_wilayah", "desil", "program", "keterangan")
DISBURSEMENT_COLUMNS = (
    "nik",
    "program",
    "tahun",
    "tahap",
    "tahapan",
    "status",
    "penyalur",
    "nominal",
    "tanggal",
)
STAGES = ("PENETAPAN", "BUREKOL", "CEK_REKENING", "SPM", "SI", "TOPUP", "TRANSAKSI")
STATUSES = ("PROSES", "SUKSES", "GAGAL")
CHANNELS = ("BRI", "BNI", "MANDIRI", "BSI", "POS")
MAX_NAME_LENGTH = 100
_DESIL_VALUES = frozenset(str(n) for n in range(1, 11))


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


# Records are named tuples: they go straight into COPY without a per-row conversion.
class BeneficiaryRecord(NamedTuple):
    line: int
    nik_hash: bytes
    name_hash: bytes
    kk_hash: bytes
    identity_encrypted: bytes
    district_code: str
    village_code: str | None
    desil: int | None
    programmes: str
    exclusions: str
    fingerprint: bytes


def latest_per_person(records: Sequence[BeneficiaryRecord]) -> list[BeneficiaryRecord]:
    """One record per NIK: within one file the later line wins, as a person reading the file
    would expect."""
    return list({record.nik_hash: record for record in records}.values())


class DisbursementRecord(NamedTuple):
    line: int
    nik_hash: bytes
    programme: str
    year: int
    tahap: int
    stage: str
    status: str
    channel: str
    amount: int
    occurred_on: date


def _codes(raw: str) -> list[str]:
    return sorted({part.strip().upper() for part in raw.split(";") if part.strip()})


def _digits_only(raw: str) -> str:
    return raw.replace(" ", "").replace(".", "").replace("-", "")


class BeneficiaryRowChecker:
    """Checks and protects one beneficiaries row at a time.

    A file repeats the same few region codes, desil values and programme lists millions
    of times, so their checks are memoised per raw value.

    ``unloaded_districts`` are kecamatan of the Kemendagri tables that the database's
    ``district`` table lacks (``bansos load-reference`` not run since they were added): their
    rows are refused here, since no foreign key refuses them later (see migration 0005).
    """

    def __init__(
        self,
        *,
        protector: Protector,
        regions: RegionCodes,
        rules: EligibilityRules,
        today: date | None = None,
        unloaded_districts: frozenset[str] = frozenset(),
    ) -> None:
        self._protector = protector
        # The codes alone: a checker is pickled into each worker process, where the whole
        # RegionCodes (names, search keys) would cost ~15 MB for nothing.
        self._districts = frozenset(d.code for d in regions.districts())
        self._rules = rules
        self._today = today or date.today()
        self._unloaded = unloaded_districts
        self._region_cache: dict[str, tuple[str, str | None] | str] = {}
        self._programme_cache: dict[str, str | RowError] = {}
        self._exclusion_cache: dict[str, str | RowError] = {}

    def _region(self, raw: str) -> tuple[str, str | None] | str:
        """(district, village) for a kode_wilayah, or the reason it is refused."""
        cached = self._region_cache.get(raw)
        if cached is None:
            try:
                region = normalize_region_code(raw)
            except ValueError as exc:
                cached = str(exc)
            else:
                if len(region) not in (6, 10):
                    cached = "must be a 6-digit kecamatan or a 10-digit desa code"
                elif region[:6] not in self._districts:
                    cached = f"kecamatan {region[:6]} is not in the Kemendagri tables"
                elif region[:6] in self._unloaded:
                    cached = (
                        f"kecamatan {region[:6]} is not in the database's region tables "
                        "(run bansos load-reference)"
                    )
                else:
                    cached = (region[:6], region if len(region) == 10 else None)
            if len(self._region_cache) < 100_000:
                self._region_cache[raw] = cached
        return cached

    def _codes(self, raw: str, cache: dict, known, column: str, what: str) -> str | RowError:
        cached = cache.get(raw)
        if cached is None:
            codes = _codes(raw)
            unknown = [code for code in codes if code not in known]
            cached = (
                RowError(
                    0,
                    column,
                    f"unknown {what} {', '.join(unknown)}"
                    + (f" (known: {', '.join(known)})" if column == "program" else ""),
                )
                if unknown
                else ";".join(codes)
            )
            if len(cache) < 10_000:
                cache[raw] = cached
        return cached

    def check(self, line: int, row: list[str]) -> BeneficiaryRecord | RowError:
        if len(row) != len(BENEFICIARY_COLUMNS):
            return RowError(
                line, "*", f"expected {len(BENEFICIARY_COLUMNS)} columns, found {len(row)}"
            )
        raw_nik, raw_kk, raw_name, raw_region, raw_desil, raw_programmes, raw_exclusions = row
        nik = check_nik(raw_nik, today=self._today)
        if type(nik) is NikError:
            return RowError(line, "nik", str(nik))

        no_kk = raw_kk.strip()
        if len(no_kk) != 16 or not no_kk.isdigit():
            no_kk = _digits_only(no_kk)
        if len(no_kk) != 16 or not no_kk.isdigit() or no_kk == "0" * 16:
            return RowError(line, "no_kk", "must be a 16-digit family card number")

        name = normalize_name(raw_name)
        if not name:
            return RowError(line, "nama", "is empty")
        if len(name) > MAX_NAME_LENGTH:
            return RowError(line, "nama", f"is longer than {MAX_NAME_LENGTH} characters")

        region = self._region(raw_region)
        if isinstance(region, str):
            return RowError(line, "kode_wilayah", region)
        district_code, village_code = region

        desil: int | None = None
        raw_desil = raw_desil.strip()
        if raw_desil:
            if raw_desil not in _DESIL_VALUES:
                return RowError(line, "desil", "must be a whole number from 1 to 10, or empty")
            desil = int(raw_desil)

        programmes = self._codes(
            raw_programmes, self._programme_cache, self._rules.programmes, "program", "programme"
        )
        if isinstance(programmes, RowError):
            return RowError(line, programmes.column, programmes.message)
        exclusions = self._codes(
            raw_exclusions,
            self._exclusion_cache,
            self._rules.exclusions,
            "keterangan",
            "exclusion code",
        )
        if isinstance(exclusions, RowError):
            return RowError(line, exclusions.column, exclusions.message)

        protector = self._protector
        return BeneficiaryRecord(
            line,
            protector.nik_hash(nik),
            protector.name_hash(name),
            protector.kk_hash(no_kk),
            protector.seal_identity(nik, name, no_kk),
            district_code,
            village_code,
            desil,
            programmes,
            exclusions,
            protector.fingerprint(
                nik,
                no_kk,
                name,
                village_code or district_code,
                raw_desil,
                programmes,
                exclusions,
            ),
        )


class DisbursementRowChecker:
    """Checks one disbursements row at a time."""

    def __init__(
        self,
        *,
        protector: Protector,
        regions: RegionCodes,
        rules: EligibilityRules,
        today: date | None = None,
    ) -> None:
        self._protector = protector
        self._regions = regions
        self._rules = rules
        self._today = today or date.today()

    def check(self, line: int, row: list[str]) -> DisbursementRecord | RowError:
        if len(row) != len(DISBURSEMENT_COLUMNS):
            return RowError(
                line, "*", f"expected {len(DISBURSEMENT_COLUMNS)} columns, found {len(row)}"
            )
        (
            raw_nik,
            raw_programme,
            raw_year,
            raw_tahap,
            raw_stage,
            raw_status,
            raw_channel,
            raw_amount,
            raw_date,
        ) = (value.strip() for value in row)
        nik = check_nik(raw_nik, today=self._today)
        if type(nik) is NikError:
            return RowError(line, "nik", str(nik))
        programme = raw_programme.upper()
        spec = self._rules.programmes.get(programme)
        if spec is None:
            return RowError(line, "program", f"unknown programme {programme or '(empty)'}")
        if not spec.cash:
            return RowError(
                line, "program", f"{programme} is not paid out in cash, so it has no disbursements"
            )
        if not raw_year.isdigit() or not 2000 <= int(raw_year) <= self._today.year + 1:
            return RowError(line, "tahun", f"must be a year from 2000 to {self._today.year + 1}")
        if raw_tahap not in ("1", "2", "3", "4"):
            return RowError(line, "tahap", "must be 1, 2, 3 or 4")
        stage = raw_stage.upper()
        if stage not in STAGES:
            return RowError(line, "tahapan", f"must be one of {'|'.join(STAGES)}")
        status = raw_status.upper()
        if status not in STATUSES:
            return RowError(line, "status", f"must be one of {'|'.join(STATUSES)}")
        channel = raw_channel.upper()
        if channel not in CHANNELS:
            return RowError(line, "penyalur", f"must be one of {'|'.join(CHANNELS)}")
        if not raw_amount.isdigit():
            return RowError(line, "nominal", "must be a whole number of rupiah, digits only")
        try:
            occurred_on = date.fromisoformat(raw_date)
        except ValueError:
            return RowError(line, "tanggal", "must be an ISO date (YYYY-MM-DD)")
        if occurred_on > self._today:
            return RowError(line, "tanggal", "is in the future")
        return DisbursementRecord(
            line=line,
            nik_hash=self._protector.nik_hash(nik),
            programme=programme,
            year=int(raw_year),
            tahap=int(raw_tahap),
            stage=stage,
            status=status,
            channel=channel,
            amount=int(raw_amount),
            occurred_on=occurred_on,
        )
