"""The statistics pages' charts, drawn on the server as SVG (pygal) from the very table the
page shows beside them, so a chart, its CSV and the table always hold the same numbers.

A chart is self-contained: no script (pygal's tooltips are left out), no web font (the
system's sans-serif), its title and a description inside the SVG (``<title>``, ``<desc>``,
``role="img"``). The page shows it as an image from a ``data:`` address, which the
console's policy allows (``img-src 'self' data:``) and which keeps pygal's own stylesheet
inside the image, where a page's ``style-src 'self'`` does not reach. The PNG is the same
SVG rasterised by resvg (a self-contained wheel; the system's fonts).
"""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from api.console import formats
from api.domain.statistics.tables import Kind, Table

if TYPE_CHECKING:
    import pygal


class Shape(StrEnum):
    LINE = "line"  # a trend over time
    BARS = "bars"  # a distribution (ratings 1–5)
    RANKED = "ranked"  # the largest rows of a league table, as horizontal bars


@dataclass(frozen=True)
class ChartSpec:
    """Chart ``name`` draws ``series`` of table ``table`` against its ``label`` column
    (at most ``limit`` rows, the table's first: league tables come ranked)."""

    name: str
    table: str
    shape: Shape
    label: str
    series: tuple[str, ...]
    limit: int | None = None


#: Every chart by the name its download address carries.
CHARTS = {
    spec.name: spec
    for spec in (
        ChartSpec("trend", "trend", Shape.LINE, "period", ("received", "answered", "closed")),
        ChartSpec("satisfaction", "satisfaction", Shape.BARS, "rating", ("ratings",)),
        ChartSpec("backlog", "backlog", Shape.BARS, "age_band", ("open",)),
        ChartSpec("regions", "regions", Shape.RANKED, "name", ("received", "closed")),
        ChartSpec("regencies", "regencies", Shape.RANKED, "name", ("received", "closed"), 10),
        ChartSpec("offices", "offices", Shape.RANKED, "name", ("received", "closed"), 10),
        ChartSpec("categories", "categories", Shape.RANKED, "name", ("received", "closed"), 10),
        ChartSpec("programmes", "programmes", Shape.RANKED, "name", ("received", "closed"), 10),
    )
}


@cache
def _style() -> pygal.style.Style:
    """The console's colours (console.css): brand blue, ok green, a warm grey; AA on white.

    pygal (and resvg, in :func:`png`) are imported by the first chart drawn, not by every api
    process: only the statistics pages draw one, and an import is memory the process keeps
    (docs/performance.md, "Statistics exports")."""
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1b1f24",
        foreground_strong="#1b1f24",
        foreground_subtle="#d0d7de",
        colors=("#0b5cad", "#bc4c00", "#1a7f37", "#8250df", "#57606a"),
        font_family="'DejaVu Sans', 'Noto Sans', Arial, sans-serif",
        title_font_size=17,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=14,
        value_font_size=12,
        tooltip_font_size=12,
        guide_stroke_color="#d0d7de",
        major_guide_stroke_color="#d0d7de",
        value_colors=("#1b1f24",),
    )


def _chart_type(shape: Shape) -> Callable[..., pygal.graph.graph.Graph]:
    import pygal  # on first use: see _style

    return {Shape.LINE: pygal.Line, Shape.BARS: pygal.Bar, Shape.RANKED: pygal.HorizontalBar}[shape]


def chart_data(spec: ChartSpec, table: Table) -> Table:
    """The part of ``table`` the chart draws: its label column and series, its rows."""
    keys = (spec.label, *spec.series)
    indexes = [table.column(key) for key in keys]
    rows = table.rows[: spec.limit] if spec.limit else table.rows
    return Table(
        spec.name,
        tuple(table.columns[index] for index in indexes),
        tuple(tuple(row[index] for index in indexes) for row in rows),
    )


def svg(
    spec: ChartSpec,
    data: Table,
    *,
    locale: str,
    title: str,
    description: str,
    labels: dict[str, str],
) -> str:
    """The chart as a standalone SVG document; ``labels`` names the series in ``locale``."""
    label_kind = data.columns[0].kind
    ranked = spec.shape is Shape.RANKED
    rows = list(reversed(data.rows)) if ranked else list(data.rows)  # the largest on top
    chart = _chart_type(spec.shape)(
        style=_style(),
        width=720,
        height=max(320, 34 * len(rows) + 140) if ranked else 340,
        explicit_size=True,
        js=[],
        title=title,
        legend_at_bottom=True,
        legend_at_bottom_columns=len(spec.series),
        show_minor_x_labels=len(rows) <= 8,
        x_labels_major_every=max(1, -(-len(rows) // 8)),
        x_label_rotation=0,
        truncate_label=28,
        truncate_legend=-1,
        dots_size=2.5,
        margin=12,
        min_scale=3,
        max_scale=6,
        print_values=spec.shape is Shape.BARS,
        print_values_position="top",
        value_formatter=lambda value: formats.figure(value, Kind.COUNT, locale),
        no_data_text=labels.get("no_data", "–"),
        include_x_axis=True,
    )
    if label_kind is Kind.DATE:
        chart.x_labels = formats.trend_points([row[0] for row in rows], locale)
    else:
        chart.x_labels = [formats.figure(row[0], label_kind, locale) for row in rows]
    for index, key in enumerate(spec.series, start=1):
        chart.add(labels[key], [row[index] for row in rows])
    # Counts are whole: ticks at whole, round steps ("0, 2, 4", never "0,4").
    ticks = whole_ticks(max((v or 0 for row in rows for v in row[1:]), default=0))
    chart.y_labels = ticks
    chart.range = (0, ticks[-1])
    drawn = chart.render(is_unicode=True)
    return _described(drawn, title=title, description=description)


def whole_ticks(top: float) -> list[int]:
    """Five or so whole, round steps from 0 to at least ``top`` (1, 2 or 5 times a power
    of ten apart)."""
    step = 1
    while top / step > 6:
        step = _next_step(step)
    last = max(step, -(-int(top) // step) * step)
    return list(range(0, last + 1, step))


def _next_step(step: int) -> int:
    """1 → 2 → 5 → 10 → 20 → 50 …"""
    digits = str(step)
    return step * 5 // 2 if digits[0] == "2" else step * 2


def _described(drawn: str, *, title: str, description: str) -> str:
    """pygal's SVG with ``role="img"``, its title as the label and a ``<desc>`` (what a
    screen reader says of it); its configuration script and comments left out (an image
    runs no script, and a download should carry none)."""
    drawn = _SCRIPT.sub("", _COMMENT.sub("", drawn))
    opening_end = drawn.index(">", drawn.index("<svg")) + 1
    opening = drawn[:opening_end].replace(
        "<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1
    )
    return opening + f"<desc>{escape(description)}</desc>" + drawn[opening_end:]


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def data_uri(svg_text: str) -> str:
    """The SVG as the page's ``<img src>``: inline, no second request."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg_text.encode()).decode()


def png(svg_text: str) -> bytes:
    """The SVG rasterised at twice its size (sharp when printed or zoomed)."""
    import resvg_py  # on first use: see _style

    return bytes(resvg_py.svg_to_bytes(svg_string=svg_text, zoom=2.0, background="#ffffff"))


def csv_text(data: Table) -> str:
    """The chart's numbers as CSV: the columns' stable keys, then plain values (a day as
    YYYY-MM-DD, a share as a fraction): what a spreadsheet reads without a locale."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(column.key for column in data.columns)
    for row in data.rows:
        writer.writerow("" if value is None else _plain(value) for value in row)
    return out.getvalue()


def _plain(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
