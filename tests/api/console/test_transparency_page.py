"""The public transparency page: anyone reads it without signing in, small numbers never
show, and it is cached (by browsers and proxies, and by the server)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import httpx
import pytest

from api.app import create_app
from api.domain.statistics.counting import jakarta_day
from tests.statistics_support import add_count

TODAY = jakarta_day(datetime.now(UTC))


async def counted(
    services, metric: str, count: int, *, regency: str, region: str, value=0, channel="telegram-bot"
):
    await add_count(
        services,
        day=TODAY,
        metric=metric,
        value=value,
        count=count,
        office_code=f"DINSOS-{regency}",
        coordination_region_code=region,
        province_code=regency[:2],
        regency_code=regency,
        category_code="PUNGLI",
        channel=channel,
    )


@pytest.fixture
async def public(services):
    """A browser with no session and no key, and the figures of this month: Kota Metro (WK1)
    25 received, 12 closed, 12 answered in 4 working days, 5 past their answer deadline;
    Kabupaten Banyuwangi (WK4) 3 received, answered in 2 days."""
    await counted(services, "received", 25, regency="1872", region="WK1")
    await counted(services, "closed", 12, regency="1872", region="WK1")
    await counted(services, "days_to_answer", 12, regency="1872", region="WK1", value=4)
    await counted(services, "breached", 5, regency="1872", region="WK1", value=3)
    await counted(services, "received", 3, regency="3510", region="WK4")
    await counted(services, "days_to_answer", 3, regency="3510", region="WK4", value=2)
    app = create_app(services.settings, services=services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as http:
        yield http


def this_month(page: str, place_id: str) -> list[str]:
    """The cells of the newest month (the first row) of a place's table."""
    section = page.split(f'id="{place_id}"', 1)[1]
    row = section.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


async def test_anyone_reads_the_page_without_signing_in_in_bahasa_indonesia(public):
    answer = await public.get("/transparansi")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Transparansi pengaduan bantuan sosial</h1>" in answer.text
    assert "<script" not in answer.text
    assert "http://" not in answer.text and "https://" not in answer.text


async def test_a_small_count_reads_less_than_ten_and_its_median_a_dash(public):
    page = (await public.get("/transparansi")).text

    # Banyuwangi: 3 received, 0 closed, its on-time share and median of 3 complaints hidden.
    assert this_month(page, "regency-3510") == ["&lt;10", "0", "–", "–"]
    # WK4 is Banyuwangi alone: its total would give the 3 away, so it reads "<10" too.
    assert this_month(page, "region-WK4") == ["&lt;10", "0", "–", "–"]
    # Kota Metro: 25 received, 12 closed, 80% on time (5 of 25 late), median 4 days.
    assert this_month(page, "regency-1872") == ["25", "12", "80%", "4"]
    assert "antara 1 dan 9 pengaduan" in page


async def test_no_category_or_kecamatan_is_broken_out(public):
    page = (await public.get("/transparansi")).text

    assert "PUNGLI" not in page and "Pungli" not in page
    assert "Kecamatan" not in page


async def test_the_page_reads_in_english_when_asked(public):
    by_parameter = await public.get("/transparansi?lang=en")
    by_header = await public.get("/transparansi", headers={"Accept-Language": "en-GB,en;q=0.8"})

    for answer in (by_parameter, by_header):
        assert "Social assistance complaints: transparency" in answer.text
        assert "between 1 and 9 complaints" in answer.text


async def test_browsers_may_keep_it_five_minutes_and_the_server_reads_the_figures_once(
    public, services
):
    first = await public.get("/transparansi")
    await counted(services, "received", 40, regency="3510", region="WK4", channel="open311")
    second = await public.get("/transparansi")

    assert first.headers["cache-control"] == "public, max-age=300"
    assert first.headers["vary"] == "Accept-Language"
    assert "default-src 'none'" in first.headers["content-security-policy"]
    # Within the five minutes the server answers from the figures it already read.
    assert this_month(second.text, "regency-3510") == ["&lt;10", "0", "–", "–"]


async def test_the_csv_holds_exactly_what_the_page_shows(public):
    answer = await public.get("/transparansi.csv")

    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["cache-control"] == "public, max-age=300"
    rows = list(csv.DictReader(io.StringIO(answer.text.removeprefix("\ufeff"))))
    month = TODAY.strftime("%Y-%m")
    banyuwangi = next(r for r in rows if r["regency_code"] == "3510" and r["month"] == month)
    metro = next(r for r in rows if r["regency_code"] == "1872" and r["month"] == month)
    assert (
        banyuwangi["received"],
        banyuwangi["on_time"],
        banyuwangi["median_working_days_to_answer"],
    ) == ("<10", "–", "–")
    assert (metro["received"], metro["closed"], metro["on_time"]) == ("25", "12", "0.800")
    assert {r["level"] for r in rows} == {"region", "regency"}
    assert "category" not in answer.text.splitlines()[0]
    assert len({r["month"] for r in rows}) == 12
