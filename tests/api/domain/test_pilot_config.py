"""The pilot configuration (api/data/pilot.yaml) and its loader."""

from __future__ import annotations

import copy
import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.domain.pilot_config import (
    DEFAULT_PILOT_PATH,
    REGENCY_OFFICE_TYPES,
    OfficeType,
    PilotConfig,
    PilotConfigError,
    load_pilot_config,
)

REGIONS_DIR = Path(__file__).resolve().parents[3] / "api" / "data" / "regions"

PRESS_CONFIRMED = {
    "1872": "Kota Metro",
    "3510": "Kabupaten Banyuwangi",
    "3578": "Kota Surabaya",
    "3573": "Kota Malang",
    "3576": "Kota Mojokerto",
    "5271": "Kota Mataram",
    "5203": "Kabupaten Lombok Timur",
    "7604": "Kabupaten Polewali Mandar",
}


def _province_codes() -> list[str]:
    with (REGIONS_DIR / "provinces.csv").open(encoding="utf-8", newline="") as f:
        return [row["code"] for row in csv.DictReader(f)]


def _regency_rows() -> dict[str, dict[str, str]]:
    with (REGIONS_DIR / "regencies.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def shipped() -> PilotConfig:
    return load_pilot_config()


# --- the shipped file ---------------------------------------------------------------------


def test_the_shipped_file_loads_from_the_default_path(shipped: PilotConfig) -> None:
    assert DEFAULT_PILOT_PATH.name == "pilot.yaml"
    assert DEFAULT_PILOT_PATH.is_file()
    assert shipped.national_desk.type is OfficeType.NASIONAL
    assert shipped.national_desk.code == "NASIONAL"


def test_the_pilot_has_7_coordination_regions_and_40_regencies(shipped: PilotConfig) -> None:
    assert len(shipped.regions) == 7
    assert len({r.code for r in shipped.regions}) == 7
    assert len(shipped.regencies) == 40
    assert len({r.code for r in shipped.regencies}) == 40


def test_every_region_has_its_own_coordination_desk_and_some_regencies(
    shipped: PilotConfig,
) -> None:
    per_region = Counter(r.coordination_region for r in shipped.regencies)
    for region in shipped.regions:
        assert region.office.type is OfficeType.WILAYAH
        assert region.office.coordination_region == region.code
        assert per_region[region.code] > 0
        assert shipped.region(region.code) is region


def test_only_the_8_press_confirmed_pilots_are_marked_confirmed(shipped: PilotConfig) -> None:
    confirmed = {r.code for r in shipped.regencies if r.confirmed}
    assert confirmed == set(PRESS_CONFIRMED)
    for code, name in PRESS_CONFIRMED.items():
        regency = shipped.regency(code)
        assert regency is not None
        assert regency.name == name
    assert sum(not r.confirmed for r in shipped.regencies) == 32


def test_pilot_regencies_take_name_kind_and_province_from_the_kemendagri_table(
    shipped: PilotConfig,
) -> None:
    table = _regency_rows()
    for regency in shipped.regencies:
        row = table[regency.code]
        assert (regency.name, regency.kind, regency.province_code) == (
            row["name"],
            row["kind"],
            row["province_code"],
        )


def test_every_pilot_regency_has_dinsos_dukcapil_inspektorat_and_penyalur_offices(
    shipped: PilotConfig,
) -> None:
    for regency in shipped.regencies:
        for office_type in ("DINSOS", "DUKCAPIL", "INSPEKTORAT", "PENYALUR"):
            office = shipped.office_for(regency.code, office_type)
            assert office is not None, f"{regency.code} lacks {office_type}"
            assert office.type == office_type
            assert office.regency_code == regency.code
            assert office.province_code == regency.province_code
            assert office.coordination_region == regency.coordination_region
            # Offices are named after the kab/kota exactly as Kemendagri spells it.
            assert office.name.endswith(regency.name)


def test_every_province_has_a_provincial_dinas_sosial(shipped: PilotConfig) -> None:
    for province in _province_codes():
        office = shipped.provincial_office(province)
        assert office is not None, f"province {province} has no provincial office"
        assert office.type is OfficeType.PROVINSI
        assert office.province_code == province
        assert office.name.startswith("Dinas Sosial ")


def test_office_codes_are_unique_across_the_whole_file(shipped: PilotConfig) -> None:
    codes = [o.code for o in shipped.offices]
    assert len(codes) == len(set(codes))
    # national + 7 regional + 4 per regency + 38 provincial
    assert len(codes) == 1 + 7 + 4 * 40 + 38


def test_all_email_addresses_use_reserved_example_domains(shipped: PilotConfig) -> None:
    for office in shipped.offices:
        assert office.email.endswith(".example"), office


def test_routing_helpers_answer_none_outside_the_pilot(shipped: PilotConfig) -> None:
    outside = "1101"  # Kabupaten Aceh Selatan: a real kab/kota, not in the shipped pilot
    assert shipped.regency(outside) is None
    assert not shipped.is_pilot(outside)
    assert shipped.region_of(outside) is None
    assert shipped.office_for(outside, "DINSOS") is None
    assert shipped.provincial_office("11") is not None
    assert shipped.provincial_office("99") is None


def test_region_of_and_office_for_route_a_confirmed_pilot(shipped: PilotConfig) -> None:
    banyuwangi = shipped.regency("3510")
    assert banyuwangi is not None and banyuwangi.confirmed
    region = shipped.region_of("3510")
    assert region is not None and region.code == banyuwangi.coordination_region
    dinsos = shipped.office_for("3510", OfficeType.DINSOS)
    assert dinsos is not None and dinsos.name == "Dinas Sosial Kabupaten Banyuwangi"
    assert shipped.office(dinsos.code) is dinsos


# --- error cases, on small files ----------------------------------------------------------


def _office(kind: str, regency: str, name: str) -> dict[str, str]:
    return {
        "type": kind,
        "code": f"{kind}-{regency}",
        "name": name,
        "email": f"{kind.lower()}.{regency}@pemda.example",
    }


def _regency(code: str, name: str, confirmed: bool = False) -> dict[str, Any]:
    return {
        "code": code,
        "confirmed": confirmed,
        "offices": [
            _office("DINSOS", code, f"Dinas Sosial {name}"),
            _office("DUKCAPIL", code, f"Dinas Kependudukan dan Pencatatan Sipil {name}"),
            _office("INSPEKTORAT", code, f"Inspektorat {name}"),
            _office("PENYALUR", code, f"Desk Penyalur {name}"),
        ],
    }


def _small_config() -> dict[str, Any]:
    """A valid file with one region and two pilot regencies."""
    return {
        "version": 1,
        "national_desk": {
            "code": "NASIONAL",
            "name": "Desk Pengaduan Bansos Nasional",
            "email": "pengaduan@kemensos.example",
        },
        "coordination_regions": [
            {
                "code": "WK1",
                "name": "Wilayah Koordinasi I – Contoh",
                "example_name": True,
                "office": {
                    "code": "WK1",
                    "name": "Desk Wilayah Koordinasi I",
                    "email": "wk1@koordinasi.example",
                },
                "regencies": [
                    _regency("1872", "Kota Metro", confirmed=True),
                    _regency("3510", "Kabupaten Banyuwangi", confirmed=True),
                ],
            }
        ],
        "provincial_offices": [
            {
                "province": code,
                "code": f"DINSOS-PROV-{code}",
                "name": f"Dinas Sosial Provinsi {code}",
                "email": f"dinsos.prov{code}@pemda.example",
            }
            for code in _province_codes()
        ],
    }


def _load_small(tmp_path: Path, data: dict[str, Any], **counts: int) -> PilotConfig:
    path = tmp_path / "pilot.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_pilot_config(
        path,
        expected_regions=counts.get("expected_regions", 1),
        expected_regencies=counts.get("expected_regencies", 2),
    )


