"""Finding a kecamatan by typing part of its name, as a triage desk officer does.

Pure, over the in-memory region list (:mod:`api.domain.regions`). People type the
kecamatan ("pesanggaran"), the kab/kota ("banyuwangi": its kecamatan are listed), or both,
separated by a comma ("sukun, malang": the kecamatan named like "sukun" in the kab/kota named
like "malang" — many kab/kota share kecamatan names, so the second part tells them apart).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.regions import RegionCodes

MAX_PLACES = 20
#: Fewer typed characters find too much to be useful.
MIN_CHARS = 2


@dataclass(frozen=True, slots=True)
class Place:
    district_code: str
    district_name: str
    regency_name: str
    province_name: str


def find_places(regions: RegionCodes, text: str, *, limit: int = MAX_PLACES) -> list[Place]:
    """Kecamatan matching ``text``, best match first; a kab/kota's own kecamatan follow
    when ``text`` names a kab/kota. Nothing for fewer than MIN_CHARS characters."""
    district_part, _, regency_part = text.partition(",")
    district_part, regency_part = district_part.strip(), regency_part.strip()
    if len(district_part) < MIN_CHARS and len(regency_part) < MIN_CHARS:
        return []
    if regency_part:
        found = []
        for regency in regions.search_regencies(regency_part, limit=limit):
            if district_part:
                found += regions.search_districts(district_part, regency.code, limit)
            else:  # "…, banyuwangi": every kecamatan of the kab/kota
                found += regions.districts_of(regency.code)
    else:
        found = regions.search_districts(district_part, limit=limit)
        if len(found) < limit:
            # "banyuwangi": the kecamatan of the best-matching kab/kota.
            for regency in regions.search_regencies(district_part, limit=1):
                found += [d for d in regions.districts_of(regency.code) if d not in found]
    return [_place(regions, district) for district in found[:limit]]


def _place(regions: RegionCodes, district) -> Place:
    regency = regions.regency(district.regency_code)
    province = regions.province(district.regency_code[:2])
    return Place(
        district_code=district.code,
        district_name=district.name,
        regency_name=regency.name if regency else district.regency_code,
        province_name=province.name if province else district.regency_code[:2],
    )


def place_of(regions: RegionCodes, district_code: str) -> Place | None:
    """The names of a kecamatan code (6 digits), or None when the region list lacks it."""
    district = regions.district(district_code)
    return _place(regions, district) if district else None
