"""Figure builders: every chart names its source and licence, and draws what it is given."""

from __future__ import annotations

import pandas as pd

from components.charts import HIGHLIGHT, build_rate_bars, build_rate_trend
from components.source import source_line

RELEASES = pd.DataFrame([
    {"dataset": "cla_count", "publisher": "Department for Education", "title": "CLA",
     "period": "2021 to 2025", "licence": "Open Government Licence v3.0"},
    {"dataset": "population", "publisher": "Office for National Statistics", "title": "MYE",
     "period": "mid-2024", "licence": "Open Government Licence v3.0"},
])


def annotations_text(fig) -> str:
    """All annotation text of a figure, joined."""
    return " ".join(a.text for a in fig.layout.annotations)


def test_source_line_names_publishers_periods_and_licence():
    """Trustees must see who published a figure, for when, and under what licence."""
    line = source_line(RELEASES, ["cla_count", "population"], "Rates computed")
    assert line.startswith("Rates computed. Source: Department for Education, CLA (2021 to")
    assert "Office for National Statistics, MYE (mid-2024)" in line
    assert line.endswith("Open Government Licence v3.0.")


def test_trend_marks_the_break_and_carries_the_source():
    """A reorganisation shows as a marked break, and the source sits under the chart."""
    trend = pd.DataFrame({"series": ["New LA", "New LA", "Old LA (before 2024)", "England"],
                          "year": [2024, 2025, 2023, 2025], "rate_per_10k": [90, 87, 82, 67]})
    fig = build_rate_trend(trend, "New LA", {2023: "Old LA reorganised"}, "Source: test. OGL.")
    assert [t.name for t in fig.data] == ["New LA", "Old LA (before 2024)", "England"]
    assert fig.layout.shapes[0].x0 == 2023.5
    assert "Break: Old LA reorganised" in annotations_text(fig)
    assert "Source: test. OGL." in annotations_text(fig)


def test_bars_drop_missing_rates_and_highlight_the_chosen_la():
    """Suppressed rates are not drawn as zero; the chosen LA stands out."""
    rates = pd.DataFrame({"name": ["A", "B", "C"], "code": ["a", "b", "c"],
                          "rate_per_10k": [50.0, None, 80.0],
                          "children_looked_after": [10, None, 20]})
    fig = build_rate_bars(rates, 67, "Title", "Source: test.", highlight="c")
    bar = fig.data[0]
    assert list(bar.y) == ["A", "C"]
    assert list(bar.marker.color)[1] == HIGHLIGHT
    assert "England 67" in annotations_text(fig)
