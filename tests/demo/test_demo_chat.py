"""The newcomer's whole try-out, as the README tells it: `bansos demo` in one terminal, the
`bansos chat` command it prints in another. Check a persona's status, file a complaint with a
photo, find it at the right office through the staff API, change its status there, and read
the notification in the chat. Real processes talking over loopback; nothing but Python."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.demo.test_demo_command import free_port, wait_until_ready

BANSOS = Path(sys.executable).parent / "bansos"

#: What the citizen reads and presses, per language (the bot's own sentences).
WORDS = {
    "id": {
        "check": "Cek status",
        "ask_nik": "Kirim NIK",
        "ask_name": "nama lengkap",
        "category": "Bantuan belum diterima",
        "ask_subject_nik": "NIK orang yang bersangkutan",
        "ask_story": "Ceritakan masalahnya",
        "ask_evidence": "foto atau PDF",
        "choose_region": "Pilih kabupaten/kota",
        "attached": "Lampiran 1 dari 5",
        "continue": "Lanjut",
        "privacy": "Biasa",
        "send": "Kirim",
        "filed": "Pantau dengan /lacak",
        "received": "Pengaduan Anda sudah diterima",
        "verified": "Terverifikasi",
    },
    "en": {
        "check": "Check aid status",
        "ask_nik": "Send the NIK",
        "ask_name": "full name",
        "category": "Aid not received",
        "ask_subject_nik": "NIK of the person concerned",
        "ask_story": "Describe the problem",
        "ask_evidence": "photos or PDFs",
        "choose_region": "Choose the kabupaten/kota",
        "attached": "Attachment 1 of 5",
        "continue": "Continue",
        "privacy": "Normal",
        "send": "Send",
        "filed": "Follow it with /lacak",
        "received": "Your complaint has been received",
        "verified": "Verified",
    },
}


class Terminal:
    """A process's output, read line by line in the background, and its keyboard."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: list[str] = []
        self.cursor = 0  # lines before this one were already expected
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.lines.append("<EOF>")
            self._changed.notify_all()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def expect(self, words: str, *, within: float = 30) -> str:
        """Wait for a line (after the ones already expected) containing ``words``."""
        return self._expect(re.compile(re.escape(words)), within).string

    def expect_each(self, *words: str, within: float = 30) -> list[str]:
        """Wait until each of ``words`` is in a line after the ones already expected, in any
        order (messages sent from two places, such as the bot's answer and a notification,
        may come either way round)."""
        deadline = time.monotonic() + within
        with self._changed:
            while True:
                found = {}
                for index in range(self.cursor, len(self.lines)):
                    for word in words:
                        if word in self.lines[index] and word not in found:
                            found[word] = index
                if len(found) == len(words):
                    self.cursor = max(found.values()) + 1
                    return [self.lines[found[word]] for word in words]
                left = deadline - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1] == "<EOF>"):
                    raise AssertionError(f"not all of {words!r} shown:\n{self.text}")
                self._changed.wait(left)

    def _expect(self, pattern: re.Pattern, within: float) -> re.Match:
        deadline = time.monotonic() + within
        with self._changed:
            while True:
                for index in range(self.cursor, len(self.lines)):
                    if found := pattern.search(self.lines[index]):
                        self.cursor = index + 1
                        return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1] == "<EOF>"):
                    raise AssertionError(f"{pattern.pattern!r} never shown:\n{self.text}")
                self._changed.wait(left)

    def type(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def press(self, label: str) -> None:
        """Wait for a button whose label contains ``label``, then type its number."""
        button = re.compile(rf"^\s+\[(\d+)\] .*{re.escape(label)}")
        self.type(self._expect(button, within=30).group(1))


def start(args: list[str], cwd: Path, **popen) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "BANSOS_ENV", "TELEGRAM_BOT_TOKEN"}
    }
    return subprocess.Popen(
        args,
        cwd=cwd,
        env={**env, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **popen,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def call(url: str, body: dict | None = None, **headers: str):
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    return json.load(urllib.request.urlopen(request, timeout=10))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`bansos demo` running, with what it printed."""
    where = tmp_path_factory.mktemp("demo")
    port = free_port()
    process = start([str(BANSOS), "demo", "--port", str(port), "--families", "20"], where)
    terminal = Terminal(process)
    try:
        terminal.expect("Ctrl+C", within=120)
        wait_until_ready(port)
        yield terminal, where, f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_status_change_made_by_staff_reaches_the_chat_the_demo_printed(demo, language, tmp_path):
    printed, where, api_url = demo
    words = WORDS[language]
    nik, name = re.search(r"(1872011405830001)\s*│\s*(BUDI SANTOSO)", printed.text).groups()
    command = re.search(r"^\s+python3 dev\.py bansos (chat .*)$", printed.text, re.M).group(1)
    assert "--redis-url redis://127.0.0.1:" in command  # the demo's Redis, served on loopback
    password = re.search(r"│ dinsos-metro\s*│ (\S+)\s*│ HANDLER", printed.text).group(1)
    photo = tmp_path / "buku-tabungan.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())

    process = start(
        [str(BANSOS), *shlex.split(command), "--language", language],
        where,
        stdin=subprocess.PIPE,
    )
    chat = Terminal(process)
    try:
        # A persona's status check.
        chat.press(words["check"])
        chat.expect(words["ask_nik"])
        chat.type(nik)
        chat.expect(words["ask_name"])
        chat.type(name)
        chat.expect("B**I S*****O")

        # A complaint about it, with a photo.
        chat.type("/adu")
        chat.press(words["category"])
        chat.expect(words["ask_subject_nik"])
        chat.type(nik)
        # The domicile as the citizen states it: the registry never supplies it.
        chat.press(words["choose_region"])
        chat.type("metro")
        chat.press("Kota Metro")
        chat.press("Metro Pusat")
        chat.expect(words["ask_story"])
        chat.type("Bantuan PKH tahap 4 belum masuk ke rekening saya.")
        chat.expect(words["ask_evidence"])
        chat.type(f"/foto {photo}")
        chat.expect(words["attached"])
        chat.press(words["continue"])
        chat.press(words["privacy"])
        chat.press(words["send"])
        # The bot's answer, and the api's own notification through its Redis.
        filed, _received = chat.expect_each(words["filed"], words["received"])
        tracking_id = re.search(r"/lacak (\w{3}-\w{3}-\w{3})", filed).group(1)

        # The handler of the persona's office finds it there, with the photo, and verifies it.
        token = call(
            f"{api_url}/api/v1/staff/sessions", {"username": "dinsos-metro", "password": password}
        )["token"]
        staff = {"Authorization": f"Bearer {token}"}
        queue = call(f"{api_url}/api/v1/staff/complaints", **staff)
        assert tracking_id in [item["tracking_id_display"] for item in queue]
        [item] = [item for item in queue if item["tracking_id_display"] == tracking_id]
        complaint = call(f"{api_url}/api/v1/staff/complaints/{item['tracking_id']}", **staff)
        assert complaint["office_code"] == "DINSOS-1872"
        assert len(complaint["attachments"]) == 1
        call(
            f"{api_url}/api/v1/staff/complaints/{item['tracking_id']}/actions",
            {"action": "verify"},
            **staff,
        )

        notification = chat.expect(words["verified"])
        assert tracking_id in notification
        chat.type("/keluar")
        assert process.wait(timeout=30) == 0
    finally:
        stop(process)
