"""The queue in a browser: bulk assignment to a colleague of the office, and what a repeat
visit of a full queue page costs on the wire (issue 13, item 9: at most 100 KB)."""

from __future__ import annotations

import uuid

from playwright.async_api import Browser, expect

from api.db import create_engine
from api.domain.staff import create_staff
from api.domain.vocabulary import Role
from tests.console.browser.support import (
    HANDLER,
    LAPTOP,
    OTHER_HANDLER,
    PASSWORD,
    ConsoleServer,
    sign_in,
)

#: Issue 13, item 9: "a queue page of at most 100 KB transferred on a repeat visit".
REPEAT_VISIT_BUDGET = 100 * 1024

#: Citizens' words of several lengths, as a real queue holds them.
DESCRIPTIONS = (
    "Bantuan sembako bulan ini belum dibagikan di kelurahan kami.",
    "PKH tahap 2 belum cair, padahal nama saya masih ada di daftar penerima di desa.",
    "Pendamping meminta uang Rp50.000 sebelum kartu KKS diserahkan kepada kami. Warga lain "
    "juga dimintai uang yang sama dan tidak ada kwitansinya sama sekali.",
)


async def a_colleague(server: ConsoleServer, display_name: str) -> str:
    """A second handler of HANDLER's office, created as an administrator would."""
    engine = create_engine(server.database_url)
    try:
        await create_staff(
            engine,
            username=f"rekan-{uuid.uuid4().hex[:8]}",
            display_name=display_name,
            password=PASSWORD,
            role=Role.HANDLER,
            office_code=HANDLER.office_code,
        )
    finally:
        await engine.dispose()
    return display_name


async def test_a_handler_gives_the_ticked_complaints_to_a_colleague(
    laptop, file_complaint, console_server
):
    marker = uuid.uuid4().hex[:10]
    filed = [
        await file_complaint(description=f"Bantuan belum diterima ({marker}) {n}") for n in range(2)
    ]
    colleague = await a_colleague(console_server, f"Sari {marker[:4]}")
    await sign_in(laptop, HANDLER)
    await laptop.goto(f"/console/?q={marker}")

    for tracking_id in filed:
        await laptop.locator(f"input[type=checkbox][value='{tracking_id}']").check()
    await laptop.get_by_label("Untuk yang dipilih", exact=True).select_option("assign")
    await laptop.get_by_label("Rekan", exact=True).select_option(label=colleague)
    async with laptop.expect_navigation():
        await laptop.get_by_role("button", name="Jalankan").click()

    await expect(laptop.get_by_role("heading", name="Hasil penugasan")).to_be_visible()
    await expect(laptop.get_by_text(f"Ditugaskan kepada {colleague}.")).to_be_visible()
    await expect(laptop.locator(".badge.ok")).to_have_count(2)
    await laptop.goto(f"/console/?q={marker}")
    await expect(laptop.locator("table.queue tbody tr", has_text=colleague)).to_have_count(2)


async def test_a_repeat_visit_of_a_full_queue_transfers_at_most_100_kb(
    browser: Browser, console_server: ConsoleServer, file_complaint
):
    # At Kota Metro's Dinas Sosial: the other browser tests look for their own complaints on
    # the first page of Banyuwangi's queue, which fifty more would push off it.
    for n in range(50):
        await file_complaint(
            description=f"{DESCRIPTIONS[n % len(DESCRIPTIONS)]} (#{n})", region_code="187201"
        )
    # A context of its own without request routing: Playwright turns the HTTP cache off in a
    # context that routes requests, and the cache is what a repeat visit is about.
    context = await browser.new_context(base_url=console_server.base_url, locale="id-ID", **LAPTOP)
    try:
        page = await context.new_page()
        await sign_in(page, OTHER_HANDLER)
        await page.goto("/console/")
        await expect(page.locator("[data-row-link]")).to_have_count(50)

        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        urls: dict[str, str] = {}
        from_cache: set[str] = set()
        transferred: dict[str, int] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on("Network.requestServedFromCache", lambda e: from_cache.add(e["requestId"]))
        cdp.on(
            "Network.loadingFinished",
            lambda e: transferred.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )

        await page.goto("/console/", wait_until="load")
        await expect(page.locator("[data-row-link]")).to_have_count(50)
        await page.wait_for_load_state("networkidle")

        total = sum(transferred.values())
        fetched = {urls[r]: n for r, n in transferred.items() if r in urls and r not in from_cache}
        report = "\n".join(f"  {n:>7} B  {url}" for url, n in fetched.items())
        html = len((await page.content()).encode())
        print(f"\nrepeat visit of a 50-row queue: {total} bytes over the network (HTML {html} B)")
        print(report)
        # (data: URLs are the browser's own pictures, such as a date field's icon.)
        elsewhere = [
            u
            for u in urls.values()
            if u.startswith("http") and not u.startswith(console_server.base_url)
        ]
        assert elsewhere == []
        # Only the page itself crosses the network: every static file comes from the cache.
        assert [url for url in fetched if "/static/" in url] == []
        assert total <= REPEAT_VISIT_BUDGET, report
    finally:
        await context.close()
