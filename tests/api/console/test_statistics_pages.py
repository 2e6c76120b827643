"""The statistics pages: who sees which figures, the filter in the URL, a malformed filter
said in the member's language, and the charts as SVG, PNG and CSV with the table's numbers."""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from api.application import statistics
from api.domain.statistics.backlog import refresh_backlog
from api.domain.statistics.counting import jakarta_day
from tests.complaints_support import file_through_the_api as file
from tests.statistics_support import count_every_event

METRO_LAND = {"region_code": "187201", "subject_nik": "1872014107900001"}


@pytest.fixture
async def filed(client, services) -> dict[str, int]:
    """Three complaints in Banyuwangi (WK4), one in Kota Metro (WK1), counted."""
    for n in range(3):
        await file(client, reporter={"channel_user": f"tg:b{n}", "locale": "id"},
                   subject_nik=f"351001410790{n + 1:04d}")  # fmt: skip
    await file(client, reporter={"channel_user": "tg:m1", "locale": "id"}, **METRO_LAND)
    await count_every_event(services)
    return {"WK4": 3, "WK1": 1}


def region_rows(page_html: str) -> dict[str, str]:
    """The regions table: region name → its received figure."""
    section = page_html.split('id="regions-title"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', section)
    return {html.unescape(name): received for name, received in rows}


def figure_value(page_html: str, key: str) -> str:
    return re.search(rf'data-figure="{key}">([^<]+)<', page_html).group(1)


async def test_the_ministry_sees_every_region_with_its_counts(browser, filed):
    await browser.sign_in("kemensos")
    page = await browser.get("/console/statistics")
    assert page.status_code == 200
    assert figure_value(page.text, "received") == "4"
    regions = region_rows(page.text)
    assert list(regions.values()) == ["3", "1"]  # ranked by received
    assert 'href="/console/statistics"' in page.text  # the nav entry
    assert 'href="/console/statistics/weekly"' in page.text  # and the weekly summary
    assert "Statistik" in page.text


