"""Accepted means durable: `kill -9` of the api in the middle of a burst of complaints loses
none whose submission was acknowledged. Runs the real server process on each database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from api.models import Complaint

BANSOS = Path(sys.executable).parent / "bansos"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body(n: int) -> dict:
    return {
        "reporter": {"channel_user": f"crash:{n}"},
        "category": "PUNGLI",
        "description": f"Pungutan liar nomor {n}.",
        "region_code": "351001",
    }


async def test_a_killed_server_loses_no_acknowledged_complaint(services, api_key, tmp_path):
    port = free_port()
    settings = services.settings
    env = {
        **os.environ,
        "BANSOS_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": "memory://",
        "NIK_HASH_KEY": settings.nik_hash_key.get_secret_value(),
        "DATA_ENCRYPTION_KEY": settings.data_encryption_key.get_secret_value(),
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        "WORKER_INTERVAL_SECONDS": "0",
    }
    server = await asyncio.create_subprocess_exec(
        str(BANSOS),
        "serve",
        "--port",
        str(port),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    acknowledged: list[str] = []
    enough = asyncio.Event()
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": api_key}, timeout=10
        ) as http:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)

            async def submit(n: int) -> None:
                try:
                    response = await http.post("/api/v1/complaints", json=body(n))
                except httpx.TransportError:
                    return  # in flight when the server died: its fate is unknown
                if response.status_code == 201:
                    acknowledged.append(response.json()["tracking_id"])
                    if len(acknowledged) >= 40:
                        enough.set()

            async def burst() -> None:
                n = 0
                while True:
                    await asyncio.gather(*(submit(n + i) for i in range(16)))
                    n += 16

            running = asyncio.create_task(burst())
            await asyncio.wait_for(enough.wait(), timeout=60)
            # Mid-burst: 16 submissions are in flight at any moment.
            os.killpg(server.pid, signal.SIGKILL)
            await asyncio.wait_for(server.wait(), timeout=10)
            await asyncio.sleep(0.5)
            running.cancel()
    finally:
        if server.returncode is None:
            os.killpg(server.pid, signal.SIGKILL)

    table = Complaint.__table__
    async with services.engine.connect() as conn:
        stored = set((await conn.execute(select(table.c.tracking_id))).scalars())
    assert len(acknowledged) >= 40
    assert set(acknowledged) <= stored
