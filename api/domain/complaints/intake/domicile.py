"""Where the reporter lives: the region code they gave, or else the registry's record.

A domicile is a kecamatan code (6 digits) and, when known, a desa/kelurahan code (10).
A region code in the draft wins; without one, the subject's NIK is looked up in the
beneficiary registry inside the filing's own connection, so it costs one query and no
extra connection.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.domain.complaints.intake.problems import IntakeError, IntakeProblem
from api.domain.regions import RegionCodes, normalize_region_code
from api.models import Beneficiary

_b = Beneficiary.__table__.c
_REGISTRY_DOMICILE = select(_b.district_code, _b.village_code).where(
    _b.nik_hash == bindparam("nik_hash")
)


def check_region_code(raw: str, *, regions: RegionCodes) -> tuple[str, str | None]:
    """(kecamatan code, desa code or None) for a code a person typed; dots are allowed.

    Raises DOMICILE_INVALID for anything that is not a 6- or 10-digit code, and
    DOMICILE_UNKNOWN for a kecamatan the region list does not have.
    """
    try:
        code = normalize_region_code(raw)
    except ValueError:
        raise IntakeError(IntakeProblem.DOMICILE_INVALID, field="region_code") from None
    if len(code) not in (6, 10):
        raise IntakeError(IntakeProblem.DOMICILE_INVALID, field="region_code")
    district_code, village_code = code[:6], (code if len(code) == 10 else None)
    if not regions.has_district(district_code):
        raise IntakeError(IntakeProblem.DOMICILE_UNKNOWN, field="region_code")
    return district_code, village_code


async def registered_domicile(conn: AsyncConnection, nik_hash: bytes | None):
    """The registry's (district_code, village_code) row for the subject, or None when there
    is no subject or the registry does not know them."""
    if nik_hash is None:
        return None
    return (await conn.execute(_REGISTRY_DOMICILE, {"nik_hash": nik_hash})).first()


def settle_domicile(
    district_code: str | None, village_code: str | None, registered
) -> tuple[str, str | None]:
    """The domicile to store: the draft's if it gave one, else the registry's; a draft with
    neither is refused (DOMICILE_REQUIRED), which only happens when the NIK is unregistered."""
    if district_code is not None:
        return district_code, village_code
    if registered is None:
        raise IntakeError(IntakeProblem.DOMICILE_REQUIRED, field="region_code")
    return registered.district_code, registered.village_code
