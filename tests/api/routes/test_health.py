"""Health, readiness and the published API description."""

from __future__ import annotations


async def test_liveness_answers_without_touching_anything(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readiness_checks_the_database_and_redis(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_readiness_reports_which_dependency_is_down(client, services):
    await services.redis.aclose()
    services.redis.ping = _refuse  # the connection pool is gone, as after a Redis restart
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["redis"].startswith("unavailable")


async def _refuse():
    raise ConnectionError("redis is down")


async def test_the_openapi_description_is_versioned_and_never_puts_a_nik_in_a_url(client):
    schema = (await client.get("/openapi.json")).json()
    assert "/api/v1/status-checks" in schema["paths"]
    for path, operations in schema["paths"].items():
        placeholders = [part for part in path.split("/") if part.startswith("{")]
        assert not any("nik" in part.lower() for part in placeholders), path
        for operation in operations.values():
            names = [p["name"].lower() for p in operation.get("parameters", [])]
            assert not any("nik" in name for name in names), path
