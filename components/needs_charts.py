"""Plotly figures for the needs audit: which needs children have, how many each, which go
together, the cohorts, how often and how intensely needs show, and the specificity gap.

The tables come from the needs disclosure family already protected, so a count or share
may be "c" (hidden) or NaN (nothing to count: a group with no children). Neither is ever
drawn as a number, not even as 0: a hidden bar or cell is left out and written "c", a
NaN one is left blank, and a note above the source line says what "c" and blank mean.
Need codes are shown by their plain labels (the store's need_category vocabulary). The
synthetic-data label is the page's to add, not the figure's.
"""

from __future__ import annotations

import textwrap
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis import needs_audit as rules
from analysis import specificity
from analysis.disclosure import SUPPRESSED
from components.charts import ENGLAND_COLOUR, HIGHLIGHT, LEGEND_ROW, SCOPE_COLOUR, finish
from components.placement_charts import FAR_COLOUR

HIDDEN_NOTE = ("c: hidden to protect children's identities (counts of 1-4 and cells that "
               "would reveal them).")
BLANK_NOTE = "Blank: no children to count."
#: The source line when the page passes none: every figure here counts case-level records.
CASE_LEVEL_SOURCE = ("Counted from children's case-level records (SSDA903 and Placements "
                     "Standard v2) held in RCC Insight.")
SOURCE_WRAP = 60  # characters per source line, as ``finish`` wraps it
NOTE_LINE = 18  # px per line of the small type under the plot, as in ``finish``
SEQUENTIAL = "Blues"
#: Lift on a log scale centred on 1 ("as often as by chance"); colour stops at 1/8 and 8
#: so scopes compare. Red-blue is one of ColorBrewer's colour-blind-safe diverging scales.
DIVERGING = "RdBu_r"
LIFT_LIMIT = 3  # log2: lift from 1/8 to 8
LIFT_TICKS = [0.125, 0.25, 0.5, 1, 2, 4, 8]
#: Intensity rows of the grid: highest at the top, not recorded below them.
INTENSITY_ROWS = [*[i for i in rules.INTENSITIES if i != rules.NOT_RECORDED][::-1],
                  rules.NOT_RECORDED]
BAR_ROW = 44  # px per need in a bar chart: bars thick enough for 15 px numbers
PAIR_ROW = 60  # ... and per need with two bars
CELL_ROW = 46  # px per row of a heat map at least: room for 14 px numbers
ROW_WRAP = 26  # characters per line of a row's name
COLUMN_WRAP = 13  # characters per line of a column's name side by side
TURNED_WRAP = 16  # ... and turned upright (two lines fit a column)
SIDE_BY_SIDE = 5  # at most this many column names side by side
PLOT_MARGINS = 180  # px ``finish`` takes from ``height`` for margins (110 + the source's 70)


# --- values that may be hidden ------------------------------------------------------------

def as_series(values) -> pd.Series:
    """Any values as an object Series (a Series keeps its index)."""
    return values.astype(object) if isinstance(values, pd.Series) else \
        pd.Series(list(values), dtype=object)


def numbers(values) -> pd.Series:
    """Values as floats: 'c' and anything else not a number become NaN, never 0."""
    return pd.to_numeric(as_series(values), errors="coerce").astype(float)


def is_hidden(values) -> pd.Series:
    """True where a value is the suppression symbol."""
    return as_series(values).map(lambda v: isinstance(v, str) and v == SUPPRESSED).astype(bool)


def value_text(value, form) -> str:
    """'c' if hidden, '' if there is nothing to count, else ``form`` of the number."""
    if isinstance(value, str) and value == SUPPRESSED:
        return SUPPRESSED
    number = pd.to_numeric(value, errors="coerce")
    return "" if pd.isna(number) else form(float(number))


def percent_text(value) -> str:
    """'34%' for a share; '<1%' for one that rounds to 0 but is not ('0%' would read as
    none); 'c' if hidden; '' if there is nothing to count."""
    return value_text(value, lambda n: "<1%" if 0 < n < 0.5 else f"{half_up(n, 0)}%")


def count_text(value) -> str:
    """'1,234' for a count, 'c' if hidden, '' if there is nothing to count."""
    return value_text(value, lambda n: f"{n:,.0f}")


def decimal_text(value) -> str:
    """A number to 1 decimal place (a lift, a mean), 'c' if hidden, '' if blank."""
    return value_text(value, lambda n: half_up(n, 1))


