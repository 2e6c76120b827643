"""What the statistics filter offers a member to choose from: the regions, places, offices,
categories, programmes and channels whose figures they may see.

A choice outside the member's scope would only lead to a refusal, so it is not offered: a
coordinator is offered their region's provinces, kab/kota and offices; a handler their
office's region and places and their office alone. Kecamatan are offered once a kab/kota is
chosen (a kab/kota holds a few dozen; the country several thousand). The scope itself is
:mod:`api.domain.access`'s decision; this module only lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from api.application.statistics import region_names
from api.domain import access
from api.domain.staff import StaffMember
from api.domain.statistics.queries import StatFilter
from api.models import ApiKey
from api.services import Services

Choice = tuple[str, str]  # (code, name)


@dataclass(frozen=True)
class FilterChoices:
    regions: tuple[Choice, ...]
    provinces: tuple[Choice, ...]
    regencies: tuple[Choice, ...]
    districts: tuple[Choice, ...]
    offices: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    programmes: tuple[Choice, ...]
    channels: tuple[Choice, ...]
    #: Dimensions the member's scope fixes (shown, not chosen): "region", "office".
    fixed: frozenset[str]


async def filter_choices(
    services: Services, member: StaffMember, where: StatFilter, *, locale: str
) -> FilterChoices:
    scope = access.statistics_scope(member)
    region = scope.coordination_region_code if scope else None
    office = scope.office_code if scope else None
    directory = await services.directory.get()
    routing = directory.routing
    if office is not None:
        # A handler (or an office-bound coordinator) sees its office's figures wherever the
        # complaints came from; its region names the places worth offering.
        region = (routing.offices.get(office) or _NO_OFFICE).coordination_region_code or region
    names = await region_names(services)
    pilots = sorted(
        code
        for code, pilot_region in routing.pilot_regencies.items()
        if region is None or pilot_region == region
    )
    places = services.regions
    regencies = tuple((code, _place_name(places.regency(code), code)) for code in pilots)
    province_codes = sorted({code[:2] for code in pilots})
    provinces = tuple((code, _place_name(places.province(code), code)) for code in province_codes)
    districts: tuple[Choice, ...] = ()
    if where.regency_code:
        districts = tuple(
            (district.code, district.name) for district in places.districts_of(where.regency_code)
        )
    offices = tuple(
        (code, directory.office_name(code))
        for code, info in sorted(routing.offices.items())
        if info.active
        and (office is None or code == office)
        and (region is None or office is not None or _office_region(info, routing) == region)
    )
    return FilterChoices(
        regions=tuple(
            (code, name) for code, name in names.items() if region is None or code == region
        ),
        provinces=provinces,
        regencies=regencies,
        districts=districts,
        offices=offices,
        categories=tuple(
            (code, category.label_in(locale)) for code, category in directory.categories.items()
        ),
        programmes=tuple((code, code) for code in sorted(services.programmes)),
        channels=tuple((name, name) for name in await _channels(services)),
        fixed=frozenset(
            name
            for name, value in (
                ("region", scope and scope.coordination_region_code),
                ("office", office),
            )
            if value
        ),
    )


class _NoOffice:
    coordination_region_code = None


_NO_OFFICE = _NoOffice()


def _office_region(info, routing) -> str | None:
    if info.coordination_region_code:
        return info.coordination_region_code
    if info.regency_code:
        return routing.pilot_regencies.get(info.regency_code)
    return None


def _place_name(place, code: str) -> str:
    return place.name if place is not None else code


async def _channels(services: Services) -> list[str]:
    """The channels that have had a key: every complaint came through one of them."""
    table = ApiKey.__table__
    async with services.read_engine.connect() as conn:
        rows = await conn.execute(select(table.c.channel).distinct().order_by(table.c.channel))
        return [name for (name,) in rows]
