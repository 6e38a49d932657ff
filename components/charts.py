"""Plotly figures sized for a meeting room (the Accountability funnel), their shared
layout and palette, and the merging of identical comparator series.

Colours come from the Okabe-Ito palette, which stays distinct for the common forms of
colour blindness; England is always the dashed grey reference line.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

SCOPE_COLOUR = "#0072B2"  # Okabe-Ito blue
HIGHLIGHT = "#D55E00"  # Okabe-Ito vermillion
PREDECESSOR_COLOURS = ["#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
ENGLAND_COLOUR = "#595959"
FONT = dict(family="Arial, Helvetica, sans-serif", size=16, color="#1a1a1a")


#: Characters per title line: a title is wrapped, never cut, and this fits a plot ~480 px
#: wide at the title's 20 px (a 1024 px projector beside the sidebar) and a phone's width
#: at the 13 px views/style.py sets there.
TITLE_WRAP = 46
TITLE_LINE = 26  # px per title line at 20 px type
LEGEND_WIDTH = 480  # px: the narrowest plot on a projector, for laying out the legend
LEGEND_ROW = 28  # px per legend row at 16 px type


def finish(fig: go.Figure, title: str, source: str, height: int = 460,
           wrap: int = 60, indent: int = 0) -> go.Figure:
    """Common layout: a plain title wrapped to fit, large type, the legend under the title
    (it grows down, never over the title) and the source line under the plot; the chart's
    toolbar stands upright at the right, clear of the title.

    ``wrap`` is the source line's width in characters (it fits a phone at the size
    views/style.py sets there); ``indent`` how far (px) the axis labels push the plot area
    right of the figure's edge, so the source line starts at the edge, not under the plot.
    """
    wrapped = "<br>".join(textwrap.wrap(source, wrap))
    lines = wrapped.count("<br>") + 1
    title_lines = textwrap.wrap(title, TITLE_WRAP)
    title_height = 32 + TITLE_LINE * len(title_lines)
    top = title_height + LEGEND_ROW * max(1, legend_rows(fig)) + 12
    total = height - 110 + top + 18 * lines
    fig.update_layout(
        title=dict(text="<br>".join(title_lines), x=0, xanchor="left", y=1, yref="container",
                   yanchor="top", pad=dict(t=24), font=dict(size=20)),
        font=FONT, height=total, template="plotly_white",
        margin=dict(l=10, r=20, t=top, b=70 + 18 * lines),
        legend=dict(orientation="h", yref="container", yanchor="top",
                    y=1 - title_height / total, xanchor="left", x=0),
        hoverlabel=dict(font_size=15), modebar=dict(orientation="v"),
    )
    fig.update_xaxes(tickfont=dict(size=15, color="#1a1a1a"), title_font=dict(size=16))
    fig.update_yaxes(tickfont=dict(size=15, color="#1a1a1a"), title_font=dict(size=16))
    fig.add_annotation(text=wrapped, xref="paper", yref="paper", x=0, y=0, yshift=-60,
                       xshift=-indent,
                       yanchor="top", xanchor="left", showarrow=False, align="left",
                       font=dict(size=12, color="#444"))
    return fig


def legend_rows(fig: go.Figure) -> int:
    """How many rows the legend takes in a plot LEGEND_WIDTH wide (its entries packed left
    to right, ~8.5 px a character and 50 px for each entry's symbol and gap)."""
    names = [trace.name for trace in fig.data if trace.name and trace.showlegend is not False
             and (trace.showlegend or len(fig.data) > 1)]
    rows, used = 0, LEGEND_WIDTH
    for name in names:
        width = 8.5 * len(name) + 50
        if used + width > LEGEND_WIDTH:
            rows, used = rows + 1, 0
        used += width
    return rows


def merge_identical(trend: pd.DataFrame, keep: list[str]) -> tuple[pd.DataFrame, dict]:
    """One line for series with the same rate in every year (a region and an RCC of the
    same LAs): otherwise the later line hides the earlier exactly. Returns the trend with
    each duplicate dropped and its twin renamed 'A and B', and {dropped: twin}. Series in
    ``keep`` (the LA, England) are never renamed or dropped."""
    rates = trend.pivot(index="year", columns="series", values="rate_per_10k")
    others = [name for name in trend["series"].unique() if name not in keep]
    twins: dict[str, str] = {}
    for i, name in enumerate(others):
        earlier = [other for other in others[:i] if other not in twins]
        twin = next((other for other in earlier if rates[other].equals(rates[name])), None)
        if twin is not None:
            twins[name] = twin
    names = {twin: " and ".join([twin, *(d for d, t in twins.items() if t == twin)])
             for twin in set(twins.values())}
    merged = trend[~trend["series"].isin(twins)].replace({"series": names})
    return merged, twins


def build_funnel(table: pd.DataFrame, curve: pd.DataFrame, kind: str, target_name: str,
                 highlight: set[str], title: str, source: str) -> go.Figure:
    """Rate per 10,000 against population aged 0-17, with the target and control limits.

    ``kind`` ('adjusted' or 'exact') picks which limits are drawn solid; LAs in
    ``highlight`` are coloured and labelled on hover, the rest greyed. Flagged LAs are
    drawn as diamonds so the shape, not only the colour, carries the meaning, and those in
    ``highlight`` are named beside their point: a projector shows no hover.
    """
    fig = go.Figure()
    prefix = "funnel_adj" if kind == "adjusted" else "funnel"
    for level, dash, label in (("998", "solid", "99.8% limits"), ("95", "dash", "95% limits")):
        for side in ("lower", "upper"):
            fig.add_trace(go.Scatter(
                x=curve["population"], y=curve[f"{prefix}_{side}_{level}"], mode="lines",
                line=dict(color="#444" if level == "998" else "#777", dash=dash, width=2),
                name=label, legendgroup=label, showlegend=side == "upper", hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=curve["population"], y=curve["target_rate_per_10k"], mode="lines",
        line=dict(color=ENGLAND_COLOUR, width=2, dash="dot"), name=f"{target_name} rate",
        hoverinfo="skip"))
    points = table.dropna(subset=["rate_per_10k_exact", "population_0_17"])
    for inside, colour, name in ((False, "#BBBBBB", "Other LAs"),
                                 (True, SCOPE_COLOUR, "LAs in scope")):
        rows = points[points["la_code"].isin(highlight) == inside]
        if rows.empty:
            continue
        fig.add_trace(go.Scatter(
            x=rows["population_0_17"], y=rows["rate_per_10k_exact"], mode="markers",
            name=name, customdata=rows[["la_name", "rate_per_10k", "flag_reason"]],
            marker=dict(color=[HIGHLIGHT if f else colour for f in rows["flag"]] if inside
                        else colour, size=13 if inside else 8,
                        symbol=["diamond" if f else "circle" for f in rows["flag"]],
                        line=dict(color="white", width=1)),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]:.0f} per 10,000, "
                          "%{x:,} children aged 0-17<br>%{customdata[2]}<extra></extra>"))
    ticks = funnel_ticks(curve["population"].min(), curve["population"].max())
    fig.update_xaxes(title="Children aged 0-17 (ONS mid-year estimate)", type="log",
                     tickvals=ticks, ticktext=[f"{v:,}" for v in ticks], tickangle=0)
    fig.update_yaxes(title="Children looked after per 10,000",
                     range=[0, funnel_top(points, curve)])
    name_flagged(fig, points, highlight, curve)
    return finish(fig, title, source, height=FUNNEL_HEIGHT)


