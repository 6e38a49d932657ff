"""Figures of what councils spend on children in care and what a week of care costs: a
map of spend per child looked after (the Maps page's choropleth), a ranked bar chart and
unit-cost lines over the years with the published benchmarks drawn as reference lines.
Every figure's source line says its source, year and "cash terms" (the caller's
``source``); a benchmark in real terms says so in its own label."""

from __future__ import annotations

import folium
import pandas as pd
import plotly.graph_objects as go

from components import map_figures
from components.charts import ENGLAND_COLOUR, HIGHLIGHT, PREDECESSOR_COLOURS, SCOPE_COLOUR, finish
from components.placement_charts import label_width, shade

PER_CHILD = "spend_per_child_looked_after_gbp"
#: Comparator rows (not LAs) drawn paler, so the LAs stand out.
COMPARATOR_ROLES = {"Region", "RCC", "England", "Statistical neighbours"}
LEVEL_ORDER = {"la": 0, "region": 1, "england": 2}
#: Dotted benchmark lines: distinct from each other and from the area lines (Tol's muted).
BENCHMARK_COLOURS = ["#CC6677", "#117733", "#882255", "#44AA99", "#999933", "#000000",
                     "#AA4499", "#DDCC77"]


def pounds(value: float) -> str:
    """'£112,345', or 'not published' for a blank."""
    return "not published" if pd.isna(value) else f"£{value:,.0f}"


def map_values(las: pd.DataFrame) -> pd.DataFrame:
    """``build_choropleth``'s values from spend rows by LA: spend per child looked after,
    its text (a blank: DfE's symbol for the count, else 'x'), and its rank among the LAs
    given (1 = highest)."""
    rank = las[PER_CHILD].rank(ascending=False, method="min")
    symbols = las.get("children_symbol", pd.Series(None, index=las.index)).fillna("x")
    return pd.DataFrame({
        "value": las[PER_CHILD].values,
        "shown": las[PER_CHILD].map(pounds).where(las[PER_CHILD].notna(), symbols).values,
        "rank": [f"{r:.0f} of {rank.notna().sum()}" if pd.notna(r) else "" for r in rank],
    }, index=las["area_code"].values)


def spend_map(areas: dict, las: pd.DataFrame, *, title: str, source: str,
              **frame) -> folium.Map:
    """The scope's LAs shaded by spend per child looked after (``frame``: outlines,
    context, bounds, labels, as the Maps page passes them)."""
    return map_figures.build_choropleth(areas, map_values(las), title=title, unit="a year",
                                        source=source, **frame)


def bar_label(row: pd.Series) -> str:
    """An LA's name, or the comparator's name and what it is."""
    role = row["comparator"]
    if role.startswith("Statistical neighbour "):
        return f"{row['area_name']} (statistical neighbour)"
    if role in ("LA", "This LA", "England", "Statistical neighbours"):
        return row["area_name"]
    return f"{row['area_name']} ({role})"


