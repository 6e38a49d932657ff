"""Figure builders: every chart names its source and licence, and draws what it is given."""

from __future__ import annotations

import pandas as pd

from components.charts import (HIGHLIGHT, TITLE_LINE, TITLE_WRAP, build_rate_bars,
                               build_rate_trend, merge_identical)
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


def test_a_long_title_wraps_whole_and_leaves_room_for_itself():
    """A title is never cut: every word is kept, each line fits the projector's width, and
    the plot starts below the title's lines and the legend (so neither covers the other)."""
    title = ("Children looked after per 10,000 children: Bournemouth, Christchurch and Poole "
             "beside its region, RCC, England and its statistical neighbours")
    trend = pd.DataFrame({"series": ["A", "England"], "year": [2025, 2025],
                          "rate_per_10k": [70.0, 67.0]})
    fig = build_rate_trend(trend, "A", {}, "Source: test.", title=title)
    lines = fig.layout.title.text.split("<br>")
    assert " ".join(lines) == title
    assert len(lines) > 1 and all(len(line) <= TITLE_WRAP for line in lines)
    legend_top = (1 - fig.layout.legend.y) * fig.layout.height
    assert legend_top >= TITLE_LINE * len(lines), "the legend starts below the title"
    assert fig.layout.margin.t > legend_top, "the plot starts below the legend"


def test_bar_numbers_sit_inside_their_bars_in_full():
    """Each bar's number is the whole rate, inside the bar at its base: never cut at the
    axis's end ('15' for 157) nor struck through by England's line further along."""
    rates = pd.DataFrame({"name": ["A", "B"], "code": ["a", "b"], "rate_per_10k": [157.0, 60.0],
                          "children_looked_after": [100, 20]})
    bar = build_rate_bars(rates, 67, "Title", "Source: test.").data[0]
    assert list(bar.text) == ["60", "157"]
    assert bar.textposition == "inside" and bar.insidetextanchor == "start"


def test_a_region_and_an_rcc_of_the_same_las_are_one_named_line():
    """Two comparators with the same rate every year are drawn once, named for both, so
    neither hides under the other; different series, the LA and England are kept."""
    years = [2023, 2024, 2025]
    trend = pd.concat([
        pd.DataFrame({"series": name, "year": years, "rate_per_10k": rates})
        for name, rates in [("Leeds", [80.0, 82, 85]), ("England", [70.0, 69, 67]),
                            ("Yorkshire region", [75.0, 76, 77]),
                            ("Yorkshire RCC", [75.0, 76, 77]),
                            ("Neighbours' average", [75.0, 76, 78])]])
    merged, twins = merge_identical(trend, ["Leeds", "England"])
    assert twins == {"Yorkshire RCC": "Yorkshire region"}
    assert list(merged["series"].unique()) == ["Leeds", "England",
                                               "Yorkshire region and Yorkshire RCC",
                                               "Neighbours' average"]
    fig = build_rate_trend(merged, "Leeds", {}, "Source: test.")
    others = [t for t in fig.data if t.name not in ("Leeds", "England")]
    assert len({(t.line.dash, t.marker.symbol) for t in others}) == len(others), \
        "each comparator has its own dash and marker"
