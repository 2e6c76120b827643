"""docs/operations.md stays true to the code: its settings tables are the settings classes',
and every ``bansos`` command it tells an operator to run exists."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from bansos.cli import app
from tools.settings_table import rendered, table

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "operations.md").read_text()


def test_the_settings_tables_are_generated_from_the_code():
    # If this fails: .venv/bin/python tools/settings_table.py, and commit docs/operations.md.
    assert rendered(GUIDE) == GUIDE


def test_every_setting_is_in_the_guide_with_its_meaning():
    from api.settings import Settings
    from bot.settings import BotSettings

    for settings_class in (Settings, BotSettings):
        rows = table(settings_class).splitlines()[2:]
        assert len(rows) == len(settings_class.model_fields)
        for row in rows:
            name, meaning, _default = (cell.strip() for cell in row.strip("|").split(" | "))
            assert name in GUIDE and len(meaning) > 10, row


def test_every_bansos_command_the_guide_names_exists():
    root = typer.main.get_command(app)
    named = re.findall(r"\bbansos ((?:[a-z][a-z-]*)(?: [a-z][a-z|-]*)?)", GUIDE)
    assert len(named) > 15
    for words in set(named):
        first, *rest = words.split(" ")
        assert first in root.commands, f"bansos {first}"
        command = root.commands[first]
        if hasattr(command, "commands") and rest:
            for choice in rest[0].split("|"):
                assert choice in command.commands, words
