"""The Forecasts page's chart (Vega-Lite, like the Overview's): what happened, the
forecast with its 80% and 95% ranges, and the model's past forecasts beside what then
happened, so a board sees how far to trust the line."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components.charts import ENGLAND_COLOUR, SCOPE_COLOUR
from components.overview_charts import LEGEND_LINE, TREND_PLOT, X_AXIS, configured

PAST_COLOUR = "#E69F00"  # Okabe-Ito orange: past forecasts


def forecast_chart(history: pd.DataFrame, ahead: pd.DataFrame, past: pd.DataFrame,
                   series: str, title: str, source: str, monthly: bool = False) -> dict:
    """``history`` (period, value), ``ahead`` (one model's period, forecast, lower/upper 80
    and 95) and ``past`` (its backtest: origin, target, forecast) as one chart; periods
    are dates (31 March, or month ends when ``monthly``)."""
    last = history.iloc[[-1]].rename(columns={"value": "forecast"}) if len(history) else \
        pd.DataFrame(columns=["period", "forecast"])
    line = pd.concat([last.assign(**{c: last["forecast"] for c in
                                     ("lower_80", "upper_80", "lower_95", "upper_95")}),
                      ahead[["period", "forecast", "lower_80", "upper_80", "lower_95",
                             "upper_95"]]], ignore_index=True)
    when = When(monthly)
    x = alt.X("period:T", title=when.title, axis=alt.Axis(format="%Y", tickCount="year",
                                                         labelAngle=0, grid=False))
    y_title = series.capitalize()
    layers = [
        band(line, "95", "#C6DBEF", x, when),
        band(line, "80", "#9ECAE1", x, when),
        alt.Chart(line.assign(what="Forecast")).mark_line(strokeDash=[8, 5], strokeWidth=3)
        .encode(x=x, y=alt.Y("forecast:Q", title=y_title, scale=alt.Scale(zero=True)),
                color=alt.Color("what:N", scale=legend_scale(), title=None),
                tooltip=when.tips("forecast", "Forecast")),
        alt.Chart(history.assign(what="What happened")).mark_line(
            point=False if monthly else alt.OverlayMarkDef(filled=True, size=70),
            strokeWidth=2.5 if monthly else 4)
        .encode(x=x, y="value:Q", color=alt.Color("what:N", scale=legend_scale()),
                tooltip=when.tips("value", "Children")),
    ]
    if len(past):
        paths = past_paths(past, history)
        layers.append(alt.Chart(paths.assign(what="Past forecasts")).mark_line(
            point=alt.OverlayMarkDef(size=40), strokeWidth=2, opacity=0.8)
            .encode(x=x, y="forecast:Q", detail="origin:N",
                    color=alt.Color("what:N", scale=legend_scale()),
                    tooltip=[alt.Tooltip("origin:T", title="Made at", format=when.format),
                             *when.tips("forecast", "Forecast")]))
    height = TREND_PLOT + LEGEND_LINE * 3 + X_AXIS
    return configured(alt.layer(*layers).properties(height=height), title, source)


class When:
    """How a chart names its periods: the year (31 March) or the month."""

    def __init__(self, monthly: bool):
        self.title = "Month end" if monthly else "31 March"
        self.format = "%B %Y" if monthly else "%Y"

    def tips(self, field: str, label: str) -> list[alt.Tooltip]:
        return [alt.Tooltip("period:T", title=self.title, format=self.format),
                alt.Tooltip(f"{field}:Q", title=label, format=",.0f")]


def band(line: pd.DataFrame, level: str, colour: str, x: alt.X, when: When) -> alt.Chart:
    """The forecast's ``level``% range as a shaded band."""
    return alt.Chart(line).mark_area(color=colour, opacity=0.7).encode(
        x=x, y=f"lower_{level}:Q", y2=f"upper_{level}:Q",
        tooltip=[alt.Tooltip("period:T", title=when.title, format=when.format),
                 alt.Tooltip(f"lower_{level}:Q", title=f"{level}% range from", format=",.0f"),
                 alt.Tooltip(f"upper_{level}:Q", title="to", format=",.0f")])


