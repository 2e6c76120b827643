"""The shape of the code holds: the import contract of pyproject.toml ([tool.importlinter]).

The contract is checked on this tree, and on a throwaway copy of it with one violation of
each kind planted, to prove it notices them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "bot", "messages", "demo", "bansos")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    # The tree's own packages first on the path, so a copy is analysed, not the checkout.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_tree_keeps_every_architecture_contract():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # planted\n", encoding="utf-8")


def test_a_planted_violation_of_each_kind_breaks_its_contract(tmp_path):
    tree = tmp_path / "tree"
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    _plant(tree, "api/routes/health.py", "import api.routes.status")
    _plant(tree, "api/domain/nik.py", "import fastapi")
    _plant(tree, "api/domain/regions.py", "import api.application.errors")
    _plant(tree, "bot/texts.py", "import api.settings")
    _plant(tree, "api/storage.py", "import demo.seed")
    _plant(tree, "api/console/pages/queue.py", "import api.console.pages.account")

    result = lint_imports(tree)

    report = result.stdout
    assert result.returncode == 1, report
    for broken in (
        "No route module imports another BROKEN",
        "No console page module imports another BROKEN",
        "know neither HTTP nor Telegram BROKEN",
        "The bot reaches the api only over HTTP BROKEN",
        "never imports the development-only package or the composition root BROKEN",
    ):
        assert broken in " ".join(report.split()), broken
    assert "api.domain is not allowed to import api.application" in report
    assert "api.domain.regions -> api.application.errors" in report
    assert "Contracts: 1 kept, 6 broken." in report
