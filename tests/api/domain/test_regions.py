"""Specification of the Kemendagri region code tables (api.domain.regions)."""

from __future__ import annotations

import pytest

from api.domain.regions import (
    District,
    Province,
    Regency,
    RegionCodes,
    normalize_region_code,
    region_codes,
)


@pytest.fixture(scope="module")
def regions() -> RegionCodes:
    return region_codes()


def test_the_tables_hold_38_provinces_514_regencies_and_7285_districts(regions):
    assert regions.counts == (38, 514, 7285)
    assert len(regions.provinces()) == 38
    assert len(regions.regencies()) == 514
    assert len(regions.districts()) == 7285
    kinds = [r.kind for r in regions.regencies()]
    assert (kinds.count("kabupaten"), kinds.count("kota")) == (416, 98)


def test_1872_is_kota_metro_in_lampung(regions):
    assert regions.regency("1872") == Regency("1872", "18", "Kota Metro", "kota")
    assert regions.province("18") == Province("18", "Lampung")


def test_3510_is_kabupaten_banyuwangi_in_jawa_timur(regions):
    banyuwangi = regions.regency("3510")
    assert banyuwangi is not None
    assert (banyuwangi.name, banyuwangi.kind, banyuwangi.province_code) == (
        "Kabupaten Banyuwangi",
        "kabupaten",
        "35",
    )


def test_district_351001_exists_under_banyuwangi(regions):
    district = regions.district("351001")
    assert isinstance(district, District)
    assert district.regency_code == "3510"
    assert regions.has_district("351001")


def test_codes_keep_their_leading_zeros_and_are_strings(regions):
    assert all(isinstance(d.code, str) and len(d.code) == 6 for d in regions.districts())
    assert regions.district("110101") is not None  # "...01" must not become "1"


def test_unknown_codes_give_none_or_nothing(regions):
    assert regions.province("99") is None
    assert regions.regency("9101") is None  # pre-2022 Papua code
    assert regions.district("910101") is None
    assert not regions.has_district("910101")
    assert regions.districts_of("9101") == ()
    assert regions.regencies_of("99") == ()


def test_children_belong_to_their_parent_and_are_ordered_by_code(regions):
    lampung = regions.regencies_of("18")
    assert "1872" in [r.code for r in lampung]
    assert [r.code for r in lampung] == sorted(r.code for r in lampung)
    assert all(r.province_code == "18" for r in lampung)
    banyuwangi = regions.districts_of("3510")
    assert banyuwangi[0].code == "351001"
    assert all(d.code.startswith("3510") for d in banyuwangi)


def test_search_regencies_malang_finds_both_kabupaten_and_kota_malang_first(regions):
    found = regions.search_regencies("malang")
    assert {r.code for r in found[:2]} == {"3507", "3573"}
    # Pemalang only contains "malang" inside the word, so it ranks after them.
    assert [r.code for r in found].index("3327") >= 2


def test_search_regencies_ignores_case_and_the_kabupaten_kota_prefix(regions):
    assert regions.search_regencies("BANYUWANGI")[0].code == "3510"
    assert regions.search_regencies("metro")[0].code == "1872"
    assert regions.search_regencies("jakarta utara")[0].code == "3172"


def test_search_regencies_prefix_matches_come_before_inner_matches(regions):
    names = [r.name for r in regions.search_regencies("lombok")]
    assert names[:3] == sorted(names[:3])
    assert all(n.split(" ", 1)[1].lower().startswith("lombok") for n in names)
    found = regions.search_regencies("timur", limit=50)
    # "Timor Tengah..." does not match; "Kota ... Timur" names are inner matches.
    assert all("timur" in r.name.lower() for r in found)


def test_search_regencies_with_the_prefix_typed_finds_only_that_kind(regions):
    assert [r.code for r in regions.search_regencies("kota malang")] == ["3573"]


def test_search_regencies_respects_the_limit_and_blank_text(regions):
    assert len(regions.search_regencies("a", limit=3)) == 3
    assert regions.search_regencies("   ") == []
    assert regions.search_regencies("zzzz") == []


def test_search_districts_can_be_limited_to_one_regency(regions):
    found = regions.search_districts("banyuwangi", regency_code="3510")
    assert [d.code for d in found] and all(d.regency_code == "3510" for d in found)
    assert found[0].name.lower() == "banyuwangi"
    everywhere = regions.search_districts("kota", limit=50)
    assert {d.regency_code for d in everywhere} != {"3510"}


def test_search_districts_ranks_prefix_matches_first(regions):
    found = regions.search_districts("sari", limit=200)
    ranks = [0 if d.name.lower().startswith("sari") else 1 for d in found]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("35", "35"),
        ("35.10", "3510"),
        ("35.10.01", "351001"),
        ("351001", "351001"),
        (" 35 . 10 . 01 ", "351001"),
        ("35.10.01.2001", "3510012001"),
        ("3510012001", "3510012001"),
    ],
)
def test_normalize_region_code_accepts_dotted_and_plain_codes(raw, expected):
    assert normalize_region_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("3", "got 1"),
        ("351", "got 3"),
        ("3510012", "got 7"),
        ("3510014506900001", "got 16"),
        ("35-10", "only digits"),
        ("35a0", "only digits"),
    ],
)
def test_normalize_region_code_rejects_other_lengths_with_a_specific_message(raw, message):
    with pytest.raises(ValueError, match=message) as caught:
        normalize_region_code(raw)
    # A NIK passed by mistake must not be echoed.
    assert "3510014506900001" not in str(caught.value)


def test_region_codes_is_one_shared_instance():
    assert region_codes() is region_codes()
