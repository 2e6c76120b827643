"""``bansos stats``: recount the statistics, and reconcile them with the raw tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from api.cli.common import err, out, run_application

stats_app = typer.Typer(
    help="Statistics: recount them from the complaints, or check them against a direct count.",
    no_args_is_help=True,
)


@stats_app.command("rebuild")
def rebuild_command() -> None:
    """Recount every statistic from the complaints and their timelines, in one transaction."""
    from api.application import statistics
    from api.application.principals import Operator

    report = run_application(lambda services: statistics.rebuild(services, Operator("cli")))
    out.print(f"Counted {report.events} complaint events (up to event {report.watermark}).")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


@stats_app.command("verify")
def verify_command(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD, Asia/Jakarta)")],
    end: Annotated[str, typer.Option("--to", help="Last day, inclusive (YYYY-MM-DD)")],
) -> None:
    """Compare the counts of a period with a direct count of its events; exit 1 on drift."""
    from api.application import statistics
    from api.application.principals import Operator

    first, last = _day(start), _day(end)
    if last < first:
        raise typer.BadParameter("--to is before --from")
    result = run_application(
        lambda services: statistics.verify(services, Operator("cli"), start=first, end=last)
    )
    for drift in result.drifts:
        key = " ".join(f"{name}={_shown(value)}" for name, value in drift.key.items())
        err.print(
            f"drift: {key}: counted {drift.counted}, events say {drift.direct}", highlight=False
        )
    summary = (
        f"{first.isoformat()}..{last.isoformat()}: {result.events} events up to event "
        f"{result.watermark}, {len(result.drifts)} drift(s)."
    )
    if result.drifts:
        err.print(summary, highlight=False)
        raise typer.Exit(1)
    out.print(summary, highlight=False)


def _shown(value) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value) if value != "" else "-"
