"""What every command shares: the consoles, and settings that refuse to start politely."""

from __future__ import annotations

import typer
from rich.console import Console

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def load_settings(**overrides):
    """The api's settings; a placeholder secret or an invalid value exits 2 with the reason."""
    from api.settings import InsecureSettings, get_settings

    try:
        return get_settings(**overrides)
    except InsecureSettings as exc:
        err.print(f"[red]Refusing to start:[/] {exc}")
        raise typer.Exit(2) from None
    except Exception as exc:  # pydantic ValidationError carries an InsecureSettings inside
        err.print(f"[red]Settings are invalid:[/] {exc}")
        raise typer.Exit(2) from None
