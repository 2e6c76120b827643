"""Signing in to the console, in a real browser: the way in, the way a mistake reads, and
the door that stays shut without a session."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.async_api import expect

from messages import render_text
from tests.console.browser.support import HANDLER, screenshot, sign_in, wider_than_the_screen

QUEUE_PATH = "/console/"


def path_of(url: str) -> str:
    return urlsplit(url).path


async def test_a_handler_signs_in_and_sees_their_queue_with_a_new_complaint(laptop, file_complaint):
    tracking_id = await file_complaint()

    await sign_in(laptop, HANDLER)

    assert path_of(laptop.url) == QUEUE_PATH
    await expect(laptop.get_by_role("heading", level=1)).to_have_text(
        render_text("id", "console.nav_queue")
    )
    # The queue links each complaint by its tracking id, grouped for reading aloud.
    link = laptop.locator(f'a[href="/console/complaints/{tracking_id}"]')
    await expect(link).to_be_visible()
    await screenshot(laptop, "queue-id-laptop")


async def test_the_queue_fits_a_phone_without_scrolling_sideways(phone, file_complaint):
    tracking_id = await file_complaint()

    await sign_in(phone, HANDLER)

    await expect(phone.locator(f'a[href="/console/complaints/{tracking_id}"]')).to_be_visible()
    # A page without a viewport meta tag, or one too wide, makes the phone lay it out wider.
    assert await phone.evaluate("window.innerWidth") == phone.viewport_size["width"]
    assert await wider_than_the_screen(phone) == []
    await screenshot(phone, "queue-id-phone")


async def test_a_wrong_password_keeps_the_form_and_says_what_went_wrong(laptop):
    await sign_in(laptop, HANDLER.username, "not-the-password")

    assert path_of(laptop.url) == "/console/sign-in"
    error = laptop.get_by_role("alert")
    await expect(error).to_have_text(render_text("id", "staff.login_failed"))
    # The username stays typed; the password does not.
    await expect(laptop.locator("input[name=username]")).to_have_value(HANDLER.username)
    await expect(laptop.locator("input[name=password]")).to_have_value("")
    await screenshot(laptop, "sign-in-error-id-laptop")


async def test_the_queue_without_a_session_sends_the_browser_to_sign_in(laptop):
    response = await laptop.goto(QUEUE_PATH)

    assert response.ok
    assert path_of(laptop.url) == "/console/sign-in"
    assert re.search(r"[?&]next=%2Fconsole%2F(&|$)", laptop.url), laptop.url
    await expect(laptop.locator("input[name=username]")).to_be_visible()
    await expect(laptop.locator("input[name=csrf_token]")).to_have_count(1)
