"""The weekly summary in the console: what the ministry's leadership reads (key figures,
the offices worst at deadlines, the fastest-growing categories), as a page and a PDF,
within each member's scope."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from api.application import staff_work
from api.domain.staff import StaffMember, create_staff
from api.domain.statistics.counting import jakarta_day
from api.domain.vocabulary import Action, Role
from tests.api.console.conftest import PASSWORD
from tests.complaints_support import file_through_the_api as file
from tests.statistics_support import count_every_event


@pytest.fixture
async def worked_week(client, services, accounts) -> str:
    """Six complaints filed in Banyuwangi this week, five verified by its Dinas Sosial."""
    handler = StaffMember(
        accounts["banyuwangi"], "banyuwangi", "Banyuwangi", Role.HANDLER, "DINSOS-3510", "WK4"
    )
    for n in range(6):
        tracking_id = await file(
            client,
            reporter={"channel_user": f"tg:w{n}", "locale": "id"},
            subject_nik=f"351001410790{n + 1:04d}",
        )
        if n < 5:
            await staff_work.act_on_complaint(services, handler, tracking_id, action=Action.VERIFY)
    await count_every_event(services)
    return jakarta_day(datetime.now(UTC)).isoformat()


async def test_the_ministry_reads_the_national_summary_of_a_week(browser, worked_week):
    await browser.sign_in("kemensos")

    page = await browser.get(f"/console/statistics/weekly?week={worked_week}")

    assert page.status_code == 200
    worst = page.text.split("kepatuhan tenggat terburuk", 1)[1].split("</table>", 1)[0]
    assert "Dinas Sosial Kabupaten Banyuwangi" in worst
    assert "100,0%" in worst  # five verifications, all in time
    growing = page.text.split("pertumbuhan tercepat", 1)[1].split("</table>", 1)[0]
    assert "+6" in growing  # aid not received: six this week, none the week before
    assert "Nasional" in page.text


async def test_the_pdf_holds_the_same_summary(browser, worked_week):
    await browser.sign_in("kemensos")

    response = await browser.get(f"/console/statistics/weekly.pdf?week={worked_week}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Ringkasan mingguan pengaduan" in text
    assert "Dinas Sosial Kabupaten Banyuwangi" in text


async def test_a_coordinator_reads_their_region_and_is_refused_another(
    browser, services, worked_week
):
    await create_staff(
        services.engine,
        username="wk1",
        display_name="Koordinator WK1",
        password=PASSWORD,
        role=Role.COORDINATOR,
        office_code="WK1",
    )
    await browser.sign_in("wk1")

    own = await browser.get(f"/console/statistics/weekly?week={worked_week}")
    other = await browser.get(f"/console/statistics/weekly?week={worked_week}&region=WK4")

    assert own.status_code == 200
    assert "Dinas Sosial Kabupaten Banyuwangi" not in own.text  # WK4's, not theirs
    assert other.status_code == 403


async def test_a_week_that_is_not_a_date_is_refused_in_the_members_language(browser):
    await browser.sign_in("kemensos")

    page = await browser.get("/console/statistics/weekly?week=minggu-lalu")

    assert page.status_code == 422
    assert "TTTT-BB-HH" in page.text
