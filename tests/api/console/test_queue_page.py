"""The queue page: tabs with counts, filters in the URL, keyset pages, the forgiving
tracking-ID box, saved views and bulk actions with a result per complaint."""

from __future__ import annotations

import re

from tests.complaints_support import AID_NOT_RECEIVED_IN_BANYUWANGI as COMPLAINT
from tests.complaints_support import file_through_the_api as file


def ids_on(html: str) -> list[str]:
    return re.findall(r"data-row-link><code>([^<]+)</code>", html)


async def test_a_new_complaint_appears_under_new_with_its_count(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("banyuwangi")
    page = await browser.get("/console/")
    assert page.status_code == 200
    assert tracking_id in page.text
    assert re.search(r"Baru / perlu verifikasi\s*<span class=\"count\">1</span>", page.text)


async def test_another_office_sees_none_of_it(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("metro")
    page = await browser.get("/console/")
    assert tracking_id not in page.text
    assert "Tidak ada pengaduan di bagian ini" in page.text


async def test_filters_live_in_the_url_and_narrow_the_list(client, browser):
    about_pkh = await file(client, description="PKH belum cair sama sekali bulan ini")
    about_card = await file(client, description="Kartu KKS saya rusak dan tidak terbaca")
    await browser.sign_in("banyuwangi")
    page = await browser.get("/console/?q=kks")
    assert about_card in page.text and about_pkh not in page.text
    assert 'value="kks"' in page.text  # the filter form shows what the URL asks


async def test_pages_follow_a_cursor_and_a_tampered_one_is_refused(client, browser):
    # Each from a citizen of their own about a person of their own (intake limits per
    # reporter and per NIK).
    filed = [
        await file(
            client,
            description=f"Bantuan belum diterima, laporan {n}",
            reporter={"channel_user": f"tg:{n}", "locale": "id"},
            subject_nik=f"351001410790{n + 1:04d}",
        )
        for n in range(53)
    ]
    await browser.sign_in("banyuwangi")
    first = await browser.get("/console/")
    assert len(ids_on(first.text)) == 50
    next_link = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = await browser.get(next_link)
    shown = ids_on(first.text) + ids_on(second.text)
    assert len(shown) == 53 and len(set(shown)) == 53
    assert {s.replace("-", "") for s in shown} == {f.replace("-", "") for f in filed}
    tampered = await browser.get(next_link[:-3] + "AAA")
    assert tampered.status_code == 422
    assert "Tautan halaman berikutnya tidak valid" in tampered.text


async def test_the_tracking_id_box_forgives_two_swapped_symbols(client, browser):
    tracking_id = await file(client)
    body = tracking_id.replace("-", "")
    swapped = body[:-3] + body[-2] + body[-3] + body[-1]
    if swapped == body:
        swapped = body[:-4] + body[-3] + body[-4] + body[-2:]
    await browser.sign_in("banyuwangi")
    found = await browser.get(f"/console/find?id={swapped}")
    assert found.status_code == 303
    assert found.headers["location"].replace("-", "").endswith(body)


async def test_the_tracking_id_box_tells_nothing_about_another_office(client, browser):
    tracking_id = await file(client)
    await browser.sign_in("metro")
    found = await browser.get(f"/console/find?id={tracking_id}")
    assert found.status_code == 404


async def test_a_saved_view_reopens_the_same_filters(client, browser):
    await browser.sign_in("banyuwangi")
    await browser.get("/console/?tab=new&q=kartu")
    saved = await browser.post(
        "/console/views", {"name": "Kartu rusak", "query": "tab=new&q=kartu"}
    )
    assert saved.status_code == 303
    page = await browser.get("/console/")
    assert 'href="/console/?tab=new&amp;q=kartu">Kartu rusak</a>' in page.text
    again = await browser.post("/console/views", {"name": "Kartu rusak", "query": "q=x"})
    assert again.status_code == 409
    assert "sudah memiliki tampilan dengan nama itu" in again.text


async def test_bulk_verify_reports_each_complaint(client, browser):
    mine = [await file(client) for _ in range(2)]
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    token = browser.csrf()
    response = await browser.http.post(
        "/console/bulk",
        data={"csrf_token": token, "action": "verify", "id": [*mine, "BNS-0000-0000"]},
    )
    assert response.status_code == 200
    assert response.text.count("Berhasil") == 2
    assert response.text.count("Ditolak") == 1
    follow_up = await browser.get("/console/?tab=follow_up")
    assert all(tracking_id in follow_up.text for tracking_id in mine)


async def test_the_queue_reads_in_english_for_an_english_member(client, browser):
    await file(client, reporter={**COMPLAINT["reporter"]})
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    await browser.post("/console/language", {"locale": "en", "back": "/console/"})
    page = await browser.get("/console/")
    assert "New / to verify" in page.text and "Next deadline" in page.text
