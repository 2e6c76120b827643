"""Real processes for the replica tests: ``bansos serve``, ``bansos worker`` and ``bansos bot``
started from this checkout against the test run's PostgreSQL database and Redis database.

Each process gets a session of its own, so a test can SIGKILL it (and whatever it started)
by its process group, and every process is stopped when the ``with`` ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import _claimed_redis_url

ROOT = Path(__file__).resolve().parents[2]

#: Only against the real servers: several processes cannot share SQLite or the stand-in.
REAL_SERVICES = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
    pytest.mark.parametrize("redis_kind", ["real"], indirect=True),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api_environment(services, **extra: str) -> dict[str, str]:
    """What an api process (serve or worker) of this test run reads."""
    settings = services.settings
    inherited = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return {
        **inherited,
        "PYTHONPATH": str(ROOT),
        "BANSOS_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": _claimed_redis_url(),
        "NIK_HASH_KEY": settings.nik_hash_key.get_secret_value(),
        "DATA_ENCRYPTION_KEY": settings.data_encryption_key.get_secret_value(),
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "ATTACHMENTS_DIR": settings.attachments_dir,
        "WORKER_INTERVAL_SECONDS": "0",
        **extra,
    }


class Process:
    """One started process; its output goes to a file, shown when a test fails."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        self._log_file = log.open("wb")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine dies."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log_file.close()


@contextlib.contextmanager
def started(*processes: Process) -> Iterator[tuple[Process, ...]]:
    try:
        yield processes
    finally:
        for process in processes:
            process.stop()


def serve(services, tmp_path: Path, name: str, **extra: str) -> tuple[Process, str]:
    """``bansos serve`` on a free port; its process and base URL."""
    port = free_port()
    process = Process(
        name,
        ["bansos", "serve", "--port", str(port)],
        api_environment(services, **extra),
        tmp_path / f"{name}.log",
    )
    return process, f"http://127.0.0.1:{port}"


def worker(services, tmp_path: Path, name: str, *, interval: float = 0.2, **extra) -> Process:
    return Process(
        name,
        ["bansos", "worker", "--interval", str(interval)],
        api_environment(services, **extra),
        tmp_path / f"{name}.log",
    )


def wait_ready(process: Process, base_url: str, *, path: str = "/readyz", within: float = 30):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert process.alive(), f"{process.name} ended:\n{process.output()}"
        try:
            if httpx.get(base_url + path, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{process.name} never became ready:\n{process.output()}")


def wait_until(condition, *, within: float, what: str, interval: float = 0.1):
    """Poll ``condition()`` until it returns something true; that value."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)
