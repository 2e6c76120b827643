"""The OpenAPI description documents every status a route can answer, in the shape answered.

CI's fuzz run (tools/fuzz_api.py) holds this over generated requests; these are the cases it
found, kept as examples.
"""

from __future__ import annotations

import pytest

ERROR_BODY = "#/components/schemas/ErrorBody"


@pytest.fixture
async def openapi(client) -> dict:
    return (await client.get("/openapi.json")).json()


def _operations(schema: dict, prefix: str):
    for path, operations in schema["paths"].items():
        if path.startswith(prefix):
            for method, operation in operations.items():
                yield f"{method.upper()} {path}", operation


def _documented_schema(operation: dict, status: int) -> dict:
    return operation["responses"][str(status)]["content"]["application/json"]["schema"]


async def test_every_api_route_documents_401_and_422_in_the_error_shape(openapi):
    for name, operation in _operations(openapi, "/api/v1/"):
        for status in (401, 422):
            assert str(status) in operation["responses"], (name, status)
            assert _documented_schema(operation, status) == {"$ref": ERROR_BODY}, name


async def test_every_route_fastapi_reads_a_json_body_for_documents_400(openapi):
    # The status check reads its body itself (an undecodable one is a 422 there).
    for name, operation in _operations(openapi, "/api/v1/"):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content and name != "POST /api/v1/status-checks":
            assert "400" in operation["responses"], name


async def test_open311_routes_document_their_errors_in_the_specs_list(openapi):
    for name, operation in _operations(openapi, "/open311/v2/"):
        for status in (400, 404):
            documented = _documented_schema(operation, status)
            assert documented["type"] == "array", name


async def test_staff_actions_and_readiness_document_their_refusals(openapi):
    actions = openapi["paths"]["/api/v1/staff/complaints/{tracking_id}/actions"]["post"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(actions["responses"])
    assert "503" in openapi["paths"]["/readyz"]["get"]["responses"]
    attachment = openapi["paths"][
        "/api/v1/staff/complaints/{tracking_id}/attachments/{attachment_id}"
    ]
    assert "application/pdf" in attachment["get"]["responses"]["200"]["content"]


@pytest.mark.parametrize(
    ("method", "path", "request_arguments", "status"),
    [
        # Found by the fuzz run: each was answered, but not documented.
        ("POST", "/api/v1/staff/sessions", {"json": {"username": "x", "password": "y"}}, 401),
        ("GET", "/api/v1/staff/complaints/7K3-M9Q-X2P", {}, 401),
        (
            "POST",
            "/api/v1/nik-checks",
            {"content": b'{"nik": "\xff"}', "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("POST", "/api/v1/status-checks", {"json": {}, "headers": {"X-API-Key": ""}}, 401),
        ("GET", "/open311/v2/services.txt", {}, 404),
        ("GET", "/open311/v2/requests.json", {"params": {"status": "x" * 40}}, 400),
    ],
)
async def test_what_a_route_answers_is_documented(
    client, openapi, method, path, request_arguments, status
):
    response = await client.request(method, path, **request_arguments)

    assert response.status_code == status
    template = {
        "/api/v1/staff/complaints/7K3-M9Q-X2P": "/api/v1/staff/complaints/{tracking_id}",
        "/open311/v2/services.txt": "/open311/v2/services.{fmt}",
        "/open311/v2/requests.json": "/open311/v2/requests.{fmt}",
    }.get(path, path)
    assert str(status) in openapi["paths"][template][method.lower()]["responses"]
