"""Row checks for the registry imports: pure, one function per file format.

Each checker takes one CSV row (a list of strings in header order) and returns either a
ready-to-write record or a ``RowError`` naming the line, the column and what is wrong.
Messages are for the operator running the import and never contain the NIK, the name or the
family card number of the row (an import report is often pasted into a ticket).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.domain.eligibility import EligibilityRules
from api.domain.names import normalize_name
from api.domain.nik import NikError, try_parse_nik
from api.domain.protection import Protector
from api.domain.regions import RegionCodes, normalize_region_code

BENEFICIARY_COLUMNS = ("nik", "no_kk", "nama", "kode_wilayah", "desil", "program", "keterangan")
DISBURSEMENT_COLUMNS = (
    "nik", "program", "tahun", "tahap", "tahapan", "status", "penyalur", "nominal", "tanggal",
)
STAGES = ("PENETAPAN", "BUREKOL", "CEK_REKENING", "SPM", "SI", "TOPUP", "TRANSAKSI")
STATUSES = ("PROSES", "SUKSES", "GAGAL")
CHANNELS = ("BRI", "BNI", "MANDIRI", "BSI", "POS")
MAX_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


@dataclass(frozen=True, slots=True)
class BeneficiaryRecord:
    line: int
    nik_hash: bytes
    nik_encrypted: bytes
    name_hash: bytes
    name_encrypted: bytes
    kk_hash: bytes
    kk_encrypted: bytes
    district_code: str
    village_code: str | None
    desil: int | None
    programmes: str
    exclusions: str
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class DisbursementRecord:
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
    """Checks and protects one beneficiaries row at a time."""

    def __init__(self, *, protector: Protector, regions: RegionCodes,
                 rules: EligibilityRules, today: date | None = None) -> None:
        self._protector = protector
        self._regions = regions
        self._rules = rules
        self._today = today or date.today()

    def check(self, line: int, row: list[str]) -> BeneficiaryRecord | RowError:
        if len(row) != len(BENEFICIARY_COLUMNS):
            return RowError(line, "*", f"expected {len(BENEFICIARY_COLUMNS)} columns, "
                                       f"found {len(row)}")
        raw_nik, raw_kk, raw_name, raw_region, raw_desil, raw_programmes, raw_exclusions = row
        nik = try_parse_nik(raw_nik, regions=self._regions, today=self._today)
        if isinstance(nik, NikError):
            return RowError(line, "nik", str(nik))

        no_kk = _digits_only(raw_kk.strip())
        if len(no_kk) != 16 or not no_kk.isdigit() or no_kk == "0" * 16:
            return RowError(line, "no_kk", "must be a 16-digit family card number")

        name = normalize_name(raw_name)
        if not name:
            return RowError(line, "nama", "is empty")
        if len(name) > MAX_NAME_LENGTH:
            return RowError(line, "nama", f"is longer than {MAX_NAME_LENGTH} characters")

        try:
            region = normalize_region_code(raw_region)
        except ValueError as exc:
            return RowError(line, "kode_wilayah", str(exc))
        if len(region) not in (6, 10):
            return RowError(line, "kode_wilayah",
                            "must be a 6-digit kecamatan or a 10-digit desa code")
        district_code = region[:6]
        if self._regions.district(district_code) is None:
            return RowError(line, "kode_wilayah",
                            f"kecamatan {district_code} is not in the Kemendagri tables")
        village_code = region if len(region) == 10 else None

        desil: int | None = None
        raw_desil = raw_desil.strip()
        if raw_desil:
            if not raw_desil.isdigit() or not 1 <= int(raw_desil) <= 10:
                return RowError(line, "desil", "must be a whole number from 1 to 10, or empty")
            desil = int(raw_desil)

        programmes = _codes(raw_programmes)
        unknown = [code for code in programmes if not self._rules.is_programme(code)]
        if unknown:
            return RowError(line, "program", f"unknown programme {', '.join(unknown)} "
                                             f"(known: {', '.join(self._rules.programmes)})")
        exclusions = _codes(raw_exclusions)
        unknown = [code for code in exclusions if not self._rules.is_exclusion(code)]
        if unknown:
            return RowError(line, "keterangan", f"unknown exclusion code {', '.join(unknown)}")

        programmes_text = ";".join(programmes)
        exclusions_text = ";".join(exclusions)
        protector = self._protector
        return BeneficiaryRecord(
            line=line,
            nik_hash=protector.nik_hash(nik.value),
            nik_encrypted=protector.encrypt(nik.value, column="beneficiary.nik"),
            name_hash=protector.name_hash(name),
            name_encrypted=protector.encrypt(name, column="beneficiary.name"),
            kk_hash=protector.kk_hash(no_kk),
            kk_encrypted=protector.encrypt(no_kk, column="beneficiary.no_kk"),
            district_code=district_code,
            village_code=village_code,
            desil=desil,
            programmes=programmes_text,
            exclusions=exclusions_text,
            fingerprint=protector.fingerprint(
                nik.value, no_kk, name, region, str(desil or ""), programmes_text,
                exclusions_text,
            ),
        )


class DisbursementRowChecker:
    """Checks one disbursements row at a time."""

    def __init__(self, *, protector: Protector, regions: RegionCodes, rules: EligibilityRules,
                 today: date | None = None) -> None:
        self._protector = protector
        self._regions = regions
        self._rules = rules
        self._today = today or date.today()

    def check(self, line: int, row: list[str]) -> DisbursementRecord | RowError:
        if len(row) != len(DISBURSEMENT_COLUMNS):
            return RowError(line, "*", f"expected {len(DISBURSEMENT_COLUMNS)} columns, "
                                       f"found {len(row)}")
        raw_nik, raw_programme, raw_year, raw_tahap, raw_stage, raw_status, raw_channel, \
            raw_amount, raw_date = (value.strip() for value in row)
        parsed = try_parse_nik(raw_nik, regions=self._regions, today=self._today)
        if isinstance(parsed, NikError):
            return RowError(line, "nik", str(parsed))
        nik = parsed.value
        programme = raw_programme.upper()
        spec = self._rules.programmes.get(programme)
        if spec is None:
            return RowError(line, "program", f"unknown programme {programme or '(empty)'}")
        if not spec.cash:
            return RowError(line, "program", f"{programme} is not paid out in cash, "
                                             "so it has no disbursements")
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