def past_paths(past: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Each past forecast as a path from what was known at its origin to its targets."""
    known = history.set_index("period")["value"]
    starts = pd.DataFrame({"origin": past["origin"].unique()})
    starts = starts.assign(period=starts["origin"], forecast=starts["origin"].map(known))
    steps = past.rename(columns={"target": "period"})[["origin", "period", "forecast"]]
    return pd.concat([starts.dropna(), steps], ignore_index=True).sort_values(
        ["origin", "period"])


def legend_scale() -> alt.Scale:
    return alt.Scale(domain=["What happened", "Forecast", "Past forecasts"],
                     range=[ENGLAND_COLOUR, SCOPE_COLOUR, PAST_COLOUR])


SCENARIO_COLOUR = "#CC79A7"  # Okabe-Ito reddish purple: the what-if
OUTLOOK_STEP = 44  # px per RCC and cohort: its two bars and a gap


def scenario_chart(result: pd.DataFrame, title: str, source: str) -> dict:
    """Children looked after for five years with and without a scenario (``result``:
    ``forecasting.scenarios.apply``'s rows), each with its 80% range."""
    rows = result[result["measure"] == "children looked after"]
    lines = pd.concat([
        rows[["year", f"{side}", f"{side}_lower_80", f"{side}_upper_80"]].set_axis(
            ["year", "value", "lower", "upper"], axis=1).assign(what=name)
        for side, name in (("baseline", "Without the scenario"),
                           ("scenario", "With the scenario"))], ignore_index=True)
    colours = alt.Scale(domain=["Without the scenario", "With the scenario"],
                        range=[SCOPE_COLOUR, SCENARIO_COLOUR])
    x = alt.X("year:O", title="Years from now", axis=alt.Axis(labelAngle=0))
    colour = alt.Color("what:N", scale=colours, title=None)
    tips = [alt.Tooltip("what:N", title=" "), alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("value:Q", title="Children", format=",.0f"),
            alt.Tooltip("lower:Q", title="80% range from", format=",.0f"),
            alt.Tooltip("upper:Q", title="to", format=",.0f")]
    layers = [alt.Chart(lines).mark_area(opacity=0.25).encode(
                  x=x, y="lower:Q", y2="upper:Q", color=colour),
              alt.Chart(lines).mark_line(point=alt.OverlayMarkDef(size=70), strokeWidth=3)
              .encode(x=x, y=alt.Y("value:Q", title="Children looked after",
                                   scale=alt.Scale(zero=False)),
                      color=colour, strokeDash=alt.StrokeDash(
                          "what:N", scale=alt.Scale(domain=colours.domain,
                                                    range=[[1, 0], [8, 5]]), legend=None),
                      tooltip=tips)]
    height = TREND_PLOT + LEGEND_LINE * 2 + X_AXIS
    return configured(alt.layer(*layers).properties(height=height), title, source)


def outlook_chart(outlook: pd.DataFrame, title: str, source: str) -> dict:
    """Per RCC and cohort (ranked): children in children's homes forecast in five years
    beside the matching places in the RCC's own homes."""
    shown = outlook.dropna(subset=["rank"]).sort_values("rank")
    label = shown["rcc"] + " · cohort " + shown["cohort"].str.split(".").str[0]
    bars = pd.concat([
        pd.DataFrame({"row": label, "what": "Children in 5 years (forecast)",
                      "value": pd.to_numeric(shown["in_5_years"], errors="coerce")}),
        pd.DataFrame({"row": label, "what": "Matching places now",
                      "value": pd.to_numeric(shown["matching_places"], errors="coerce")})],
        ignore_index=True)
    colours = alt.Scale(domain=["Children in 5 years (forecast)", "Matching places now"],
                        range=[SCOPE_COLOUR, PAST_COLOUR])
    names = dict(zip(label, shown["cohort"]))
    bars["cohort"] = bars["row"].map(names)
    chart = alt.Chart(bars).mark_bar().encode(
        y=alt.Y("row:N", sort=list(label), title=None),
        yOffset=alt.YOffset("what:N"),
        x=alt.X("value:Q", title="Children or places"),
        color=alt.Color("what:N", scale=colours, title=None),
        tooltip=[alt.Tooltip("row:N", title=" "), alt.Tooltip("cohort:N", title="Cohort"),
                 alt.Tooltip("what:N", title=" "),
                 alt.Tooltip("value:Q", title="Number", format=",.0f")])
    return configured(chart.properties(height=alt.Step(OUTLOOK_STEP)), title, source)
