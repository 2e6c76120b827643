"""/docs works in a network with no internet: everything the page loads comes from the api
itself, and its policy lets the browser load nothing from anywhere else."""

from __future__ import annotations

import re

import pytest

URL_ATTRIBUTE = re.compile(r'\s(?:src|href|data-openapi-url)="([^"]*)"')


@pytest.fixture
async def page(client):
    response = await client.get("/docs")
    assert response.status_code == 200
    return response


async def test_the_docs_page_loads_only_files_the_api_serves_itself(client, page):
    urls = URL_ATTRIBUTE.findall(page.text)
    # Swagger UI's script and style, our start-up script, the favicon and the schema.
    assert len(urls) == 5, urls
    assert "http" not in page.text
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        answer = await client.get(url)
        assert answer.status_code == 200, url
        assert answer.content, url
    scripts = re.findall(r'<script src="([^"]*)"', page.text)
    assert any(s.endswith("swagger-ui-bundle.js") for s in scripts)
    assert "<script>" not in page.text  # no inline script: the policy allows none


async def test_the_start_up_script_asks_no_other_host(client, page):
    (start,) = [u for u in URL_ATTRIBUTE.findall(page.text) if u.endswith("swagger-init.js")]
    script = (await client.get(start)).text
    assert "SwaggerUIBundle(" in script
    assert "http" not in script.replace("data-openapi-url", "")
    assert "validatorUrl: null" in script


async def test_the_docs_policy_allows_this_server_only(page):
    policy = dict(
        (part.split(" ", 1) + [""])[:2]
        for part in page.headers["content-security-policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert "http" not in page.headers["content-security-policy"]
    assert "*" not in page.headers["content-security-policy"]


async def test_the_cdn_pages_fastapi_would_serve_are_gone(client):
    assert (await client.get("/redoc")).status_code == 404
    assert (await client.get("/docs/oauth2-redirect")).status_code == 404
