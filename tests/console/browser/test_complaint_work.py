"""Working a complaint in the console, in a real browser: finding it, revealing its reporter,
asking the citizen, forwarding, resolving — and the doors that stay shut (another office,
a forged form, an anonymous reporter, an idle session)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import update

from api.db import create_engine
from api.models import StaffSession
from messages import render_text
from tests.console.browser.support import (
    HANDLER,
    OTHER_HANDLER,
    ConsoleServer,
    screenshot,
    sign_in,
    wider_than_the_screen,
)

CONTACT = "0812-3456-7890"


def complaint_path(tracking_id: str) -> str:
    return f"/console/complaints/{tracking_id}"


def a_citizen() -> str:
    return f"tg:{uuid.uuid4().hex[:12]}"


async def file_with_contact(file_complaint, channel_user: str, **fields) -> str:
    """A complaint whose reporter left a phone number besides their chat."""
    reporter = {"channel_user": channel_user, "contact": CONTACT, "locale": "id"}
    return await file_complaint(reporter=reporter, **fields)


async def open_action(page: Page, form: str) -> None:
    """Unfold an action's <details>, as a person clicks its summary."""
    await page.locator(f"#form-{form} > summary").click()


async def submit_action(page: Page, form: str) -> None:
    async with page.expect_navigation():
        await page.locator(f"#form-{form} form[method=post] button").click()


async def test_a_handler_finds_a_new_complaint_in_the_queue_and_shows_its_reporter(
    laptop, file_complaint
):
    citizen = a_citizen()
    tracking_id = await file_with_contact(file_complaint, citizen)
    await sign_in(laptop, HANDLER)

    async with laptop.expect_navigation():
        await laptop.locator(f'a[data-row-link][href="{complaint_path(tracking_id)}"]').click()
    people = laptop.locator("section[aria-labelledby=people]")
    await expect(people).not_to_contain_text(CONTACT)
    async with laptop.expect_navigation():
        await people.get_by_role(
            "button", name=render_text("id", "console_complaint.show")
        ).first.click()

    await expect(people).to_contain_text(CONTACT)
    await expect(people).to_contain_text(citizen)


async def test_a_question_is_sent_and_the_citizens_answer_appears_after_a_reload(
    laptop, file_complaint, console_server: ConsoleServer
):
    citizen = a_citizen()
    tracking_id = await file_complaint(channel_user=citizen)
    await sign_in(laptop, HANDLER)
    await laptop.goto(complaint_path(tracking_id))

    await open_action(laptop, "request_info")
    await laptop.locator("#note-request_info").fill("Di bank mana Ibu biasa mencairkan?")
    await submit_action(laptop, "request_info")
    await expect(laptop.get_by_role("status")).to_have_text(
        render_text("id", "console_complaint.saved")
    )
    await expect(laptop.locator("[data-deadline]").first).to_contain_text("menunggu jawaban warga")
    async with httpx.AsyncClient(base_url=console_server.base_url, timeout=10) as http:
        answer = await http.post(
            f"/api/v1/complaints/{tracking_id}/information",
            json={"channel_user": citizen, "message": "Di BRI unit Pesanggaran."},
            headers={"X-API-Key": console_server.api_key},
        )
    assert answer.status_code == 200, answer.text

    await laptop.reload()

    answered = laptop.locator('.timeline li[data-event="provide_info"]')
    await expect(answered).to_contain_text("Di BRI unit Pesanggaran.")
    await expect(answered).to_contain_text(
        render_text("id", "console_complaint.event_provide_info")
    )


async def test_forwarding_with_a_reason_takes_the_complaint_out_of_the_handlers_queue(
    laptop, file_complaint
):
    tracking_id = await file_complaint()
    await sign_in(laptop, HANDLER)
    await laptop.goto(complaint_path(tracking_id))

    await open_action(laptop, "forward")
    await laptop.locator("#to-office").fill(OTHER_HANDLER.office_code)
    await laptop.locator("#note-forward").fill("Domisili sebenarnya di Kota Metro.")
    await submit_action(laptop, "forward")
    await laptop.goto("/console/")

    await expect(laptop.locator("a[data-row-link]").first).to_be_visible()
    await expect(laptop.locator(f'a[href="{complaint_path(tracking_id)}"]')).to_have_count(0)
    response = await laptop.goto(complaint_path(tracking_id))
    assert response.status == 404


async def test_resolving_with_a_message_shows_it_resolved_with_the_message_in_the_timeline(
    laptop, file_complaint
):
    tracking_id = await file_complaint()
    await sign_in(laptop, HANDLER)
    await laptop.goto(complaint_path(tracking_id))
    await open_action(laptop, "verify")
    await submit_action(laptop, "verify")

    await open_action(laptop, "resolve")
    await laptop.locator("#note-resolve").fill("Dana sudah masuk rekening tanggal 20.")
    await submit_action(laptop, "resolve")

    await expect(laptop.locator(".complaint-head .badge")).to_have_text(
        render_text("id", "complaints.status_RESOLVED")
    )
    resolved = laptop.locator('.timeline li[data-event="resolve"]')
    await expect(resolved).to_contain_text("Dana sudah masuk rekening tanggal 20.")


