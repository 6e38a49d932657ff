"""Plotly figures for where children are placed: published out-of-area shares and the
area x area matrix of case-level placements."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from components.charts import HIGHLIGHT, SCOPE_COLOUR, finish

FAR_COLOUR = "#E69F00"  # Okabe-Ito orange


def build_out_of_area_bars(table: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Per area (area_name, level, pct_outside_la, pct_over_20_miles; symbols as NaN),
    two bars: % placed outside the LA and % placed more than 20 miles from home (inside or
    outside the LA: a separate DfE figure, not a part of the first). Regions and
    England are labelled as comparators and drawn in grey, so the LAs stand out."""
    rows = table.assign(label=[name if level == "la" else f"{name} ({level_name(level)})"
                               for name, level in zip(table["area_name"], table["level"])])
    order = pd.concat([rows[rows["level"] == "la"].sort_values("pct_outside_la",
                                                                ascending=False),
                       rows[rows["level"] == "region"], rows[rows["level"] == "england"]])
    fig = go.Figure()  # first row at the top, so the legend takes an LA's (full) colour
    for column, name, colour in (("pct_over_20_miles", "Placed more than 20 miles from home "
                                  "(in or outside the LA)", FAR_COLOUR),
                                 ("pct_outside_la", "Placed outside the LA", SCOPE_COLOUR)):
        colours = [colour if level == "la" else shade(colour) for level in order["level"]]
        fig.add_trace(go.Bar(
            x=order[column], y=order["label"], orientation="h", name=name,
            marker=dict(color=colours, line=dict(color=colour, width=1)),
            text=order[column].map(lambda v: "x" if pd.isna(v) else f"{v:.0f}%"),
            textposition="outside",
            hovertemplate="%{y}: %{x:.0f}% " + name.lower() + "<extra></extra>"))
    fig.update_layout(barmode="group", bargap=0.25,
                      legend=dict(traceorder="reversed"))
    fig.update_xaxes(title="% of children looked after at 31 March", range=[0, 100])
    fig.update_yaxes(title=None, automargin=True, autorange="reversed")
    height = max(380, 46 * len(order) + 140)
    return finish(fig, title, source, height=height, indent=label_width(order["label"]))


def label_width(labels) -> int:
    """How far (px) axis labels at 15 px push the plot right of the figure's edge (~8 px a
    character: an underestimate, so the source line under the plot is never cut)."""
    return 8 * max((len(str(label)) for label in labels), default=0)


def level_name(level: str) -> str:
    """'region' -> 'region', 'england' -> 'all LAs' (the comparator's own name says England)."""
    return {"england": "all LAs"}.get(level, level)


def shade(colour: str) -> str:
    """A paler version of a hex colour, for comparator bars."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{int(c + (255 - c) * 0.55):02X}" for c in (red, green, blue))


def build_flow_matrix(matrix: pd.DataFrame, highlight: str | None, title: str,
                      source: str) -> go.Figure:
    """Rows: placing area; columns: where its children live; each cell coloured by its share
    of the row (so 'stays at home' reads as a dark diagonal) and labelled with the count,
    'c' where suppressed. ``matrix`` holds counts or 'c', no Total column. No colour bar:
    at 1024 pixels the cells need its width, and the title says what the shade means."""
    counts = matrix.apply(pd.to_numeric, errors="coerce")
    totals = counts.sum(axis=1)
    shares = counts.div(totals.where(totals > 0), axis=0) * 100
    text = matrix.map(lambda v: v if isinstance(v, str) else f"{int(v):,}")
    rows = list(matrix.index)
    fig = go.Figure(go.Heatmap(
        z=shares.to_numpy(), x=list(matrix.columns), y=rows, text=text.to_numpy(),
        texttemplate="%{text}", textfont=dict(size=13), colorscale="Blues", zmin=0, zmax=100,
        showscale=False,
        hovertemplate="Placed by %{y}, living in %{x}: %{text} children "
                      "(%{z:.1f}% of %{y}'s)<extra></extra>", xgap=2, ygap=2))
    if highlight in rows:
        position = rows.index(highlight)
        fig.add_shape(type="rect", x0=-0.5, x1=len(matrix.columns) - 0.5, y0=position - 0.5,
                      y1=position + 0.5, line=dict(color=HIGHLIGHT, width=3))
    names = [wrapped(row) for row in rows]
    columns = [wrapped(column) for column in matrix.columns]
    fig.update_yaxes(title="Placed by", autorange="reversed", automargin=True,
                     tickvals=rows, ticktext=names, tickfont=dict(size=14))
    # Upright column names: slanted ones reach past the last column and squeeze the cells.
    fig.update_xaxes(title=None, side="top", tickangle=-90, automargin=True,
                     tickvals=list(matrix.columns), ticktext=columns, tickfont=dict(size=14))
    fig = finish(fig, f"{title}: rows place the children, columns are where they live "
                 "(darker: more of the row's children)", source,
                 height=max(460, 52 * len(rows) + 260),
                 indent=label_width(line for name in names for line in name.split("<br>")))
    above = label_width(line for name in columns for line in name.split("<br>")) + 10
    return fig.update_layout(height=fig.layout.height + above,
                             margin_t=fig.layout.margin.t + above)


def wrapped(name: str) -> str:
    """An area's name on lines of at most 14 characters ('Yorkshire and<br>The Humber'),
    so a row or column name takes little room from the cells."""
    return textwrap.fill(name, 14).replace("\n", "<br>")


def build_sufficiency_bars(table: pd.DataFrame, highlight: str | None, title: str,
                           source: str) -> go.Figure:
    """Each area's self-sufficiency (area, placed_inside_pct, own_use_of_home_places_pct):
    two bars per area, the chosen area's name in bold."""
    rows = table.iloc[::-1]
    labels = [f"<b>{area}</b>" if area == highlight else area for area in rows["area"]]
    fig = go.Figure()
    for column, name, colour in (
            ("own_use_of_home_places_pct", "% of the area's children's-home places used by "
             "its own LAs", FAR_COLOUR),
            ("placed_inside_pct", "% of the area's children placed inside it", SCOPE_COLOUR)):
        values = pd.to_numeric(rows[column], errors="coerce")
        fig.add_trace(go.Bar(
            x=values, y=labels, orientation="h", name=name, marker_color=colour,
            text=[("c" if rows[column].iloc[i] == "c" else "x") if pd.isna(v) else f"{v:.0f}%"
                  for i, v in enumerate(values)], textposition="outside",
            hovertemplate="%{y}: %{x:.1f}%<extra>" + name + "</extra>"))
    fig.update_layout(barmode="group", bargap=0.25, legend=dict(traceorder="reversed"))
    fig.update_xaxes(title="%", range=[0, 105])
    fig.update_yaxes(title=None, automargin=True)
    return finish(fig, title, source, height=max(380, 56 * len(rows) + 120),
                  indent=label_width(rows["area"]))
