#!/usr/bin/env python3
"""Bootstrap for a fresh clone: needs nothing but Python 3.11+.

    python3 dev.py demo      # the whole product on SQLite + in-process Redis, with demo data
    python3 dev.py test      # the whole test suite (extra arguments go to pytest)
    python3 dev.py mutation [MODULE …]  # mutation score of the rule modules (docs/testing.md)
    python3 dev.py bansos …  # any other `bansos` command inside the project's virtualenv

It creates ``.venv`` on first use and reinstalls the project whenever ``pyproject.toml``
changes, so the two commands above keep working as dependencies evolve.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing the project and its dependencies (first run only) …", flush=True)
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            f"{ROOT}[dev]",
        ],
        check=True,
    )
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "mutation", "bansos"}:
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    if command == "test":
        args = [str(PYTHON), "-m", "pytest", *rest]
    elif command == "mutation":
        args = [str(PYTHON), str(ROOT / "tools" / "mutation.py"), *rest]
    elif command == "demo":
        args = [str(BIN / "bansos"), "demo", *rest]
    else:
        args = [str(BIN / "bansos"), *rest]
    if os.name == "nt":
        return subprocess.call(args)
    os.execv(args[0], args)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
