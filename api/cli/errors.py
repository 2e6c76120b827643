"""Command-line errors as an operator reads them: one or two plain sentences naming what to
change (which variable, which command), never a library's trace or a link to its docs.

Settings errors come from pydantic; the failures an operator causes by setup (a database
not migrated, not running, not created; Redis not running) come from SQLAlchemy, the
drivers and redis-py. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator

import click
import typer
from pydantic import ValidationError
from typer.core import TyperGroup

#: Where a setting is changed, said once at the end of every settings error.
WHERE = "Set it in .env or the environment."

_SECRETS = ("NIK_HASH_KEY", "DATA_ENCRYPTION_KEY", "SECRET_KEY")


def settings_problem(error: ValidationError) -> str:
    """A settings error as plain sentences (never a setting's value: it may be a secret)."""
    from api.settings import RefusedSettings

    wrong = []
    for item in error.errors():
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, RefusedSettings):
            return refused_problem(cause)
        name = str(item["loc"][0]) if item.get("loc") else "a setting"
        wrong.append(f"{name} {_expected(item)}")
    where = WHERE if len(wrong) == 1 else WHERE.replace("Set it", "Set them")
    return f"{_listing(wrong, ', and ')}. {where}"


def refused_problem(error: Exception) -> str:
    """A refusal of api/settings.py (a placeholder secret, a stand-in in production)."""
    text = str(error)
    missing = [name for name in _SECRETS if name in text.split(" must ", 1)[0]]
    if "must be set to real secrets" in text and missing:
        return (
            f"{_listing(missing)} must be set to real secrets. Put the lines "
            "`bansos generate-keys` prints into .env (or the environment), or try the "
            "product with demo data: `python3 dev.py demo`."
        )
    return f"{text}. {WHERE}"


def _expected(item: dict) -> str:
    kind, ctx = item.get("type", ""), item.get("ctx") or {}
    if kind == "int_parsing":
        return "must be a whole number"
    if kind == "float_parsing":
        return "must be a number"
    if kind == "bool_parsing":
        return "must be true or false"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}"
    if kind == "enum":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"must be one of {', '.join(choices)}" if choices else "has an unknown value"
    message = str(item.get("msg", "is not valid"))
    message = re.sub(r"^(Input should be|Value error, )", "must be", message)
    return message[0].lower() + message[1:] if message else "is not valid"


def _listing(items: list[str], last: str = " and ") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])}{last}{items[-1]}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (a SQLAlchemy error's driver error) and its causes."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]


def runtime_problem(exc: BaseException) -> str | None:
    """A setup failure as plain sentences; None for anything else (a bug: keep its trace)."""
    for current in _chain(exc):
        name, text = type(current).__name__, str(current)
        if name == "UndefinedTableError" or "no such table" in text:
            return (
                "The database has no tables yet. Run `bansos migrate`, then "
                "`bansos load-reference`, with the same DATABASE_URL."
            )
        if name == "InvalidCatalogNameError":
            return (
                "The database named in DATABASE_URL does not exist. Create it "
                "(`createdb NAME` on the PostgreSQL server) or correct DATABASE_URL."
            )
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return "The database refused the user or password in DATABASE_URL. Correct it."
        if "unable to open database file" in text:
            return (
                "The SQLite file in DATABASE_URL cannot be opened. Check that its folder "
                "exists and can be written, or correct DATABASE_URL."
            )
        if "unsupported database backend" in text:
            return "DATABASE_URL must start with postgresql:// or sqlite:///. Correct it."
        if current.__class__.__module__.startswith("redis") and "Connection" in name:
            return (
                "Redis at REDIS_URL does not answer. Start it, or correct REDIS_URL "
                "(memory:// runs the in-process stand-in)."
            )
        if _from_the_database(exc) and (
            isinstance(current, ConnectionError | TimeoutError)
            or name in ("CannotConnectNowError", "ConnectionDoesNotExistError", "gaierror")
        ):
            return (
                "The database at DATABASE_URL does not answer. Start it, or correct DATABASE_URL."
            )
    return None


def _from_the_database(exc: BaseException) -> bool:
    """Whether the failure was raised while opening the database (not, say, while the bot
    reached Telegram): a refused connection means nothing without where it came from."""
    return any(
        any(part in frame.filename for part in ("/sqlalchemy/", "/asyncpg/", "/aiosqlite/"))
        for current in _chain(exc)
        for frame in traceback.extract_tb(current.__traceback__)
    )


class PlainErrors(TyperGroup):
    """The ``bansos`` command group: a setup failure in any command exits 2 with
    :func:`runtime_problem`'s sentences instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            problem = runtime_problem(exc)
            if problem is None:
                raise
            from api.cli.common import err

            err.print(f"[red]{problem}[/]", highlight=False)
            raise typer.Exit(2) from None
