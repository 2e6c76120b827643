"""What an api process holds in memory from the start: no library only some routes need.

Every library imported at start-up is memory each api process keeps for its whole life, and
the million-row export's peak (docs/performance.md, "Statistics exports") is what the idle
server holds plus a little. Drawing a PDF or a chart, writing a workbook, checking an
uploaded image or PDF, counting working days and the Telegram bot import theirs when first
used.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Imported where they are used (a comment there says why), never by ``bansos serve``'s start.
ONLY_WHEN_USED = (
    "fpdf",  # the weekly summary as PDF
    "xlsxwriter",  # a table as a workbook
    "pygal",  # the statistics pages' charts
    "resvg_py",  # a chart as PNG
    "pypdf",  # checking an uploaded PDF
    "PIL",  # checking and re-encoding an uploaded image
    "holidays",  # the first year of working days counted
    "telegram",  # the bot's own process
)


def test_the_api_starts_without_the_libraries_only_some_routes_need():
    # A fresh interpreter: the test session itself has imported everything by now. What
    # `bansos serve` imports before it serves: the command line, then the application.
    probe = (
        "import sys, bansos.cli, api.asgi\n"
        "print(' '.join(m for m in sys.argv[1:] if m in sys.modules))"
    )
    # The demo's built-in keys: building the application needs settings, not their secrets.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BANSOS_ENV": "demo"}
    result = subprocess.run(
        [sys.executable, "-c", probe, *ONLY_WHEN_USED],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
