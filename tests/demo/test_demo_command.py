"""`bansos demo`, the README's first command, serves a working product with personas."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BANSOS = Path(sys.executable).parent / "bansos"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(port: int) -> None:
    """Until the api on ``port`` answers /readyz (about 10 s at most)."""
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)


def test_the_demo_seeds_prints_personas_and_answers_their_status_checks(tmp_path):
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "BANSOS_ENV"}
    }
    process = subprocess.Popen(
        [str(BANSOS), "demo", "--port", str(port), "--families", "20"],
        cwd=tmp_path,
        # PYTHONPATH: this checkout's code even where the virtualenv was installed from another.
        env={**env, "COLUMNS": "200", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = ""
    try:
        deadline = time.monotonic() + 120
        while "Ctrl+C" not in output and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output += line
        assert "Ctrl+C" in output, output
        key = re.search(r"API key for this demo: (bsk_\S+)", output).group(1)
        persona = re.search(r"(1872011405830001)\s*│\s*(BUDI SANTOSO)", output)
        assert persona, output
        wait_until_ready(port)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/status-checks",
            data=json.dumps(
                {"nik": persona.group(1), "name": persona.group(2), "channel_user": "readme"}
            ).encode(),
            headers={"X-API-Key": key, "Content-Type": "application/json"},
        )
        answer = json.load(urllib.request.urlopen(request, timeout=10))
        assert answer["found"] is True
        assert answer["person"]["name_masked"] == "B**I S*****O"
        assert (tmp_path / "var" / "demo.db").exists()

        # The printed complaint example lands at the printed handler's office.
        complaint = re.search(r"-d '(\{\"reporter\".*\})'", output).group(1)
        filed = json.load(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/complaints",
                    data=complaint.encode(),
                    headers={"X-API-Key": key, "Content-Type": "application/json"},
                ),
                timeout=10,
            )
        )
        assert f"http://127.0.0.1:{port}/console/" in output
        # About a persona of the table, at the office of the account it names.
        sent = json.loads(complaint)
        assert re.search(rf"{sent['subject_nik']}\s*│", output), output
        account = re.search(r"sign in as ([\w-]+)\)", output).group(1)
        assert account == "dinsos-metro"
        password = re.search(rf"│ {account}\s*│ (\S+)\s*│ HANDLER", output).group(1)
        session = json.load(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/staff/sessions",
                    data=json.dumps({"username": account, "password": password}).encode(),
                    headers={"Content-Type": "application/json"},
                ),
                timeout=10,
            )
        )
        queue = json.load(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/staff/complaints?status=RECEIVED",
                    headers={"Authorization": f"Bearer {session['token']}"},
                ),
                timeout=10,
            )
        )
        assert filed["tracking_id"] in [item["tracking_id"] for item in queue]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
