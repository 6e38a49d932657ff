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
                   series: str, title: str, source: str) -> dict:
    """``history`` (year, value), ``ahead`` (one model's year, forecast, lower/upper 80 and
    95) and ``past`` (its backtest: origin, target, forecast) as one chart."""
    last = history.iloc[[-1]].rename(columns={"value": "forecast"}) if len(history) else \
        pd.DataFrame(columns=["year", "forecast"])
    line = pd.concat([last.assign(**{c: last["forecast"] for c in
                                     ("lower_80", "upper_80", "lower_95", "upper_95")}),
                      ahead[["year", "forecast", "lower_80", "upper_80", "lower_95",
                             "upper_95"]]], ignore_index=True)
    x = alt.X("year:Q", title="31 March", axis=alt.Axis(format="d", tickMinStep=1,
                                                        labelAngle=0, grid=False),
              scale=alt.Scale(zero=False, nice=False))
    y_title = series.capitalize()
    layers = [
        band(line, "95", "#C6DBEF", x),
        band(line, "80", "#9ECAE1", x),
        alt.Chart(line.assign(what="Forecast")).mark_line(strokeDash=[8, 5], strokeWidth=3)
        .encode(x=x, y=alt.Y("forecast:Q", title=y_title, scale=alt.Scale(zero=True)),
                color=alt.Color("what:N", scale=legend_scale(), title=None),
                tooltip=tips("forecast", "Forecast")),
        alt.Chart(history.assign(what="What happened")).mark_line(
            point=alt.OverlayMarkDef(filled=True, size=70), strokeWidth=4)
        .encode(x=x, y="value:Q", color=alt.Color("what:N", scale=legend_scale()),
                tooltip=tips("value", "Children")),
    ]
    if len(past):
        paths = past_paths(past, history)
        layers.append(alt.Chart(paths.assign(what="Past forecasts")).mark_line(
            point=alt.OverlayMarkDef(size=40), strokeWidth=2, opacity=0.8)
            .encode(x=x, y="forecast:Q", detail="origin:N",
                    color=alt.Color("what:N", scale=legend_scale()),
                    tooltip=[alt.Tooltip("origin:Q", title="Made at 31 March", format="d"),
                             *tips("forecast", "Forecast")]))
    height = TREND_PLOT + LEGEND_LINE * 3 + X_AXIS
    return configured(alt.layer(*layers).properties(height=height), title, source)


def band(line: pd.DataFrame, level: str, colour: str, x: alt.X) -> alt.Chart:
    """The forecast's ``level``% range as a shaded band."""
    return alt.Chart(line).mark_area(color=colour, opacity=0.7).encode(
        x=x, y=f"lower_{level}:Q", y2=f"upper_{level}:Q",
        tooltip=[alt.Tooltip("year:Q", title="31 March", format="d"),
                 alt.Tooltip(f"lower_{level}:Q", title=f"{level}% range from", format=",.0f"),
                 alt.Tooltip(f"upper_{level}:Q", title="to", format=",.0f")])


def past_paths(past: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Each past forecast as a path from what was known at its origin to its targets."""
    known = history.set_index("year")["value"]
    starts = pd.DataFrame({"origin": past["origin"].unique()})
    starts = starts.assign(year=starts["origin"], forecast=starts["origin"].map(known))
    steps = past.rename(columns={"target": "year"})[["origin", "year", "forecast"]]
    return pd.concat([starts.dropna(), steps], ignore_index=True).sort_values(
        ["origin", "year"])


def legend_scale() -> alt.Scale:
    return alt.Scale(domain=["What happened", "Forecast", "Past forecasts"],
                     range=[ENGLAND_COLOUR, SCOPE_COLOUR, PAST_COLOUR])


def tips(field: str, label: str) -> list[alt.Tooltip]:
    return [alt.Tooltip("year:Q", title="31 March", format="d"),
            alt.Tooltip(f"{field}:Q", title=label, format=",.0f")]
