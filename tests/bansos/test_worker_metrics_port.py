"""`bansos worker --metrics-port`: the worker's metrics on a port of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from bansos.cli import app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """The IPv4 addresses a socket listens on at ``port`` (Linux's /proc/net/tcp)."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            addresses.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return addresses


def test_the_worker_serves_its_metrics_on_a_loopback_port_of_its_own(tmp_path):
    env = {
        "BANSOS_ENV": "demo",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "REDIS_URL": "memory://",
    }
    assert CliRunner().invoke(app, ["migrate"], env=env).exit_code == 0
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "bansos", "worker", "--metrics-port", str(port)],
        cwd=ROOT,
        env={**environment, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        text, deadline = "", time.monotonic() + 30
        while 'bansos_deadline_job_runs_total{outcome="ok"} 1.0' not in text:
            assert time.monotonic() < deadline, text or "the metrics port never answered"
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.2)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                    text = r.read().decode()
            except OSError:
                continue
        # Bound to loopback by default, not to every interface of the host.
        assert listening_addresses(port) == {"127.0.0.1"}
    finally:
        worker.terminate()
        worker.wait(timeout=10)

    assert "bansos_outbox_pending_messages 0.0" in text
