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

    rebuilt = run_application(lambda services: statistics.rebuild(services, Operator("cli")))
    counts, backlog, people = rebuilt.counts, rebuilt.backlog, rebuilt.beneficiaries
    out.print(f"Counted {counts.events} complaint events (up to event {counts.watermark}).")
    out.print(f"Backlog snapshot: {backlog.open} open complaints.")
    out.print(
        f"Hotspot denominators: {people.beneficiaries} beneficiaries in "
        f"{people.districts} kecamatan."
    )


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
    """Compare the counts of a period with a direct count of its events, and the backlog
    snapshot (retaken) with the open complaints; exit 1 on drift."""
    from api.application.principals import Operator

    first, last = _day(start), _day(end)
    if last < first:
        raise typer.BadParameter("--to is before --from")
    result, backlog = run_application(
        lambda services: _verify_both(services, Operator("cli"), first, last)
    )
    for drift in result.drifts:
        key = " ".join(f"{name}={_shown(value)}" for name, value in drift.key.items())
        err.print(
            f"drift: {key}: counted {drift.counted}, events say {drift.direct}", highlight=False
        )
    for drift in result.rollup_drifts:
        key = " ".join(f"{name}={_shown(value)}" for name, value in drift.key.items())
        err.print(
            f"rollup drift: {drift.rollup} {key}: stored {drift.stored}, "
            f"stat_count sums {drift.summed}",
            highlight=False,
        )
    summary = (
        f"{first.isoformat()}..{last.isoformat()}: {result.events} events up to event "
        f"{result.watermark}, {len(result.drifts)} drift(s), "
        f"{len(result.rollup_drifts)} in the rollups."
    )
    for drift in backlog.drifts:
        key = " ".join(f"{name}={_shown(value)}" for name, value in drift.key.items())
        err.print(
            f"backlog drift: {key}: snapshot {drift.stored}, complaints say {drift.direct}",
            highlight=False,
        )
    backlog_summary = (
        f"Backlog snapshot: {backlog.open} open complaints, {len(backlog.drifts)} drift(s)."
    )
    if result.drifts or result.rollup_drifts or backlog.drifts:
        err.print(summary, highlight=False)
        err.print(backlog_summary, highlight=False)
        raise typer.Exit(1)
    out.print(summary, highlight=False)
    out.print(backlog_summary, highlight=False)


async def _verify_both(services, operator, first: date, last: date):
    from api.application import statistics

    counts = await statistics.verify(services, operator, start=first, end=last)
    return counts, await statistics.verify_backlog_snapshot(services, operator)


def _shown(value) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value) if value != "" else "-"
