#!/usr/bin/env python3
"""Fuzz the whole api through its OpenAPI with schemathesis, as CI does (.ci/run).

    .venv/bin/python tools/fuzz_api.py [--max-time SECONDS] [--seed N]   # CI: --max-time 120

It serves the real app on a free loopback port, on a throw-away SQLite database with the
demo's data (a small synthetic population, the demo's staff accounts) and the in-process
Redis stand-in, then runs every operation of /openapi.json with a channel API key and a
staff session, in every phase (examples, coverage, fuzzing and stateful, which follows the
schema's links from a created resource to the routes that read and act on it). It fails on
any 5xx answer, on a body that does not match the documented schema and on a status code the
route does not document. Two passes: the channel and staff routes as a ministry official
(who may see every complaint), the configuration routes as an administrator.

Logging out (DELETE /api/v1/staff/sessions/current) is left out: it would end the session
the rest of the run needs (tests/api/routes cover it). The run is bounded by --max-time,
split between the passes; a failure prints a curl command and `st replay ID` reproduces it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
PHASES = "examples,coverage,fuzzing"  # and "stateful" where links lead: not to admin routes
FAMILIES = 20  # a small population: the fuzz is about the routes, not the data


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(workdir: Path):
    """Settings of a demo-like api on ``workdir``, migrated and seeded; and a channel key."""
    os.environ.update(
        BANSOS_ENV="demo",
        DATABASE_URL=f"sqlite:///{workdir / 'fuzz.db'}",
        REDIS_URL="memory://",
        ATTACHMENTS_DIR=str(workdir / "attachments"),
        LOG_LEVEL="WARNING",
    )
    from api.cli.accounts import create_key
    from api.cli.common import load_settings
    from api.migrations_runner import upgrade
    from demo.cli import _seed, _seed_console

    settings = load_settings()
    upgrade(settings.database_url)
    seeded = asyncio.run(_seed(settings, families=FAMILIES, seed=2026))
    asyncio.run(_seed_console(settings, seeded.personas))
    return settings, asyncio.run(create_key(settings, "fuzz"))


@contextmanager
def _serving(settings):
    from api.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise SystemExit("the api did not start")
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _staff_token(base_url: str, username: str) -> str:
    from demo.cli import DEMO_STAFF_PASSWORD

    answer = httpx.post(
        f"{base_url}/api/v1/staff/sessions",
        json={"username": username, "password": DEMO_STAFF_PASSWORD},
    )
    answer.raise_for_status()
    return answer.json()["token"]


def _schemathesis(
    base_url: str, *, key: str, token: str, seconds: int, seed: int, phases: str, only: list
):
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        phases,
        "--max-time",
        str(seconds),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--no-color",
        "--generation-database",
        "none",  # nothing left in the checkout; --seed reproduces a run
        "-H",
        f"X-API-Key: {key}",
        "-H",
        f"Authorization: Bearer {token}",
        "--exclude-path",
        "/api/v1/staff/sessions/current",
        *only,
    ]
    return subprocess.run(command, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-time", type=int, default=150, help="seconds for both passes")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bansos-fuzz-"))
    try:
        settings, key = _prepare(workdir)
        with _serving(settings) as base_url:
            ministry, admin = _staff_token(base_url, "kemensos"), _staff_token(base_url, "admin")
            share = max(args.max_time // 3, 1)
            failed = _schemathesis(
                base_url,
                key=key,
                token=ministry,
                seconds=args.max_time - share,
                seed=args.seed,
                phases=f"{PHASES},stateful",
                only=["--exclude-tag", "admin"],
            )
            failed |= _schemathesis(
                base_url,
                key=key,
                token=admin,
                seconds=share,
                seed=args.seed,
                phases=PHASES,
                only=["--include-tag", "admin"],
            )
        return 1 if failed else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
