"""The Overview's charts as Vega-Lite specifications (built with Altair): the rate over time
and the areas' rates side by side.

Why not Plotly, like the other pages: the Overview is the page a trustee opens first, and
Streamlit's 4.7 MB Plotly bundle costs about a second of the browser's time before any
chart can draw. Vega-Lite's is lighter, so a new tab shows the Overview's first chart
within the meeting-room issue's 2.5 s (``bench/first_paint.py``). Colours, line styles and
sizes follow ``components.charts``: the Okabe-Ito palette, England the dashed grey line.

Each builder returns the finished specification (a dict): it is cached and shared, so the
Altair objects and their schema check run once per chart, not on every rerun.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from components.charts import ENGLAND_COLOUR, HIGHLIGHT, PREDECESSOR_COLOURS, SCOPE_COLOUR

FONT = "Arial, Helvetica, sans-serif"
INK = "#1a1a1a"
#: Stroke dash patterns (px on, px off): England dashed; the other lines differ in dash
#: and point shape as well as colour, so none hides another and each can be told apart
#: in black and white.
SOLID, ENGLAND_DASH = [1, 0], [9, 5]
OTHER_DASHES = [[2, 4], [9, 4, 2, 4], [14, 6], [14, 5, 2, 5]]
OTHER_SHAPES = ["square", "diamond", "triangle-up", "cross"]
TREND_PLOT = 320  # px: the plot area of a trend, axes and legend not counted
#: px of a chart's height taken by each line of a vertical legend, and by the x-axis's
#: labels and title: Streamlit fits a full-width chart's whole drawing into the height it
#: is given, so the plot keeps TREND_PLOT only if these are added.
LEGEND_LINE, X_AXIS = 24, 64
BAR_STEP = 32  # px per bar: room for its 15 px label


def configured(chart: alt.TopLevelMixin, title: str, source: str) -> dict:
    """Meeting-room type sizes as a Vega-Lite dict, the title and source line kept in its
    ``usermeta`` for the page to show as text (``views.frame.vega_chart``): Vega sizes a
    chart to fit its title's width at full type, so a title drawn inside it squeezes the
    plot to nothing on a phone, where text on the page simply wraps."""
    spec = (chart.properties(padding={"top": 8, "left": 4, "right": 8, "bottom": 4})
            .configure_axis(labelFontSize=15, titleFontSize=16, labelColor=INK,
                            titleColor=INK, labelFont=FONT, titleFont=FONT, labelLimit=0,
                            titleLimit=0)
            .configure_legend(labelFontSize=15, labelFont=FONT, labelColor=INK, labelLimit=0,
                              orient="top", direction="vertical", symbolStrokeWidth=0,
                              symbolSize=160, labelOffset=10, offset=14)
            .configure_view(stroke=None)
            .to_dict())
    spec["usermeta"] = {"title": title, "source": source}
    return spec


def line_styles(names: list[str], scope_name: str) -> pd.DataFrame:
    """Colour, dash and point shape of each series, in drawing order: the scope blue,
    England dashed grey, the others from the palette."""
    others = [name for name in names if name not in (scope_name, "England")]
    rows = [{"series": scope_name, "colour": SCOPE_COLOUR, "dash": SOLID, "shape": "circle"}]
    rows += [{"series": name, "colour": PREDECESSOR_COLOURS[i % 4], "dash": OTHER_DASHES[i % 4],
              "shape": OTHER_SHAPES[i % 4]} for i, name in enumerate(others)]
    rows.append({"series": "England", "colour": ENGLAND_COLOUR, "dash": ENGLAND_DASH,
                 "shape": "circle"})
    styles = pd.DataFrame(rows).drop_duplicates("series")
    return styles[styles["series"].isin(names)]


def rate_trend(trend: pd.DataFrame, scope_name: str, breaks: dict[int, str], source: str,
               title: str | None = None) -> dict:
    """Rate per 10,000 by year (columns series, year, rate_per_10k): the scope, any other
    series (predecessor LAs, comparators), and England for reference. ``title`` defaults to
    naming the scope and England. ``breaks`` maps the year of a reorganisation to its
    reason; a dotted line marks it between the last count of the old LA and the first of
    the new. Years without a rate are left out, not drawn as zero."""
    rows = trend.dropna(subset=["rate_per_10k"])[["series", "year", "rate_per_10k"]]
    styles = line_styles(list(dict.fromkeys(rows["series"])), scope_name)
    names = styles["series"].tolist()

    def scale(column: str) -> alt.Scale:
        return alt.Scale(domain=names, range=styles[column].tolist())

    base = alt.Chart(rows).encode(
        x=alt.X("year:Q", title="Children looked after at 31 March",
                axis=alt.Axis(format="d", tickMinStep=1, labelAngle=0, grid=False),
                scale=alt.Scale(zero=False, nice=False)),
        y=alt.Y("rate_per_10k:Q", title="Rate per 10,000 children aged 0-17",
                scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", scale=scale("colour"), sort=names, title=None),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:Q", title="31 March",
                                                                      format="d"),
                 alt.Tooltip("rate_per_10k:Q", title="Rate per 10,000", format=",.0f")])
    lines = base.mark_line().encode(
        strokeDash=alt.StrokeDash("series:N", scale=scale("dash"), sort=names, title=None),
        strokeWidth=alt.condition(alt.datum.series == scope_name, alt.value(4), alt.value(3)))
    points = base.mark_point(filled=True, size=90, opacity=1).encode(
        shape=alt.Shape("series:N", scale=scale("shape"), sort=names, title=None))
    layers = [lines, points, *break_marks(breaks)]
    compared = "" if scope_name == "England" else " and England"
    title = title or f"Children looked after per 10,000 children: {scope_name}{compared}"
    height = TREND_PLOT + LEGEND_LINE * len(names) + X_AXIS
    return configured(alt.layer(*layers).properties(height=height), title, source)


def break_marks(breaks: dict[int, str]) -> list[alt.Chart]:
    """A dotted rule between the years either side of each reorganisation, named at the top."""
    if not breaks:
        return []
    marks = pd.DataFrame({"at": [year + 0.5 for year in breaks],
                          "label": [f"Break: {reason}" for reason in breaks.values()]})
    rule = alt.Chart(marks).mark_rule(color="#333", strokeDash=[2, 4], strokeWidth=2).encode(
        x="at:Q")
    label = alt.Chart(marks).mark_text(align="left", baseline="top", dx=5, dy=4, fontSize=13,
                                       font=FONT, color=INK).encode(
        x="at:Q", y=alt.value(0), text="label:N")
    return [rule, label]


def rate_bars(rates: pd.DataFrame, england_rate: float, title: str, source: str,
              highlight: str | None = None) -> dict:
    """Each area's rate (columns name, code, rate_per_10k, children_looked_after) as a
    horizontal bar, highest at the top, with England's rate marked and one area
    highlighted. Areas without a rate are left out, not drawn as zero."""
    rows = rates.dropna(subset=["rate_per_10k"]).sort_values("rate_per_10k", ascending=False)
    # Each rate beside its area's name: a number inside or at the end of a bar is cut or
    # struck through by England's line once a phone squeezes the bars.
    rows = rows.assign(shade=[HIGHLIGHT if code == highlight else SCOPE_COLOUR
                              for code in rows["code"]],
                       label=[f"{name}  {rate:.0f}" for name, rate
                              in zip(rows["name"], rows["rate_per_10k"])])[
        ["name", "label", "rate_per_10k", "children_looked_after", "shade"]]
    bars = alt.Chart(rows).mark_bar(height={"band": 0.8}).encode(
        y=alt.Y("label:N", sort=rows["label"].tolist(), title=None),
        x=alt.X("rate_per_10k:Q", title="Per 10,000 children"),
        color=alt.Color("shade:N", scale=None),
        tooltip=[alt.Tooltip("name:N", title="Area"),
                 alt.Tooltip("rate_per_10k:Q", title="Rate per 10,000", format=",.0f"),
                 alt.Tooltip("children_looked_after:Q", title="Children looked after",
                             format=",.0f")])
    england = pd.DataFrame({"rate": [england_rate], "label": [f"England {england_rate:.0f}"]})
    rule = alt.Chart(england).mark_rule(color=ENGLAND_COLOUR, strokeDash=ENGLAND_DASH,
                                        strokeWidth=3).encode(x="rate:Q")
    named = alt.Chart(england).mark_text(baseline="bottom", dy=-4, fontSize=15, font=FONT,
                                         color=ENGLAND_COLOUR).encode(
        x="rate:Q", y=alt.value(0), text="label:N")
    return configured(alt.layer(bars, rule, named).properties(
        height=alt.Step(BAR_STEP)), title, source)
