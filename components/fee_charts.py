"""Charts of how weekly fees vary and of the fee model, sized for a meeting room.

No chart draws a placement: the spread of fees is shown as its middle half (the bar, lower
to upper quartile) and its median (the mark), for values the fee disclosure family lets be
described; a dot per placement would be disclosive. Differences and model effects are
drawn as a point with its 95% interval (a forest plot) against a line at "no difference".
Every chart carries its source line: the records' day, "cash terms", where the records
come from and the synthetic label when they are synthetic.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from analysis.disclosure import label_if_synthetic
from components.charts import ENGLAND_COLOUR, HIGHLIGHT, SCOPE_COLOUR, finish
from components.source import records_origin

ROW_HEIGHT = 44  # px per bar or point: readable on a projector
LINE_HEIGHT = 20  # px per extra line of a wrapped axis label
LABEL_WRAP = 30  # characters per line of an axis label (cohort names run long)


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
    labels = wrapped(str(value) for value in rows["value"])
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
    return finished(fig, labels, title, source)


def wrapped(labels) -> list[str]:
    """Axis labels wrapped to ``LABEL_WRAP`` characters a line (plotly's line break)."""
    return ["<br>".join(textwrap.wrap(label, LABEL_WRAP)) or label for label in labels]


def finished(fig: go.Figure, labels: list[str], title: str, source: str) -> go.Figure:
    """The shared layout, tall enough for every row and its label's lines, with the source
    line starting at the figure's edge however wide the labels push the plot (about 8 px
    a character at the labels' 15 px)."""
    lines = [label.split("<br>") for label in labels]
    height = 180 + ROW_HEIGHT * max(len(lines), 1) + LINE_HEIGHT * sum(
        len(parts) - 1 for parts in lines)
    widest = max((len(part) for parts in lines for part in parts), default=0)
    return finish(fig, title, source, height=height, indent=8 * widest + 10)


def forest_chart(rows: pd.DataFrame, labels: list[str], title: str, source: str,
                 axis: str) -> go.Figure:
    """Points with their 95% intervals (``effect_pct``, ``lower_pct``, ``upper_pct``), one
    per label, top to bottom, against a dashed line at 0% (no difference)."""
    rows, labels = rows.iloc[::-1], wrapped(labels[::-1])
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
    return finished(fig, labels, title, source)


def coefficient_chart(table: pd.DataFrame, title: str, source: str) -> go.Figure:
    """The fee model's effects: each term's % effect on the fee with its 95% interval; what
    each grouping is compared with is said in the source line (names run long)."""
    labels = [f"{term}: {level}" if level else term
              for term, level in zip(table["term"], table["group"])]
    compared = table.loc[table["compared_with"].ne(""), ["term", "compared_with"]]
    against = "; ".join(f"{term.lower()}s with {reference}" for term, reference in
                        compared.drop_duplicates("term").itertuples(index=False))
    return forest_chart(table, labels, title, f"{source} Compared with: {against}."
                        if against else source, "% effect on the weekly fee")


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
