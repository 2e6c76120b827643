"""Where the person concerned lives, as the reporter stated it, or "not known yet".

A domicile is a kecamatan code (6 digits) and, when given, a desa/kelurahan code (10). Intake
takes it only from what the reporter stated: answering from the beneficiary registry would
tell anyone holding a NIK where its owner lives (security issue 12). A complaint whose
domicile the reporter did not state, or that the region list does not know, is still
accepted and waits at a triage desk ("no wrong door") until a desk officer sets it; what the
reporter did say — a kab/kota code, or a pilot kab/kota named in the address — picks the
coordination region's desk over the national one.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.domain.complaints.intake.problems import IntakeError, IntakeProblem
from api.domain.regions import RegionCodes, bare_regency_name, normalize_region_code
from api.models import Beneficiary

_b = Beneficiary.__table__.c
_IN_REGISTRY = select(_b.id).where(_b.nik_hash == bindparam("nik_hash")).limit(1)

# How people abbreviate "Kabupaten" in an address ("Kab. Banyuwangi", "Kab Malang").
_KABUPATEN_SHORT = re.compile(r"\bkab\b\.?\s*")
_NOT_A_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class StatedDomicile:
    """What the reporter said about where the person lives.

    ``district_code`` set: a kecamatan the region list knows, so the complaint is routed.
    ``district_code`` None: it goes to triage; ``regency_code`` is the kab/kota the reporter
    named, if any (it chooses the triage desk, nothing else).
    """

    district_code: str | None = None
    village_code: str | None = None
    regency_code: str | None = None


def check_region_code(raw: str, *, regions: RegionCodes) -> StatedDomicile:
    """The domicile a typed region code states; dots and spaces are allowed.

    Raises DOMICILE_INVALID only for something that is not a region code at all. A code of
    a province or a kab/kota, or a kecamatan the region list does not have, is a domicile
    not yet known: the complaint is accepted for triage, never refused.
    """
    try:
        code = normalize_region_code(raw)
    except ValueError:
        raise IntakeError(IntakeProblem.DOMICILE_INVALID, field="region_code") from None
    if len(code) in (6, 10) and regions.has_district(code[:6]):
        return StatedDomicile(code[:6], code if len(code) == 10 else None)
    return StatedDomicile(regency_code=code[:4] if len(code) >= 4 else None)


def regency_named_in(address: str, *, regions: RegionCodes, among: Collection[str]) -> str | None:
    """The one kab/kota of ``among`` (codes) that ``address`` names, or None.

    A full name ("Kota Metro", "Kab. Banyuwangi") wins over a bare one ("Metro"); two
    different matches are as good as none, since a wrong desk only delays the triage.
    """
    text = f" {_words(_KABUPATEN_SHORT.sub('kabupaten ', address.casefold()))} "
    full, bare = set(), set()
    for code in among:
        regency = regions.regency(code)
        if regency is None:
            continue
        name = _words(regency.name.casefold())
        if f" {name} " in text:
            full.add(code)
        elif f" {_words(bare_regency_name(regency.name))} " in text:
            bare.add(code)
    found = full or bare
    return next(iter(found)) if len(found) == 1 else None


def _words(text: str) -> str:
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


async def subject_in_registry(conn: AsyncConnection, nik_hash: bytes | None) -> bool:
    """Whether the registry knows the subject, for the desk officer's view only: the same
    query runs for every subject NIK, and its answer never reaches the reporter."""
    if nik_hash is None:
        return False
    return (await conn.execute(_IN_REGISTRY, {"nik_hash": nik_hash})).first() is not None
