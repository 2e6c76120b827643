"""Hotspots: complaints received per 10,000 people of the beneficiary registry, by kab/kota
and by kecamatan, the denominators counted once per import rather than per page view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from api.domain.complaints import triage
from api.domain.complaints.intake import ComplaintDraft
from api.domain.statistics.fill import fill_counts
from api.domain.statistics.hotspots import (
    Hotspot,
    PlaceLevel,
    hotspots,
    refresh_beneficiaries,
)
from api.domain.statistics.queries import StatFilter
from tests.complaints_support import channel_of, file_directly
from tests.registry_support import import_people

# Monday 2 November 2026, 09:00 in Jakarta.
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
NOVEMBER = StatFilter(start=date(2026, 11, 1), end=date(2026, 11, 30))
COUNTED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def person(district: str, serial: int) -> str:
    """A registry row of a woman born 1 January 1990 living in ``district``."""
    return f"{district}4101900{serial:03d},{district}0101100001,Warga {serial},{district},3,PKH,"


def draft(region_code: str | None) -> ComplaintDraft:
    return ComplaintDraft(
        category="PUNGLI", description="Diminta uang oleh agen.", region_code=region_code
    )


async def received_in(services, api_key) -> None:
    """Two complaints from Pesanggaran (351001), one from Metro Pusat (187201), one filed
    without a place that a triage desk puts in Bangorejo (351002)."""
    channel = await channel_of(services, api_key)
    for place in ("351001", "351001", "187201"):
        await file_directly(services, channel, draft(place), now=MONDAY)
    unplaced = await file_directly(services, channel, draft(None), now=MONDAY)
    await triage.set_domicile(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        complaint_id=unplaced.id,
        domicile=triage.checked_domicile("351002", regions=services.regions),
        actor="desk",
        now=MONDAY + timedelta(hours=2),
    )
    while (
        await fill_counts(
            engine=services.engine, calendar=services.calendar, gap_grace=timedelta(0)
        )
    ).counted:
        pass


async def registry_of(services, tmp_path) -> None:
    """Three people in Pesanggaran, one in Purwoharjo (351003), one in Metro Pusat."""
    rows = [person("351001", n) for n in (1, 2, 3)]
    rows += [person("351003", 4), person("187201", 5)]
    report = await import_people(services, tmp_path, *rows)
    assert report.inserted == 5, report.errors


async def test_the_denominators_count_the_registry_per_kecamatan(services, tmp_path):
    await registry_of(services, tmp_path)

    snapshot = await refresh_beneficiaries(engine=services.engine, now=COUNTED_AT)

    assert (snapshot.districts, snapshot.beneficiaries) == (3, 5)


async def test_kecamatan_are_ranked_by_complaints_per_10000_beneficiaries(
    services, api_key, tmp_path
):
    await registry_of(services, tmp_path)
    await refresh_beneficiaries(engine=services.engine, now=COUNTED_AT)
    await received_in(services, api_key)

    found = await hotspots(services.engine, where=NOVEMBER, level=PlaceLevel.DISTRICT)

    assert found.as_of == COUNTED_AT
    assert found.places == [
        Hotspot("187201", received=1, beneficiaries=1),
        Hotspot("351001", received=2, beneficiaries=3),
        Hotspot("351003", received=0, beneficiaries=1),
        # Placed by the triage desk; no one of the registry lives there: no rate.
        Hotspot("351002", received=1, beneficiaries=0),
    ]
    assert [place.rate for place in found.places][:3] == [10_000, 20_000 / 3, 0]
    assert found.places[3].rate is None


async def test_kab_kota_add_up_their_kecamatan(services, api_key, tmp_path):
    await registry_of(services, tmp_path)
    await refresh_beneficiaries(engine=services.engine, now=COUNTED_AT)
    await received_in(services, api_key)

    found = await hotspots(services.engine, where=NOVEMBER, level=PlaceLevel.REGENCY)

    assert found.places == [
        Hotspot("1872", received=1, beneficiaries=1),
        Hotspot("3510", received=3, beneficiaries=4),
    ]


async def test_a_place_filter_narrows_both_the_complaints_and_the_beneficiaries(
    services, api_key, tmp_path
):
    await registry_of(services, tmp_path)
    await refresh_beneficiaries(engine=services.engine, now=COUNTED_AT)
    await received_in(services, api_key)

    banyuwangi = StatFilter(start=NOVEMBER.start, end=NOVEMBER.end, regency_code="3510")
    region_of_metro = StatFilter(
        start=NOVEMBER.start, end=NOVEMBER.end, coordination_region_code="WK1"
    )
    december = StatFilter(start=date(2026, 12, 1), end=date(2026, 12, 31))

    in_banyuwangi = await hotspots(services.engine, where=banyuwangi, level=PlaceLevel.DISTRICT)
    in_wk1 = await hotspots(services.engine, where=region_of_metro, level=PlaceLevel.DISTRICT)
    later = await hotspots(services.engine, where=december, level=PlaceLevel.REGENCY)

    assert [p.code for p in in_banyuwangi.places] == ["351001", "351003", "351002"]
    assert in_wk1.places == [Hotspot("187201", received=1, beneficiaries=1)]
    # No complaint in December: every place with beneficiaries at a rate of 0, by code.
    assert later.places == [
        Hotspot("1872", received=0, beneficiaries=1),
        Hotspot("3510", received=0, beneficiaries=4),
    ]


async def test_a_refresh_counts_the_registry_as_it_is_now(services, tmp_path):
    await registry_of(services, tmp_path)
    await refresh_beneficiaries(engine=services.engine, now=COUNTED_AT)
    await import_people(services, tmp_path, person("187201", 6), name="more.csv")

    later = COUNTED_AT + timedelta(days=1)
    snapshot = await refresh_beneficiaries(engine=services.engine, now=later)
    found = await hotspots(services.engine, where=NOVEMBER, level=PlaceLevel.REGENCY)

    assert (snapshot.beneficiaries, found.as_of) == (6, later)
    assert {p.code: p.beneficiaries for p in found.places} == {"3510": 4, "1872": 2}


async def test_before_any_count_no_place_has_a_rate(services, api_key):
    await received_in(services, api_key)

    found = await hotspots(services.engine, where=NOVEMBER, level=PlaceLevel.REGENCY)

    assert found.as_of is None
    assert [(p.code, p.received, p.rate) for p in found.places] == [
        ("3510", 3, None),
        ("1872", 1, None),
    ]
