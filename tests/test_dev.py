"""`python3 dev.py`, the first thing a newcomer runs: a first start says what it is doing,
step by step and package by package, instead of staying silent while it installs."""

from __future__ import annotations

import importlib.util
import io
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def dev(tmp_path, monkeypatch):
    """dev.py as a module, its virtualenv moved to a scratch folder (never the real one)."""
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    venv = tmp_path / ".venv"
    monkeypatch.setattr(module, "VENV", venv)
    monkeypatch.setattr(module, "PYTHON", venv / "bin" / "python")
    monkeypatch.setattr(module, "STAMP", venv / ".installed-from")
    return module


class FakePip:
    """What pip prints while it installs from the lock, and its exit status."""

    def __init__(self, lines: list[str], status: int = 0) -> None:
        self.lines, self.status = lines, status

    def __call__(self, command, **_):
        self.command = command
        self.stdout = io.StringIO("".join(f"{line}\n" for line in self.lines))
        return self

    def wait(self) -> int:
        return self.status


PIP_OUTPUT = [
    "Collecting fastapi==0.115.0 (from -r requirements/dev-lock.txt (line 100))",
    "  Downloading fastapi-0.115.0-py3-none-any.whl (94 kB)",
    "Collecting starlette==0.38.6 (from -r requirements/dev-lock.txt (line 500))",
    "Requirement already satisfied: idna==3.10 in ./.venv/lib/python3.11/site-packages",
    "Processing /opt/wheels/typing_extensions-4.16.0-py3-none-any.whl (from -r x (line 9))",
    "Installing collected packages: starlette, fastapi",
    "Successfully installed fastapi-0.115.0 starlette-0.38.6",
]


def test_each_package_is_shown_with_its_number_out_of_all(dev, monkeypatch, capsys):
    monkeypatch.setattr(dev.subprocess, "Popen", FakePip(PIP_OUTPUT))
    dev.install_showing_progress(4, "-r", "requirements/dev-lock.txt")
    shown = capsys.readouterr().out.splitlines()
    assert [line.strip() for line in shown] == [
        "(1/4) fastapi 0.115.0",
        "(2/4) starlette 0.38.6",
        "(3/4) idna 3.10",
        "(4/4) typing-extensions 4.16.0",
        "unpacking them into .venv …",
    ]


def test_a_failed_install_shows_pips_own_words_and_stops(dev, monkeypatch, capsys):
    failing = PIP_OUTPUT[:2] + ["ERROR: THESE PACKAGES DO NOT MATCH THE HASHES"]
    monkeypatch.setattr(dev.subprocess, "Popen", FakePip(failing, status=1))
    with pytest.raises(SystemExit) as stopped:
        dev.install_showing_progress(3, "-r", "requirements/dev-lock.txt")
    assert "Installing the pinned packages failed" in str(stopped.value)
    assert "DO NOT MATCH THE HASHES" in capsys.readouterr().out


def test_a_first_start_numbers_its_steps_and_says_how_many_packages(dev, monkeypatch, capsys):
    def create(_builder, path):
        (Path(path) / "bin").mkdir(parents=True)
        (Path(path) / "bin" / "python").touch()

    monkeypatch.setattr(dev.venv.EnvBuilder, "create", create)
    monkeypatch.setattr(dev, "install_showing_progress", lambda total, *args: None)
    monkeypatch.setattr(dev, "pip", lambda *args: None)
    monkeypatch.setattr(dev.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0))

    assert dev.environment_steps() == 3
    steps = dev.Steps(1 + dev.environment_steps())  # as main() counts, with the assets first
    steps.next("Fetching the browser libraries: htmx.org 2.0.11")
    dev.ensure_environment(steps=steps)
    shown = capsys.readouterr().out.splitlines()
    pinned = len(dev.pinned_packages(dev.DEV_LOCK))
    assert pinned > 50
    assert shown[1] == "[2/4] Creating the virtual environment in .venv"
    assert shown[2].startswith(f"[3/4] Installing {pinned} pinned packages into .venv (two to")
    assert shown[3].startswith("[4/4] Installing the project itself")
    assert shown[-1] == "The environment is ready."
    # The next start has nothing to do, and says nothing.
    assert dev.environment_steps() == 0


def test_the_readme_says_how_long_the_first_start_takes_and_how_to_change_the_port():
    readme = (ROOT / "README.md").read_text()
    assert "first start" in readme and "minute" in readme
    assert "python3 dev.py demo --port" in readme
