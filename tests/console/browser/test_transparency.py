"""The public transparency page in a real browser: no sign-in, a small kab/kota's count
reads "<10", and the page fits a phone."""

from __future__ import annotations

import asyncio
import time

from playwright.async_api import expect
from sqlalchemy import func, select

from api.db import create_engine
from api.models import StatCount
from tests.console.browser.support import screenshot, wider_than_the_screen

#: Baiturrahman, Kota Banda Aceh (WK1): no other browser test files complaints there.
BAITURRAHMAN = "117101"


async def counted_in_banda_aceh(database_url: str) -> int:
    table = StatCount.__table__
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                select(func.coalesce(func.sum(table.c.count), 0)).where(
                    table.c.metric == "received", table.c.regency_code == "1171"
                )
            )
            return int(found.scalar())
    finally:
        await engine.dispose()


async def three_complaints_counted(console_server) -> None:
    """Three complaints filed in Banda Aceh, and the server's worker done counting them (the
    page keeps what it read for minutes, so it is read only once they are)."""
    if await counted_in_banda_aceh(console_server.database_url) < 3:
        for _ in range(3):
            await console_server.file_complaint(region_code=BAITURRAHMAN)
    deadline = time.monotonic() + 30
    while await counted_in_banda_aceh(console_server.database_url) < 3:
        assert time.monotonic() < deadline, "the worker did not count the complaints"
        await asyncio.sleep(0.5)


async def test_anyone_sees_a_small_kab_kota_count_as_less_than_ten(laptop, console_server):
    await three_complaints_counted(console_server)

    await laptop.goto(f"{console_server.base_url}/transparansi")

    await expect(laptop.get_by_role("heading", level=1)).to_have_text(
        "Transparansi pengaduan bantuan sosial"
    )
    banda_aceh = laptop.locator("#regency-1171")
    await banda_aceh.locator("summary").click()
    newest = banda_aceh.locator("tbody tr").first
    await expect(newest.locator("td").nth(0)).to_have_text("<10")
    # Its median and on-time share rest on fewer than 10 complaints.
    await expect(newest.locator("td").nth(3)).to_have_text("–")
    await expect(laptop.get_by_text("<10: antara 1 dan 9 pengaduan", exact=False)).to_be_visible()
    await screenshot(laptop, "transparency-id-laptop")


async def test_the_page_fits_a_phone_in_english(phone, console_server):
    await three_complaints_counted(console_server)

    await phone.goto(f"{console_server.base_url}/transparansi?lang=en")
    await phone.locator("#regency-1171 summary").click()

    await expect(phone.locator("#regency-1171 tbody tr").first.locator("td").first).to_have_text(
        "<10"
    )
    assert await wider_than_the_screen(phone) == []
