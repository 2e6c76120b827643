"""Region look-up: a channel finds a kab/kota, then a kecamatan, by typing part of a name."""

from __future__ import annotations


async def test_typing_part_of_a_name_finds_the_kab_kota_and_says_if_it_is_in_the_pilot(client):
    response = await client.get("/api/v1/regions/regencies", params={"q": "banyuwa"})

    assert response.status_code == 200
    assert response.json()[0] == {
        "code": "3510",
        "name": "Kabupaten Banyuwangi",
        "parent_name": "Jawa Timur",
        "in_pilot": True,
    }


async def test_the_kecamatan_of_a_kab_kota_are_found_by_name(client):
    response = await client.get("/api/v1/regions/regencies/3510/districts", params={"q": "pesang"})

    assert [(d["code"], d["name"]) for d in response.json()] == [("351001", "Pesanggaran")]


async def test_a_regency_outside_the_pilot_is_marked_so(client):
    response = await client.get("/api/v1/regions/regencies", params={"q": "aceh selatan"})

    assert response.json()[0]["code"] == "1101"
    assert response.json()[0]["in_pilot"] is False


async def test_region_search_needs_an_api_key(client):
    response = await client.get(
        "/api/v1/regions/regencies", params={"q": "metro"}, headers={"X-API-Key": "bsk_x"}
    )

    assert response.status_code == 401