def funnel_ticks(low: float, high: float) -> list[int]:
    """Population ticks few enough to stand upright even on a phone (turned, they would run
    into the axis title and source line): 1-3 steps over two decades or less, powers of
    ten over more (a tiny LA such as the City of London can stretch the axis to three)."""
    steps = (1, 3) if np.log10(high / low) <= 2 else (1,)
    return [step * 10 ** power for power in range(2, 7) for step in steps
            if low <= step * 10 ** power <= high]


def funnel_top(points: pd.DataFrame, curve: pd.DataFrame) -> float:
    """The funnel's y-axis top: room above the highest point or target for its name."""
    return max(points["rate_per_10k_exact"].max(), curve["target_rate_per_10k"].max()) * 1.25


#: The funnel's height: tall enough to part the crowd of LAs near the target line.
FUNNEL_HEIGHT = 640
#: Its plot area in pixels on a 1024-pixel projector (the narrowest it is shown) and the
#: names' font size: used only to keep names apart, so rough is enough.
PLOT_WIDTH, PLOT_HEIGHT, LABEL_SIZE = 420, 420, 13
#: Where a name may sit, as (right, up) pixel offsets from its point, nearest first: beside
#: it, then diagonally, above or below, then further out with a leader line.
LABEL_OFFSETS = [(round(1.6 * r * np.cos(a)), round(r * np.sin(a)))
                 for r in (24, 48, 80)
                 for a in np.radians([0, 180, 35, 145, -35, -145, 90, -90])]


