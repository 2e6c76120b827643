#!/usr/bin/env python3
"""Bootstrap for a fresh clone: needs nothing but Python 3.11+.

    python3 dev.py demo      # the whole product on SQLite + in-process Redis, with demo data
    python3 dev.py test      # the whole test suite (extra arguments go to pytest)
    python3 dev.py mutation [MODULE …]  # mutation score of the rule modules (docs/testing.md)
    python3 dev.py bansos …  # any other `bansos` command inside the project's virtualenv
    python3 dev.py lock      # re-resolve requirements/*.txt after editing pyproject.toml
    python3 dev.py assets    # fetch the console's browser libraries (done by every command)

It creates ``.venv`` on first use and reinstalls whenever ``pyproject.toml`` or the lock
changes, so the two commands above keep working as dependencies evolve. That first start
downloads about a hundred packages (two to three minutes, see the README); it shows each
step and each package as it goes. Every dependency is
installed at the version and hash pinned in ``requirements/dev-lock.txt`` (the image installs
``requirements/lock.txt``, the same pins without the dev tools); see README, "Dependencies".
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"
REQUIREMENTS = ROOT / "requirements"
DEV_LOCK = REQUIREMENTS / "dev-lock.txt"  # runtime + the dev extra: .venv, tests, CI
RUNTIME_LOCK = REQUIREMENTS / "lock.txt"  # runtime only: the Docker image
PIP_TOOLS = "pip-tools==7.5.2"


class Steps:
    """Numbered progress lines ("[2/4] …") for the work a start has to do before the command
    runs: a first start is long enough that silence reads as a hang."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0

    def next(self, what: str) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {what}", flush=True)


def _stamp_wanted() -> str:
    # The stamp covers the lock too: a re-pinned dependency reinstalls like a new one.
    digest = hashlib.sha256()
    for source in (ROOT / "pyproject.toml", DEV_LOCK):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def environment_steps() -> int:
    """How many steps :func:`ensure_environment` will take (0: the environment is current)."""
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == _stamp_wanted():
        return 0
    return 2 if PYTHON.exists() else 3


def ensure_environment(*, lock_complete: bool = True, steps: Steps | None = None) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    count = environment_steps()
    if not count:
        return
    steps = steps or Steps(count)
    wanted = _stamp_wanted()
    if not PYTHON.exists():
        steps.next("Creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    packages = pinned_packages(DEV_LOCK)
    steps.next(
        f"Installing {len(packages)} pinned packages into .venv (two to three minutes on a "
        "first start, mostly downloads)"
    )
    # Pinned and hash-checked first; then the project itself, which must add nothing.
    install_showing_progress(len(packages), "--require-hashes", "-r", str(DEV_LOCK))
    steps.next("Installing the project itself (bansos) and checking its dependencies")
    pip("install", "--no-deps", "-e", str(ROOT))
    pip_check = [str(PYTHON), "-m", "pip", "check"]
    if lock_complete and subprocess.run(pip_check, stdout=subprocess.DEVNULL).returncode:
        subprocess.run(pip_check)
        sys.exit(
            "pyproject.toml asks for more than requirements/dev-lock.txt pins: run "
            "`python3 dev.py lock` and commit requirements/ (README, Dependencies)."
        )
    STAMP.write_text(wanted)
    print("The environment is ready.", flush=True)


def pinned_packages(lock_file: Path) -> list[str]:
    return re.findall(r"^([A-Za-z0-9][\w.-]*)==", lock_file.read_text(), re.MULTILINE)


#: pip's line for each requirement it takes up: "Collecting fastapi==0.115.0 (from -r …)",
#: "Processing /wheels/fastapi-0.115.0-py3-none-any.whl (from -r …)" from a local mirror, or
#: "Requirement already satisfied: fastapi==0.115.0 in …" when reinstalling.
_PIP_PACKAGE = re.compile(
    r"^(?:(?:Collecting|Requirement already satisfied:) ([\w.-]+)(?:==([^\s;]+))?"
    r"|Processing \S*?([\w.]+?)-(\d[^-\s]*)-\S*\.whl)"
)


def install_showing_progress(total: int, *args: str) -> None:
    """``pip install *args``, printing "(k/total) name version" per package (one line,
    rewritten, on a terminal) and pip's whole output only if it fails."""
    command = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "install"]
    command += ["--progress-bar", "off", *args]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    assert process.stdout is not None
    terminal, seen, transcript = sys.stdout.isatty(), 0, []
    for line in process.stdout:
        transcript.append(line)
        match = _PIP_PACKAGE.match(line)
        if match:
            seen += 1
            name = match.group(1) or match.group(3).replace("_", "-").lower()
            version = match.group(2) or match.group(4) or ""
            shown = f"      ({seen}/{total}) {name} {version}".rstrip()
            print(f"\r\033[K{shown}" if terminal else shown, end="" if terminal else "\n")
            sys.stdout.flush()
        elif line.startswith("Installing collected packages"):
            shown = "      unpacking them into .venv …"
            print(f"\r\033[K{shown}" if terminal else shown, end="" if terminal else "\n")
            sys.stdout.flush()
    if terminal:
        print()
    if process.wait():
        sys.stdout.write("".join(transcript))
        sys.exit("Installing the pinned packages failed (pip's output above).")


