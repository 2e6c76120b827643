"""The console's administration pages: only administrators open them; every change leaves
an audit row with who, before and after; passwords and keys are shown once."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from sqlalchemy import delete, select

from api.app import create_app
from api.domain.pilot_config import load_pilot_config
from api.domain.reference_data import load_reference_data
from api.models import AdministrationAudit, Office, Staff, StaffSession
from tests.api.console.conftest import PASSWORD, ConsoleBrowser


@pytest.fixture
async def admin(browser, services):
    """The browser signed in as the administrator; routing data restored afterwards."""
    await browser.sign_in("admin")
    yield browser
    async with services.engine.begin() as conn:
        await conn.execute(delete(Office.__table__).where(Office.__table__.c.managed_by == "admin"))
        await load_reference_data(
            conn, regions=services.regions, pilot=load_pilot_config(), reset_routing=True
        )


async def last_audit(services):
    table = AdministrationAudit.__table__
    async with services.engine.connect() as conn:
        return (await conn.execute(select(table).order_by(table.c.id.desc()).limit(1))).first()


def shown_secret(response: httpx.Response) -> str:
    found = re.search(r"<code class=\"secret\" data-secret>([^<]+)</code>", response.text)
    assert found, "the page shows no secret"
    return found.group(1)


async def other_browser(services) -> ConsoleBrowser:
    app = create_app(services.settings, services=services)
    return ConsoleBrowser(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test")
    )


@pytest.mark.parametrize(
    "path",
    ["/console/admin", "/console/admin/staff", "/console/admin/keys", "/console/admin/templates"],
)
async def test_a_handler_gets_the_refusal_page_for_administration(browser, path):
    await browser.sign_in("banyuwangi")
    response = await browser.get(path)
    assert response.status_code == 403
    assert "Hanya administrator" in response.text


async def test_a_handler_cannot_post_an_administration_form_either(browser, services):
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    response = await browser.post(
        "/console/admin/staff/new",
        {"username": "penyusup", "display_name": "X", "role": "ADMIN", "office_code": ""},
    )
    assert response.status_code == 403
    async with services.engine.connect() as conn:
        assert await conn.scalar(select(Staff.id).where(Staff.username == "penyusup")) is None


async def test_the_administration_link_is_in_the_administrators_menu_only(browser):
    await browser.sign_in("admin")
    assert 'href="/console/admin"' in (await browser.get("/console/")).text
    browser.http.cookies.clear()
    await browser.sign_in("banyuwangi")
    assert 'href="/console/admin"' not in (await browser.get("/console/")).text


async def test_a_new_account_gets_a_temporary_password_shown_once_and_must_change_it(
    admin, services
):
    await admin.get("/console/admin/staff/new")
    created = await admin.post(
        "/console/admin/staff/new",
        {
            "username": "petugas.baru",
            "display_name": "Petugas Baru",
            "role": "HANDLER",
            "office_code": "DINSOS-3510",
        },
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    assert "hanya ditampilkan sekali" in created.text
    temporary = shown_secret(created)
    assert len(temporary) >= 12

    # Nowhere to be read again: neither the list nor the account's page shows it.
    assert temporary not in (await admin.get("/console/admin/staff")).text
    row = await last_audit(services)
    assert (row.actor, row.change, row.subject) == ("admin", "staff_created", "petugas.baru")
    assert row.before is None and json.loads(row.after)["must_change_password"] is True
    assert temporary not in (row.after or "")

    newcomer = await other_browser(services)
    async with newcomer.http:
        signed_in = await newcomer.sign_in("petugas.baru", temporary)
        assert signed_in.status_code == 303
        assert (await newcomer.get("/console/")).headers["location"] == "/console/password"


async def test_an_account_form_names_the_field_at_fault(admin):
    await admin.get("/console/admin/staff/new")
    no_office = await admin.post(
        "/console/admin/staff/new",
        {"username": "tanpa-kantor", "display_name": "Tanpa", "role": "HANDLER", "office_code": ""},
    )
    assert no_office.status_code == 422
    assert 'id="office_code-error"' in no_office.text
    assert "wajib memiliki kantor" in no_office.text

    taken = await admin.post(
        "/console/admin/staff/new",
        {"username": "metro", "display_name": "Lagi", "role": "MINISTRY", "office_code": ""},
    )
    assert taken.status_code == 422
    assert 'id="username-error"' in taken.text and "metro sudah dipakai" in taken.text


async def test_a_reset_ends_the_accounts_sessions_and_forces_a_new_password(
    admin, services, accounts
):
    metro = await other_browser(services)
    async with metro.http:
        await metro.sign_in("metro")
        assert (await metro.get("/console/")).status_code == 200

        await admin.get(f"/console/admin/staff/{accounts['metro']}")
        reset = await admin.post(f"/console/admin/staff/{accounts['metro']}/reset", {})
        assert reset.status_code == 200
        temporary = shown_secret(reset)

        assert (await metro.get("/console/")).status_code == 303  # signed out at once
        assert (await metro.sign_in("metro", PASSWORD)).status_code == 401
        await metro.sign_in("metro", temporary)
        assert (await metro.get("/console/")).headers["location"] == "/console/password"

    row = await last_audit(services)
    assert (row.change, row.subject) == ("staff_password_reset", "metro")
    assert json.loads(row.before)["must_change_password"] is False
    assert json.loads(row.after)["must_change_password"] is True


async def test_deactivating_ends_sessions_and_reactivating_lets_the_account_in(
    admin, services, accounts
):
    metro = await other_browser(services)
    async with metro.http:
        await metro.sign_in("metro")
        page = f"/console/admin/staff/{accounts['metro']}"
        await admin.get(page)
        assert (await admin.post(f"{page}/active", {"active": "0"})).status_code == 303
        assert (await metro.get("/console/")).status_code == 303
        assert (await metro.sign_in("metro")).status_code == 401
        row = await last_audit(services)
        assert (row.change, json.loads(row.before)["active"], json.loads(row.after)["active"]) == (
            "staff_deactivated",
            True,
            False,
        )

        await admin.get(page)
        await admin.post(f"{page}/active", {"active": "1"})
        assert (await metro.sign_in("metro")).status_code == 303


async def test_an_administrator_cannot_lock_themselves_out(admin, accounts):
    page = f"/console/admin/staff/{accounts['admin']}"
    await admin.get(page)
    refused = await admin.post(f"{page}/active", {"active": "0"})
    assert refused.status_code == 422
    assert "akun sendiri" in refused.text
    assert (await admin.get("/console/admin")).status_code == 200


async def test_a_role_change_is_validated_and_audited(admin, services, accounts):
    page = f"/console/admin/staff/{accounts['kemensos']}"
    await admin.get(page)
    refused = await admin.post(f"{page}/role", {"role": "COORDINATOR", "office_code": ""})
    assert refused.status_code == 422 and "wajib memiliki kantor" in refused.text

    moved = await admin.post(f"{page}/role", {"role": "HANDLER", "office_code": "DINSOS-1872"})
    assert moved.status_code == 303
    row = await last_audit(services)
    assert row.change == "staff_role_changed"
    assert json.loads(row.before)["role"] == "MINISTRY"
    assert json.loads(row.after)["office_code"] == "DINSOS-1872"


async def test_an_api_key_is_shown_once_listed_by_prefix_and_stops_working_when_revoked(
    admin, services
):
    await admin.get("/console/admin/keys")
    created = await admin.post("/console/admin/keys", {"channel": "mitra-pos"})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    key = shown_secret(created)
    prefix = key.split("_")[1]

    listing = await admin.get("/console/admin/keys")
    assert f"bsk_{prefix}_" in listing.text and key not in listing.text

    ask, headers = {"q": "Banyuwangi"}, {"X-API-Key": key}

    async def regencies_status() -> int:
        # A fresh api process each time: a process that already accepted the key may keep it
        # for API_KEY_CACHE_SECONDS (5 s), by design.
        app = create_app(services.settings, services=services)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api.test"
        ) as api:
            response = await api.get("/api/v1/regions/regencies", params=ask, headers=headers)
            return response.status_code

    assert await regencies_status() == 200
    confirm = await admin.get(f"/console/admin/keys/{prefix}/revoke")
    assert "tidak dapat dibatalkan" in confirm.text
    revoked = await admin.post(f"/console/admin/keys/{prefix}/revoke", {})
    assert revoked.status_code == 303
    assert await regencies_status() == 401

    row = await last_audit(services)
    assert (row.change, row.subject) == ("api_key_revoked", prefix)
    assert (await admin.get(f"/console/admin/keys/{prefix}/revoke")).status_code == 404


async def test_a_statistics_key_for_one_region_reads_its_figures_and_files_nothing(admin, services):
    await admin.get("/console/admin/keys")
    created = await admin.post(
        "/console/admin/keys", {"channel": "dasbor-wk1", "kind": "statistics", "region": "WK1"}
    )
    key = shown_secret(created)
    listing = await admin.get("/console/admin/keys")

    app = create_app(services.settings, services=services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as api:
        figures = await api.get("/api/v1/statistics/overview", headers={"X-API-Key": key})
        elsewhere = await api.get(
            "/api/v1/statistics/overview?region=WK4", headers={"X-API-Key": key}
        )
        places = await api.get(
            "/api/v1/regions/regencies", params={"q": "Metro"}, headers={"X-API-Key": key}
        )

    assert figures.status_code == 200 and figures.json()["filter"]["region"] == "WK1"
    assert elsewhere.status_code == 403
    assert places.status_code == 401
    assert "Statistik (hanya baca) · WK1" in listing.text
    row = await last_audit(services)
    assert json.loads(row.after)["region"] == "WK1"


async def test_a_statistics_key_for_an_unknown_region_is_refused_on_the_form(admin):
    await admin.get("/console/admin/keys")
    refused = await admin.post(
        "/console/admin/keys", {"channel": "dasbor", "kind": "statistics", "region": "WK99"}
    )

    assert refused.status_code == 422
    assert "Tidak ada wilayah koordinasi dengan kode itu." in refused.text


async def test_a_category_routing_change_is_audited_and_shown_in_the_overview(admin, services):
    form = await admin.get("/console/admin/categories/PUNGLI")
    assert "INSPEKTORAT" in form.text
    saved = await admin.post(
        "/console/admin/categories/PUNGLI", {"office_type": "DINSOS", "active": "1"}
    )
    assert saved.status_code == 303
    row = await last_audit(services)
    assert json.loads(row.before)["office_type"] == "INSPEKTORAT"
    assert json.loads(row.after)["office_type"] == "DINSOS"

    overview = await admin.get("/console/admin?change=category_rule_changed")
    assert "Aturan rute kategori diubah" in overview.text
    assert "<del>INSPEKTORAT</del> → <ins>DINSOS</ins>" in overview.text


async def test_an_office_is_added_found_by_search_and_edited_with_precise_errors(admin, services):
    await admin.get("/console/admin/offices/new")
    bad = await admin.post(
        "/console/admin/offices/new",
        {"code": "DINSOS-9999", "name": "Dinsos Contoh", "type": "DINSOS", "regency_code": "9999"},
    )
    assert bad.status_code == 422 and 'id="regency_code-error"' in bad.text

    added = await admin.post(
        "/console/admin/offices/new",
        {
            "code": "INSP-3510",
            "name": "Inspektorat Banyuwangi Kedua",
            "type": "INSPEKTORAT",
            "regency_code": "3510",
            "email": "inspektorat@example.go.id",
        },
    )
    assert added.status_code == 303
    found = await admin.get("/console/admin/offices?q=kedua")
    assert "INSP-3510" in found.text and "DINSOS-1872" not in found.text

    await admin.get("/console/admin/offices/INSP-3510")
    wrong_mail = await admin.post(
        "/console/admin/offices/INSP-3510",
        {"name": "Inspektorat Banyuwangi II", "email": "bukan-alamat", "active": "1"},
    )
    assert wrong_mail.status_code == 422 and 'id="email-error"' in wrong_mail.text
    closed = await admin.post(
        "/console/admin/offices/INSP-3510", {"name": "Inspektorat Banyuwangi II", "email": ""}
    )
    assert closed.status_code == 303
    row = await last_audit(services)
    assert row.change == "office_changed"
    assert json.loads(row.before)["active"] is True and json.loads(row.after)["active"] is False


async def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(admin, services):
    await admin.get("/console/admin/templates/new")
    refused = await admin.post(
        "/console/admin/templates/new",
        {
            "category_code": "PUNGLI",
            "locale": "id",
            "title": "Diterima",
            "body": "Pengaduan {trackng_id} kami terima.",
        },
    )
    assert refused.status_code == 422
    assert 'id="body-error"' in refused.text
    assert "{trackng_id}" in refused.text and "{tracking_id}" in refused.text
    assert await last_audit(services) is None or (await last_audit(services)).change != (
        "template_added"
    )


async def test_a_template_is_written_edited_deactivated_and_audited(admin, services):
    await admin.get("/console/admin/templates/new")
    created = await admin.post(
        "/console/admin/templates/new",
        {
            "category_code": "PUNGLI",
            "locale": "id",
            "title": "Diterima",
            "body": "Pengaduan {tracking_id} diterima oleh {office}.",
        },
    )
    assert created.status_code == 303
    row = await last_audit(services)
    assert row.change == "template_added" and row.before is None
    template_id = json.loads(row.after)["id"]

    listing = await admin.get("/console/admin/templates?category=PUNGLI")
    assert "Diterima" in listing.text
    await admin.get(f"/console/admin/templates/{template_id}")
    await admin.post(
        f"/console/admin/templates/{template_id}",
        {"category_code": "", "locale": "id", "title": "Diterima (umum)", "body": "Terima kasih."},
    )
    row = await last_audit(services)
    assert json.loads(row.before)["category_code"] == "PUNGLI"
    assert json.loads(row.after)["category_code"] is None

    await admin.get("/console/admin/templates")
    await admin.post(f"/console/admin/templates/{template_id}/active", {"active": "0"})
    row = await last_audit(services)
    assert (json.loads(row.before)["active"], json.loads(row.after)["active"]) == (True, False)


async def test_the_administration_pages_read_in_english_too(admin):
    await admin.get("/console/admin")
    await admin.post("/console/language", {"locale": "en", "back": "/console/admin"})
    for path in (
        "/console/admin",
        "/console/admin/categories",
        "/console/admin/offices",
        "/console/admin/staff",
        "/console/admin/keys",
        "/console/admin/templates",
        "/console/admin/staff/new",
        "/console/admin/offices/new",
        "/console/admin/templates/new",
    ):
        page = await admin.get(path)
        assert page.status_code == 200, path
        assert 'lang="en"' in page.text
    assert "Recent changes" in (await admin.get("/console/admin")).text


async def test_sessions_table_is_untouched_by_a_failed_reset_of_a_missing_account(admin, services):
    await admin.get("/console/admin/staff")
    missing = await admin.post("/console/admin/staff/999999/reset", {})
    assert missing.status_code == 404
    async with services.engine.connect() as conn:
        live = await conn.scalar(
            select(StaffSession.id).where(StaffSession.revoked_at.is_(None)).limit(1)
        )
    assert live is not None  # the administrator's own session is still there