def spend_bars(rows: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Spend per child looked after, one bar per row of ``spend_comparison`` in its order
    (highest first for a ranked scope), comparators pale (England grey) and the chosen LA
    highlighted."""
    rows = rows.assign(label=rows.apply(bar_label, axis=1))
    colours = [HIGHLIGHT if role == "This LA" else shade(ENGLAND_COLOUR) if role == "England"
               else shade(SCOPE_COLOUR) if role in COMPARATOR_ROLES else SCOPE_COLOUR
               for role in rows["comparator"]]
    text = [pounds(v) for v in rows[PER_CHILD]]
    fig = go.Figure(go.Bar(  # a blank is a bar of 0 saying "not published"
        x=rows[PER_CHILD].fillna(0), y=rows["label"], orientation="h",
        marker=dict(color=colours), text=text, textposition="outside", cliponaxis=False,
        showlegend=False, customdata=text,
        hovertemplate="%{y}: %{customdata} a year per child looked after<extra></extra>"))
    top = rows[PER_CHILD].max()
    fig.update_xaxes(title="£ a year per child looked after (cash terms)", tickprefix="£",
                     tickformat=",.0f", range=[0, (top if pd.notna(top) else 1) * 1.25])
    fig.update_yaxes(title=None, automargin=True, autorange="reversed")
    height = max(380, 34 * len(rows) + 140)
    return finish(fig, title, source, height=height, indent=label_width(rows["label"]))


CONTEXT_COLOUR = "#9ecae1"  # pale blue: the scope's other areas, each a thin line
FOCUS_COLOURS = [HIGHLIGHT, SCOPE_COLOUR, *PREDECESSOR_COLOURS]
CONTEXT_NAMES = {"la": "Each of its LAs", "region": "Each region"}


def line_style(level: str, focused: bool, index: int) -> dict:
    """England dashed grey; an area in focus bold in its own colour; others thin and pale."""
    if level == "england":
        return dict(color=ENGLAND_COLOUR, width=3, dash="dash")
    if focused:
        return dict(color=FOCUS_COLOURS[index % len(FOCUS_COLOURS)], width=4)
    return dict(color=CONTEXT_COLOUR, width=1.5)


def unit_cost_lines(rows: pd.DataFrame, references: pd.DataFrame, title: str,
                    source: str, focus: set[str]) -> go.Figure:
    """One measure's weekly unit cost by year (rows of ``unit_costs``): the areas in
    ``focus`` bold, England dashed, the rest thin pale lines under one legend entry; each
    benchmark (rows of ``benchmarks`` for this chart) a dotted reference line across the
    years, named in the legend with its source, year and terms."""
    fig = go.Figure()
    order = rows.assign(_order=rows["level"].map(LEVEL_ORDER),
                        _focus=rows["area_code"].isin(focus) | (rows["level"] == "england"))
    order = order.sort_values(["_focus", "_order", "area_name"])  # context drawn first, under
    shown_context, focused = set(), 0
    for (in_focus, _, name), area in order.groupby(["_focus", "_order", "area_name"],
                                                   sort=False):
        level = area["level"].iloc[0]
        context = not in_focus
        fig.add_trace(go.Scatter(
            x=area["year_label"], y=area["weekly_cost_gbp"],
            mode="lines" if context else "lines+markers",
            name=CONTEXT_NAMES.get(level, name) if context else name,
            legendgroup=level if context else name,
            showlegend=not context or level not in shown_context,
            line=line_style(level, in_focus, focused),
            hovertemplate="%{x}: £%{y:,.0f} a week<extra>" + name + "</extra>"))
        shown_context |= {level} if context else set()
        focused += in_focus and level != "england"
    years = list(dict.fromkeys(rows.sort_values("year")["year_label"]))
    for index, reference in enumerate(references.itertuples()):
        fig.add_trace(go.Scatter(
            x=[years[0], years[-1]] if years else [], y=[reference.weekly_equivalent_gbp] * 2,
            mode="lines", name=benchmark_label(reference),
            line=dict(color=BENCHMARK_COLOURS[index % len(BENCHMARK_COLOURS)], width=2,
                      dash="dot"),
            hovertemplate=benchmark_label(reference) + "<extra></extra>"))
    fig.update_xaxes(title=None, type="category", tickangle=-45, categoryorder="array",
                     categoryarray=years)
    fig.update_yaxes(title="£ a week (cash terms)", tickprefix="£", tickformat=",.0f",
                     rangemode="tozero")
    return clear_of_ticks(finish(fig, title, source, height=560))


def clear_of_ticks(fig: go.Figure, room: int = 30) -> go.Figure:
    """The source line moved ``room`` px lower, under the slanted year labels."""
    fig.layout.annotations[-1].yshift -= room
    fig.update_layout(height=fig.layout.height + room,
                      margin=dict(b=fig.layout.margin.b + room))
    return fig


def benchmark_label(reference) -> str:
    """'CMA, circa FY2020: £3,830 a week, cash'; a yearly figure says it was divided by
    52, and real terms say so."""
    amount = f"£{reference.weekly_equivalent_gbp:,.0f} a week"
    if "year" in reference.unit:
        amount += f" (£{reference.value:,.0f} a year ÷ 52)"
    terms = "real terms, 2023-24 prices" if reference.terms.startswith("real") else "cash"
    period = reference.period.split(" (")[0]
    return f"{short_publisher(reference.publisher)}, {period}: {amount}, {terms}"


def short_publisher(publisher: str) -> str:
    """The publisher as a legend can hold it."""
    return {"Competition and Markets Authority": "CMA", "National Audit Office": "NAO",
            "NCERCC / Revolution Consulting": "NCERCC"}.get(publisher, publisher)
