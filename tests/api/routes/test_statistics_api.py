"""The statistics JSON API: the ministry reads the country, a coordinator their region, a
statistics key its scope and nothing else; a channel's key reads no figure; a bad filter is
refused naming its parameter, in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from api.application import administration
from api.application.principals import Operator
from api.domain.api_keys import KeyKind
from api.domain.staff import create_staff
from api.domain.statistics.counting import jakarta_day
from api.domain.vocabulary import Role
from api.models import Staff
from tests.api.routes.test_staff import COMPLAINT
from tests.statistics_support import add_count

PASSWORD = "kata-sandi-yang-panjang"
TODAY = jakarta_day(datetime.now(UTC))


async def counted(services, *, metric: str, count: int, region: str, regency: str, office: str):
    """``count`` events of ``metric`` today in ``regency`` (of ``region``), at ``office``."""
    await add_count(
        services,
        day=TODAY,
        metric=metric,
        count=count,
        office_code=office,
        coordination_region_code=region,
        province_code=regency[:2],
        regency_code=regency,
        category_code="BANTUAN_TIDAK_DITERIMA",
        channel="telegram-bot",
    )


@pytest.fixture
async def figures(services):
    """12 complaints received today in Banyuwangi (WK4), 4 in Kota Metro (WK1)."""
    await counted(
        services, metric="received", count=12, region="WK4", regency="3510", office="DINSOS-3510"
    )
    await counted(
        services, metric="received", count=4, region="WK1", regency="1872", office="DINSOS-1872"
    )


@pytest.fixture
async def staff(services):
    accounts = {
        "kemensos": (Role.MINISTRY, "NASIONAL"),
        "wk4": (Role.COORDINATOR, "WK4"),
        "banyuwangi": (Role.HANDLER, "DINSOS-3510"),
        "admin": (Role.ADMIN, None),
    }
    for username, (role, office) in accounts.items():
        await create_staff(
            services.engine,
            username=username,
            display_name=username,
            password=PASSWORD,
            role=role,
            office_code=office,
        )


async def login(client, username: str) -> dict:
    answer = await client.post(
        "/api/v1/staff/sessions", json={"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 201
    return {"Authorization": f"Bearer {answer.json()['token']}"}


async def statistics_key(services, region: str | None = None) -> dict:
    key = await administration.create_api_key(
        services,
        Operator("test"),
        channel="dasbor-kemensos",
        kind=KeyKind.STATISTICS,
        region_code=region,
    )
    return {"X-API-Key": key}


def figure(overview: dict, key: str):
    return next(f["value"] for f in overview["figures"] if f["key"] == key)


def region_rows(table: dict) -> dict[str, int]:
    return {row["code"]: row["received"] for row in table["rows"]}


async def test_the_ministry_reads_every_region(client, staff, figures):
    answer = await client.get(
        "/api/v1/statistics/overview", headers=await login(client, "kemensos")
    )

    assert answer.status_code == 200
    overview = answer.json()
    assert figure(overview, "received") == 16
    assert region_rows(overview["regions"]) == {"WK4": 12, "WK1": 4}
    assert overview["freshness"]["events_behind"] == 0
    assert overview["filter"]["to"] == TODAY.isoformat()
    received = next(f for f in overview["figures"] if f["key"] == "received")
    assert received["label"] == "Diterima"
    assert received["definition"].startswith("Pengaduan yang diajukan dalam periode")


async def test_a_coordinator_reads_their_region_and_is_refused_another(client, staff, figures):
    wk4 = await login(client, "wk4")

    own = await client.get("/api/v1/statistics/tables/regencies", headers=wk4)
    other = await client.get("/api/v1/statistics/overview?region=WK1", headers=wk4)

    assert own.status_code == 200
    assert own.json()["filter"]["region"] == "WK4"
    assert region_rows(own.json()) == {"3510": 12}
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "outside_scope"


async def test_a_handler_reads_their_office_only(client, staff, figures):
    answer = await client.get(
        "/api/v1/statistics/overview", headers=await login(client, "banyuwangi")
    )

    assert figure(answer.json(), "received") == 12
    assert answer.json()["filter"]["office"] == "DINSOS-3510"


async def test_an_administrator_reads_no_figure(client, staff, figures):
    answer = await client.get("/api/v1/statistics/overview", headers=await login(client, "admin"))

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "no_statistics"


async def test_a_national_statistics_key_reads_every_region(client, services, figures):
    answer = await client.get(
        "/api/v1/statistics/tables/regions", headers=await statistics_key(services)
    )

    assert answer.status_code == 200
    assert region_rows(answer.json()) == {"WK4": 12, "WK1": 4}
    assert "counted_at" in answer.json()["freshness"]


async def test_a_regional_statistics_key_reads_its_region_only(client, services, figures):
    key = await statistics_key(services, "WK1")

    own = await client.get("/api/v1/statistics/overview", headers=key)
    other = await client.get("/api/v1/statistics/overview?region=WK4", headers=key)

    assert figure(own.json(), "received") == 4
    assert other.status_code == 403


async def test_a_statistics_key_may_be_sent_as_a_bearer_token(client, services, figures):
    key = (await statistics_key(services))["X-API-Key"]

    answer = await client.get(
        "/api/v1/statistics/overview", headers={"X-API-Key": "", "Authorization": f"Bearer {key}"}
    )

    assert figure(answer.json(), "received") == 16


async def test_a_statistics_key_files_nothing_checks_no_status_and_opens_no_queue(client, services):
    key = await statistics_key(services)
    bearer = {"Authorization": f"Bearer {key['X-API-Key']}"}

    filing = await client.post("/api/v1/complaints", json=COMPLAINT, headers=key)
    check = await client.post(
        "/api/v1/status-checks",
        json={"nik": "3510014107900001", "name": "Siti", "channel_user": "tg:1"},
        headers=key,
    )
    queue = await client.get("/api/v1/staff/complaints", headers=bearer)
    open311 = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": key["X-API-Key"], "service_code": "LAINNYA", "description": "x" * 20},
    )

    assert [filing.status_code, check.status_code, queue.status_code] == [401, 401, 401]
    assert filing.json()["error"]["code"] == "invalid_api_key"
    assert "kunci statistik hanya membaca statistik" in filing.json()["error"]["message"]
    assert open311.status_code == 403  # Open311 answers an unknown api_key so


async def test_a_channel_key_reads_no_statistics(client, figures):
    # The client sends the Telegram channel's key, and no staff session.
    answer = await client.get("/api/v1/statistics/overview")

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "not_a_statistics_key"


async def test_no_credential_and_a_revoked_statistics_key_are_refused(client, services):
    key = await statistics_key(services)
    prefix = key["X-API-Key"].removeprefix("bsk_").partition("_")[0]
    await administration.revoke_api_key(services, Operator("test"), prefix=prefix)

    nothing = await client.get("/api/v1/statistics/overview", headers={"X-API-Key": ""})
    revoked = await client.get("/api/v1/statistics/overview", headers=key)

    assert nothing.status_code == 401
    assert nothing.json()["error"]["code"] == "missing_credential"
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    ("query", "parameter", "problem"),
    [
        ("from=30-11-2026", "from", "not_date"),
        ("basis=monthly", "basis", "not_one_of"),
        ("regency=35x0", "regency", "wrong_form"),
        ("region=WK99", "region", "not_one_of"),
        ("from=2026-12-01&to=2026-11-01", "from", "invalid"),
    ],
)
async def test_a_bad_filter_is_refused_naming_its_parameter(
    client, staff, query, parameter, problem
):
    answer = await client.get(
        f"/api/v1/statistics/overview?{query}", headers=await login(client, "kemensos")
    )

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["field"], error["problem"]) == (parameter, problem)


async def test_a_refusal_is_in_the_members_language_or_the_keys_callers(client, services, staff):
    async with services.engine.begin() as conn:
        await conn.execute(
            update(Staff.__table__)
            .where(Staff.__table__.c.username == "kemensos")
            .values(locale="en")
        )
    member = await client.get(
        "/api/v1/statistics/overview?from=yesterday", headers=await login(client, "kemensos")
    )
    key = await client.get(
        "/api/v1/statistics/overview?from=yesterday",
        headers={**await statistics_key(services), "Accept-Language": "en"},
    )
    default = await client.get(
        "/api/v1/statistics/overview?from=yesterday", headers=await statistics_key(services)
    )

    assert member.json()["error"]["message"].startswith('"from" must be a date')
    assert key.json()["error"]["message"] == member.json()["error"]["message"]
    assert default.json()["error"]["message"].startswith('"from" harus tanggal')


async def test_the_tables_are_listed_with_their_columns_and_an_unknown_one_is_404(client, services):
    key = await statistics_key(services)

    listed = await client.get("/api/v1/statistics/tables", headers=key)
    missing = await client.get("/api/v1/statistics/tables/nothing", headers=key)

    names = {table["name"]: table for table in listed.json()}
    assert {"trend", "regions", "offices", "satisfaction"} <= set(names)
    columns = {column["key"]: column for column in names["offices"]["columns"]}
    assert columns["median_days_to_answer"]["label"] == "Median hari sampai dijawab"
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "no_such_table"