def _regencies(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["coordination_regions"][0]["regencies"]


def test_a_small_valid_file_loads_with_matching_expected_counts(tmp_path: Path) -> None:
    config = _load_small(tmp_path, _small_config())
    assert [r.code for r in config.regencies] == ["1872", "3510"]
    region = config.region_of("1872")
    assert region is not None and region.code == "WK1"


def test_unknown_regency_code_is_refused_with_its_code_in_the_message(tmp_path: Path) -> None:
    data = _small_config()
    _regencies(data)[1] = _regency("3599", "Kabupaten Khayalan")
    with pytest.raises(PilotConfigError, match=r'regency "3599" is not a Kemendagri') as err:
        _load_small(tmp_path, data)
    assert "WK1" in str(err.value)


def test_unquoted_regency_code_is_refused_with_a_hint_to_quote_it(tmp_path: Path) -> None:
    data = _small_config()
    _regencies(data)[0]["code"] = 1872
    with pytest.raises(PilotConfigError, match=r'code must be a string.*"1872"'):
        _load_small(tmp_path, data)


def test_duplicate_regency_is_refused_naming_the_regency(tmp_path: Path) -> None:
    data = _small_config()
    duplicate = copy.deepcopy(_regencies(data)[0])
    for office in duplicate["offices"]:
        office["code"] += "-B"  # so that only the regency itself is duplicated
    _regencies(data).append(duplicate)
    with pytest.raises(PilotConfigError, match=r'regency "1872" \(Kota Metro\) is listed twice'):
        _load_small(tmp_path, data, expected_regencies=3)


def test_duplicate_office_code_is_refused_naming_the_code(tmp_path: Path) -> None:
    data = _small_config()
    _regencies(data)[1]["offices"][2]["code"] = "DUKCAPIL-1872"
    with pytest.raises(PilotConfigError, match=r"office code DUKCAPIL-1872 is duplicated") as err:
        _load_small(tmp_path, data)
    # Both places are named: where it is reused and where it was first used.
    assert '"3510"' in str(err.value)
    assert '"1872"' in str(err.value)


def test_office_code_reused_by_a_provincial_office_is_refused(tmp_path: Path) -> None:
    data = _small_config()
    data["provincial_offices"][0]["code"] = "DINSOS-1872"
    with pytest.raises(PilotConfigError, match=r"office code DINSOS-1872 is duplicated"):
        _load_small(tmp_path, data)


def test_pilot_regency_without_dinsos_office_is_refused_naming_the_regency(
    tmp_path: Path,
) -> None:
    data = _small_config()
    offices = _regencies(data)[1]["offices"]
    offices[:] = [o for o in offices if o["type"] != "DINSOS"]
    with pytest.raises(
        PilotConfigError,
        match=r'regency "3510" \(Kabupaten Banyuwangi, in WK1\) has no DINSOS office',
    ):
        _load_small(tmp_path, data)


def test_unknown_office_type_is_refused_naming_the_type_and_the_office(tmp_path: Path) -> None:
    data = _small_config()
    _regencies(data)[0]["offices"][1]["type"] = "DISDUKCAPIL"
    with pytest.raises(PilotConfigError, match=r'unknown office type "DISDUKCAPIL"') as err:
        _load_small(tmp_path, data)
    message = str(err.value)
    assert "DUKCAPIL-1872" in message
    assert 'regency "1872"' in message
    for allowed in REGENCY_OFFICE_TYPES:
        assert allowed.value in message


def test_provincial_office_type_cannot_be_listed_under_a_regency(tmp_path: Path) -> None:
    data = _small_config()
    _regencies(data)[0]["offices"][3]["type"] = "PROVINSI"
    with pytest.raises(PilotConfigError, match=r'unknown office type "PROVINSI"'):
        _load_small(tmp_path, data)


def test_two_offices_of_the_same_type_for_one_regency_are_refused(tmp_path: Path) -> None:
    data = _small_config()
    _regencies(data)[0]["offices"][1]["type"] = "DINSOS"
    with pytest.raises(PilotConfigError, match=r'a second DINSOS office for regency "1872"'):
        _load_small(tmp_path, data)


def test_province_without_provincial_office_is_refused_naming_the_province(
    tmp_path: Path,
) -> None:
    data = _small_config()
    data["provincial_offices"] = [o for o in data["provincial_offices"] if o["province"] != "18"]
    with pytest.raises(PilotConfigError, match=r'no provincial office for province\(s\) "18"'):
        _load_small(tmp_path, data)


def test_unknown_province_in_provincial_offices_is_refused(tmp_path: Path) -> None:
    data = _small_config()
    data["provincial_offices"][0]["province"] = "99"
    with pytest.raises(PilotConfigError, match=r'province "99".*not a Kemendagri province'):
        _load_small(tmp_path, data)


def test_region_count_other_than_expected_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PilotConfigError, match=r"expected 7 coordination regions, found 1"):
        _load_small(tmp_path, _small_config(), expected_regions=7)


def test_regency_count_other_than_expected_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PilotConfigError, match=r"expected 40 pilot regencies, found 2"):
        _load_small(tmp_path, _small_config(), expected_regencies=40)


def test_misspelt_key_is_refused_rather_than_silently_ignored(tmp_path: Path) -> None:
    data = _small_config()
    regency = _regencies(data)[0]
    regency["confirmd"] = regency.pop("confirmed")
    with pytest.raises(PilotConfigError, match=r"missing confirmed"):
        _load_small(tmp_path, data)


def test_error_message_names_the_file(tmp_path: Path) -> None:
    data = _small_config()
    _regencies(data)[1]["code"] = "0000"
    with pytest.raises(PilotConfigError, match=re.escape(str(tmp_path / "pilot.yaml"))):
        _load_small(tmp_path, data)
