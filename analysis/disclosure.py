"""Disclosure control for counts derived from case-level data, and the synthetic-data label.

Case-level counts (children, episodes, placements counted from imported or synthetic
903 / Placements v2 rows) are protected before any table, chart, map or export shows
them. Published DfE figures are not handled here: they keep DfE's own symbols (c, z, x,
low), see ``analysis.suppression``.

The rule
--------
1. *Primary suppression*: a count of 1 to 4 is shown as "c". Zero stays 0 (as in DfE's
   tables: a true zero discloses nothing about a child) and missing values stay missing.
2. *Secondary suppression*: counts are arranged in *lines*, sets of cells that add up to a
   total the reader knows: each row across the count columns, and each count column down
   the rows (within each group, if the table is in long format). A line's total is the
   table's total column or total row where there is one; where there is none the total is
   assumed to be published elsewhere (a conservative default: ``totals_known``).
   Whenever a line has exactly one hidden cell, that cell could be recovered by
   subtraction, so the line's smallest other non-zero count is hidden too (if there is
   none, the line's total; if that is known from elsewhere, a zero, shown as "c" like
   any hidden cell); hiding it can leave another line with a single hidden cell, so this
   repeats until no line has exactly one.
3. *Audit*: a hidden cell can still be pinned down by combining several lines (for
   example a cell joining two otherwise separate blocks of hidden cells). The lines are a
   linear system in the hidden cells; any hidden cell that system determines exactly gets
   one more cell hidden in one of its lines, until none is determined.

What it does not claim: a reader who knows that a primary "c" lies between 1 and 4 can
sometimes narrow a hidden value to a range; only exact recovery is prevented.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

SYNTHETIC_LABEL = "Synthetic case-level data — not real children"
SUPPRESSED = "c"
THRESHOLD = 5  # counts from 1 to THRESHOLD - 1 are suppressed
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Line:
    """Cells (flat indices) that add up to a total: a cell of the table, or a known number."""

    members: tuple[int, ...]
    total: int | None  # flat index of the total cell; None: the total is shown elsewhere


# --- primary and secondary suppression ----------------------------------------------------

def is_primary(values: np.ndarray) -> np.ndarray:
    """Counts of 1 to 4: the cells suppressed in their own right."""
    with np.errstate(invalid="ignore"):
        return (values >= 1) & (values < THRESHOLD)


def suppress(table: pd.DataFrame, count_columns: Iterable[str], *,
             total_column: str | None = None, total_rows: pd.Series | None = None,
             groups: Iterable[str] | None = None, totals_known: bool = True) -> pd.DataFrame:
    """A copy of ``table`` with case-level counts of 1-4 shown as "c", plus the
    secondary suppression that stops them being recovered from totals (module docstring).

    ``count_columns``: the count columns (include ``total_column`` if there is one).
    ``total_column``: a column holding each row's total of the other count columns.
    ``total_rows``: marks rows holding the column totals of the other rows (of their
    group, when ``groups`` is given). ``groups``: columns that split the rows into
    separately totalled blocks (long-format tables). ``totals_known``: treat the sum of a
    row or column without a total cell as known to the reader (safer; the default).

    Count columns that gain a "c" become object dtype; other columns are unchanged.
    """
    columns = list(count_columns)
    if total_column is not None and total_column not in columns:
        columns.append(total_column)
    values = table[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    lines = table_lines(table, columns, total_column, total_rows, groups, totals_known)
    hidden = protect(values.ravel(), lines).reshape(values.shape)
    out = table.copy()
    for j, column in enumerate(columns):
        if hidden[:, j].any():
            shown = out[column].astype(object)
            shown[hidden[:, j]] = SUPPRESSED
            out[column] = shown
    return out


def suppress_matrix(matrix: pd.DataFrame, *, row_total: str | None = None,
                    column_total: object | None = None,
                    totals_known: bool = True) -> pd.DataFrame:
    """``suppress`` for a from/to matrix (rows: from, columns: to), e.g. placements by
    placing LA and placement LA. ``row_total`` names a total column; ``column_total`` is
    the index label of a total row, if the matrix has them."""
    total_rows = None
    if column_total is not None:
        total_rows = pd.Series(matrix.index == column_total, index=matrix.index)
    return suppress(matrix, list(matrix.columns), total_column=row_total,
                    total_rows=total_rows, totals_known=totals_known)


def table_lines(table: pd.DataFrame, columns: list[str], total_column: str | None,
                total_rows: pd.Series | None, groups: Iterable[str] | None,
                totals_known: bool) -> list[Line]:
    """The lines of a table: every row across its counts, every count column down each
    group of rows, each with its total cell (or a total known from elsewhere)."""
    n_rows, n_cols = len(table), len(columns)
    cell = np.arange(n_rows * n_cols).reshape(n_rows, n_cols)
    members = [j for j, c in enumerate(columns) if c != total_column]
    total_j = columns.index(total_column) if total_column is not None else None
    lines = []
    for i in range(n_rows):
        total = None if total_j is None else int(cell[i, total_j])
        if total is not None or totals_known:
            lines.append(Line(tuple(int(c) for c in cell[i, members]), total))
    is_total = np.zeros(n_rows, dtype=bool) if total_rows is None else \
        np.asarray(total_rows, dtype=bool)
    keys = (table[list(groups)].astype(str).agg("\x1f".join, axis=1).to_numpy()
            if groups else np.zeros(n_rows, dtype=int))
    for key in pd.unique(keys):
        rows = np.flatnonzero(keys == key)
        body, totals = rows[~is_total[rows]], rows[is_total[rows]]
        if len(totals) > 1:
            raise ValueError("Each group may have at most one total row.")
        if not len(totals) and not totals_known:
            continue
        for j in range(n_cols):
            total = int(cell[totals[0], j]) if len(totals) else None
            lines.append(Line(tuple(int(c) for c in cell[body, j]), total))
    return [line for line in lines if len(line.members) + (line.total is not None) >= 2]


def protect(values: np.ndarray, lines: list[Line]) -> np.ndarray:
    """Which cells to hide: primary cells, then secondary ones until no hidden cell can be
    recovered by subtraction within a line or by combining lines."""
    hidden = is_primary(values)
    while True:
        changed = secondary_by_line(values, lines, hidden)
        determined = recoverable(hidden, lines)
        if not determined.any():
            return hidden
        added = False
        for index in np.flatnonzero(determined):
            added |= hide_partner(values, lines, hidden, int(index))
            if added:
                break
        if not added and not changed:
            return hidden  # nothing left that could be hidden (e.g. single-cell lines)


def secondary_by_line(values: np.ndarray, lines: list[Line], hidden: np.ndarray) -> bool:
    """Hide one more cell in every line with exactly one hidden cell; repeat until stable."""
    changed_any = False
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = line.members + ((line.total,) if line.total is not None else ())
            if hidden[list(cells)].sum() == 1 and hide_in_line(values, line, hidden):
                changed = changed_any = True
    return changed_any


def hide_in_line(values: np.ndarray, line: Line, hidden: np.ndarray) -> bool:
    """Hide the line's smallest visible non-zero count, else its total, else (the total
    being known from elsewhere) a zero, which is then shown as "c" too. False if none."""
    members = np.asarray(line.members, dtype=int)
    visible = members[~hidden[members] & ~np.isnan(values[members])]
    positive = visible[values[visible] > 0]
    if len(positive):
        hidden[positive[np.argmin(values[positive])]] = True
        return True
    if line.total is not None and not hidden[line.total] and \
            np.nan_to_num(values[line.total]) > 0:
        hidden[line.total] = True
        return True
    if len(visible):
        hidden[visible[0]] = True
        return True
    return False


def hide_partner(values: np.ndarray, lines: list[Line], hidden: np.ndarray, index: int) -> bool:
    """Hide one more cell in a line through ``index``: the smallest visible non-zero count
    of any such line, else a visible zero."""
    best, best_key = None, (np.inf, np.inf)
    for line in lines:
        cells = line.members + ((line.total,) if line.total is not None else ())
        if index not in cells:
            continue
        for cell in cells:
            if hidden[cell] or np.isnan(values[cell]):
                continue
            key = (0 if values[cell] > 0 else 1, values[cell])
            if key < best_key:
                best, best_key = cell, key
    if best is None:
        return False
    hidden[best] = True
    return True


def recoverable(hidden: np.ndarray, lines: list[Line]) -> np.ndarray:
    """Hidden cells whose value the shown cells and totals determine exactly.

    Each line is an equation (members minus total = 0); shown cells are known, hidden
    ones unknown. A hidden cell is determined when every solution of the homogeneous
    system leaves it unchanged, i.e. it is zero in every null-space vector; equivalently,
    its unit vector lies in the row space. The row-space test needs only the thin SVD, which
    keeps a 153 x 153 LA flow matrix (thousands of hidden cells) to a fraction of a second.
    """
    unknown = np.flatnonzero(hidden)
    if not len(unknown):
        return np.zeros_like(hidden)
    position = {int(cell): k for k, cell in enumerate(unknown)}
    rows = []
    for line in lines:
        row = np.zeros(len(unknown))
        touched = False
        for cell in line.members:
            if cell in position:
                row[position[cell]] += 1.0
                touched = True
        if line.total is not None and line.total in position:
            row[position[line.total]] -= 1.0
            touched = True
        if touched:
            rows.append(row)
    out = np.zeros_like(hidden)
    if not rows:
        return out
    matrix = np.array(rows)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > TOLERANCE * max(matrix.shape)).sum())
    in_row_space = (vt[:rank] ** 2).sum(axis=0)  # |projection of each unit vector|^2
    determined = in_row_space > 1 - 1e-8
    out[unknown[determined]] = True
    return out


# --- the synthetic label --------------------------------------------------------------------

def uses_synthetic(frame: pd.DataFrame) -> bool:
    """True when a table was built from synthetic rows: its ``attrs`` say so, or it has an
    ``is_synthetic`` column with any true value."""
    if frame.attrs.get("synthetic"):
        return True
    return "is_synthetic" in frame.columns and bool(frame["is_synthetic"].fillna(False).any())


def label_if_synthetic(frame_or_text, is_synthetic: bool):
    """Mark something shown to people as synthetic when it is.

    Text (a caption, title or source line) gets the label in front; a DataFrame gets
    ``attrs['synthetic']`` so ``to_csv`` writes the label as the file's first line.
    Real data pass through unchanged.
    """
    if isinstance(frame_or_text, pd.DataFrame):
        out = frame_or_text.copy()
        out.attrs["synthetic"] = bool(is_synthetic) or out.attrs.get("synthetic", False)
        return out
    if not is_synthetic:
        return frame_or_text
    text = str(frame_or_text or "").strip()
    return f"{SYNTHETIC_LABEL}. {text}" if text else SYNTHETIC_LABEL


def to_csv(frame: pd.DataFrame, path_or_buffer=None, **kwargs) -> str | None:
    """Write ``frame`` as CSV, with ``# Synthetic case-level data — not real children`` as
    the first line when it was built from synthetic rows. With no path, returns the text
    (for download buttons)."""
    buffer = io.StringIO()
    if uses_synthetic(frame):
        buffer.write(f"# {SYNTHETIC_LABEL}\n")
    frame.to_csv(buffer, index=kwargs.pop("index", False),
                 lineterminator=kwargs.pop("lineterminator", "\n"), **kwargs)
    text = buffer.getvalue()
    if path_or_buffer is None:
        return text
    if hasattr(path_or_buffer, "write"):
        path_or_buffer.write(text)
    else:
        with open(path_or_buffer, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return None
