"""The app's charts restyled for a projector: type readable from the back of a room
(20 px and up), fewer gridlines, and a fixed height that leaves room on a 1024x768 screen
for the slide's title, takeaway and source line above and below.

The charts come from the cached builders (shared between sessions), so each function
returns a restyled copy and never changes what it was given. The slide shows the chart's
title and source line as text of its own, so both are taken out of the chart here.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

FONT = "Arial, Helvetica, sans-serif"
INK = "#1a1a1a"
#: px: the smallest type on a slide (axis labels, legend, bar labels) and axis titles.
TEXT, AXIS_TITLE = 20, 22
#: px: a chart title's type, where a chart keeps one (the slide's own title is larger).
TITLE = 28
#: px: a chart's height on a slide: a 768 px screen less the title, takeaway, buttons and
#: source line.
HEIGHT = 440
#: The plotly annotation that carries a chart's source line (components.charts.finish):
#: the only one at 12 px type; the others (labels on a funnel) are kept and enlarged.
SOURCE_SIZE = 12
GRID = "#e3e3e3"
#: px per row of a bar chart (a 20 px label and a gap): a chart of many rows (London's 33
#: LAs) grows taller than HEIGHT and the slide scrolls, rather than squeezing its labels.
ROW = 30
#: Characters an x-axis title may run to on one line at AXIS_TITLE px before it wraps
#: (the plot beside long bar labels is ~320 px wide on a 1024 px screen with the sidebar).
AXIS_WRAP = 28


def slide_height(rows: int) -> int:
    """HEIGHT, or taller for a bar chart of ``rows`` rows (axis and legend: 90 px)."""
    return max(HEIGHT, ROW * rows + 120)


def vega_slide(spec: dict, rows: int = 0) -> dict:
    """A Vega-Lite chart (``components.overview_charts.configured``) at projector sizes: a
    copy of its top level with the config replaced, its height fixed (a bar chart's bars
    share the height instead of taking a step each; ``rows``: see slide_height) and no
    gridlines across the x axis."""
    config = dict(spec.get("config", {}))
    config["axis"] = {**config.get("axis", {}), "labelFontSize": TEXT,
                      "titleFontSize": AXIS_TITLE, "labelFont": FONT, "titleFont": FONT,
                      "labelColor": INK, "titleColor": INK, "gridColor": GRID,
                      "labelLimit": 0, "titleLimit": 0}
    config["axisX"] = {**config.get("axisX", {}), "grid": False}
    config["legend"] = {**config.get("legend", {}), "labelFontSize": TEXT,
                        "labelFont": FONT, "symbolSize": 260, "orient": "top",
                        "direction": "horizontal", "columns": 2}
    config["text"] = {**config.get("text", {}), "fontSize": TEXT}
    return {**spec, "config": config, "height": slide_height(rows)}


def plotly_slide(figure: go.Figure, rows: int = 0) -> go.Figure:
    """A plotly chart (``components.charts.finish``) at projector sizes: its title and
    source line taken out (the slide shows them as text), type at TEXT px, the legend in
    one row above the plot, no vertical gridlines."""
    slide = go.Figure(figure)
    slide.layout.annotations = [enlarged(note) for note in figure.layout.annotations
                                if not is_source(note)]
    slide.update_layout(
        title=dict(text=None, font=dict(size=TITLE)), height=slide_height(rows),
        font=dict(family=FONT, size=TEXT, color=INK),
        margin=dict(l=10, r=30, t=60, b=10),
        legend=dict(orientation="h", yref="paper", y=1.02, yanchor="bottom", x=0,
                    xanchor="left", font=dict(size=TEXT)),
        hoverlabel=dict(font_size=TEXT))
    slide.update_xaxes(tickfont=dict(size=TEXT, color=INK), title_font=dict(size=AXIS_TITLE),
                       showgrid=False)
    slide.for_each_xaxis(lambda axis: axis.update(title_text=wrapped(axis.title.text)))
    slide.update_yaxes(tickfont=dict(size=TEXT, color=INK), title_font=dict(size=AXIS_TITLE),
                       gridcolor=GRID)
    slide.update_traces(textfont_size=TEXT, insidetextfont_size=TEXT, outsidetextfont_size=TEXT,
                        textposition="outside", cliponaxis=False, selector=dict(type="bar"))
    return slide


def only(figure: go.Figure, name: str) -> go.Figure:
    """A copy of ``figure`` with only its trace called ``name``: a grouped bar chart of
    twelve areas has room for one bar each on a slide, not two."""
    kept = go.Figure(figure)
    kept.data = [trace for trace in kept.data if trace.name == name]
    return kept.update_layout(showlegend=False)


def wrapped(title: str | None) -> str | None:
    """An axis title broken into lines of at most AXIS_WRAP characters."""
    return "<br>".join(textwrap.wrap(title, AXIS_WRAP)) if title else title


def is_source(note) -> bool:
    """Whether a plotly annotation is the chart's source line (see SOURCE_SIZE)."""
    return note.font is not None and note.font.size == SOURCE_SIZE


def plotly_source(figure: go.Figure) -> str:
    """A plotly chart's source line as plain text (its line breaks undone)."""
    notes = [note.text for note in figure.layout.annotations if is_source(note)]
    return notes[0].replace("<br>", " ") if notes else ""


def enlarged(note) -> go.layout.Annotation:
    """A label on the chart at TEXT px at least, unchanged otherwise."""
    size = max(note.font.size or 0, TEXT) if note.font is not None else TEXT
    return go.layout.Annotation(note).update(font=dict(size=size))
