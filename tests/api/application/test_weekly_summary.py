"""The weekly summary's choices: which offices are named as the worst at meeting
deadlines, which categories as the fastest growing, and which week is summarised."""

from __future__ import annotations

from datetime import date

from api.application.weekly_summary import (
    growing_categories,
    last_complete_week,
    week_of,
    worst_offices,
)
from api.domain.statistics.tables import Kind, Table, columns

_OFFICES = columns(
    ("code", Kind.TEXT),
    ("name", Kind.TEXT),
    ("breached", Kind.COUNT),
    ("deadlines_completed", Kind.COUNT),
    ("share_met", Kind.SHARE),
)
_CATEGORIES = columns(("code", Kind.TEXT), ("name", Kind.TEXT), ("received", Kind.COUNT))


def offices(*rows) -> Table:
    return Table("offices", _OFFICES, tuple(rows))


def test_the_worst_offices_are_those_meeting_the_fewest_deadlines_with_enough_to_rank():
    table = offices(
        ("A", "Dinsos A", 1, 20, 0.95),
        ("B", "Dinsos B", 9, 20, 0.55),
        ("C", "Dinsos C", 4, 10, 0.60),
        ("D", "Dinsos D", 2, 4, 0.50),  # four deadlines: too few to rank
        ("E", "Dinsos E", 0, 0, None),  # nothing completed
        ("F", "Dinsos F", 12, 30, 0.60),  # as bad as C, more breaches: ranked first of the two
    )

    worst = worst_offices(table)

    assert [office.code for office in worst] == ["B", "F", "C"]
    assert (worst[0].share_met, worst[0].completed, worst[0].breached) == (0.55, 20, 9)


def test_the_growing_categories_are_the_largest_rises_and_only_rises():
    now = Table(
        "categories",
        _CATEGORIES,
        (("PUNGLI", "Pungli", 30), ("USUL", "Usul", 12), ("SANGGAH", "Sanggah", 5),
         ("KARTU", "Kartu", 40), ("DATA", "Data salah", 3)),
    )  # fmt: skip
    before = Table(
        "categories",
        _CATEGORIES,
        (("PUNGLI", "Pungli", 10), ("USUL", "Usul", 12), ("KARTU", "Kartu", 45),
         ("DATA", "Data salah", 1)),
    )  # fmt: skip

    grown = growing_categories(now, before)

    assert [(g.code, g.growth) for g in grown] == [("PUNGLI", 20), ("SANGGAH", 5), ("DATA", 2)]


def test_the_summarised_week_runs_monday_to_sunday_and_defaults_to_the_last_complete_one():
    assert week_of(date(2026, 12, 3)) == (date(2026, 11, 30), date(2026, 12, 6))
    # On Sunday 6 December the week of 30 November is not over: the one before is summarised.
    assert last_complete_week(date(2026, 12, 6)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert last_complete_week(date(2026, 12, 7)) == (date(2026, 11, 30), date(2026, 12, 6))
