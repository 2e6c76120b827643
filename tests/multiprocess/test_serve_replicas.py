"""Two ``bansos serve`` processes on one PostgreSQL and one Redis, requests alternated between
them as a round-robin balancer would: what one process refused or filed, the other knows."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
from sqlalchemy import func, select

from api.models import Complaint
from tests.multiprocess.processes import REAL_SERVICES, serve, started, wait_ready
from tests.registry_support import SITI

pytestmark = REAL_SERVICES

STATUS = "/api/v1/status-checks"
COMPLAINTS = "/api/v1/complaints"


@pytest.fixture
def two_apis(services, registry, tmp_path):
    """Both processes, ready; yields a client per process (same channel key)."""
    first, first_url = serve(services, tmp_path, "serve-a", LOOKUP_LIMIT_PER_NIK="4")
    second, second_url = serve(services, tmp_path, "serve-b", LOOKUP_LIMIT_PER_NIK="4")
    with started(first, second):
        wait_ready(first, first_url)
        wait_ready(second, second_url)
        yield first_url, second_url


def round_robin(urls, api_key):
    """Each next request goes to the next process."""
    clients = [
        httpx.AsyncClient(base_url=url, headers={"X-API-Key": api_key}, timeout=10) for url in urls
    ]
    return clients, itertools.cycle(clients)


async def test_a_nik_limited_through_one_process_is_limited_through_the_other(two_apis, api_key):
    clients, balancer = round_robin(two_apis, api_key)
    try:
        answers = [
            await next(balancer).post(
                STATUS, json={"nik": SITI, "name": f"Tebakan {i}", "channel_user": f"tg:{i}"}
            )
            for i in range(6)
        ]
    finally:
        for client in clients:
            await client.aclose()

    # Four guesses for one NIK are allowed over both processes together, two on each: a
    # limit counted per process would have let all six through.
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429, 429]
    assert int(answers[4].headers["Retry-After"]) > 0


def complaint(n: int) -> dict:
    return {
        "reporter": {"channel_user": f"tg:77{n}"},
        "category": "PUNGLI",
        "description": f"Pendamping meminta Rp50.000 saat pencairan ({n}).",
        "region_code": "351001",
    }


async def test_an_idempotency_key_used_on_one_process_returns_the_same_complaint_on_the_other(
    two_apis, api_key, services
):
    clients, balancer = round_robin(two_apis, api_key)
    try:
        # A retry after a timeout, the balancer sending it to the other process.
        first = await next(balancer).post(
            COMPLAINTS, json=complaint(1), headers={"Idempotency-Key": "retry-1"}
        )
        retry = await next(balancer).post(
            COMPLAINTS, json=complaint(1), headers={"Idempotency-Key": "retry-1"}
        )
        # The same submission sent to both at once (a client that gave up too early).
        racing = await asyncio.gather(
            *(
                client.post(COMPLAINTS, json=complaint(2), headers={"Idempotency-Key": "race-2"})
                for client in clients
            )
        )
    finally:
        for client in clients:
            await client.aclose()

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["tracking_id"] == first.json()["tracking_id"]
    assert sorted(r.status_code for r in racing) == [200, 201]
    assert racing[0].json()["tracking_id"] == racing[1].json()["tracking_id"]
    async with services.engine.connect() as conn:
        stored = (await conn.execute(select(func.count()).select_from(Complaint))).scalar_one()
    assert stored == 2  # one per key, none twice