def missing_web_assets() -> list[dict]:
    """The browser libraries ([[tool.bansos.web-assets]] in pyproject.toml) not yet in place
    at their pinned integrity."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    missing = []
    for asset in config["tool"]["bansos"]["web-assets"]:
        target = ROOT / asset["to"]
        stamp = target.with_name(target.name + ".integrity")
        if not (target.exists() and stamp.exists() and stamp.read_text() == asset["integrity"]):
            missing.append(asset)
    return missing


def ensure_web_assets(steps: Steps | None = None) -> None:
    """The browser libraries of the console (htmx) and of /docs (Swagger UI): each an npm
    package at a pinned version, fetched once from the registry, checked against its sha512
    integrity and unpacked into the api's static files. Not committed, never loaded from a
    CDN by a browser: the console and /docs work with no internet."""
    missing = missing_web_assets()
    if not missing:
        return
    packages = dict.fromkeys(f"{a['package']} {a['version']}" for a in missing)
    (steps or Steps(1)).next(f"Fetching the browser libraries: {', '.join(packages)}")
    tarballs: dict[str, bytes] = {}  # one download per package, however many files it gives
    for asset in missing:
        target = ROOT / asset["to"]
        stamp = target.with_name(target.name + ".integrity")
        name, version = asset["package"], asset["version"]
        url = f"https://registry.npmjs.org/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"
        if url not in tarballs:
            with urllib.request.urlopen(url, timeout=60) as response:
                tarballs[url] = response.read()
        tarball = tarballs[url]
        algorithm, _, expected = asset["integrity"].partition("-")
        actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
        if actual != expected:
            sys.exit(f"{name} {version} from {url} does not match its pinned integrity.")
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            member = archive.extractfile(asset["file"])
            if member is None:
                sys.exit(f"{name} {version} has no {asset['file']}.")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member.read())
        stamp.write_text(asset["integrity"])


def pip(*args: str) -> None:
    subprocess.run(
        [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "--quiet", *args], check=True
    )


def lock(upgrade: list[str]) -> int:
    """Re-resolve both locks from pyproject.toml (``--upgrade`` or ``-P NAME`` move pins)."""
    ensure_environment(lock_complete=False)  # the lock may lack what pyproject.toml just got
    pip("install", PIP_TOOLS)
    compile_ = [
        str(BIN / "pip-compile"),
        "--quiet",
        "--generate-hashes",
        "--allow-unsafe",
        "--strip-extras",
        "--no-emit-index-url",
        "--no-emit-find-links",
        *upgrade,
    ]
    # The lock files' header names this command rather than pip-compile's arguments.
    environment = {**os.environ, "CUSTOM_COMPILE_COMMAND": "python3 dev.py lock"}
    subprocess.run(
        [
            *compile_,
            "--extra",
            "dev",
            "--output-file",
            str(DEV_LOCK.relative_to(ROOT)),
            "pyproject.toml",
        ],
        check=True,
        cwd=ROOT,
        env=environment,
    )
    # The runtime lock starts from the dev lock, so pip-compile keeps its pins: the image
    # runs the very versions the tests ran.
    RUNTIME_LOCK.write_bytes(DEV_LOCK.read_bytes())
    subprocess.run(
        [*compile_, "--output-file", str(RUNTIME_LOCK.relative_to(ROOT)), "pyproject.toml"],
        check=True,
        cwd=ROOT,
        env=environment,
    )
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "mutation", "bansos", "lock", "assets"}:
        print(__doc__)
        return 2
    if argv[0] == "lock":
        return lock(argv[1:])
    if argv[0] == "assets":
        ensure_web_assets()
        return 0
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    # One count over everything a start has to do first, so "[k/n]" is true from the start.
    steps = Steps(bool(missing_web_assets()) + environment_steps())
    ensure_web_assets(steps)
    ensure_environment(steps=steps)
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
