"""What a repeat visit costs: pages compressed, static files versioned and cached for a
year, and the CSRF token masked afresh in every page so compression reveals nothing."""

from __future__ import annotations

import re

from tests.api.console.test_complaint_page import file


async def test_a_page_comes_compressed_and_is_never_cached(client, browser):
    await file(client)
    await browser.sign_in("banyuwangi")

    page = await browser.get("/console/", headers={"accept-encoding": "gzip"})

    assert page.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in page.headers["vary"].lower()
    assert page.headers["cache-control"] == "no-store"
    assert int(page.headers["content-length"]) < len(page.content) / 2


async def test_static_files_carry_their_version_and_are_kept_for_a_year(browser):
    await browser.sign_in("banyuwangi")
    page = await browser.get("/console/")
    assets = re.findall(r'(?:href|src)="(/console/static/[^"]+)"', page.text)

    assert assets and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in assets)
    for url in assets:
        served = await browser.get(url, headers={"accept-encoding": "gzip"})
        assert served.status_code == 200
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["content-encoding"] == "gzip"


async def test_the_json_api_is_not_compressed_by_the_console(client):
    response = await client.get("/openapi.json", headers={"accept-encoding": "gzip"})

    assert len(response.content) > 10_000
    assert "content-encoding" not in response.headers


async def test_every_page_masks_the_csrf_token_afresh_and_each_mask_is_accepted(browser):
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    first_token = browser.csrf()
    second_token = (await browser.get("/console/"), browser.csrf())[1]

    assert first_token != second_token
    for token in (first_token, second_token):
        saved = await browser.http.post(
            "/console/views", data={"csrf_token": token, "name": token[:8], "query": "q=x"}
        )
        assert saved.status_code == 303


async def test_a_token_altered_in_one_symbol_is_refused(browser):
    await browser.sign_in("banyuwangi")
    await browser.get("/console/")
    token = browser.csrf()
    altered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]

    refused = await browser.http.post(
        "/console/views", data={"csrf_token": altered, "name": "x", "query": "q=x"}
    )

    assert refused.status_code == 403
