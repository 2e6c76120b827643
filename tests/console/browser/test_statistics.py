"""The statistics pages in a browser (issue 14): the ministry's overview, a coordinator kept
to their own region, and a chart whose CSV holds the numbers of the table beside it.

The server's worker counts the events every second; a test waits until the page says every
event is counted. Other tests file complaints on the same server, so these compare what
one page shows with another, never with a fixed total.
"""

from __future__ import annotations

import asyncio
import csv
import io

from playwright.async_api import Page, expect

from tests.console.browser.support import (
    COORDINATOR,
    MINISTRY,
    screenshot,
    sign_in,
    wider_than_the_screen,
)

METRO = {"region_code": "187201"}  # Kota Metro, Lampung: coordination region WK1
UP_TO_DATE = "semua kejadian sudah dihitung"


async def counted(page: Page, path: str = "/console/statistics") -> None:
    """Open ``path`` once the worker has counted every event filed so far."""
    for _ in range(40):
        await page.goto(path)
        if UP_TO_DATE in await page.locator(".freshness").inner_text():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(
        f"the figures did not catch up: {await page.locator('.freshness').inner_text()}"
    )


def region_table(page: Page):
    return page.locator("section[aria-labelledby=regions-title] table.stats tbody tr")


async def in_english(page: Page) -> None:
    async with page.expect_navigation():
        await page.get_by_role("button", name="English").click()


async def in_indonesian(page: Page) -> None:
    async with page.expect_navigation():
        await page.get_by_role("button", name="Bahasa Indonesia").click()


async def test_the_ministry_sees_every_region_and_the_trend(laptop, phone, file_complaint):
    await file_complaint()  # Banyuwangi, WK4
    await file_complaint(**METRO)
    await sign_in(laptop, MINISTRY)
    await laptop.get_by_role("link", name="Statistik", exact=True).click()
    await counted(laptop)

    await expect(laptop.get_by_role("heading", name="Statistik pengaduan")).to_be_visible()
    await expect(laptop.locator("[data-figure=received]")).not_to_have_text("0")
    await expect(region_table(laptop)).to_have_count(2)
    chart = laptop.locator("img[data-chart=trend]")
    await expect(chart).to_be_visible()
    # The chart is drawn (an image with a size), not a broken picture.
    assert await chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert await wider_than_the_screen(laptop) == []
    await screenshot(laptop, "statistics-id-laptop")
    await laptop.goto("/console/statistics/offices")
    await screenshot(laptop, "statistics-offices-id-laptop")
    await laptop.goto("/console/statistics")
    await in_english(laptop)
    try:
        await expect(laptop.get_by_role("heading", name="Complaint statistics")).to_be_visible()
        await screenshot(laptop, "statistics-en-laptop")
        await sign_in(phone, MINISTRY)
        await phone.goto("/console/statistics")
        assert await wider_than_the_screen(phone) == []
        await screenshot(phone, "statistics-en-phone")
    finally:
        await in_indonesian(laptop)


async def test_a_coordinator_sees_their_region_and_is_refused_another(laptop, file_complaint):
    await file_complaint()  # Banyuwangi, WK4: the coordinator's region
    await file_complaint(**METRO)
    await sign_in(laptop, COORDINATOR)
    await counted(laptop)

    await expect(region_table(laptop)).to_have_count(1)
    await expect(region_table(laptop).first.locator("th")).to_contain_text("Jawa")
    # The filter offers their region alone, with no "all".
    await expect(laptop.locator("select[name=region] option")).to_have_text(
        ["Wilayah Koordinasi IV – Jawa Timur"]
    )

    refused = await laptop.goto("/console/statistics?region=WK1")
    assert refused.status == 403
    await expect(laptop.get_by_role("alert")).to_contain_text("di luar wilayah Anda")
    download = await laptop.request.get("/console/statistics/chart/trend.csv?region=WK1")
    assert download.status == 403


async def test_a_charts_csv_holds_the_numbers_of_its_table(laptop, file_complaint):
    await file_complaint()
    await sign_in(laptop, MINISTRY)
    await counted(laptop)

    await laptop.get_by_text("Angka grafik sebagai tabel").click()
    table = laptop.locator("details.chart-data table.stats")
    headers = [text.strip() for text in await table.locator("thead th").all_inner_texts()]
    rows = [
        [text.strip() for text in await row.locator("th, td").all_inner_texts()]
        for row in await table.locator("tbody tr").all()
    ]
    link = laptop.locator("a[data-chart-csv=trend]")
    response = await laptop.request.get(await link.get_attribute("href"))
    assert response.status == 200
    data = list(csv.DictReader(io.StringIO(await response.text())))

    assert len(data) == len(rows) > 0
    columns = {"received": "Diterima", "answered": "Dijawab", "closed": "Ditutup"}
    for line, row in zip(data, rows, strict=True):
        for key, label in columns.items():
            assert row[headers.index(label)].replace(".", "") == line[key], (key, line, row)
    assert sum(int(line["received"]) for line in data) > 0
