"""The weekly summary as a one-page PDF (fpdf2: pure Python, no system libraries).

The same content as the HTML page, in the reader's language: the key figures against the
week before, the three offices with the worst deadline compliance, the three fastest-growing
categories, each figure's definition at the foot. Written with the PDF core font (no font
file to ship), so the few characters outside Latin-1 are replaced by their nearest
equivalents first.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

import messages
from api.application.weekly_summary import WeeklySummary
from api.console import formats
from api.domain.statistics.tables import Kind

_LATIN1 = str.maketrans({"–": "-", "—": "-", "−": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})
_NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _text(value: object) -> str:
    return str(value).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def render(summary: WeeklySummary, locale: str) -> bytes:
    def t(key: str, /, **params) -> str:
        return _text(messages.render_text(locale, key, **params))

    pdf = FPDF(format="A4")
    pdf.set_title(t("console_statistics_weekly.title"))
    pdf.set_creator("bansos")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, t("console_statistics_weekly.title"), **_NEXT_LINE)
    pdf.set_font("Helvetica", "", 11)
    where = summary.where
    scope = summary.scope_name or messages.render_text(locale, "console_statistics_weekly.national")
    period = t(
        "console_statistics_weekly.period",
        start=formats.day(where.start, locale),
        end=formats.day(where.end, locale),
    )
    pdf.cell(0, 6, _text(scope), **_NEXT_LINE)
    pdf.cell(0, 6, period, **_NEXT_LINE)
    pdf.ln(4)

    _heading(pdf, t("console_statistics_weekly.key_figures"))
    _table(
        pdf,
        (80, 35, 35, 30),
        (
            t("console_statistics_weekly.figure"),
            t("console_statistics_weekly.this_week"),
            t("console_statistics_weekly.last_week"),
            t("console_statistics_weekly.change"),
        ),
        [
            (
                t(f"statistics.label_{figure.key}"),
                formats.figure(figure.value, figure.kind, locale),
                formats.figure(figure.previous, figure.kind, locale),
                formats.change(figure.change, locale),
            )
            for figure in summary.figures
        ],
    )
    pdf.ln(4)

    _heading(pdf, t("console_statistics_weekly.worst_offices"))
    _table(
        pdf,
        (100, 30, 25, 25),
        (
            t("console_statistics_weekly.office"),
            t("statistics.label_share_met"),
            t("statistics.label_deadlines_completed"),
            t("statistics.label_breached"),
        ),
        [
            (
                office.name,
                formats.figure(office.share_met, Kind.SHARE, locale),
                formats.number(office.completed, locale),
                formats.number(office.breached, locale),
            )
            for office in summary.worst_offices
        ],
        if_empty=t("console_statistics_weekly.no_offices_ranked"),
    )
    pdf.ln(4)

    _heading(pdf, t("console_statistics_weekly.growing_categories"))
    _table(
        pdf,
        (100, 30, 30, 20),
        (
            t("console_statistics_weekly.category"),
            t("console_statistics_weekly.this_week"),
            t("console_statistics_weekly.last_week"),
            t("console_statistics_weekly.growth"),
        ),
        [
            (
                category.name,
                formats.number(category.received, locale),
                formats.number(category.previous, locale),
                "+" + formats.number(category.growth, locale),
            )
            for category in summary.growing_categories
        ],
        if_empty=t("console_statistics_weekly.no_growth"),
    )
    pdf.ln(6)

    pdf.set_font("Helvetica", "", 8)
    keys = [figure.key for figure in summary.figures] + ["share_met"]
    for key in keys:
        label, definition = t(f"statistics.label_{key}"), t(f"statistics.define_{key}")
        pdf.multi_cell(0, 4, f"{label}: {definition}", **_NEXT_LINE)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, text, **_NEXT_LINE)
    pdf.set_font("Helvetica", "", 10)


def _table(
    pdf: FPDF,
    widths: tuple[int, ...],
    header: tuple[str, ...],
    rows: Sequence[tuple[str, ...]],
    *,
    if_empty: str | None = None,
) -> None:
    """A bold header row, then one row per entry; ``if_empty`` is said in place of a table
    with no rows (the key figures always have theirs, so they pass none)."""
    if not rows and if_empty is not None:
        pdf.multi_cell(0, 6, if_empty, **_NEXT_LINE)
        return
    _row(pdf, widths, header, bold=True)
    for cells in rows:
        _row(pdf, widths, cells)


def _row(pdf: FPDF, widths: tuple[int, ...], cells: tuple[str, ...], *, bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    for index, (width, cell) in enumerate(zip(widths, cells, strict=True)):
        last = index == len(widths) - 1
        pdf.cell(
            width,
            6,
            _text(cell),
            border="B",
            align="L" if index == 0 else "R",
            **(_NEXT_LINE if last else {}),
        )
    pdf.set_font("Helvetica", "", 10)