async def test_a_handler_of_another_office_gets_the_not_found_page(laptop, file_complaint):
    tracking_id = await file_complaint(description="Keluhan khusus untuk Banyuwangi saja.")
    await sign_in(laptop, OTHER_HANDLER)

    response = await laptop.goto(complaint_path(tracking_id))

    assert response.status == 404
    assert "Keluhan khusus untuk Banyuwangi saja." not in await laptop.content()


async def test_a_form_posted_without_the_csrf_token_is_refused(laptop, file_complaint):
    tracking_id = await file_with_contact(file_complaint, a_citizen())
    await sign_in(laptop, HANDLER)
    await laptop.goto(complaint_path(tracking_id))

    # The session cookie goes along (the context's), the form's token does not.
    reveal = await laptop.request.post(
        f"{complaint_path(tracking_id)}/reveal", form={"what": "reporter"}
    )
    sign_out = await laptop.request.post("/console/sign-out", form={})

    assert reveal.status == 403
    assert CONTACT not in await reveal.text()
    assert sign_out.status == 403
    await laptop.reload()  # still signed in: the forged sign-out did nothing
    await expect(laptop.locator(".complaint-head h1")).to_be_visible()


async def test_an_anonymous_reporter_is_nowhere_on_the_page(laptop, file_complaint):
    citizen = a_citizen()
    tracking_id = await file_with_contact(file_complaint, citizen, privacy="ANONIM")
    await sign_in(laptop, HANDLER)

    await laptop.goto(complaint_path(tracking_id))

    html = await laptop.content()
    assert citizen not in html and CONTACT not in html
    assert 'value="reporter"' not in html
    await expect(laptop.locator("section[aria-labelledby=people]")).to_contain_text(
        render_text("id", "console_complaint.reporter_anonymous")
    )


async def test_an_idle_session_ends_and_the_sign_in_form_says_so(
    laptop, file_complaint, console_server: ConsoleServer
):
    tracking_id = await file_complaint()
    await sign_in(laptop, HANDLER)
    await laptop.goto(complaint_path(tracking_id))
    token = next(
        c["value"] for c in await laptop.context.cookies() if c["name"] == "bansos_console"
    )
    sessions = StaffSession.__table__
    engine = create_engine(console_server.database_url)
    try:
        async with engine.begin() as conn:
            moved = await conn.execute(
                update(sessions)
                .where(sessions.c.token_hash == hashlib.sha256(token.encode()).digest())
                .values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31))
            )
        assert moved.rowcount == 1
    finally:
        await engine.dispose()

    await laptop.reload()

    await expect(laptop.locator("input[name=password]")).to_be_visible()
    await expect(laptop.get_by_role("status")).to_have_text(
        render_text("id", "console.session_ended")
    )


async def test_the_complaint_page_fits_a_phone(phone, file_complaint):
    tracking_id = await file_with_contact(file_complaint, a_citizen())
    await sign_in(phone, HANDLER)

    await phone.goto(complaint_path(tracking_id))
    for form in ("request_info", "forward"):
        await open_action(phone, form)

    assert await phone.evaluate("window.innerWidth") == phone.viewport_size["width"]
    assert await wider_than_the_screen(phone) == []


async def switch_language(page: Page) -> None:
    async with page.expect_navigation():
        await page.locator("form[action$='/language'] button").click()


async def queue_and_complaint_in_both_languages(page: Page, device: str, file_complaint) -> None:
    """Each page read in Bahasa Indonesia, then in English (the header's button), pictured."""
    tracking_id = await file_with_contact(
        file_complaint,
        a_citizen(),
        description="Bantuan sembako bulan ini belum dibagikan di kelurahan kami. "
        "Kata ketua RT, datanya belum masuk dari kecamatan.",
    )
    await sign_in(page, HANDLER)
    try:
        for locale in ("id", "en"):
            await page.goto("/console/")
            if locale == "en":
                await switch_language(page)
            await expect(page.locator("html")).to_have_attribute("lang", locale)
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                render_text(locale, "console.nav_queue")
            )
            await screenshot(page, f"queue-{locale}-{device}")
            await page.goto(complaint_path(tracking_id))
            await expect(page.locator(".complaint-head h1")).to_be_visible()
            await screenshot(page, f"complaint-{locale}-{device}")
    finally:
        # The language is the member's: later tests read the console in Bahasa Indonesia.
        if await page.locator("html").get_attribute("lang") == "en":
            await switch_language(page)


async def test_the_queue_and_a_complaint_read_in_both_languages_on_a_laptop(laptop, file_complaint):
    await queue_and_complaint_in_both_languages(laptop, "laptop", file_complaint)


async def test_the_queue_and_a_complaint_read_in_both_languages_on_a_phone(phone, file_complaint):
    await queue_and_complaint_in_both_languages(phone, "phone", file_complaint)
