"""The harness itself: a real server answers a real browser, and pages reach nothing else."""

from __future__ import annotations

import json


async def test_the_browser_reaches_the_running_server(laptop):
    response = await laptop.goto("/healthz")

    assert response.status == 200
    assert json.loads(await laptop.locator("body").inner_text()) == {"status": "ok"}


async def test_the_api_documentation_opens_on_a_phone(phone):
    response = await phone.goto("/docs")

    assert response.status == 200
    assert "Swagger UI" in await phone.title()


async def test_a_complaint_filed_through_the_channel_api_gets_a_tracking_id(file_complaint):
    first, second = await file_complaint(), await file_complaint()

    assert first != second
