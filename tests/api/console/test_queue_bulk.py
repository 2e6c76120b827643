"""Bulk work from the queue page: a selection given to a chosen colleague of the office, or
handed back to nobody, with a result per complaint in the member's language; a colleague of
another office is refused for the complaints they cannot take, and the others proceed."""

from __future__ import annotations

import re

from sqlalchemy import update

from api.domain.staff import create_staff
from api.domain.vocabulary import EscalationLevel, Role
from api.models import Complaint
from tests.api.console.conftest import PASSWORD
from tests.api.console.test_complaint_page import file, text_of
from tests.api.console.test_queue_page import ids_on
from tests.api.console.test_triage_page import file_for_triage


def canonical(ids: list[str]) -> list[str]:
    """Tracking IDs as the API returns them (the page groups their symbols with dashes)."""
    return sorted(i.replace("-", "") for i in ids)


async def colleague(services, username: str, *, office: str, role: Role = Role.HANDLER) -> int:
    return await create_staff(
        services.engine,
        username=username,
        display_name=username.title(),
        password=PASSWORD,
        role=role,
        office_code=office,
    )


async def bulk(browser, action: str, ids: list[str], to_staff_id: int | str = ""):
    await browser.get("/console/")
    return await browser.http.post(
        "/console/bulk",
        data={
            "csrf_token": browser.csrf(),
            "action": action,
            "to_staff_id": str(to_staff_id),
            "id": ids,
        },
    )


async def test_the_queue_offers_the_offices_colleagues_to_give_a_selection_to(
    client, browser, services
):
    await file(client)
    sari = await colleague(services, "sari", office="DINSOS-3510")
    await colleague(services, "metro2", office="DINSOS-1872")
    await browser.sign_in("banyuwangi")

    page = await browser.get("/console/")

    choices = re.search(r'<select id="bulk-colleague".*?</select>', page.text, re.S).group(0)
    assert f'<option value="{sari}">Sari</option>' in choices
    assert "Banyuwangi (saya)" in choices  # the member themself, marked
    assert "Metro" not in choices  # nobody of another office
    assert "Admin" not in choices


async def test_a_selection_assigned_to_a_colleague_lands_in_their_queue(client, browser, services):
    selection = [await file(client) for _ in range(2)]
    sari = await colleague(services, "sari", office="DINSOS-3510")
    await browser.sign_in("banyuwangi")

    result = await bulk(browser, "assign", selection, sari)

    assert result.status_code == 200
    assert "Ditugaskan kepada Sari." in result.text
    assert result.text.count("Berhasil") == 2
    await browser.sign_in("sari")
    mine = await browser.get("/console/?assigned=me")
    assert canonical(ids_on(mine.text)) == canonical(selection)


async def test_unassign_hands_the_selection_back_to_the_office(client, browser):
    selection = [await file(client) for _ in range(2)]
    await browser.sign_in("banyuwangi")
    await bulk(browser, "assign_to_me", selection)

    result = await bulk(browser, "unassign", selection)

    assert result.status_code == 200
    assert "Hasil pelepasan penugasan" in result.text
    assert result.text.count("Berhasil") == 2
    unassigned = await browser.get("/console/?assigned=unassigned")
    assert canonical(ids_on(unassigned.text)) == canonical(selection)


async def test_assign_without_a_colleague_chosen_is_refused_and_changes_nothing(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")

    result = await bulk(browser, "assign", [tracking_id])

    assert result.status_code == 422
    assert "Pilih rekan yang akan menerima pengaduan yang dipilih." in result.text
    unassigned = await browser.get("/console/?assigned=unassigned")
    assert canonical(ids_on(unassigned.text)) == canonical([tracking_id])


async def test_a_colleague_of_another_office_is_refused_per_complaint_and_the_others_proceed(
    client, browser, services, api_key
):
    # The ministry acts on its own desk's complaints and on those escalated to it: a
    # selection of both spans two offices, and a colleague of the national desk can take
    # only the first.
    at_national_desk = (await file_for_triage(services, api_key, "Tanpa domisili.")).tracking_id
    escalated = await file(client)
    async with services.engine.begin() as conn:
        await conn.execute(
            update(Complaint.__table__)
            .where(Complaint.__table__.c.tracking_id == escalated)
            .values(escalation_level=EscalationLevel.MINISTRY)
        )
    dewi = await colleague(services, "dewi", office="NASIONAL", role=Role.MINISTRY)
    await browser.sign_in("kemensos")

    page = await browser.get("/console/?tab=new")
    assert "<optgroup" in page.text  # the colleagues come per office of the listed complaints

    result = await bulk(browser, "assign", [at_national_desk, escalated], dewi)

    assert result.status_code == 200
    rows = {
        tracking_id: text_of(row)
        for tracking_id, row in re.findall(
            r"<tr><td[^>]*><a[^>]*><code>([^<]+)</code>(.*?)</tr>", result.text, re.S
        )
    }
    assert "Berhasil" in rows[at_national_desk]
    assert "Ditolak" in rows[escalated]
    assert "Dewi bukan petugas kantor yang menangani pengaduan ini." in rows[escalated]


async def test_the_results_read_in_english_for_an_english_member(client, browser, services):
    tracking_id = await file(client)
    metro = await colleague(services, "metro2", office="DINSOS-1872")
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    await browser.post("/console/language", {"locale": "en", "back": "/console/"})

    # A forged choice: the page never offers a colleague of another office.
    result = await bulk(browser, "assign", [tracking_id], metro)

    assert "Refused" in result.text
    assert "Metro2 does not work at the office handling this complaint." in result.text
