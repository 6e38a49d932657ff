"""The All RCCs page's small multiples: one small chart per RCC of its rate of children
looked after over time, England's dashed behind it, every chart on the same axis so they
can be read side by side. Each is a fixed size, so the page lays them out in rows that
wrap to the screen's width (3 to a row at 1024 px beside the sidebar, 4-5 at 1440)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import ENGLAND_COLOUR, FONT, SCOPE_COLOUR

#: Pixels: a chart this wide fits three to a row beside the sidebar at 1024 px.
WIDTH, HEIGHT = 190, 215
#: The RCC's name, in px (the line under it is 13 px).
TITLE_FONT = 15


def small_rate_chart(area: pd.DataFrame, england: pd.DataFrame, caption: str,
                     y_range: tuple[float, float]) -> go.Figure:
    """One RCC's rate per 10,000 by year (``area`` and ``england``: year, rate_per_10k,
    rcc) with ``caption`` under its name; the y axis spans ``y_range`` (the lowest and
    highest rate of any area) so every small chart is drawn to the same scale."""
    name = area["rcc"].iloc[0] if len(area) else ""
    fig = go.Figure()
    fig.add_trace(line(england, "England", dict(color=ENGLAND_COLOUR, width=2, dash="dash")))
    fig.add_trace(line(area, name, dict(color=SCOPE_COLOUR, width=3)))
    low, high = y_range
    years = sorted(set(area["year"]) | set(england["year"]))
    fig.update_layout(
        title=dict(text=f"<b>{name}</b><br><span style='font-size:13px'>{caption}</span>",
                   x=0, xanchor="left", y=1, yref="container", yanchor="top",
                   pad=dict(t=16), font=dict(size=TITLE_FONT)),
        width=WIDTH, height=HEIGHT, template="plotly_white", showlegend=False,
        font={**FONT, "size": 13}, margin=dict(l=8, r=8, t=62, b=8),
        hoverlabel=dict(font_size=14))
    fig.update_xaxes(tickvals=years[::4] if years else None, tickfont=dict(size=12),
                     fixedrange=True)
    fig.update_yaxes(range=[max(0.0, low * 0.9), high * 1.05], nticks=4,
                     tickfont=dict(size=12), fixedrange=True)
    return fig


def line(rows: pd.DataFrame, name: str, style: dict) -> go.Scatter:
    """One series as a line, its hover reading '2025: 89 per 10,000'."""
    return go.Scatter(x=rows["year"], y=rows["rate_per_10k"], mode="lines", name=name,
                      line=style, hovertemplate=f"{name}<br>%{{x}}: %{{y:,.0f}} per 10,000"
                                                "<extra></extra>")
