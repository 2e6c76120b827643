"""Charts drawn on the server: whole ticks on a count axis, the trend's axis by its step,
and an SVG that carries its title and description but no script."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from api.console import charts, formats
from api.domain.statistics.tables import Kind, Table, columns

SVG = "{http://www.w3.org/2000/svg}"


def test_a_count_axis_has_whole_round_steps():
    assert charts.whole_ticks(0) == [0, 1]
    assert charts.whole_ticks(3) == [0, 1, 2, 3]
    assert charts.whole_ticks(7) == [0, 2, 4, 6, 8]
    assert charts.whole_ticks(45) == [0, 10, 20, 30, 40, 50]
    assert charts.whole_ticks(1234) == [0, 500, 1000, 1500]


def test_a_trend_axis_names_days_or_months_by_the_points_step():
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(3)]
    months = [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert formats.trend_points(days, "id") == ["1 Nov", "2 Nov", "3 Nov"]
    assert formats.trend_points(months, "id") == ["Okt 2026", "Nov 2026", "Des 2026"]
    assert formats.trend_points(months, "en") == ["Oct 2026", "Nov 2026", "Dec 2026"]


def test_the_svg_says_what_it_shows_and_runs_nothing():
    table = Table(
        "satisfaction",
        columns(("rating", Kind.COUNT), ("ratings", Kind.COUNT), ("share", Kind.SHARE)),
        tuple((rating, rating * 1000, 0.2) for rating in range(1, 6)),
    )
    spec = charts.CHARTS["satisfaction"]
    data = charts.chart_data(spec, table)
    drawn = charts.svg(
        spec,
        data,
        locale="id",
        title="Penilaian warga",
        description="Batang penilaian 1 sampai 5.",
        labels={"ratings": "Penilaian"},
    )
    root = ET.fromstring(drawn)
    assert root.get("role") == "img" and root.get("aria-label") == "Penilaian warga"
    assert root.find(f"{SVG}desc").text == "Batang penilaian 1 sampai 5."
    assert root.find(f".//{SVG}script") is None
    assert "5.000" in drawn  # the value printed on the bar, Indonesian thousands
    assert charts.png(drawn).startswith(b"\x89PNG\r\n\x1a\n")
    assert charts.csv_text(data).splitlines() == [
        "rating,ratings",
        *(f"{rating},{rating * 1000}" for rating in range(1, 6)),
    ]
