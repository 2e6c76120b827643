"""Signing in to the console, the session cookie, CSRF, the password, the language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from api.domain.staff import CONSOLE_IDLE_MINUTES, create_staff
from api.domain.vocabulary import Role
from api.models import StaffSession
from tests.api.console.conftest import PASSWORD


async def test_an_unsigned_visitor_is_sent_to_the_sign_in_form_and_back_afterwards(browser):
    response = await browser.get("/console/?tab=overdue")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?next=%2Fconsole%2F%3Ftab%3Doverdue"

    await browser.get(response.headers["location"])
    signed_in = await browser.post(
        "/console/sign-in",
        {"username": "banyuwangi", "password": PASSWORD, "next": "/console/?tab=overdue"},
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/console/?tab=overdue"


async def test_the_session_cookie_is_http_only_same_site_and_scoped_to_the_console(browser):
    response = await browser.sign_in("banyuwangi")
    cookie = response.headers["set-cookie"].lower()
    assert "bansos_console=" in cookie
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie
    assert "secure" not in cookie  # plain HTTP in the test; Secure over HTTPS (below)


async def test_over_https_the_session_cookie_is_secure(services, accounts):
    import httpx

    from api.app import create_app
    from tests.api.console.conftest import ConsoleBrowser

    app = create_app(services.settings, services=services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://console.test"
    ) as http:
        response = await ConsoleBrowser(http).sign_in("banyuwangi")
    assert "secure" in response.headers["set-cookie"].lower()


async def test_every_sign_in_issues_a_new_session_id(browser):
    first = (await browser.sign_in("banyuwangi")).cookies["bansos_console"]
    browser.http.cookies.clear()
    second = (await browser.sign_in("banyuwangi")).cookies["bansos_console"]
    assert first != second


async def test_a_wrong_password_is_refused_with_a_clear_message_in_indonesian(browser):
    response = await browser.sign_in("banyuwangi", "salah-sekali-ini")
    assert response.status_code == 401
    assert "Nama pengguna tidak dikenal atau kata sandi salah." in response.text
    assert "bansos_console=" not in response.headers.get("set-cookie", "")


async def test_repeated_failures_are_throttled_with_a_retry_time(browser):
    for _ in range(12):
        response = await browser.sign_in("banyuwangi", "salah-sekali-ini")
        if response.status_code == 429:
            break
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "Terlalu banyak percobaan" in response.text or "dikunci" in response.text


async def test_a_sign_in_form_posted_without_its_csrf_value_is_refused(browser):
    await browser.get("/console/sign-in")
    response = await browser.post(
        "/console/sign-in", {"username": "banyuwangi", "password": PASSWORD}, csrf=False
    )
    assert response.status_code == 403
    assert "bansos_console=" not in response.headers.get("set-cookie", "")


async def test_a_form_forged_by_another_site_is_refused_even_with_the_cookie(browser):
    await browser.sign_in("banyuwangi")
    page = await browser.get("/console/")
    assert page.status_code == 200
    forged = await browser.post("/console/sign-out", {}, csrf=False)
    assert forged.status_code == 403
    await browser.get("/console/")
    from_elsewhere = await browser.post(
        "/console/sign-out", {}, headers={"Origin": "https://evil.example"}
    )
    assert from_elsewhere.status_code == 403
    assert (await browser.get("/console/")).status_code == 200  # still signed in


async def test_signing_out_ends_the_session(browser):
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    cookie = browser.http.cookies["bansos_console"]
    response = await browser.post("/console/sign-out", {})
    assert response.status_code == 303
    browser.http.cookies.set("bansos_console", cookie, domain="console.test", path="/console")
    assert (await browser.get("/console/")).status_code == 303


async def test_an_idle_session_expires_and_the_sign_in_form_says_why(browser, services):
    await browser.sign_in("banyuwangi")
    long_ago = datetime.now(UTC) - timedelta(minutes=CONSOLE_IDLE_MINUTES + 1)
    async with services.engine.begin() as conn:
        await conn.execute(update(StaffSession.__table__).values(last_seen_at=long_ago))
    response = await browser.get("/console/")
    assert response.status_code == 303
    form = await browser.get(response.headers["location"])
    assert "Sesi Anda berakhir" in form.text


async def test_an_api_bearer_token_does_not_open_the_console(browser, services):
    from api.domain.staff import log_in

    token, _ = await log_in(services.engine, username="banyuwangi", password=PASSWORD)
    browser.http.cookies.set("bansos_console", token, domain="console.test", path="/console")
    assert (await browser.get("/console/")).status_code == 303


async def test_a_temporary_password_must_be_changed_before_anything_else(browser, services):
    await create_staff(
        services.engine,
        username="baru",
        display_name="Petugas Baru",
        password="sementara-123456",
        role=Role.HANDLER,
        office_code="DINSOS-3510",
        temporary=True,
    )
    await browser.sign_in("baru", "sementara-123456")
    assert (await browser.get("/console/")).headers["location"] == "/console/password"
    form = await browser.get("/console/password")
    assert "kata sandi sementara" in form.text

    mismatch = await browser.post(
        "/console/password",
        {"current": "sementara-123456", "new": "pilihan-saya-sendiri", "repeat": "lain-lagi-x"},
    )
    assert mismatch.status_code == 422
    assert "tidak sama" in mismatch.text
    changed = await browser.post(
        "/console/password",
        {
            "current": "sementara-123456",
            "new": "pilihan-saya-sendiri",
            "repeat": "pilihan-saya-sendiri",
        },
    )
    assert changed.status_code == 303
    queue = await browser.get(changed.headers["location"])
    assert queue.status_code == 200
    assert "Kata sandi Anda sudah diganti." in queue.text


async def test_a_member_switches_the_console_to_english_and_it_stays(browser):
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    await browser.post("/console/language", {"locale": "en", "back": "/console/"})
    page = await browser.get("/console/")
    assert 'lang="en"' in page.text and "Sign out" in page.text
    browser.http.cookies.clear()
    await browser.sign_in("banyuwangi")
    assert "Sign out" in (await browser.get("/console/")).text


async def test_every_console_page_forbids_framing_inline_script_and_sniffing(browser):
    page = await browser.get("/console/sign-in")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text  # every script is a file of the console's own


async def test_static_files_are_served_by_the_console_itself_and_cached_for_a_year(browser):
    page = await browser.get("/console/sign-in")
    for path in ("/console/static/vendor/htmx.min.js", "/console/static/console.css"):
        assert path in page.text
        response = await browser.get(path)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["cache-control"]
