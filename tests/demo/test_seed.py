"""The demo's personas each show the kind of answer their description promises."""

from __future__ import annotations

import pytest

from api.domain.pilot_config import load_pilot_config
from demo.seed import seed_demo_population

URL = "/api/v1/status-checks"


@pytest.fixture
async def personas(services):
    outcome = await seed_demo_population(
        services.engine,
        protector=services.protector,
        regions=services.regions,
        rules=services.rules,
        pilot=load_pilot_config(),
        families=30,
        seed=7,
    )
    assert outcome.people.rejected == outcome.stages.rejected == 0
    return {persona.key: persona for persona in outcome.personas}


async def check(client, persona, **extra):
    response = await client.post(
        URL,
        json={
            "nik": persona.nik,
            "name": persona.name,
            "channel_user": f"demo:{persona.key}",
            **extra,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["found"], persona.key
    return {p["code"]: p for p in body["person"]["programmes"]}, body["person"]


async def test_every_persona_is_found_by_its_nik_and_name(client, personas):
    assert len(personas) == 9
    for persona in personas.values():
        await check(client, persona)


async def test_recipient_persona_sees_pkh_and_sembako_paid_out_in_tahap_iv(client, personas):
    programmes, _ = await check(client, personas["pkh_sembako_paid"])
    for code in ("PKH", "SEMBAKO"):
        assert programmes[code]["standing"] == "recipient"
        last = programmes[code]["disbursements"][-1]
        assert (last["tahap"], last["stage"], last["status"]) == (4, "TRANSAKSI", "SUKSES")


async def test_failed_top_up_persona_sees_the_pos_reroute(client, personas):
    programmes, _ = await check(client, personas["sembako_topup_failed"])
    last = programmes["SEMBAKO"]["disbursements"][-1]
    assert (last["tahap"], last["channel"]) == (4, "POS")


@pytest.mark.parametrize(
    "key, reason",
    [
        ("desil_above_limit", "desil_above_limit"),
        ("excluded_asn", "excluded_asn_tni_polri"),
        ("dukcapil_not_matched", "excluded_dukcapil_belum_padan"),
        ("eligible_not_designated", "not_designated"),
        ("excluded_electricity", "excluded_listrik_di_atas_1300va"),
    ],
)
async def test_personas_who_get_nothing_are_told_why(client, personas, key, reason):
    programmes, _ = await check(client, personas[key])
    assert programmes["PKH"]["reason_code"] == reason
    assert not programmes["PKH"]["eligible"]


async def test_pbi_only_persona_receives_the_premium_and_nothing_else(client, personas):
    programmes, _ = await check(client, personas["pbi_only"])
    assert [c for c, p in programmes.items() if p["eligible"]] == ["PBI_JK"]


async def test_old_papua_nik_persona_is_found_with_an_unverified_region(client, personas):
    programmes, person = await check(client, personas["old_papua_nik"])
    assert person["nik_region_verified"] is False
    assert programmes["SEMBAKO"]["standing"] == "recipient"
