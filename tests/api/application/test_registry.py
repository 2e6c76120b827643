"""The operator's registry import keeps the hotspots' denominators in step with it."""

from __future__ import annotations

from datetime import date

from api.application.principals import Operator
from api.application.registry import RegistryFile, import_registry
from api.domain.statistics.hotspots import PlaceLevel, hotspots
from api.domain.statistics.queries import StatFilter
from tests.registry_support import BENEFICIARY_HEADER, write_csv

NOVEMBER = StatFilter(start=date(2026, 11, 1), end=date(2026, 11, 30))


def person(district: str, serial: int) -> str:
    return f"{district}4101900{serial:03d},{district}0101100001,Warga {serial},{district},3,PKH,"


async def test_a_beneficiary_import_recounts_the_people_per_kecamatan(services, tmp_path):
    first = write_csv(tmp_path / "a.csv", BENEFICIARY_HEADER, person("351001", 1))
    more = write_csv(
        tmp_path / "b.csv", BENEFICIARY_HEADER, person("351001", 2), person("187201", 3)
    )

    await import_registry(services, Operator("test"), RegistryFile.BENEFICIARIES, first)
    after_first = await hotspots(services.engine, where=NOVEMBER, level=PlaceLevel.DISTRICT)
    await import_registry(services, Operator("test"), RegistryFile.BENEFICIARIES, more)
    after_more = await hotspots(services.engine, where=NOVEMBER, level=PlaceLevel.DISTRICT)

    assert {p.code: p.beneficiaries for p in after_first.places} == {"351001": 1}
    assert {p.code: p.beneficiaries for p in after_more.places} == {"351001": 2, "187201": 1}
    assert after_more.as_of is not None and after_more.as_of >= after_first.as_of
