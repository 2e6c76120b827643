"""Bodies are bounded per route while they stream, and credentials are checked first.

Each body here is a generator that fails the test if the api reads further than it may:
a refusal must come from what the api read so far, never from reading everything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from api.body_limits import ATTACHMENT_LIMIT, JSON_LIMIT, rule_for

CHUNK = 64 * 1024
ATTACHMENTS = "/api/v1/complaints/7K3-M9Q-X2P/attachments"
MULTIPART = {"Content-Type": "multipart/form-data; boundary=xyz"}
#: The start of a well-formed upload: the file's part follows, and never ends.
FILE_PART = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="foto.jpg"\r\n'
    b"Content-Type: image/jpeg\r\n\r\n"
)


class EndlessBody:
    """An endless request body that counts what was read and refuses to give more than
    ``ceiling`` bytes (the route's limit plus one chunk of slack)."""

    def __init__(self, ceiling: int, head: bytes = b"") -> None:
        self.ceiling, self.sent, self.head = ceiling, 0, head

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.head:
            self.sent += len(self.head)
            yield self.head
        while True:
            if self.sent + CHUNK > self.ceiling:
                raise AssertionError(f"the api read past {self.ceiling} bytes")
            self.sent += CHUNK
            yield b"x" * CHUNK


@pytest.fixture
async def keyless(services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services.settings, services=services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as http:
        yield http


def test_an_attachment_may_be_ten_megabytes_plus_its_multipart_envelope():
    assert rule_for(ATTACHMENTS).limit == 10 * 1024 * 1024 + 64 * 1024
    assert rule_for("/api/v1/complaints").limit == JSON_LIMIT == 1024 * 1024
    assert rule_for("/open311/v2/requests.json").limit == JSON_LIMIT


async def test_a_json_body_over_one_megabyte_is_refused_while_it_streams(client):
    body = EndlessBody(JSON_LIMIT + CHUNK)

    response = await client.post(
        "/api/v1/complaints", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert "1 MB" in response.json()["error"]["message"]
    assert body.sent <= JSON_LIMIT + CHUNK


async def test_an_upload_over_its_limit_is_refused_while_it_streams(client):
    body = EndlessBody(ATTACHMENT_LIMIT + CHUNK, head=FILE_PART)

    response = await client.post(ATTACHMENTS, content=body, headers=MULTIPART)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(client):
    body = EndlessBody(0)

    response = await client.post(
        "/api/v1/status-checks",
        content=body,
        headers={"Content-Type": "application/json", "Content-Length": str(200 * 1024 * 1024)},
    )

    assert response.status_code == 413
    assert body.sent == 0


async def test_the_413_speaks_the_requests_language(client):
    response = await client.post(
        "/api/v1/complaints",
        content=EndlessBody(JSON_LIMIT + CHUNK),
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )

    assert "too large" in response.json()["error"]["message"]


async def test_an_upload_without_a_key_is_refused_before_its_body_is_read(keyless):
    body = EndlessBody(0)

    response = await keyless.post(ATTACHMENTS, content=body, headers=MULTIPART)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_api_key"
    assert body.sent == 0


async def test_an_upload_with_an_unknown_key_is_refused_before_its_body_is_read(keyless):
    body = EndlessBody(0)

    response = await keyless.post(
        ATTACHMENTS, content=body, headers={**MULTIPART, "X-API-Key": "not-a-key"}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert body.sent == 0


async def test_a_staff_action_without_a_session_is_refused_before_its_body_is_read(keyless):
    body = EndlessBody(0)

    response = await keyless.post(
        "/api/v1/staff/complaints/7K3-M9Q-X2P/actions",
        content=body,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 401
    assert body.sent == 0


async def test_a_body_within_its_limit_reaches_the_route(client):
    response = await client.post("/api/v1/complaints", json={"category": "PUNGLI"})

    assert response.status_code == 422  # the route's own answer: the body is incomplete


async def test_an_open311_request_too_large_gets_the_specs_error_list(client):
    response = await client.post(
        "/open311/v2/requests.json",
        content=EndlessBody(JSON_LIMIT + CHUNK),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 413
    [error] = response.json()
    assert error["code"] == 413 and "1 MB" in error["description"]
