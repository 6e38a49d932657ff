"""Charts of how weekly fees vary and of the fee model, sized for a meeting room.

No chart draws a placement: the spread of fees is shown as its middle half (the bar, lower
to upper quartile) and its median (the mark), for values the fee disclosure family lets be
described; a dot per placement would be disclosive. Differences and model effects are
drawn as a point with its 95% interval (a forest plot) against a line at "no difference".
Every chart carries its source line: the records' day, "cash terms", where the records
come from and the synthetic label when they are synthetic.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.disclosure import label_if_synthetic
from components.charts import ENGLAND_COLOUR, HIGHLIGHT, SCOPE_COLOUR, finish
from components.source import records_origin

ROW_HEIGHT = 44  # px per bar or point: readable on a projector


def fee_source(as_at: pd.Timestamp, synthetic: bool, what: str = "Weekly fees") -> str:
    """A fee chart's source line: the day, cash terms, the records' origin, the label."""
    text = (f"{what} of placements open at {as_at:%-d %B %Y}, GBP a week, cash terms, from "
            f"case-level records: {records_origin(synthetic)}. Computed by RCC Insight.")
    return label_if_synthetic(text, synthetic)


def spread_chart(table: pd.DataFrame, title: str, source: str) -> go.Figure:
    """One breakdown's weekly fees: for each described value, a bar across the middle half
    of its fees (lower to upper quartile) and a mark at the median; values that may not be
    described are left off."""
    rows = table[table["median"].notna()].iloc[::-1]
    labels = [str(value) for value in rows["value"]]
    fig = go.Figure()
    fig.add_bar(y=labels, x=rows["upper_quartile"] - rows["lower_quartile"],
                base=rows["lower_quartile"], orientation="h", marker_color=SCOPE_COLOUR,
                opacity=0.45, name="Middle half of fees",
                hovertemplate="%{y}: £%{base:,.0f} to £%{x:,.0f} more<extra></extra>")
    fig.add_scatter(y=labels, x=rows["median"], mode="markers", name="Median fee",
                    marker=dict(symbol="line-ns", size=30, line=dict(width=4, color=HIGHLIGHT)),
                    hovertemplate="%{y}: median £%{x:,.0f} a week<extra></extra>")
    fig.update_xaxes(title="Weekly fee (£, cash terms)", tickprefix="£", separatethousands=True,
                     rangemode="tozero")
    return finish(fig, title, source, height=180 + ROW_HEIGHT * max(len(rows), 1),
                  indent=indent(labels))


def indent(labels: list[str]) -> int:
    """How far (px) the longest axis label pushes the plot right, so the source line can
    start at the figure's edge (about 8 px a character at the labels' 15 px)."""
    return 8 * max((len(label) for label in labels), default=0) + 10


def forest_chart(rows: pd.DataFrame, labels: list[str], title: str, source: str,
                 axis: str) -> go.Figure:
    """Points with their 95% intervals (``effect_pct``, ``lower_pct``, ``upper_pct``), one
    per label, top to bottom, against a dashed line at 0% (no difference)."""
    rows, labels = rows.iloc[::-1], labels[::-1]
    fig = go.Figure()
    fig.add_scatter(x=rows["effect_pct"], y=labels, mode="markers", name="Estimate",
                    marker=dict(size=13, color=SCOPE_COLOUR),
                    error_x=dict(type="data", symmetric=False, thickness=3, width=6,
                                 array=rows["upper_pct"] - rows["effect_pct"],
                                 arrayminus=rows["effect_pct"] - rows["lower_pct"]),
                    customdata=rows[["lower_pct", "upper_pct"]].to_numpy(),
                    hovertemplate="%{y}: %{x:+.0f}% (95% interval %{customdata[0]:+.0f}% to "
                                  "%{customdata[1]:+.0f}%)<extra></extra>")
    fig.add_vline(x=0, line_dash="dash", line_color=ENGLAND_COLOUR)
    fig.update_xaxes(title=axis, ticksuffix="%")
    fig.update_layout(showlegend=False)
    return finish(fig, title, source, height=180 + ROW_HEIGHT * max(len(rows), 1),
                  indent=indent(labels))


def coefficient_chart(table: pd.DataFrame, title: str, source: str) -> go.Figure:
    """The fee model's effects: each term's % effect on the fee with its 95% interval."""
    labels = [f"{term}: {level} (vs {reference})" if level else term
              for term, level, reference in zip(table["term"], table["group"],
                                                table["compared_with"])]
    return forest_chart(table, labels, title, source,
                        "% effect on the weekly fee")


def inside_outside_chart(table: pd.DataFrame, adjusted: dict | None, where: str, title: str,
                         source: str) -> go.Figure:
    """How much more (%) the typical fee outside ``where`` is than inside: the answer
    adjusted for cohort and placement type first, then each described cohort."""
    described = table[table["outside_more_pct"].notna()]
    rows = described.rename(columns={"outside_more_pct": "effect_pct",
                                     "outside_more_lower_pct": "lower_pct",
                                     "outside_more_upper_pct": "upper_pct"})
    labels = [f"{cohort} (any placement type)" for cohort in rows["cohort"]]
    if adjusted is not None:
        first = pd.DataFrame([{"effect_pct": adjusted["outside_more_pct"],
                               "lower_pct": adjusted["lower_pct"],
                               "upper_pct": adjusted["upper_pct"]}])
        rows = pd.concat([first, rows], ignore_index=True)
        labels = ["All cohorts, same placement type"] + labels
    return forest_chart(rows, labels, title, source,
                        "% more outside than inside")
