"""The weekly summary's PDF download in the console."""

from __future__ import annotations


async def test_the_ministry_downloads_the_weekly_summary_as_a_pdf(browser):
    await browser.sign_in("kemensos")
    response = await browser.get("/console/statistics/weekly.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
