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


async def test_the_api_documentation_renders_with_no_internet_and_breaks_no_policy(laptop):
    """Every request to another host is aborted here, as in a network with no internet."""
    failed, refused = [], []
    laptop.on("requestfailed", lambda request: failed.append(request.url))
    laptop.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    await laptop.goto("/docs")

    status_checks = laptop.locator(".opblock-summary-path", has_text="/api/v1/status-checks")
    await status_checks.first.wait_for()
    assert await laptop.locator(".opblock").count() > 20
    # Opened, an operation shows its example request body, highlighted.
    await status_checks.first.click()
    await laptop.locator(".opblock-body .highlight-code, .opblock-body pre").first.wait_for()
    await laptop.get_by_role("button", name="Try it out").first.click()
    await laptop.locator(".opblock-body textarea").first.wait_for()
    assert failed == []
    assert refused == []


async def test_a_complaint_filed_through_the_channel_api_gets_a_tracking_id(file_complaint):
    first, second = await file_complaint(), await file_complaint()

    assert first != second
