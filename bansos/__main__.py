"""``python -m bansos``: the same as the ``bansos`` command."""

from bansos.cli import app

app(prog_name="bansos")