def name_flagged(fig: go.Figure, points: pd.DataFrame, highlight: set[str],
                 curve: pd.DataFrame) -> None:
    """Name each flagged LA in ``highlight`` beside its point (a projector shows no hover):
    on a white label, clear of the other names and covering as few points as it can,
    with a thin line to its point when it has to sit further out."""
    pixels = pd.DataFrame({
        "x": np.log10(points["population_0_17"]), "y": points["rate_per_10k_exact"]})
    low, high = np.log10(curve["population"].min()), np.log10(curve["population"].max())
    spots = list(zip((pixels["x"] - low) / (high - low) * PLOT_WIDTH,
                     pixels["y"] / funnel_top(points, curve) * PLOT_HEIGHT))
    named = points["flag"].eq(True) & points["la_code"].isin(highlight)
    wanted = {i: name for i, name in enumerate(points["la_name"]) if named.iloc[i]}
    for i, (left, bottom, right, top) in label_places(spots, wanted).items():
        fig.add_annotation(  # the label's centre, in pixels from its point (y downwards)
            x=pixels["x"].iloc[i], y=pixels["y"].iloc[i], text=wanted[i],
            ax=(left + right) / 2 - spots[i][0], ay=spots[i][1] - (bottom + top) / 2,
            showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor="#666", standoff=7,
            xanchor="center", yanchor="middle", bgcolor="rgba(255,255,255,0.85)",
            font=dict(size=LABEL_SIZE, color="#1a1a1a"))


def label_places(spots: list[tuple[float, float]],
                 names: dict[int, str]) -> dict[int, tuple[float, float, float, float]]:
    """The box (left, bottom, right, top, in pixels) of each named point's label (keys
    index ``spots``): greedily, highest point first, the place with the lowest
    ``label_cost``."""
    chosen: dict[int, tuple[float, float, float, float]] = {}
    for i in sorted(names, key=lambda i: -spots[i][1]):
        boxes = {offset: label_box(spots[i], names[i], offset) for offset in LABEL_OFFSETS}
        best = min(LABEL_OFFSETS, key=lambda offset: label_cost(
            boxes[offset], list(chosen.values()), spots, offset))
        chosen[i] = boxes[best]
    return chosen


def label_box(spot: tuple[float, float], name: str,
              offset: tuple[int, int]) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in pixels of ``name`` centred at ``offset`` from a point,
    pushed clear of the point when it sits beside it."""
    width, height = 0.55 * LABEL_SIZE * len(name) + 8, 1.4 * LABEL_SIZE
    x = spot[0] + offset[0] + np.sign(offset[0]) * width / 2
    y = spot[1] + offset[1]
    return x - width / 2, y - height / 2, x + width / 2, y + height / 2


def label_cost(box: tuple[float, float, float, float], placed: list, spots: list,
               offset: tuple[int, int]) -> float:
    """How bad a place is: covering another name is worst, then leaving the plot, then
    each point covered, then distance from its own point."""
    left, bottom, right, top = box
    clash = sum(left < b[2] and b[0] < right and bottom < b[3] and b[1] < top for b in placed)
    outside = left < -30 or right > PLOT_WIDTH + 30 or bottom < 0 or top > PLOT_HEIGHT
    covered = sum(left - 4 < x < right + 4 and bottom - 4 < y < top + 4 for x, y in spots)
    return 1000 * clash + 100 * outside + 3 * covered + np.hypot(*offset) / 20