async def test_a_coordinator_sees_only_their_region(browser, filed, coordinator):
    await browser.sign_in(coordinator)
    page = await browser.get("/console/statistics")
    assert page.status_code == 200
    assert figure_value(page.text, "received") == "3"
    assert list(region_rows(page.text).values()) == ["3"]
    # The region is fixed: the form offers theirs and no "all".
    region_select = re.search(r'<select name="region".*?</select>', page.text, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', region_select) == ["WK4"]


async def test_a_coordinator_asking_for_another_region_is_refused(browser, filed, coordinator):
    await browser.sign_in(coordinator)
    page = await browser.get("/console/statistics?region=WK1")
    assert page.status_code == 403
    assert "di luar wilayah Anda" in page.text
    chart = await browser.get("/console/statistics/chart/trend.csv?region=WK1")
    assert chart.status_code == 403


async def test_a_handler_sees_their_office_only(browser, filed):
    await browser.sign_in("metro")
    page = await browser.get("/console/statistics/offices")
    assert page.status_code == 200
    assert "Dinas Sosial Kota Metro" in page.text
    assert "Banyuwangi" not in page.text.split('class="stats"', 1)[1]


async def test_an_administrator_sees_no_statistics(browser, filed):
    await browser.sign_in("admin")
    home = await browser.get("/console/admin")
    assert 'href="/console/statistics"' not in home.text
    page = await browser.get("/console/statistics")
    assert page.status_code == 403
    assert "tidak melihat angka pengaduan" in page.text


async def test_the_filter_lives_in_the_url_and_round_trips(browser, filed):
    await browser.sign_in("kemensos")
    today = jakarta_day(datetime.now(UTC))
    start = (today - timedelta(days=6)).isoformat()
    page = await browser.get(f"/console/statistics?from={start}&region=wk4&basis=event")
    assert page.status_code == 200
    assert figure_value(page.text, "received") == "3"
    assert f'name="from" value="{start}"' in page.text
    assert re.search(r'<option value="WK4" selected>', page.text)
    # Every tab and download carries the same filter, so a shared address shows this view.
    offices = re.search(r'href="(/console/statistics/offices\?[^"]+)"', page.text).group(1)
    carried = parse_qs(urlsplit(html.unescape(offices)).query)
    assert carried == {"from": [start], "to": [today.isoformat()], "region": ["WK4"]}
    again = await browser.get(html.unescape(offices))
    assert again.status_code == 200
    league = again.text.split('class="stats"', 1)[1]
    assert "Dinas Sosial Kabupaten Banyuwangi" in league and "Kota Metro" not in league


async def test_a_malformed_filter_is_said_in_the_members_language(browser, filed, services):
    await browser.sign_in("kemensos")
    page = await browser.get("/console/statistics?from=2026-13-40")
    assert page.status_code == 422
    assert '"from" harus tanggal dengan format TTTT-BB-HH' in html.unescape(page.text)
    assert 'aria-invalid="true"' in page.text
    assert 'value="2026-13-40"' in page.text  # shown back to be corrected
    await browser.get("/console/statistics")
    await browser.post("/console/language", {"locale": "en", "back": "/console/statistics"})
    english = await browser.get("/console/statistics?to=2026-01-01&from=2026-02-01")
    assert english.status_code == 422
    assert "comes after the last day" in english.text


async def test_figures_say_how_fresh_they_are(browser, filed, client):
    await browser.sign_in("kemensos")
    page = await browser.get("/console/statistics")
    assert "semua kejadian sudah dihitung" in page.text
    await file(client, reporter={"channel_user": "tg:late", "locale": "id"},
               subject_nik="3510014107909999")  # fmt: skip
    behind = await browser.get("/console/statistics")
    assert re.search(r"\d+ kejadian belum dihitung", behind.text)


async def test_each_figure_has_its_definition_beside_it(browser, filed):
    await browser.sign_in("kemensos")
    page = await browser.get("/console/statistics")
    received = page.text.split('data-figure="received"', 1)[1].split("</li>", 1)[0]
    assert "Pengaduan yang diajukan dalam periode, melalui kanal apa pun." in received
    assert page.text.count('class="definition small"') == len(statistics.KEY_FIGURES)


async def test_the_trend_chart_is_svg_png_and_the_csv_of_its_table(browser, filed):
    await browser.sign_in("kemensos")
    page = await browser.get("/console/statistics")
    assert re.search(r'<img src="data:image/svg\+xml;base64,', page.text)
    svg = await browser.get("/console/statistics/chart/trend.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)
    assert root.tag.endswith("svg") and root.get("role") == "img"
    assert b"<script" not in svg.content
    png = await browser.get("/console/statistics/chart/trend.png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    data = await browser.get("/console/statistics/chart/trend.csv")
    rows = list(csv.DictReader(io.StringIO(data.text)))
    assert list(rows[0]) == ["period", "received", "answered", "closed"]
    assert sum(int(row["received"]) for row in rows) == 4
    today = jakarta_day(datetime.now(UTC)).isoformat()
    assert [row["received"] for row in rows if row["period"] == today] == ["4"]


async def test_the_satisfaction_page_draws_the_ratings_it_tables(browser, filed):
    await browser.sign_in("kemensos")
    page = await browser.get("/console/statistics/satisfaction")
    assert page.status_code == 200
    assert 'data-chart="satisfaction"' in page.text
    data = await browser.get("/console/statistics/chart/satisfaction.csv")
    assert [row["rating"] for row in csv.DictReader(io.StringIO(data.text))] == list("12345")


async def test_an_unknown_chart_is_not_found(browser, filed):
    await browser.sign_in("kemensos")
    missing = await browser.get("/console/statistics/chart/pie.svg")
    assert missing.status_code == 404
    assert "Tidak ada grafik" in missing.text


async def test_the_backlog_page_draws_the_open_complaints_by_age(browser, filed, services):
    await refresh_backlog(engine=services.engine)  # as the worker does every few minutes
    await browser.sign_in("kemensos")
    page = await browser.get("/console/statistics/backlog")
    assert page.status_code == 200
    assert 'data-chart="backlog"' in page.text
    assert "Tunggakan per kantor, terbanyak di atas" in page.text
    data = await browser.get("/console/statistics/chart/backlog.csv")
    rows = list(csv.DictReader(io.StringIO(data.text)))
    assert [(row["age_band"], row["open"]) for row in rows] == [
        ("0-3", "4"), ("4-5", "0"), ("6-14", "0"), ("15-60", "0"), ("61+", "0")
    ]  # fmt: skip


async def test_the_hotspots_page_lists_complaints_per_10000_beneficiaries(browser, filed):
    await browser.sign_in("kemensos")
    page = await browser.get("/console/statistics/hotspots")
    assert page.status_code == 200
    assert "Per 10.000 penerima" in page.text
    assert "Pengaduan per 10.000 penerima manfaat, per kecamatan" in page.text
