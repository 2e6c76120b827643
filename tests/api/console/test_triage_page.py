"""The triage desk page: complaints no office holds yet, the oldest first; the domicile set
by typing part of a name, previewed, then confirmed (issue 13, item 5)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from api.domain.complaints import triage_queue
from api.domain.complaints.intake import ComplaintDraft, Reporter
from api.domain.staff import log_in
from api.models import Complaint, StaffAccessAudit
from tests.api.console.conftest import PASSWORD
from tests.complaints_support import channel_of, file_directly


def without_domicile(description: str) -> ComplaintDraft:
    return ComplaintDraft(category="LAINNYA", description=description)


async def file_for_triage(services, api_key, description: str, *, days_ago: int = 0):
    filed = await file_directly(
        services,
        await channel_of(services, api_key),
        without_domicile(description),
        now=datetime.now(UTC) - timedelta(days=days_ago),
    )
    assert filed.in_triage
    return filed


async def stored(services, tracking_id: str):
    table = Complaint.__table__
    async with services.engine.connect() as conn:
        return (await conn.execute(select(table).where(table.c.tracking_id == tracking_id))).one()


async def test_the_desk_lists_the_complaints_waiting_for_a_domicile_oldest_first(
    browser, services, api_key
):
    newer = await file_for_triage(services, api_key, "Diminta uang oleh pendamping kemarin.")
    older = await file_for_triage(services, api_key, "Sudah dua minggu tanpa kabar.", days_ago=3)
    await browser.sign_in("kemensos")

    page = await browser.get("/console/triage")

    assert page.status_code == 200
    html = page.text
    assert html.index(f"c-{older.tracking_id}") < html.index(f"c-{newer.tracking_id}")
    assert "Sudah dua minggu tanpa kabar." in html
    assert "Menampilkan 2 pengaduan terlama dari 2 yang menunggu." in html


async def test_the_citizens_words_are_shown_as_text_never_as_markup(browser, services, api_key):
    await file_for_triage(services, api_key, 'Pendamping <script>alert("x")</script> minta uang.')
    await browser.sign_in("kemensos")

    html = (await browser.get("/console/triage")).text

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


async def test_a_handler_of_a_pilot_office_has_no_complaint_of_the_national_desk_to_triage(
    browser, services, api_key
):
    filed = await file_for_triage(services, api_key, "Pungutan saat pencairan bantuan.")
    await browser.sign_in("banyuwangi")

    page = await browser.get("/console/triage")

    assert page.status_code == 200
    assert filed.tracking_id not in page.text
    assert "Tidak ada pengaduan yang menunggu penetapan domisili." in page.text


async def test_the_place_search_finds_a_kecamatan_by_part_of_its_name(browser, services, api_key):
    filed = await file_for_triage(services, api_key, "Pungutan saat pencairan bantuan.")
    await browser.sign_in("kemensos")

    fragment = await browser.get(f"/console/triage/places?for={filed.tracking_id}&q=sanggar")
    assert fragment.status_code == 200
    assert 'value="351001"' in fragment.text  # Pesanggaran
    assert "Kabupaten Banyuwangi" in fragment.text and "Jawa Timur" in fragment.text

    # Without script: the search form re-renders the desk with the same choices.
    page = await browser.get(f"/console/triage?for={filed.tracking_id}&q=sanggar")
    assert 'value="351001"' in page.text

    by_regency = await browser.get(f"/console/triage/places?for={filed.tracking_id}&q=banyuwangi")
    assert 'value="351001"' in by_regency.text
    nothing = await browser.get(f"/console/triage/places?for={filed.tracking_id}&q=zzzqqq")
    assert "Tidak ada kecamatan" in nothing.text


async def test_the_preview_names_the_office_and_the_reason_without_changing_the_complaint(
    browser, services, api_key
):
    filed = await file_for_triage(services, api_key, "Pungutan saat pencairan bantuan.")
    before = await stored(services, filed.tracking_id)
    await browser.sign_in("kemensos")

    preview = await browser.get(
        f"/console/triage/{filed.tracking_id}/preview", params={"region_code": "351001"}
    )

    assert preview.status_code == 200
    assert "Pesanggaran, Kabupaten Banyuwangi" in preview.text
    assert "Dinas Sosial Kabupaten Banyuwangi" in preview.text
    assert "Kabupaten/kota uji coba" in preview.text
    after = await stored(services, filed.tracking_id)
    assert (after.in_triage, after.office_code, after.updated_at) == (
        True,
        before.office_code,
        before.updated_at,
    )


async def test_an_unknown_region_code_is_refused_at_the_complaints_form(browser, services, api_key):
    filed = await file_for_triage(services, api_key, "Pungutan saat pencairan bantuan.")
    await browser.sign_in("kemensos")

    unknown = await browser.get(
        f"/console/triage/{filed.tracking_id}/preview", params={"code": "359999"}
    )
    assert unknown.status_code == 422
    assert "tidak ada dalam daftar wilayah Kemendagri" in unknown.text

    nothing = await browser.get(f"/console/triage/{filed.tracking_id}/preview")
    assert nothing.status_code == 422
    assert "Pilih satu kecamatan" in nothing.text


async def test_confirming_routes_the_complaint_to_the_office_its_handler_then_sees_it(
    browser, services, api_key, client
):
    filed = await file_for_triage(services, api_key, "Pungutan saat pencairan bantuan.")
    await browser.sign_in("kemensos")
    await browser.get(
        f"/console/triage/{filed.tracking_id}/preview", params={"region_code": "351001"}
    )

    confirmed = await browser.post(
        f"/console/triage/{filed.tracking_id}/domicile", {"region_code": "351001"}
    )

    assert confirmed.status_code == 303
    desk = await browser.get(confirmed.headers["location"])
    assert "sudah diteruskan ke Dinas Sosial Kabupaten Banyuwangi" in desk.text
    assert f"c-{filed.tracking_id}" not in desk.text
    row = await stored(services, filed.tracking_id)
    assert (row.in_triage, row.office_code, row.district_code) == (False, "DINSOS-3510", "351001")
    token, _ = await log_in(services.engine, username="banyuwangi", password=PASSWORD)
    seen = await client.get(
        f"/api/v1/staff/complaints/{filed.tracking_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert seen.status_code == 200


async def test_confirming_a_complaint_someone_else_routed_meanwhile_says_so(
    browser, services, api_key
):
    filed = await file_for_triage(services, api_key, "Pungutan saat pencairan bantuan.")
    await browser.sign_in("kemensos")
    await browser.get(
        f"/console/triage/{filed.tracking_id}/preview", params={"region_code": "351001"}
    )
    first = await browser.post(
        f"/console/triage/{filed.tracking_id}/domicile", {"region_code": "351001"}
    )
    assert first.status_code == 303
    await browser.get(first.headers["location"])
    # A second desk officer had the preview open before; their confirmation arrives now.

    second = await browser.post(
        f"/console/triage/{filed.tracking_id}/domicile", {"region_code": "187201"}
    )

    assert second.status_code == 409
    assert "petugas lain baru saja menetapkan domisilinya" in second.text
    assert (await stored(services, filed.tracking_id)).office_code == "DINSOS-3510"


async def test_the_registry_suggestion_is_shown_on_request_and_audited(browser, services, api_key):
    filed = await file_for_triage(services, api_key, "Pungutan saat pencairan bantuan.")
    await browser.sign_in("kemensos")
    await browser.get("/console/triage")

    asked = await browser.post(f"/console/triage/{filed.tracking_id}/suggestion", {})

    assert asked.status_code == 200
    assert "Data penerima tidak memuat domisili" in asked.text
    async with services.engine.connect() as conn:
        audit = (await conn.execute(select(StaffAccessAudit.__table__.c.what))).scalars().all()
    assert audit.count("view_registry_domicile") == 1


async def a_long_wait(services, api_key, count: int) -> list[str]:
    """``count`` complaints waiting at the national desk, each from a citizen of their own
    (the intake's per-citizen limit), filed a minute apart, the first the oldest."""
    channel = await channel_of(services, api_key)
    start = datetime.now(UTC) - timedelta(days=2)
    return [
        (
            await file_directly(
                services,
                channel,
                without_domicile(f"Belum ada kabar, laporan {n}."),
                reporter=Reporter(channel_user=f"tg:wait{n}", locale="id"),
                now=start + timedelta(minutes=n),
            )
        ).tracking_id
        for n in range(count)
    ]


def ids_on_desk(html: str) -> list[str]:
    return re.findall(r'<li class="card" id="c-([^"]+)"', html)


def next_link(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next"', html)
    return found.group(1).replace("&amp;", "&") if found else None


async def test_a_long_wait_is_paged_oldest_first_with_a_next_page_link(browser, services, api_key):
    filed = await a_long_wait(services, api_key, 53)
    await browser.sign_in("kemensos")

    first = await browser.get("/console/triage")
    second = await browser.get(next_link(first.text))

    assert ids_on_desk(first.text) == filed[:50]
    assert "Menampilkan 50 pengaduan terlama dari 53 yang menunggu." in first.text
    assert ids_on_desk(second.text) == filed[50:]
    assert "Menampilkan pengaduan ke-51 sampai ke-53 dari 53 yang menunggu" in second.text
    assert next_link(second.text) is None
    assert 'href="/console/triage">« Halaman pertama</a>' in second.text


async def test_a_complaint_routed_from_the_second_page_brings_the_desk_back_to_that_page(
    browser, services, api_key
):
    filed = await a_long_wait(services, api_key, 52)
    await browser.sign_in("kemensos")
    link = next_link((await browser.get("/console/triage")).text)
    cursor = link.split("after=", 1)[1]
    second = await browser.get(link)
    assert f'name="after" value="{cursor}"' in second.text  # each form keeps the page

    routed = await browser.post(
        f"/console/triage/{filed[50]}/domicile?after={cursor}", {"region_code": "351001"}
    )

    assert routed.status_code == 303
    back = await browser.get(routed.headers["location"])
    assert ids_on_desk(back.text) == filed[51:]
    assert f"Pengaduan {filed[50]} sudah diteruskan" in back.text


async def test_an_edited_next_page_link_is_refused(browser, services, api_key):
    await a_long_wait(services, api_key, 51)
    await browser.sign_in("kemensos")
    link = next_link((await browser.get("/console/triage")).text)

    tampered = await browser.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))

    assert tampered.status_code == 422
    assert "Buka meja triase lagi dari halaman pertama" in tampered.text


async def test_the_total_waiting_stops_counting_at_the_cap(browser, services, api_key, monkeypatch):
    # The cap is 1,000 ("1.000+"); three complaints over a cap of two show the same way.
    monkeypatch.setattr(triage_queue, "COUNT_CAP", 2)
    await a_long_wait(services, api_key, 3)
    await browser.sign_in("kemensos")

    page = await browser.get("/console/triage")

    assert "Menampilkan 3 pengaduan terlama dari 2+ yang menunggu." in page.text
