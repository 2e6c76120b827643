"""GET /metrics: what an operator's Prometheus reads after real requests, and who may read it."""

from __future__ import annotations

import pytest

from api.domain.complaints.tracking_id import display
from tests.limited_api import api_with
from tests.metrics_support import Scrapes, label_values, parse
from tests.registry_support import KK, SITI, RegistryRows

TOKEN = "scrape-token-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
STATUS = "/api/v1/status-checks"
COMPLAINTS = "/api/v1/complaints"


@pytest.fixture
def registry_rows() -> RegistryRows:
    return RegistryRows(beneficiaries=(f"{SITI},{KK},Siti Aminah,3510012001,3,PKH,",))


def check(nik: str = SITI, name: str = "Siti Aminah", user: str = "tg:1001") -> dict:
    return {"nik": nik, "name": name, "channel_user": user, "locale": "id"}


def complaint(user: str = "tg:1001") -> dict:
    return {
        "reporter": {"channel_user": user, "locale": "id"},
        "category": "BANTUAN_TIDAK_DITERIMA",
        "description": "Bantuan PKH tahap 3 belum saya terima sampai sekarang.",
        "subject_nik": SITI,
        "region_code": "3510012001",
    }


async def scrape(http) -> dict:
    response = await http.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    return parse(response.text)


async def test_without_a_metrics_token_the_api_serves_no_metrics(client):
    response = await client.get("/metrics")

    assert response.status_code == 404
    assert "bansos_" not in response.text


async def test_a_scrape_without_the_token_or_with_another_is_refused(services):
    async with api_with(services, METRICS_TOKEN=TOKEN) as client_for:
        http = await client_for("telegram-bot")
        missing = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        right = await http.get("/metrics", headers=SCRAPER)

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert "bansos_" not in missing.text + wrong.text
    assert missing.json()["error"]["code"] == "metrics_token_required"
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("text/plain; version=")


async def test_the_metrics_route_is_not_in_the_public_api_document(services):
    async with api_with(services, METRICS_TOKEN=TOKEN) as client_for:
        http = await client_for("telegram-bot")
        document = (await http.get("/openapi.json")).json()

    assert "/metrics" not in document["paths"]


async def test_status_checks_are_counted_by_outcome_and_a_refusal_by_its_limit(services, registry):
    async with api_with(services, METRICS_TOKEN=TOKEN, LOOKUP_LIMIT_PER_USER=3) as client_for:
        http = await client_for("telegram-bot")
        before = await scrape(http)
        answers = [
            await http.post(STATUS, json=check()),
            await http.post(STATUS, json=check(name="Orang Lain")),
            await http.post(STATUS, json=check(nik="3510 0112 0385")),
            await http.post(STATUS, json=check()),
        ]
        scrapes = Scrapes(before, await scrape(http))

    assert [a.status_code for a in answers] == [200, 200, 422, 429]
    checks = "bansos_status_checks_total"
    assert scrapes.delta(checks, outcome="found") == 1
    assert scrapes.delta(checks, outcome="not_found") == 1
    assert scrapes.delta(checks, outcome="invalid_nik") == 1
    assert scrapes.delta(checks, outcome="rate_limited") == 1
    assert scrapes.delta("bansos_rate_limit_refusals_total", limit="status_check") == 1
    requests = "bansos_http_requests_total"
    route = {"method": "POST", "route": STATUS}
    assert scrapes.delta(requests, status="200", **route) == 2
    assert scrapes.delta(requests, status="422", **route) == 1
    assert scrapes.delta(requests, status="429", **route) == 1


async def test_complaints_filed_are_counted_by_channel_and_a_replay_is_not(services, registry):
    async with api_with(services, METRICS_TOKEN=TOKEN, INTAKE_LIMIT_PER_USER=3) as client_for:
        bot, partner = await client_for("telegram-bot"), await client_for("kota-metro-web")
        before = await scrape(bot)
        # A replay costs an attempt (the limit counts before filing) but files nothing.
        replayed = {"Idempotency-Key": "bot-msg-1"}
        filed = [
            await bot.post(COMPLAINTS, json=complaint(), headers=replayed),
            await bot.post(COMPLAINTS, json=complaint(), headers=replayed),
            await bot.post(COMPLAINTS, json=complaint()),
            await bot.post(COMPLAINTS, json=complaint()),
            await partner.post(COMPLAINTS, json=complaint(user="web:77")),
        ]
        scrapes = Scrapes(before, await scrape(bot))

    assert [answer.status_code for answer in filed] == [201, 200, 201, 429, 201]
    assert scrapes.delta("bansos_complaints_filed_total", channel="telegram-bot") == 2
    assert scrapes.delta("bansos_complaints_filed_total", channel="kota-metro-web") == 1
    assert scrapes.delta("bansos_rate_limit_refusals_total", limit="complaint_filing") == 1


async def test_a_refused_staff_sign_in_is_counted_as_a_rate_limit_refusal(services):
    async with api_with(services, METRICS_TOKEN=TOKEN) as client_for:
        http = await client_for("telegram-bot")
        before = await scrape(http)
        statuses = []
        for _ in range(10):
            answer = await http.post(
                "/api/v1/staff/sessions", json={"username": "siapa", "password": "salah-salah"}
            )
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                break
        scrapes = Scrapes(before, await scrape(http))

    assert statuses[-1] == 429
    assert scrapes.delta("bansos_rate_limit_refusals_total", limit="staff_sign_in") == 1
    assert (
        scrapes.delta(
            "bansos_http_requests_total",
            method="POST",
            route="/api/v1/staff/sessions",
            status="401",
        )
        == len(statuses) - 1
    )


async def test_latency_is_a_histogram_per_route_template_and_no_label_names_a_person(
    services, registry
):
    async with api_with(services, METRICS_TOKEN=TOKEN) as client_for:
        http = await client_for("telegram-bot")
        before = await scrape(http)
        filed = (await http.post(COMPLAINTS, json=complaint())).json()
        tracking_id = filed["tracking_id"]
        followed = await http.get(f"{COMPLAINTS}/{tracking_id}", params={"channel_user": "tg:1001"})
        unknown = await http.get(f"/no-such-page/{tracking_id}/{SITI}")
        await http.post(STATUS, json=check())
        after = await scrape(http)
    scrapes = Scrapes(before, after)

    assert (followed.status_code, unknown.status_code) == (200, 404)
    latency = "bansos_http_request_duration_seconds"
    route = {"method": "GET", "route": "/api/v1/complaints/{tracking_id}"}
    assert scrapes.delta(f"{latency}_count", **route) == 1
    buckets = {
        dict(labels)["le"]
        for name, labels in after
        if name == f"{latency}_bucket" and dict(labels)["route"] == route["route"]
    }
    assert {"0.005", "0.1", "1.0", "10.0", "+Inf"} <= buckets
    assert scrapes.delta(f"{latency}_bucket", le="+Inf", **route) == 1
    assert scrapes.delta("bansos_http_requests_total", status="404", **route) == 0
    assert (
        scrapes.delta("bansos_http_requests_total", method="GET", route="unrouted", status="404")
        == 1
    )
    # Neither the tracking ID, the NIK nor the reporter appears in any label, in any form.
    labels = " ".join(label_values(after))
    for secret in (tracking_id, display(tracking_id), SITI, KK, "tg:1001", "Siti"):
        assert secret not in labels
    assert not any(label.startswith("/no-such-page") for label in label_values(after))
