"""The Overview's Vega-Lite charts: each is a valid Vega-Lite specification (checked against
the published schema, not by this code), draws the rows it is given and no others, names
its source, wraps its title whole, and keeps the meeting-room styles."""

from __future__ import annotations

import jsonschema
import pandas as pd
import pytest
from altair.vegalite.v6.schema import load_schema

from components.charts import ENGLAND_COLOUR, HIGHLIGHT, SCOPE_COLOUR
from components.overview_charts import rate_bars, rate_trend

SOURCE = "Source: Department for Education, test release (2025). Open Government Licence v3.0."


def layer_rows(spec: dict, mark: str) -> list[dict]:
    """The rows of data behind the spec's first layer drawing ``mark`` (its own data, or
    the data its layers share)."""
    layer = next(layer for layer in spec["layer"]
                 if (layer["mark"]["type"] if isinstance(layer["mark"], dict)
                     else layer["mark"]) == mark)
    return spec["datasets"][layer.get("data", spec.get("data"))["name"]]


def encoding(spec: dict, mark: str, channel: str) -> dict:
    layer = next(layer for layer in spec["layer"] if layer["mark"]["type"] == mark)
    return layer["encoding"][channel]


def assert_valid(spec: dict) -> None:
    """Valid against the Vega-Lite JSON schema Altair ships (an independent check)."""
    jsonschema.validate(spec, load_schema())


@pytest.fixture
def reorganised():
    return pd.DataFrame({"series": ["New LA", "New LA", "Old LA (before 2024)", "England",
                                    "England", "New LA"],
                         "year": [2024, 2025, 2023, 2024, 2025, 2023],
                         "rate_per_10k": [90.0, 87.0, 82.0, 68.0, 67.0, None]})


def test_trend_draws_each_series_and_leaves_out_missing_years(reorganised):
    spec = rate_trend(reorganised, "New LA", {}, SOURCE)
    assert_valid(spec)
    rows = layer_rows(spec, "line")
    drawn = {(row["series"], row["year"]): row["rate_per_10k"] for row in rows}
    assert drawn == {("New LA", 2024): 90, ("New LA", 2025): 87,
                     ("Old LA (before 2024)", 2023): 82, ("England", 2024): 68,
                     ("England", 2025): 67}, "a year without a rate is not drawn as 0"


def test_trend_styles_the_scope_and_england_and_tells_others_apart(reorganised):
    spec = rate_trend(reorganised, "New LA", {}, SOURCE)
    colour = encoding(spec, "line", "color")["scale"]
    styles = dict(zip(colour["domain"], colour["range"]))
    assert styles["New LA"] == SCOPE_COLOUR and styles["England"] == ENGLAND_COLOUR
    dashes = dict(zip(colour["domain"], encoding(spec, "line", "strokeDash")["scale"]["range"]))
    assert dashes["England"] != dashes["New LA"] != dashes["Old LA (before 2024)"]


def test_trend_marks_the_break_between_the_old_and_new_las(reorganised):
    spec = rate_trend(reorganised, "New LA", {2023: "Old LA reorganised"}, SOURCE)
    assert_valid(spec)
    assert layer_rows(spec, "rule") == [{"at": 2023.5, "label": "Break: Old LA reorganised"}]


def test_comparators_each_get_their_own_dash_and_shape():
    names = ["Leeds", "Region", "RCC", "Neighbours' average", "Fifth", "England"]
    trend = pd.DataFrame({"series": names, "year": 2025, "rate_per_10k": range(60, 66)})
    spec = rate_trend(trend, "Leeds", {}, SOURCE)
    dash = encoding(spec, "line", "strokeDash")["scale"]
    shape = encoding(spec, "point", "shape")["scale"]
    styles = {(str(d), s) for d, s in zip(dash["range"], shape["range"])}
    assert len(styles) == len(names), "each line has its own dash and point shape"
    assert dash["domain"] == names  # the scope first, England last


def test_the_title_and_source_travel_with_the_chart_whole():
    trend = pd.DataFrame({"series": ["A", "England"], "year": 2025, "rate_per_10k": [70.0, 67]})
    assert rate_trend(trend, "A", {}, SOURCE)["usermeta"] == {
        "title": "Children looked after per 10,000 children: A and England", "source": SOURCE}
    rates = trend.assign(name=trend["series"], code=["a", "e"], children_looked_after=1)
    assert rate_bars(rates, 67, "Title", SOURCE)["usermeta"] == {"title": "Title",
                                                                 "source": SOURCE}


def test_more_lines_make_the_chart_taller_not_the_plot_smaller():
    short = pd.DataFrame({"series": ["A", "England"], "year": 2025, "rate_per_10k": [70.0, 67]})
    more = pd.concat([short, short.assign(series=["B", "C"])])
    assert rate_trend(more, "A", {}, SOURCE)["height"] > rate_trend(short, "A", {}, SOURCE)[
        "height"]


def test_bars_drop_missing_rates_highest_first_and_highlight_the_chosen_la():
    rates = pd.DataFrame({"name": ["A", "B", "C"], "code": ["a", "b", "c"],
                          "rate_per_10k": [50.0, None, 80.0],
                          "children_looked_after": [10, None, 20]})
    spec = rate_bars(rates, 67, "Title", SOURCE, highlight="c")
    assert_valid(spec)
    rows = layer_rows(spec, "bar")
    assert [row["name"] for row in rows] == ["C", "A"]
    assert encoding(spec, "bar", "y")["sort"] == ["C  80", "A  50"], "highest at the top"
    assert {row["name"]: row["shade"] for row in rows} == {"C": HIGHLIGHT, "A": SCOPE_COLOUR}
    assert layer_rows(spec, "rule") == [{"rate": 67, "label": "England 67"}]


def test_each_bar_is_named_with_its_whole_rate():
    """The rate stands beside the area's name, whole ('157', never '15' cut at an edge),
    rounded to a whole number as DfE publishes rates."""
    rates = pd.DataFrame({"name": ["A", "B"], "code": ["a", "b"], "rate_per_10k": [157.0, 60.4],
                          "children_looked_after": [100, 20]})
    spec = rate_bars(rates, 67, "Title", SOURCE)
    assert [row["label"] for row in layer_rows(spec, "bar")] == ["A  157", "B  60"]
