"""Live updates: a page learns, by polling no more often than every 15 s, that its list went
stale — and a poll never keeps an unattended session open (issue 13, item 6)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import select, update

from api.domain.complaints.intake import ComplaintDraft
from api.domain.staff import CONSOLE_IDLE_MINUTES
from api.models import Complaint, StaffSession
from tests.complaints_support import channel_of, file_directly, file_through_the_api


async def file_for_triage(services, api_key, description: str = "Tidak jelas ke mana lapor."):
    filed = await file_directly(
        services,
        await channel_of(services, api_key),
        ComplaintDraft(category="LAINNYA", description=description),
    )
    assert filed.in_triage
    return filed


def poll_url(html: str) -> str:
    """The URL the live bar polls, as htmx reads it from the page."""
    found = re.search(
        r'hx-get="(/console/live/list-stamp\?[^"]+)"\s+hx-trigger="every (\d+)s"', html
    )
    assert found, "the page has no live bar"
    assert int(found.group(2)) >= 15
    return unescape(found.group(1))


async def poll(browser, url: str):
    return await browser.http.get(url, headers={"HX-Request": "true"})


async def last_seen(services) -> datetime:
    async with services.engine.connect() as conn:
        return (await conn.execute(select(StaffSession.__table__.c.last_seen_at))).scalar_one()


async def test_the_triage_desk_learns_of_a_new_complaint_without_a_reload(
    browser, services, api_key
):
    await file_for_triage(services, api_key)
    await browser.sign_in("kemensos")
    url = poll_url((await browser.get("/console/triage")).text)

    assert (await poll(browser, url)).status_code == 204  # nothing changed: nothing to draw

    await file_for_triage(services, api_key, "Satu lagi, baru masuk.")
    stale = await poll(browser, url)

    assert stale.status_code == 200
    assert "1 pengaduan baru atau berubah" in stale.text
    assert 'href="/console/triage"' in stale.text
    assert poll_url(stale.text) == url  # the bar keeps counting from the page's own stamp


async def test_the_stamp_changes_when_a_complaint_leaves_the_list(browser, services, api_key):
    filed = await file_for_triage(services, api_key)
    await browser.sign_in("kemensos")
    url = poll_url((await browser.get("/console/triage")).text)
    await browser.get(f"/console/triage/{filed.tracking_id}/preview?region_code=351001")
    await browser.post(f"/console/triage/{filed.tracking_id}/domicile", {"region_code": "351001"})

    stale = await poll(browser, url)

    assert stale.status_code == 200
    assert "pengaduan baru atau berubah" in stale.text


async def test_the_bar_says_so_once_the_pages_earliest_deadline_has_passed(
    browser, services, api_key
):
    await browser.sign_in("kemensos")
    url = poll_url((await browser.get("/console/triage")).text)
    passed = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    url = re.sub(r"until=[^&]+", "until=" + passed.replace("+", "%2B").replace(":", "%3A"), url)

    stale = await poll(browser, url)

    assert stale.status_code == 200
    assert "Status tenggat sudah bergeser" in stale.text


async def test_another_members_list_is_not_the_one_watched(browser, services, api_key):
    await browser.sign_in("banyuwangi")
    url = poll_url((await browser.get("/console/triage")).text)

    await file_for_triage(services, api_key)  # waits at the national desk, not Banyuwangi's

    assert (await poll(browser, url)).status_code == 204


async def test_polling_does_not_keep_an_idle_session_alive(browser, services, api_key):
    await browser.sign_in("kemensos")
    url = poll_url((await browser.get("/console/triage")).text)
    almost_idle = datetime.now(UTC) - timedelta(minutes=CONSOLE_IDLE_MINUTES - 1)
    async with services.engine.begin() as conn:
        await conn.execute(update(StaffSession.__table__).values(last_seen_at=almost_idle))

    assert (await poll(browser, url)).status_code == 204
    assert await last_seen(services) == almost_idle  # a poll is not the member's activity

    idle = datetime.now(UTC) - timedelta(minutes=CONSOLE_IDLE_MINUTES + 1)
    async with services.engine.begin() as conn:
        await conn.execute(update(StaffSession.__table__).values(last_seen_at=idle))
    ended = await poll(browser, url)

    assert ended.status_code == 204
    assert ended.headers["HX-Redirect"].startswith("/console/sign-in?")
    assert "reason=session_ended" in ended.headers["HX-Redirect"]


async def test_opening_a_page_still_counts_as_activity(browser, services):
    await browser.sign_in("kemensos")
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    async with services.engine.begin() as conn:
        await conn.execute(update(StaffSession.__table__).values(last_seen_at=earlier))

    await browser.get("/console/triage")

    assert await last_seen(services) > earlier


file_in_banyuwangi = file_through_the_api


async def filed_a_while_ago(services, client) -> str:
    """A complaint last changed a minute ago: well before any page drawn now."""
    tracking_id = await file_in_banyuwangi(client)
    table = Complaint.__table__
    async with services.engine.begin() as conn:
        await conn.execute(
            update(table)
            .where(table.c.tracking_id == tracking_id)
            .values(updated_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    return tracking_id


async def test_the_office_a_complaint_was_forwarded_away_from_learns_it_left(
    client, browser, services
):
    tracking_id = await filed_a_while_ago(services, client)
    await browser.sign_in("banyuwangi")
    url = poll_url((await browser.get("/console/")).text)
    assert (await poll(browser, url)).status_code == 204

    await browser.get(f"/console/complaints/{tracking_id}")
    await browser.post(
        f"/console/complaints/{tracking_id}/actions/forward",
        {"to_office": "DINSOS-1872", "note": "Domisili sebenarnya di Kota Metro."},
    )
    stale = await poll(browser, url)

    assert stale.status_code == 200
    assert "1 pengaduan baru atau berubah" in stale.text


async def test_a_filtered_queue_is_not_staled_by_a_complaint_its_filter_leaves_out(client, browser):
    await browser.sign_in("banyuwangi")
    url = poll_url((await browser.get("/console/?category=SANGGAH")).text)

    await file_in_banyuwangi(client)  # not disputed: outside the page's filter
    assert (await poll(browser, url)).status_code == 204

    await file_in_banyuwangi(client, category="SANGGAH", description="Saya layak PKH.")
    stale = await poll(browser, url)
    assert stale.status_code == 200
    assert "1 pengaduan baru atau berubah" in stale.text


async def test_a_complaint_leaving_the_pages_tab_is_a_change_the_page_learns_of(
    client, browser, services
):
    tracking_id = await filed_a_while_ago(services, client)
    await browser.sign_in("banyuwangi")
    url = poll_url((await browser.get("/console/?tab=new")).text)

    await browser.get(f"/console/complaints/{tracking_id}")
    await browser.post(f"/console/complaints/{tracking_id}/actions/verify", {})
    stale = await poll(browser, url)

    assert stale.status_code == 200  # verified: no longer "new", the page must say so


async def test_an_edited_filter_in_the_poll_narrows_nothing_it_should_not(client, browser):
    await browser.sign_in("banyuwangi")
    url = poll_url((await browser.get("/console/")).text)
    forged = url + "&filter=" + "%7B%22office_code%22%3A%22DINSOS-1872%22%2C%22category%22%3A1%7D"

    await file_in_banyuwangi(client)

    assert (await poll(browser, forged)).status_code == 200  # unknown fields: dropped


def test_a_page_goes_stale_at_the_earliest_deadline_ahead_of_its_items_or_at_midnight():
    from types import SimpleNamespace

    from api.console.live_bar import until_deadlines

    drawn = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)  # 16.00 WIB
    midnight_wib = datetime(2026, 12, 11, 17, 0, tzinfo=UTC)
    live = {"since": drawn.isoformat(), "until": midnight_wib.isoformat()}
    soon = SimpleNamespace(verify_due=drawn + timedelta(hours=2), resolve_due=None)
    past = SimpleNamespace(verify_due=drawn - timedelta(hours=1), resolve_due=None)
    later = SimpleNamespace(verify_due=None, resolve_due=drawn + timedelta(days=3))

    assert until_deadlines(live, [past, soon, later])["until"] == soon.verify_due.isoformat()
    assert until_deadlines(live, [past, later])["until"] == midnight_wib.isoformat()