def half_up(number: float, places: int) -> str:
    """``number`` to ``places`` decimals, halves rounded up as a reader does (12.5% ->
    '13%'; Python's own rounding gives '12%'), from its shortest decimal form."""
    return str(Decimal(repr(number)).quantize(Decimal(1).scaleb(-places),
                                              rounding=ROUND_HALF_UP))


def notes_for(*columns) -> list[str]:
    """The notes a figure needs: what 'c' means if anything is hidden, what blank means if
    anything has nothing to count."""
    values = [v for column in columns for v in column]
    hidden = is_hidden(values)
    blank = numbers(values).isna() & ~hidden
    return [note for note, needed in ((HIDDEN_NOTE, hidden.any()), (BLANK_NOTE, blank.any()))
            if needed]


def need_label(code: str, labels: Mapping[str, str]) -> str:
    """A need's plain label; a code missing from the vocabulary in words ('new_need' ->
    'New need'), so no raw code reaches a trustee."""
    return labels.get(code) or code.replace("_", " ").capitalize()


def wrap(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, joined for plotly."""
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False,
                                     break_on_hyphens=False)) or str(text)


def lines_of(labels) -> list[str]:
    """Every line of wrapped labels, for measuring how far they push the plot right."""
    return [line for label in labels for line in str(label).split("<br>")]


# --- layout --------------------------------------------------------------------------------

def finish_noted(fig: go.Figure, title: str, source: str, notes: list[str], *,
                 height: int, indent: int = 0) -> go.Figure:
    """``finish`` with the notes (what 'c' and blank mean) on their own lines above the
    source line, the figure taller by as many lines so the plot keeps its size."""
    lines = textwrap.wrap(" ".join(notes), SOURCE_WRAP)
    fig = finish(fig, title, source, height=height + NOTE_LINE * len(lines), indent=indent)
    if lines:
        source_note = fig.layout.annotations[-1]
        source_note.text = "<br>".join(lines) + "<br>" + source_note.text
        fig.update_layout(margin_b=fig.layout.margin.b + NOTE_LINE * len(lines))
    return fig


def empty_figure(title: str, source: str, message: str) -> go.Figure:
    """A figure that says there is nothing to show, rather than empty axes."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font=dict(size=18))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, title, source, height=300)


def mark_hidden(fig: go.Figure, positions, hidden, horizontal: bool = True) -> None:
    """Write 'c' at the base of each hidden bar, where its bar would start: a gap, not 0."""
    for position, secret in zip(positions, hidden):
        if secret:
            where = dict(x=0, y=position, xanchor="left", xshift=4) if horizontal else \
                dict(x=position, y=0, yanchor="bottom", yshift=4)
            fig.add_annotation(text=SUPPRESSED, showarrow=False, font=dict(size=15), **where)


def hide_empty_scale(fig: go.Figure, axis: str) -> bool:
    """No numbers on the value axis when every bar is hidden or blank (a scale of 0 to 1
    would read as counts of a fraction of a child); True if so."""
    values = [v for trace in fig.data for v in (trace.x if axis == "x" else trace.y)]
    empty = bool(numbers(values).isna().all())
    if empty:
        fig.update_layout(**{f"{axis}axis_showticklabels": False})
    return empty


def bar_rows(fig: go.Figure, names: list[str]) -> None:
    """Horizontal bars at positions 0, 1, ... named on the axis, the first at the top."""
    fig.update_yaxes(tickvals=list(range(len(names))), ticktext=names, autorange="reversed",
                     title=None, automargin=True, showgrid=False)


def finish_bars(fig: go.Figure, title: str, source: str, notes: list[str], names: list[str],
                axis_title: str, row: int) -> go.Figure:
    """Horizontal bars named on the axis (``names`` as wrapped by ``wrap``), each row at
    least ``row`` px and tall enough for its name, the value axis from 0."""
    bar_rows(fig, names)
    fig.update_xaxes(title=axis_title, rangemode="tozero")
    hide_empty_scale(fig, "x")
    height = max(340, max(row, row_height(names)) * len(names) + 140)
    return finish_noted(fig, title, source, notes, height=height, indent=indent_for(names))


def heat_map(fig: go.Figure, values: pd.DataFrame, text: pd.DataFrame, *, hover: str,
             **scale) -> None:
    """A heat map of ``values`` (rows x columns; 'c' and NaN left uncoloured) with ``text``
    in each cell; row names at the left, column names above the columns (turned upright
    when there are too many to sit side by side)."""
    rows, columns = list(values.index), list(values.columns)
    z = values.apply(numbers).to_numpy(dtype=float)
    fig.add_trace(go.Heatmap(
        z=z, x=columns, y=rows, text=text.to_numpy(), texttemplate="%{text}",
        textfont=dict(size=14), xgap=2, ygap=2, hoverongaps=False,
        hovertemplate=hover + "<extra></extra>", **scale))
    fig.update_yaxes(autorange="reversed", automargin=True, tickvals=rows, showgrid=False,
                     ticktext=[wrap(row, ROW_WRAP) for row in rows], title=None)
    fig.update_xaxes(side="top", tickangle=-90 if turned(columns) else 0, automargin=True,
                     tickvals=columns, ticktext=column_names(columns), showgrid=False)
    if np.isnan(z).all():  # plotly draws neither cells nor their text: write the text alone
        fig.add_trace(go.Scatter(
            x=[column for _ in rows for column in columns],
            y=[row for row in rows for _ in columns], text=text.to_numpy().ravel(),
            mode="text", textfont=dict(size=14), hoverinfo="skip", showlegend=False))
        fig.update_xaxes(range=[-0.5, len(columns) - 0.5])  # each word in the middle of its cell
        fig.update_yaxes(range=[len(rows) - 0.5, -0.5], autorange=False)


def turned(columns: list[str]) -> bool:
    """Column names stand upright when more than ``SIDE_BY_SIDE`` columns share a 1024 px
    projector: side by side, "Neurodevelopmental" would run into its neighbours."""
    return len(columns) > SIDE_BY_SIDE


def column_names(columns: list[str]) -> list[str]:
    """Column names as drawn: wrapped narrow side by side, wider when turned upright."""
    width = TURNED_WRAP if turned(columns) else COLUMN_WRAP
    return [wrap(column, width) for column in columns]


def header_height(columns: list[str]) -> int:
    """The column names' height in px: lines of 20 px side by side, or the longest line's
    length (~7.5 px a character at 14 px) when turned upright."""
    names = column_names(columns)
    if turned(columns):
        return round(7.5 * max((len(line) for line in lines_of(names)), default=0))
    return 20 * max((name.count("<br>") + 1 for name in names), default=1)


def row_height(names: list[str]) -> int:
    """px per row of a heat map or pair of bars: room for its longest wrapped name."""
    return max(CELL_ROW, 19 * max((name.count("<br>") + 1 for name in names), default=1) + 12)


def indent_for(names: list[str]) -> int:
    """How far (px) row names push the plot right of the figure's edge, so the source line
    starts at the edge: ~7 px a character of the longest line at 15 px (an underestimate:
    more would push the source line off the figure)."""
    return 7 * max((len(line) for line in lines_of(names)), default=0)


def finish_heat_map(fig: go.Figure, title: str, source: str, notes: list[str],
                    rows: list[str], columns: list[str]) -> go.Figure:
    """``finish_noted`` sized so each row has room for its name and the column names have
    room above the plot (where the legend would be: heat maps have none)."""
    names = [wrap(row, ROW_WRAP) for row in rows]
    fig = finish_noted(fig, title, source, notes,
                       height=max(240, row_height(names) * len(rows)) + PLOT_MARGINS,
                       indent=indent_for(names))
    above = header_height(columns) + 16 - LEGEND_ROW
    return fig.update_layout(height=fig.layout.height + above,
                             margin_t=fig.layout.margin.t + above)


# --- prevalence ----------------------------------------------------------------------------

def overall(table: pd.DataFrame) -> pd.DataFrame:
    """The rows for all children of a prevalence table (group 'All' when it has groups)."""
    if "group" in table and (table["group"] == rules.ALL).any():
        return table[table["group"] == rules.ALL]
    return table


def by_share(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows with the largest share first, hidden ones next, those with nothing to count
    last (ties in table order)."""
    rank = numbers(table[column]).fillna(-2).to_numpy() + is_hidden(table[column]).to_numpy()
    return table.iloc[np.argsort(-rank, kind="stable")]


def prevalence_bars(table: pd.DataFrame, labels: Mapping[str, str], scope_name: str,
                    compare: pd.DataFrame | None = None, *,
                    source: str = CASE_LEVEL_SOURCE, title: str | None = None) -> go.Figure:
    """Share of the scope's children with each need (``analysis.needs_audit`` prevalence: need,
    share_pct; the group 'All' if it has groups), most common at the top, England's share
    (``compare``, the same table for England) as a grey mark on each bar."""
    title = title or f"How many children in {scope_name} have each need?"
    rows = by_share(overall(table), "share_pct")
    if rows.empty:
        return empty_figure(title, source, "No needs to show")
    names = [need_label(code, labels) for code in rows["need"]]
    positions = list(range(len(rows)))
    fig = go.Figure(go.Bar(
        x=numbers(rows["share_pct"]), y=positions, orientation="h", name=scope_name,
        marker_color=SCOPE_COLOUR, width=0.7, text=[percent_text(v) for v in rows["share_pct"]],
        textposition="auto", insidetextanchor="start", textangle=0,
        insidetextfont=dict(color="white", size=15), outsidetextfont=dict(size=15),
        customdata=names, hovertemplate="%{customdata}: %{x:.1f}%<extra></extra>"))
    notes = notes_for(rows["share_pct"])
    if compare is not None:
        england = overall(compare).set_index("need")["share_pct"].reindex(rows["need"])
        fig.add_trace(go.Scatter(
            x=numbers(england), y=positions, mode="markers", name="England",
            marker=dict(symbol="line-ns", size=34, line=dict(width=4, color=ENGLAND_COLOUR)),
            customdata=names, hovertemplate="%{customdata}: England %{x:.1f}%<extra></extra>"))
        notes = notes_for(rows["share_pct"], england[is_hidden(england)])
    mark_hidden(fig, positions, is_hidden(rows["share_pct"]))
    return finish_bars(fig, title, source, notes, [wrap(name, ROW_WRAP) for name in names],
                       "% of children with the need", BAR_ROW)


def prevalence_by_group(table: pd.DataFrame, labels: Mapping[str, str], grouping_name: str,
                        *, source: str = CASE_LEVEL_SOURCE,
                        title: str | None = None) -> go.Figure:
    """A heat map of the share of children with each need (rows, most common first) in
    each group (columns, e.g. age bands), the % written in each cell. A group with no
    children at all is left out rather than shown as a blank column."""
    grouping = grouping_name[:1].lower() + grouping_name[1:]  # "Age" from the page's radio
    title = title or (f"Which needs are most common by {grouping}? (% of each group "
                      "with the need; darker: more)")
    counted = numbers(table["children"]).gt(0) | is_hidden(table["children"])
    groups = list(dict.fromkeys(table.loc[counted.to_numpy(), "group"]))
    if not groups:
        return empty_figure(title, source, "No children to show")
    shares = table.pivot(index="need", columns="group", values="share_pct")[groups]
    mean = shares.apply(numbers).mean(axis=1).fillna(-1)
    shares = shares.loc[mean.sort_values(ascending=False, kind="stable").index]
    shares.index = [need_label(code, labels) for code in shares.index]
    fig = go.Figure()
    heat_map(fig, shares, shares.map(percent_text), colorscale=SEQUENTIAL, zmin=0,
             zmax=max(10.0, float(np.nanmax(shares.apply(numbers).to_numpy(), initial=0))),
             showscale=False, hover="%{y}, %{x}: %{text}")
    fig.update_xaxes(title=None)
    return finish_heat_map(fig, title, source, notes_for(*shares.to_numpy()),
                           list(shares.index), groups)


def needs_per_child(distribution: pd.DataFrame, mean, share_4_plus, *,
                    source: str = CASE_LEVEL_SOURCE, title: str | None = None) -> go.Figure:
    """Children by number of needs ('0' to '6+'), the bars of 4 or more in a second colour,
    with the mean and the % with 4 or more (``share_4_plus``, a percentage) in the title."""
    facts = summary_facts(mean, share_4_plus)
    title = title or "How many needs does each child have?" + (f" {facts}" if facts else "")
    if distribution.empty:
        return empty_figure(title, source, "No children to show")
    many = distribution["needs"].map(lambda b: int(str(b).rstrip("+")) >= rules.MANY_NEEDS)
    fig = go.Figure()
    for name, rows, colour in (("Fewer than 4 needs", distribution[~many], SCOPE_COLOUR),
                               ("4 or more needs", distribution[many], HIGHLIGHT)):
        fig.add_trace(go.Bar(
            x=rows["needs"], y=numbers(rows["children"]), name=name, marker_color=colour,
            text=[count_text(v) for v in rows["children"]], textposition="outside",
            textfont=dict(size=15), cliponaxis=False,
            hovertemplate="%{x} needs: %{y:,} children<extra></extra>"))
    mark_hidden(fig, distribution["needs"], is_hidden(distribution["children"]),
                horizontal=False)
    fig.update_xaxes(title="Number of needs recorded", type="category",
                     categoryorder="array", categoryarray=list(distribution["needs"]))
    fig.update_yaxes(title="Children", rangemode="tozero")
    # The source line starts at the figure's edge, left of the axis's title and numbers.
    most = numbers(distribution["children"]).max()
    top = [] if hide_empty_scale(fig, "y") else [count_text(most)]
    indent = 25 + indent_for(top)
    fig.update_layout(bargap=0.25)
    notes = notes_for(distribution["children"], [mean, share_4_plus])
    return finish_noted(fig, title, source, notes, height=420, indent=indent)


def summary_facts(mean, share_4_plus) -> str:
    """'3.9 needs on average; 41% have 4 or more', each part left out when there is
    nothing to show and written 'c' when hidden."""
    mean_text = decimal_text(mean)
    share_text = percent_text(share_4_plus)
    parts = [f"{mean_text} needs on average" if mean_text else "",
             f"{share_text} have 4 or more" if share_text else ""]
    return "; ".join(part for part in parts if part)


# --- which needs go together ----------------------------------------------------------------

def co_occurrence_heatmap(pairs: pd.DataFrame, labels: Mapping[str, str],
                          measure: str = "share", *, source: str = CASE_LEVEL_SOURCE,
                          title: str | None = None) -> go.Figure:
    """Every pair of needs as a symmetric heat map: the % of children with both
    (``measure='share'``) or how many times as often they go together as if unrelated
    (``'lift'``, a red-blue scale centred on 1). Values written in the cells; the diagonal
    (a need with itself) and hidden cells are uncoloured."""
    if measure not in ("share", "lift"):
        raise ValueError(f"measure must be 'share' or 'lift', not {measure!r}")
    column = "share_of_all_pct" if measure == "share" else "lift"
    title = title or ("Which needs go together? % of children with both needs"
                      if measure == "share" else
                      "Which needs go together more than by chance? Times as often as if "
                      "unrelated (red: more often)")
    if pairs.empty:
        return empty_figure(title, source, "Fewer than two needs: no pairs to show")
    codes = list(dict.fromkeys([c for c in labels if c in set(pairs["need_a"])
                                | set(pairs["need_b"])]
                               + list(pairs["need_a"]) + list(pairs["need_b"])))
    matrix = pd.DataFrame(np.nan, index=codes, columns=codes, dtype=object)
    for a, b, value in zip(pairs["need_a"], pairs["need_b"], pairs[column]):
        matrix.loc[a, b] = matrix.loc[b, a] = value
    names = [need_label(code, labels) for code in codes]
    matrix.index, matrix.columns = names, names
    fig = go.Figure()
    if measure == "share":
        heat_map(fig, matrix, matrix.map(percent_text), colorscale=SEQUENTIAL, zmin=0,
                 showscale=False, hover="%{y} and %{x}: %{text} of children")
    else:
        heat_map(fig, log_lift(matrix), matrix.map(decimal_text), colorscale=DIVERGING,
                 zmid=0, zmin=-LIFT_LIMIT, zmax=LIFT_LIMIT, colorbar=LIFT_BAR,
                 hover="%{y} and %{x}: %{text} times as often as by chance")
    off_diagonal = [matrix.iat[i, j] for i in range(len(codes)) for j in range(len(codes))
                    if i != j]
    return finish_heat_map(fig, title, source, notes_for(off_diagonal), names, names)


LIFT_BAR = dict(title=dict(text="Times as<br>often", side="top"), thickness=14, len=0.7,
                tickvals=list(np.log2(LIFT_TICKS)),
                ticktext=[f"{t:g}" if t >= 1 else f"1/{1 / t:g}" for t in LIFT_TICKS])


def log_lift(matrix: pd.DataFrame) -> pd.DataFrame:
    """log2 of each lift, held within the scale's ends (a lift of 0 is the bottom colour);
    hidden and blank cells stay NaN."""
    return np.log2(matrix.apply(numbers).clip(lower=2.0 ** -LIFT_LIMIT,
                                              upper=2.0 ** LIFT_LIMIT))


# --- cohorts and intensity ----------------------------------------------------------------

def cohort_profiles(profile_table: pd.DataFrame, labels: Mapping[str, str], *,
                    source: str = CASE_LEVEL_SOURCE, title: str | None = None) -> go.Figure:
    """Cohorts (rows, all children first for reference) by needs (columns): the % of each
    cohort's children with each need (``analysis.lca.profile_table``, probabilities)."""
    title = title or "What needs mark out each cohort? % of each cohort with each need"
    cohorts = [c for c in profile_table.columns if c not in ("need", "label", "all_children")]
    if profile_table.empty or not cohorts:
        return empty_figure(title, source, "No cohorts to show")
    names = [need_label(code, labels) for code in profile_table["need"]]
    shares = profile_table[["all_children", *cohorts]].apply(numbers) * 100
    shares = shares.set_axis(names).T.set_axis(["All children", *cohorts])
    fig = go.Figure()
    heat_map(fig, shares, shares.map(percent_text), colorscale=SEQUENTIAL, zmin=0, zmax=100,
             showscale=False, hover="%{y}: %{text} with %{x}")
    return finish_heat_map(fig, title, source, notes_for(*shares.to_numpy()),
                           list(shares.index), names)


def intensity_frequency_grid(grid: pd.DataFrame, need_label: str, *,
                             source: str = CASE_LEVEL_SOURCE,
                             title: str | None = None) -> go.Figure:
    """One need's children by intensity (rows, high at the top) and frequency (columns,
    rarely to daily), the count in each cell (``analysis.needs_audit`` intensity_frequency rows
    of one need). 'Not recorded' shows only when some child has it."""
    title = title or f"{need_label}: how often and how intensely? Children in each cell"
    if "need" in grid and grid["need"].nunique() > 1:
        raise ValueError("intensity_frequency_grid draws one need: filter the grid first")
    if grid.empty:
        return empty_figure(title, source, "No children with this need")
    counts = grid.pivot(index="intensity", columns="frequency", values="children")
    counts = counts.reindex(index=INTENSITY_ROWS, columns=rules.FREQUENCIES)
    recorded = (counts.apply(numbers).fillna(0) > 0) | counts.apply(is_hidden).set_axis(
        counts.index)
    keep_rows = [r for r in counts.index if r != rules.NOT_RECORDED or recorded.loc[r].any()]
    keep_columns = [c for c in counts.columns
                    if c != rules.NOT_RECORDED or recorded[c].any()]
    counts = counts.loc[keep_rows, keep_columns]
    counts.index = [str(r).capitalize() for r in counts.index]
    counts.columns = [str(c).capitalize() for c in counts.columns]
    fig = go.Figure()
    heat_map(fig, counts, counts.map(count_text), colorscale=SEQUENTIAL, zmin=0,
             showscale=False, hover="%{y} intensity, %{x}: %{text} children")
    fig.update_xaxes(title="How often it shows")
    fig.update_yaxes(title="How intense")
    return finish_heat_map(fig, title, source, notes_for(*counts.to_numpy()),
                           list(counts.index), list(counts.columns))


# --- the specificity gap --------------------------------------------------------------------

def cohort_order(cohorts: pd.Series) -> list:
    """All children first, then the cohorts in number order, those in no cohort last."""
    def key(cohort):
        if cohort == specificity.ALL:
            return (0, 0, "")
        if cohort == specificity.NO_COHORT:
            return (2, 0, "")
        number = pd.to_numeric(cohort, errors="coerce")
        return (1, number if pd.notna(number) else np.inf, str(cohort))
    return sorted(dict.fromkeys(cohorts), key=key)


def named_rcc(table: pd.DataFrame) -> str | None:
    """The RCC a table of one RCC names in its ``rcc`` column, if it has one."""
    names = table["rcc"].dropna().unique() if "rcc" in table else []
    return str(names[0]) if len(names) == 1 else None


def cohort_word(cohort) -> str:
    """A cohort without a given name: 'Cohort 2' for a bare number, else as it is (the
    page's cohorts are already named, '2. Criminal exploitation and going missing')."""
    return f"Cohort {cohort}" if pd.notna(pd.to_numeric(cohort, errors="coerce")) else \
        str(cohort)


def specificity_gap_bars(summary: pd.DataFrame, *, source: str = CASE_LEVEL_SOURCE,
                         rcc_name: str | None = None,
                         cohort_names: Mapping[str, str] | None = None,
                         title: str | None = None) -> go.Figure:
    """For one RCC (``specificity.gap_summary`` or ``data.gap_tables.gap_table`` rows), per
    cohort: children in residential care beside the places inside the RCC that match them,
    the gap (children the RCC's homes could not take) written under the cohort's name.
    ``cohort_names`` maps bare cohort numbers ('1', '2', ...) to names; ``rcc_name``
    defaults to the table's ``rcc``."""
    rcc_name = rcc_name or named_rcc(summary)
    where = f" {rcc_name}" if rcc_name else " the RCC"
    title = title or f"Does{where} have the homes its children need? Children in " \
                     "residential care and matching places inside the RCC"
    if "rcc" in summary and summary["rcc"].nunique() > 1:
        raise ValueError("specificity_gap_bars draws one RCC: filter the summary first")
    if summary.empty:
        return empty_figure(title, source, "No children in residential care to show")
    rows = summary.set_index("cohort").loc[cohort_order(summary["cohort"])]
    # ``specificity.gap_summary`` names the column "matching places", the store's export
    # "matching_places": either is read.
    matching = next(c for c in (specificity.MATCHING, "matching_places") if c in rows)
    named = {specificity.ALL: "All children", specificity.NO_COHORT: "No cohort",
             **{str(number): name for number, name in (cohort_names or {}).items()}}
    names = [wrap(named.get(str(c)) or cohort_word(c), ROW_WRAP)
             + f"<br><b>Gap: {count_text(g)}</b>"
             for c, g in zip(rows.index, rows[specificity.GAP])]
    fig = go.Figure()
    positions = np.arange(len(rows), dtype=float)
    for column, name, colour, shift in (
            (specificity.CHILDREN, "Children in residential care", SCOPE_COLOUR, -0.2),
            (matching, "Matching places inside the RCC", FAR_COLOUR, 0.2)):
        add_bars(fig, rows[column], positions + shift, name, colour, count_text)
    notes = notes_for(rows[specificity.CHILDREN], rows[matching], rows[specificity.GAP])
    return finish_bars(fig, title, source, notes, names, "Children or places", PAIR_ROW)


def add_bars(fig: go.Figure, values: pd.Series, positions, name: str, colour: str,
             text) -> None:
    """One series of a pair of horizontal bars (each 0.38 of a row, at ``positions``), its
    values written at their ends and its hidden values marked 'c' at the base."""
    fig.add_trace(go.Bar(
        x=numbers(values), y=positions, orientation="h", name=name, marker_color=colour,
        width=0.38, text=[text(v) for v in values], textposition="outside",
        textfont=dict(size=15), cliponaxis=False,
        hovertemplate=f"{name}: %{{x:,}}<extra></extra>"))
    mark_hidden(fig, positions, is_hidden(values))


def exports_bars(shares: pd.DataFrame, labels: Mapping[str, str], *,
                 source: str = CASE_LEVEL_SOURCE, rcc_name: str | None = None,
                 title: str | None = None) -> go.Figure:
    """Each need's % among the children an RCC places outside it beside its % among those
    placed inside (``specificity.exports_shares`` or ``cohort_tables.exports``), the needs
    most common among children sent away at the top: the homes the RCC lacks.
    ``rcc_name`` defaults to the table's ``rcc``."""
    rcc_name = rcc_name or named_rcc(shares)
    who = f"the children {rcc_name} places" if rcc_name else "children placed"
    title = title or f"Which needs do {who} outside the RCC have?"
    if shares.empty:
        return empty_figure(title, source, "No children placed to compare")
    rows = by_share(shares, "pct_outside")
    names = [need_label(code, labels) for code in rows["need"]]
    positions = np.arange(len(rows), dtype=float)
    fig = go.Figure()
    for column, total, name, colour, shift in (
            ("pct_outside", "children_outside", "Placed outside the RCC", HIGHLIGHT, -0.2),
            ("pct_inside", "children_inside", "Placed inside the RCC", SCOPE_COLOUR, 0.2)):
        children = count_text(rows[total].iloc[0])
        add_bars(fig, rows[column], positions + shift, f"{name} ({children} children)",
                 colour, percent_text)
    notes = notes_for(rows["pct_outside"], rows["pct_inside"])
    return finish_bars(fig, title, source, notes, [wrap(name, ROW_WRAP) for name in names],
                       "% of the children with the need", PAIR_ROW)
