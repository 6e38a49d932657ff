"""A board pack as a printed document: its figures (Plotly, drawn offline to PNG by
kaleido with the Debian chromium), its HTML and the PDF WeasyPrint lays out from it
(paged media: page numbers from ``@page`` counters, the contents' page numbers from
``target-counter``). Pure: the tables and the manifest come in, bytes go out.
"""

from __future__ import annotations

import asyncio
import base64
import html
import os
import textwrap
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from analysis.disclosure import SYNTHETIC_LABEL
from components.source import OGL_ATTRIBUTION

#: Debian's chromium, which kaleido drives when no Chrome of its own is installed (it
#: never downloads one here).
CHROMIUM = Path("/usr/bin/chromium")
FIGURE_SIZE = {"width": 900, "height": 520}
#: The most rows of one table the PDF prints (the XLSX has them all).
PDF_ROWS = 40

CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
  @bottom-left { content: string(packname); font: 8pt "DejaVu Sans", sans-serif;
                 color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font: 8pt "DejaVu Sans", sans-serif; color: #555; }
  @top-right { content: string(synthetic); font: 8pt "DejaVu Sans", sans-serif;
               color: #a33; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #111; }
.packname { string-set: packname content(); display: none; }
.synthetic-mark { string-set: synthetic content(); display: none; }
h1 { font-size: 24pt; margin: 40mm 0 6mm 0; }
h2 { font-size: 15pt; page-break-before: always; border-bottom: 2px solid #1f4e79;
     padding-bottom: 2mm; color: #1f4e79; }
h3 { font-size: 11pt; margin: 5mm 0 2mm 0; }
.cover p { font-size: 12pt; margin: 2mm 0; }
.banner { background: #fbe3e3; border: 1px solid #a33; padding: 3mm; font-weight: bold;
          margin: 6mm 0; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; font-size: 8pt; }
th { background: #e8eef5; text-align: left; padding: 1mm 1.5mm; }
td { border-bottom: 0.5pt solid #ccc; padding: 1mm 1.5mm; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
tr { page-break-inside: avoid; }
.note { color: #555; font-size: 8pt; }
.contents a { color: #111; text-decoration: none; }
.contents a::after { content: leader('.') target-counter(attr(href), page); }
.contents li { list-style: none; font-size: 12pt; margin: 2mm 0; }
img.figure { width: 100%; }
"""


def rate_map(collection: dict, rates: pd.DataFrame, title: str, source: str) -> go.Figure:
    """The RCC's LAs shaded by their rate of children looked after per 10,000, each LA's
    outline a filled shape on plain axes (a geo map would fetch a world outline from the
    internet; this draws offline), with a colour key."""
    known = rates.dropna(subset=["rate_per_10k"]).set_index("code")["rate_per_10k"]
    low, high = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
    figure = go.Figure()
    for feature in collection["features"]:
        code, name = feature["properties"]["code"], feature["properties"]["name"]
        value = known.get(code)
        colour = "#dddddd" if value is None else sample_colorscale(
            "Blues", [0.2 + 0.8 * (value - low) / ((high - low) or 1)])[0]
        for ring in outer_rings(feature["geometry"]):
            figure.add_trace(go.Scatter(x=[p[0] for p in ring], y=[p[1] for p in ring],
                                        fill="toself", fillcolor=colour, mode="lines",
                                        line={"color": "white", "width": 1}, name=name,
                                        showlegend=False, hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=False,
                                marker={"colorscale": [[step / 10, colour] for step, colour in
                                                       enumerate(sample_colorscale(
                                                           "Blues", [0.2 + 0.08 * step for step
                                                                     in range(11)]))],
                                        "cmin": low, "cmax": high, "color": [low],
                                        "showscale": True,
                                        "colorbar": {"title": {"text": "Per 10,000"}}}))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.6)
    return finished(figure, title, source)


def outer_rings(geometry: dict) -> list[list]:
    """The outer ring of each polygon of a GeoJSON Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def rate_bars(rates: pd.DataFrame, england: float | None, title: str,
              source: str) -> go.Figure:
    """The LAs' rates as bars, highest first, with England's rate as a line."""
    ordered = rates.sort_values("rate_per_10k")
    figure = go.Figure(go.Bar(x=ordered["rate_per_10k"], y=ordered["name"], orientation="h",
                              marker_color="#1f4e79", text=ordered["rate_per_10k"],
                              textposition="outside"))
    if england is not None:
        figure.add_vline(x=england, line_dash="dash", line_color="#a33")
        title = f"{title}; dashed line: England, {england:g}"
    figure.update_xaxes(title="Children looked after per 10,000 children")
    return finished(figure, title, source)


def finished(figure: go.Figure, title: str, source: str) -> go.Figure:
    """Title, source line under the plot, white background, print margins."""
    figure.update_layout(title={"text": title, "x": 0.01}, template="plotly_white",
                         margin={"l": 10, "r": 10, "t": 50, "b": 110},
                         font={"family": "DejaVu Sans", "size": 13})
    figure.add_annotation(text="<br>".join(textwrap.wrap(source, 150)), xref="paper",
                          yref="paper", x=0, y=-0.17, align="left",
                          showarrow=False, xanchor="left", yanchor="top",
                          font={"size": 10, "color": "#555"})
    return figure


def pngs(figures: list[go.Figure]) -> list[bytes]:
    """Each figure as a PNG at twice its size (sharp in print), all drawn in one kaleido
    browser session (one start-up). PNG, not SVG: WeasyPrint leaves out the gradients
    of Plotly's colour keys."""
    import kaleido

    if CHROMIUM.exists():
        os.environ.setdefault("BROWSER_PATH", str(CHROMIUM))

    async def draw() -> list[bytes]:
        async with kaleido.Kaleido(n=1) as session:
            return [await session.calc_fig(figure, opts={"format": "png", "scale": 2,
                                                         **FIGURE_SIZE})
                    for figure in figures]

    return asyncio.run(draw()) if figures else []


def cell(value, column: str = "") -> tuple[str, bool]:
    """A value as printed (thousands separators, one decimal place, blank for none; a
    year as a year) and whether it is a number (right-aligned)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "", False
    if column == "year":
        return str(int(value)), True
    if isinstance(value, bool):
        return ("Yes" if value else "No"), False
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()
                                  and abs(value) >= 1):
        return f"{int(value):,}", True
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.2f}", True
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return f"{value:%-d %b %Y}", False
    text = str(value)
    return html.escape(text), len(text) <= 2  # DfE's symbols ('c', 'x') sit with numbers


def table_html(frame: pd.DataFrame, shown: dict[str, str] | None) -> str:
    """One table as HTML: the ``shown`` columns under their headings, at most PDF_ROWS rows
    (saying how many more the XLSX holds)."""
    columns = shown or {column: column.replace("_", " ") for column in frame.columns}
    columns = {column: heading for column, heading in columns.items() if column in frame}
    head = "".join(f"<th>{html.escape(heading)}</th>" for heading in columns.values())
    rows = []
    for record in frame[list(columns)].head(PDF_ROWS).astype(object).itertuples(index=False):
        cells = [cell(value, column) for value, column in zip(record, columns)]
        rows.append("<tr>" + "".join(f'<td class="{"n" if number else ""}">{text}</td>'
                                     for text, number in cells) + "</tr>")
    more = len(frame) - PDF_ROWS
    note = f'<p class="note">{more:,} more rows in the XLSX.</p>' if more > 0 else ""
    if frame.empty:
        return '<p class="note">No rows.</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"


def png_img(png: bytes) -> str:
    """A PNG as an inline image."""
    return (f'<img class="figure" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode("ascii")}"/>')


def cover_html(manifest: dict, synthetic: bool) -> str:
    """The cover: RCC, meeting, who made it and when, the frozen data version."""
    version = manifest["data_version"]
    meeting = date.fromisoformat(manifest["meeting_date"])
    made = datetime.fromisoformat(manifest["made_at"])
    commit = (manifest.get("git_commit") or "not known")[:12]
    banner = f'<div class="banner">{SYNTHETIC_LABEL}</div>' if synthetic else ""
    return (f'<div class="cover"><h1>{html.escape(manifest["rcc"]["name"])} RCC: board pack'
            f'</h1><p>For the board meeting on {meeting:%-d %B %Y}</p>'
            f'<p>Made by {html.escape(manifest["made_by"])} on {made:%-d %B %Y at %H:%M}</p>'
            f'<p>Figures at 31 March {manifest["year"]}'
            + (f'; case-level records at 31 March {manifest["case_year"]}'
               if manifest.get("case_year") else "") + "</p>"
            f'<p class="note">Data version: build of {version["built_at"]}, '
            f'{version["releases"]} datasets, case-level import #{version["case_import"]}, '
            f'schema {version["revision"]}, app commit {commit}.</p>'
            f'{banner}</div>')


def contents_html(sections) -> str:
    """The contents, each entry with its page number (``target-counter``)."""
    items = "".join(f'<li><a href="#{section.key}">{html.escape(section.title)}</a></li>'
                    for section in sections)
    return f'<h2 id="contents">Contents</h2><ul class="contents">{items}' \
           '<li><a href="#version">The frozen data version</a></li></ul>'


def section_html(section, figures: dict[str, list[bytes]]) -> str:
    """One section: heading, sentences, its figure if any, its tables."""
    parts = [f'<h2 id="{section.key}">{html.escape(section.title)}</h2>']
    parts += [f"<p>{html.escape(words)}</p>" for words in section.words]
    parts += [png_img(png) for png in figures.get(section.key, [])]
    for table in section.tables:
        parts.append(f"<h3>{html.escape(table.title)}</h3>")
        frame = table.frame
        if table.name == "unit-costs" and len(frame):
            frame = frame[frame["year"] == frame["year"].max()]
        parts.append(table_html(frame, table.shown))
    return "".join(parts)


def version_html(manifest: dict) -> str:
    """The frozen data version in plain words, and the licence."""
    run = manifest.get("forecast_run")
    cap = manifest["cap"]
    board = cap.get("board_cap")
    imports = manifest["case_imports"]
    lines = [
        f"Datasets: {len(manifest['releases'])}, each with its checksum in the XLSX's "
        "Version sheet.",
        f"Case-level imports in force for the RCC's LAs: {len(imports)}"
        + (f" (ids {imports[0]['id']} to {imports[-1]['id']})" if imports else "") + ".",
        "Forecasts: " + (f"run #{run['id']} fitted {run['fitted_at'][:16]}"
                         + (" (out of date)" if run["stale"] else "") if run
                         else "no forecast run stored") + ".",
        f"Fee cap counted against: {cap['percent_in_use']:g}% of operating cost "
        + (f"(the board's, from {board['effective_from']})" if board
           else "(the reference cap: the board has set none)") + ".",
        "Flag rule: default settings (" + ", ".join(
            f"{key.replace('_', ' ')} {value}" for key, value in
            manifest["rule_settings"].items()) + ").",
    ]
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (f'<h2 id="version">The frozen data version</h2><ul>{items}</ul>'
            f"<p>{html.escape(OGL_ATTRIBUTION)}</p>")


def document(manifest: dict, sections, figures: dict[str, list[bytes]], synthetic: bool) -> str:
    """The whole pack as one HTML document."""
    name = f'{manifest["rcc"]["name"]} RCC board pack, {manifest["meeting_date"]}'
    marks = f'<div class="packname">{html.escape(name)}</div>' + (
        f'<div class="synthetic-mark">{SYNTHETIC_LABEL}</div>' if synthetic else "")
    body = (marks + cover_html(manifest, synthetic)
            + contents_html(sections)
            + "".join(section_html(section, figures) for section in sections)
            + version_html(manifest))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(name)}</title><style>{CSS}</style></head>"
            f"<body>{body}</body></html>")


def pdf(document_html: str) -> bytes:
    """The PDF WeasyPrint lays out from the document."""
    from weasyprint import HTML

    return HTML(string=document_html).write_pdf()
