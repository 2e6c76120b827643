"""One complaint's page in the console: what a handler reads, what they reveal (audited),
what they do on it, and what they never see (another office's complaint, an anonymous
reporter)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from api.models import OutboxMessage, ResponseTemplate, StaffAccessAudit
from tests.complaints_support import file_through_the_api
from tests.sample_files import PDF

file = file_through_the_api


async def audit_rows(services) -> list[str]:
    table = StaffAccessAudit.__table__
    async with services.engine.connect() as conn:
        return list((await conn.execute(select(table.c.what).order_by(table.c.id))).scalars())


async def outbox_kinds(services) -> list[str]:
    table = OutboxMessage.__table__
    async with services.engine.connect() as conn:
        return list((await conn.execute(select(table.c.kind).order_by(table.c.id))).scalars())


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_page_shows_the_complaints_facts_in_the_members_language(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")

    page = await browser.get(f"/console/complaints/{tracking_id}")

    assert page.status_code == 200
    text = text_of(page.text)
    assert "Bantuan belum diterima" in text
    assert "PKH" in text and "Kabupaten Banyuwangi" in text and "Pesanggaran" in text
    assert "Dinas Sosial" in text
    assert "Dialihkan belum pernah" in text
    assert "Tidak ada (di kantor penanganan)" in text
    assert "hari kerja lagi" in text
    assert "WIB" in text
    assert "Pengaduan diterima" in text


async def test_the_page_reads_in_english_for_a_member_who_chose_it(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    await browser.post("/console/language", {"locale": "en", "back": "/console/"})

    page = await browser.get(f"/console/complaints/{tracking_id}")

    assert "working days left" in text_of(page.text)
    assert "Deadlines" in page.text and "Aid not received" in page.text


async def test_another_offices_complaint_answers_exactly_like_a_missing_one(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("metro")

    foreign = await browser.get(f"/console/complaints/{tracking_id}")
    missing = await browser.get("/console/complaints/BSX-0000-0000")

    assert foreign.status_code == missing.status_code == 404

    # The same page; only the language switch's way back names the address asked for (and
    # the CSRF token, masked afresh in every page, differs as it does between any two).
    def page_of(response, asked: str) -> str:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)
        return response.text.replace(token, "token").replace(asked, "?")

    assert page_of(foreign, tracking_id) == page_of(missing, "BSX-0000-0000")
    assert "4242" not in foreign.text


async def test_the_reporter_is_hidden_until_shown_and_each_reveal_is_audited(
    client, browser, services
):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    page = await browser.get(f"/console/complaints/{tracking_id}")
    assert "0812-3456-7890" not in page.text and "3510014107900001" not in page.text

    reporter = await browser.post(f"/console/complaints/{tracking_id}/reveal", {"what": "reporter"})
    subject = await browser.post(f"/console/complaints/{tracking_id}/reveal", {"what": "subject"})

    assert "0812-3456-7890" in reporter.text and "tg:4242" in reporter.text
    assert "3510014107900001" in subject.text
    assert "0812-3456-7890" not in subject.text  # one reveal shows one thing
    assert await audit_rows(services) == ["view", "view", "view_reporter", "view", "view_subject"]


async def test_a_reveal_without_the_csrf_token_is_refused(client, browser, services):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get(f"/console/complaints/{tracking_id}")

    forged = await browser.post(
        f"/console/complaints/{tracking_id}/reveal", {"what": "reporter"}, csrf=False
    )

    assert forged.status_code == 403
    assert "0812-3456-7890" not in forged.text


async def test_an_anonymous_reporter_appears_nowhere_and_cannot_be_revealed(
    client, browser, services
):
    tracking_id = await file(client, privacy="ANONIM")
    await browser.sign_in("banyuwangi")

    page = await browser.get(f"/console/complaints/{tracking_id}")
    forced = await browser.post(f"/console/complaints/{tracking_id}/reveal", {"what": "reporter"})

    for html in (page.text, forced.text):
        assert "tg:4242" not in html and "0812-3456-7890" not in html
        assert 'value="reporter"' not in html
    assert "view_reporter" not in await audit_rows(services)


async def test_the_subjects_registry_standing_is_masked_behind_its_own_audited_reveal(
    client, browser, services, registry
):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    page = await browser.get(f"/console/complaints/{tracking_id}")
    assert "data-registry-standing" not in page.text

    shown = await browser.post(f"/console/complaints/{tracking_id}/reveal", {"what": "registry"})

    assert "data-registry-standing" in shown.text
    assert "S**I A****H" in shown.text  # Siti Aminah, masked as the citizen sees it
    assert "Siti Aminah" not in shown.text
    assert "view_registry" in await audit_rows(services)


async def test_coordinators_and_the_ministry_see_who_looked_and_handlers_do_not(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    handler_page = await browser.get(f"/console/complaints/{tracking_id}")
    browser.http.cookies.clear()
    await browser.sign_in("kemensos")

    ministry_page = await browser.get(f"/console/complaints/{tracking_id}")

    assert 'id="access-log"' not in handler_page.text
    log = ministry_page.text.split('id="access-log"')[1]
    assert "Banyuwangi (DINSOS-3510): membuka" in text_of(log)


async def test_verify_redirects_back_with_a_notice_and_the_status_changes(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get(f"/console/complaints/{tracking_id}")

    done = await browser.post(f"/console/complaints/{tracking_id}/actions/verify", {})
    page = await browser.get(done.headers["location"])

    assert done.status_code == 303
    assert "Tindakan tersimpan" in page.text
    assert "Terverifikasi" in page.text
    assert 'action="/console/complaints/' + tracking_id + '/actions/verify"' not in page.text
    assert "/actions/start" in page.text


async def test_an_action_without_its_required_text_shows_the_error_next_to_the_field(
    client, browser
):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get(f"/console/complaints/{tracking_id}")

    refused = await browser.post(f"/console/complaints/{tracking_id}/actions/reject", {"note": " "})

    assert refused.status_code == 422
    assert 'id="error-reject-note"' in refused.text
    assert 'id="form-reject" open' in refused.text


async def test_forwarding_to_an_unknown_office_says_so_at_the_office_field(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get(f"/console/complaints/{tracking_id}")

    refused = await browser.post(
        f"/console/complaints/{tracking_id}/actions/forward",
        {"to_office": "DINSOS-9999", "note": "Bukan wilayah kami."},
    )

    assert refused.status_code == 422
    assert 'id="error-forward-to_office"' in refused.text
    assert "Bukan wilayah kami." in refused.text  # what was typed is kept


async def test_forwarding_moves_the_complaint_out_of_the_members_reach(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get(f"/console/complaints/{tracking_id}")

    done = await browser.post(
        f"/console/complaints/{tracking_id}/actions/forward",
        {"to_office": "DINSOS-1872", "note": "Domisili sebenarnya di Kota Metro."},
    )
    after = await browser.get(done.headers["location"])

    assert done.status_code == 303
    assert after.status_code == 404


async def test_an_internal_note_is_marked_and_never_reaches_the_citizen(client, browser, services):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get(f"/console/complaints/{tracking_id}")
    before = await outbox_kinds(services)

    await browser.post(
        f"/console/complaints/{tracking_id}/actions/note", {"note": "Cek ke pendamping PKH."}
    )
    page = await browser.get(f"/console/complaints/{tracking_id}")

    internal = page.text.split('class="internal"')[1].split("</li>")[0]
    assert "Cek ke pendamping PKH." in internal
    assert await outbox_kinds(services) == before


async def test_a_question_reaches_the_citizen_and_their_answer_appears_on_the_page(
    client, browser, services
):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get(f"/console/complaints/{tracking_id}")

    await browser.post(
        f"/console/complaints/{tracking_id}/actions/request_info",
        {"note": "Di bank mana Ibu biasa mencairkan?"},
    )
    assert (await outbox_kinds(services))[-1] == "complaint.info_requested"
    paused = await browser.get(f"/console/complaints/{tracking_id}")
    answer = await client.post(
        f"/api/v1/complaints/{tracking_id}/information",
        json={"channel_user": "tg:4242", "message": "Di BRI unit Pesanggaran."},
    )
    page = await browser.get(f"/console/complaints/{tracking_id}")

    assert "menunggu jawaban warga" in text_of(paused.text)
    assert answer.status_code == 200, answer.text
    assert "Di BRI unit Pesanggaran." in page.text
    assert "Jawaban warga" in page.text


async def test_resolving_tells_the_citizen_and_reopening_takes_it_back(client, browser, services):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    await browser.get(f"/console/complaints/{tracking_id}")
    await browser.post(f"/console/complaints/{tracking_id}/actions/verify", {})
    await browser.get(f"/console/complaints/{tracking_id}")

    resolved = await browser.post(
        f"/console/complaints/{tracking_id}/actions/resolve",
        {"note": "Dana sudah masuk rekening tanggal 20."},
    )
    await browser.get(resolved.headers["location"])
    reopened = await browser.post(
        f"/console/complaints/{tracking_id}/actions/reopen",
        {"note": "Warga mengabarkan dana belum masuk."},
    )
    page = await browser.get(reopened.headers["location"])

    assert "complaint.answered" in await outbox_kinds(services)
    assert reopened.status_code == 303
    assert "Sedang ditindaklanjuti" in page.text


async def test_a_response_template_fills_the_answer_in_the_citizens_language(
    client, browser, services
):
    tracking_id = await file(client)
    now = datetime.now(UTC)
    async with services.engine.begin() as conn:
        result = await conn.execute(
            insert(ResponseTemplate.__table__).values(
                category_code="BANTUAN_TIDAK_DITERIMA",
                locale="id",
                title="Dana sudah cair",
                body="Pengaduan {tracking_id} ({category}): dana sudah cair. Salam, {office}.",
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
        template_id = result.inserted_primary_key[0]
        await conn.execute(
            insert(ResponseTemplate.__table__).values(
                category_code=None,
                locale="en",
                title="English only",
                body="Hello",
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
    await browser.sign_in("banyuwangi")

    page = await browser.get(f"/console/complaints/{tracking_id}")
    filled = await browser.get(
        f"/console/complaints/{tracking_id}/template",
        params={"form": "reply", "template": template_id},
    )

    assert "Dana sudah cair" in page.text and "English only" not in page.text
    assert filled.status_code == 200
    assert f"Pengaduan {tracking_id[:3]}" in filled.text
    assert "{office}" not in filled.text and "Dinas Sosial" in filled.text
    assert filled.text.lstrip().startswith("<textarea")


@pytest.fixture
async def with_files(client, services):
    from io import BytesIO

    from PIL import Image

    tracking_id = await file(client)
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    for name, data, kind in (
        ("foto.png", buffer.getvalue(), "image/png"),
        ("surat.pdf", PDF, "application/pdf"),
    ):
        uploaded = await client.post(
            f"/api/v1/complaints/{tracking_id}/attachments",
            data={"channel_user": "tg:4242"},
            files={"file": (name, data, kind)},
        )
        assert uploaded.status_code == 201, uploaded.text
    return tracking_id


async def test_an_image_is_shown_inline_with_its_type_and_never_sniffed(
    with_files, browser, services
):
    await browser.sign_in("banyuwangi")
    page = await browser.get(f"/console/complaints/{with_files}")
    image_url = re.search(r'<img src="([^"]+)"', page.text).group(1)

    image = await browser.get(image_url)

    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert "nosniff" in image.headers["x-content-type-options"]
    assert image.headers["content-disposition"].startswith("inline")
    assert "sandbox" in image.headers["content-security-policy"]
    assert "download_attachment" in await audit_rows(services)


async def test_a_pdf_is_only_ever_downloaded(with_files, browser):
    await browser.sign_in("banyuwangi")
    page = await browser.get(f"/console/complaints/{with_files}")
    pdf_url = re.search(r'<a href="([^"]+)" download>', page.text).group(1)

    pdf = await browser.get(pdf_url)

    assert pdf.content == PDF
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert "nosniff" in pdf.headers["x-content-type-options"]


async def test_the_next_complaint_link_leads_to_the_next_in_the_queue(client, browser):
    first, second = await file(client), await file(client, description="Yang kedua, belum cair.")
    await browser.sign_in("banyuwangi")

    page = await browser.get(f"/console/complaints/{first}")

    link = re.search(r'<a class="next" href="([^"]+)" data-next-complaint>', page.text)
    assert link and link.group(1) == f"/console/complaints/{second}"
    last = await browser.get(f"/console/complaints/{second}")
    assert "data-next-complaint" not in last.text  # the end of the queue: no next link


async def test_a_handler_takes_a_complaint_and_the_queue_shows_it_assigned_to_them(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    page = await browser.get(f"/console/complaints/{tracking_id}")
    me = re.search(r'<option value="(\d+)"[^>]*>Banyuwangi \(saya\)', page.text).group(1)
    taken = await browser.post(f"/console/complaints/{tracking_id}/assign", {"to_staff_id": me})
    assert taken.status_code == 303
    mine = await browser.get("/console/?assigned=me")
    assert tracking_id in mine.text
    unassigned = await browser.get("/console/?assigned=unassigned")
    assert tracking_id not in unassigned.text


async def test_a_handler_of_another_office_cannot_assign_it_and_gets_404(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("metro")
    await browser.get("/console/")
    response = await browser.post(f"/console/complaints/{tracking_id}/assign", {"to_staff_id": ""})
    assert response.status_code == 404
