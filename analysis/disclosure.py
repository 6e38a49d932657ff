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
from scipy import sparse
from scipy.optimize import linprog

SYNTHETIC_LABEL = "Synthetic case-level data — not real children"
SUPPRESSED = "c"
THRESHOLD = 5  # counts from 1 to THRESHOLD - 1 are suppressed
RANK_TOLERANCE = 1e-10  # eigenvalues of M M^T below this (relative) count as zero


@dataclass(frozen=True)
class Line:
    """Cells (flat indices) that add up to a total: a cell of the table, or a known number."""

    members: tuple[int, ...]
    total: int | None  # flat index of the total cell; None: the total is shown elsewhere

    @property
    def cells(self) -> tuple[int, ...]:
        """Every cell of the line, its total included."""
        return self.members + ((self.total,) if self.total is not None else ())


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


def protect(values: np.ndarray, lines: list[Line], *, hidden: np.ndarray | None = None,
            latent: np.ndarray | None = None, public: np.ndarray | None = None,
            extra: np.ndarray | None = None) -> np.ndarray:
    """Which cells to hide: primary cells, then secondary ones until no count of 1-4 can be
    recovered by subtraction within a line or by combining lines.

    ``hidden``: cells already hidden (e.g. by a linked table's protection; they stay
    hidden); ``latent``:
    cells never shown (sums the product never publishes, used to link tables): unknown to
    the reader, never hidden as a partner and never protected; ``public``: counts
    published elsewhere (e.g. DfE's LA totals), never hidden; ``extra``: equations, one
    row per equation over all cells, that the reader also knows (another table family's
    knowledge of these cells)."""
    latent = np.zeros(len(values), dtype=bool) if latent is None else latent
    public = np.zeros(len(values), dtype=bool) if public is None else public
    start = np.zeros(len(values), dtype=bool) if hidden is None else hidden
    hidden = start | latent | (is_primary(values) & ~public)
    sensitive = is_primary(values) & ~latent & ~public
    # A count the public figures pin with nothing else shown (an LA's total, from the
    # published totals of its RCC and its other LAs) cannot be protected by hiding more:
    # hunting partners for it would hide most of the tables, round after round.
    sensitive &= ~recoverable(~public, lines, sensitive, extra)
    base = latent | public
    pinned = np.zeros(len(values), dtype=bool)  # zeros a reader can pin, as things stand
    known = np.zeros(len(values), dtype=bool)  # ... among cells that must stay hidden
    bounds_too = True  # False once only exact (linear) recovery can still be prevented
    lines = list(lines)
    while True:
        frozen = base | pinned
        changed = secondary_by_line(values, lines, hidden, frozen)
        zeros = zeros_pinned(values, lines, hidden, latent) & ~known & bounds_too
        if not zeros.any():
            determined = recoverable(hidden, lines, sensitive & hidden, extra)
            if determined.any():
                if not hide_partners(values, lines, hidden, frozen, determined, pinned):
                    if not (bounds_too and hide_partners(values, lines, hidden, base,
                                                         determined, pinned)):
                        if not changed:
                            return hidden & ~latent  # nothing left that could be hidden
                    else:
                        bounds_too = False  # a pinnable zero was the only partner left
                continue
            zeros = (zeros_fixed(values, lines, hidden, extra) & ~known) if bounds_too \
                else np.zeros(len(values), dtype=bool)
            if not zeros.any():
                return hidden & ~latent
        # Zeros a reader can pin protect nothing. Those that may be shown are shown (a
        # latent one becomes a known 0) and others picked, until a newly hidden count may
        # have freed them; those that must stay hidden count as known from now on.
        sticky = zeros & start
        known |= sticky
        lines += [Line((int(index),), None) for index in np.flatnonzero(sticky)]
        hidden &= ~(zeros & ~start)
        pinned |= zeros & ~start


def disclosed(values: np.ndarray, lines: list[Line], hidden: np.ndarray,
              latent: np.ndarray, public: np.ndarray,
              extra: np.ndarray | None = None) -> np.ndarray:
    """Hidden counts of 1-4 that a reader holding every line pins down exactly: the audit
    of a finished protection. Zeros that non-negativity holds at 0 (``zeros_fixed``) are
    taken as known; every other hidden cell can then move both up and down, so a count is
    pinned exactly when the equations with those zeros determine it (``recoverable``).
    ``hidden`` should include the latent cells."""
    zeros = zeros_fixed(values, lines, hidden, extra)
    known = list(lines) + [Line((int(index),), None) for index in np.flatnonzero(zeros)]
    sensitive = is_primary(values) & ~latent & ~public
    return recoverable(hidden, known, sensitive, extra)


def hide_partners(values: np.ndarray, lines: list[Line], hidden: np.ndarray,
                  frozen: np.ndarray, determined: np.ndarray, pinned: np.ndarray) -> bool:
    """A partner for each determined cell; False if none could be found. Hiding a
    non-zero count clears ``pinned`` (it can free zeros pinned before)."""
    counts_before = (hidden & (np.nan_to_num(values) > 0)).sum()
    added = False
    for index in np.flatnonzero(determined):
        added |= hide_partner(values, lines, hidden, frozen, int(index))
    if (hidden & (np.nan_to_num(values) > 0)).sum() > counts_before:
        pinned[:] = False
    return added


def zeros_fixed(values: np.ndarray, lines: list[Line], hidden: np.ndarray,
                extra: np.ndarray | None = None) -> np.ndarray:
    """Hidden zeros (latent ones too) that every table consistent with what is shown
    holds at 0, because counts are never negative: found by linear programming.

    Why it matters: once these are known to be 0, every other hidden cell can move both
    up and down, so a count that the equations leave undetermined is not pinned by any
    bound either (the linear-programming attack then learns nothing more than the linear
    one). The LP maximises the sum of min(x, 1) over the candidate zeros; any that stay
    at 0 are tried again on their own, until the optimum is 0 (all of them fixed)."""
    matrix, unknown = equations(hidden, lines, extra)
    matrix = conditioned(matrix)
    fixed = np.zeros(len(values), dtype=bool)
    truth = np.nan_to_num(values[unknown])
    candidates = np.flatnonzero(truth == 0)
    if not len(candidates) or matrix.shape[0] == 0:
        return fixed
    rhs = matrix @ truth
    n = len(unknown)
    while len(candidates):
        k = len(candidates)
        bound = sparse.hstack([-sparse.csr_matrix((np.ones(k), (np.arange(k), candidates)),
                                                  shape=(k, n)), sparse.identity(k)])
        result = linprog(np.concatenate([np.zeros(n), -np.ones(k)]),
                         A_ub=bound.tocsr(), b_ub=np.zeros(k),
                         A_eq=sparse.hstack([matrix, sparse.csr_matrix((matrix.shape[0], k))]
                                            ).tocsr(), b_eq=rhs,
                         bounds=[(0, None)] * n + [(0, 1)] * k, method="highs")
        if result.status != 0:
            # The true table satisfies these equations, so a failure is the solver's
            # rounding (seen once in a random property-test table). Assume the worst: the
            # reader knows every remaining candidate zero, which gives the audit more
            # equations, so it hides more, never less.
            fixed[unknown[candidates]] = True
            return fixed
        free = result.x[n:] > 1e-7
        if not free.any():
            fixed[unknown[candidates]] = True
            return fixed
        candidates = candidates[~free]
    return fixed


def conditioned(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """The same equations, each row scaled to a largest coefficient of 1, with float dust
    (coefficients under 1e-9 of it) dropped. The ``extra`` rows come from eigen-
    decompositions; left as they are, rounding in them once made the LP solver call a
    system that the true table satisfies (its right-hand side is worked out from the
    truth) infeasible."""
    matrix = matrix.tocsr(copy=True)
    if not matrix.nnz:
        return matrix
    largest = abs(matrix).max(axis=1).toarray().ravel()
    largest[largest == 0] = 1.0
    matrix = sparse.diags(1.0 / largest) @ matrix
    matrix.data[np.abs(matrix.data) < 1e-9] = 0.0
    matrix.eliminate_zeros()
    return matrix.tocsr()


def zeros_pinned(values: np.ndarray, lines: list[Line], hidden: np.ndarray,
                 latent: np.ndarray) -> np.ndarray:
    """Hidden zeros a reader can still pin to 0: counts are never negative, so in a line
    whose total is known or shown and whose hidden members are all zero, each of them
    must be 0."""
    pinned = np.zeros(len(values), dtype=bool)
    for line in lines:
        if line.total is not None and hidden[line.total]:
            continue
        members = np.asarray(line.members, dtype=int)
        inside = members[hidden[members]]
        if len(inside) and not latent[inside].any() and \
                not np.nan_to_num(values[inside]).any():
            pinned[inside] = True
    return pinned


def secondary_by_line(values: np.ndarray, lines: list[Line], hidden: np.ndarray,
                      frozen: np.ndarray) -> bool:
    """Hide one more cell in every line whose only hidden cell is shown elsewhere as "c"
    (a latent cell alone in a line is merely a known sum); repeat until stable."""
    changed_any = False
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = list(line.cells)
            if hidden[cells].sum() == 1 and not frozen[cells][hidden[cells]].any() and \
                    hide_in_line(values, line, hidden, frozen):
                changed = changed_any = True
    return changed_any


def hide_in_line(values: np.ndarray, line: Line, hidden: np.ndarray,
                 frozen: np.ndarray) -> bool:
    """Hide the line's smallest visible non-zero count, else its total, else (the total
    being known from elsewhere) a zero, which is then shown as "c" too. False if none."""
    members = np.asarray(line.members, dtype=int)
    visible = members[~hidden[members] & ~frozen[members] & ~np.isnan(values[members])]
    positive = visible[values[visible] > 0]
    if len(positive):
        hidden[positive[np.argmin(values[positive])]] = True
        return True
    total = line.total
    if total is not None and not hidden[total] and not frozen[total] and \
            np.nan_to_num(values[total]) > 0:
        hidden[total] = True
        return True
    if len(visible):
        hidden[visible[0]] = True
        return True
    return False


def hide_partner(values: np.ndarray, lines: list[Line], hidden: np.ndarray,
                 frozen: np.ndarray, index: int) -> bool:
    """Hide one more cell near ``index``: the smallest visible non-zero count (else a
    visible zero) of a line through it; if all of those are hidden or fixed already, of a
    line through one of them, and so on outwards until one is found."""
    seen, frontier = {index}, {index}
    while frontier:
        best, best_key, reached = None, (np.inf, np.inf), set()
        for line in lines:
            cells = line.cells
            if frontier.isdisjoint(cells):
                continue
            for cell in cells:
                if cell not in seen and (hidden[cell] or frozen[cell]):
                    reached.add(cell)
                if hidden[cell] or frozen[cell] or np.isnan(values[cell]):
                    continue
                key = (0 if values[cell] > 0 else 1, values[cell])
                if key < best_key:
                    best, best_key = cell, key
        if best is not None:
            hidden[best] = True
            return True
        seen |= reached
        frontier = reached
    return False


def equations(hidden: np.ndarray, lines: list[Line],
              extra: np.ndarray | None = None) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The reader's equations in the hidden cells (shown cells are known numbers): one row
    per line (members +1, total -1), plus the ``extra`` rows; and the hidden cells'
    indices (the columns)."""
    unknown = np.flatnonzero(hidden)
    column = np.full(len(hidden), -1)
    column[unknown] = np.arange(len(unknown))
    rows, cols, data = [], [], []
    count = 0
    for line in lines:
        members = np.asarray(line.members, dtype=int)
        members = members[hidden[members]]
        entries = [(column[m], 1.0) for m in members]
        if line.total is not None and hidden[line.total]:
            entries.append((column[line.total], -1.0))
        if not entries:
            continue
        for c, value in entries:
            rows.append(count)
            cols.append(c)
            data.append(value)
        count += 1
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(count, len(unknown)))
    if extra is not None and len(extra):
        matrix = sparse.vstack([matrix, sparse.csr_matrix(extra[:, unknown])]).tocsr()
    return matrix, unknown


def row_space(matrix: sparse.csr_matrix) -> np.ndarray:
    """An orthonormal-equivalent basis of the row space, as rows B with B.T @ B the
    projection onto it: from the eigen-decomposition of the (small) Gram matrix M M^T, so
    the cost grows with the number of equations, not of hidden cells. Thousands of these
    small decompositions run per table family: run with one BLAS thread (the Makefile's
    OPENBLAS_NUM_THREADS), or OpenBLAS's threads take 10 times longer than the sums."""
    gram = (matrix @ matrix.T).toarray()
    eigenvalues, vectors = np.linalg.eigh(gram)
    keep = eigenvalues > RANK_TOLERANCE * max(eigenvalues.max(initial=0.0), 1.0)
    scaled = vectors[:, keep] / np.sqrt(eigenvalues[keep])
    return np.asarray((matrix.T @ scaled).T)


def recoverable(hidden: np.ndarray, lines: list[Line], targets: np.ndarray | None = None,
                extra: np.ndarray | None = None) -> np.ndarray:
    """Target cells (default: every hidden cell) whose value the shown cells, the known
    totals and the ``extra`` equations determine exactly.

    Each line is an equation (members minus total = known); shown cells are known, hidden
    ones unknown. A hidden cell is determined when its unit vector lies in the row space
    of that system: its projection onto the row space has length 1.
    """
    targets = hidden if targets is None else targets & hidden
    out = np.zeros_like(hidden)
    if not targets.any():
        return out
    matrix, unknown = equations(hidden, lines, extra)
    if matrix.shape[0] == 0:
        return out
    basis = row_space(matrix)
    in_row_space = (basis ** 2).sum(axis=0)  # |projection of each unit vector|^2
    determined = (in_row_space > 1 - 1e-6) & targets[unknown]
    out[unknown[determined]] = True
    return out


def known_combinations(hidden: np.ndarray, lines: list[Line], of: np.ndarray,
                       extra: np.ndarray | None = None) -> np.ndarray:
    """The combinations of the cells ``of`` (all hidden) that this family's equations (and
    the ``extra`` ones a reader also holds) determine, as rows over every cell: what a
    reader of this family knows about those cells, to hand to a linked family as ``extra``
    equations. From the left null space of the other hidden cells' columns (combinations
    of equations that cancel them)."""
    matrix, unknown = equations(hidden, lines, extra)
    if matrix.shape[0] == 0 or not of.any():
        return np.zeros((0, len(hidden)))
    inside = of[unknown]
    others = matrix[:, ~inside]
    gram = (others @ others.T).toarray()
    eigenvalues, vectors = np.linalg.eigh(gram)
    null = vectors[:, eigenvalues <= RANK_TOLERANCE * max(eigenvalues.max(initial=0.0), 1.0)]
    combos = np.asarray((matrix[:, inside].T @ null).T)
    if not len(combos):
        return np.zeros((0, len(hidden)))
    _, singular, vt = np.linalg.svd(combos, full_matrices=False)
    basis = vt[singular > 1e-8 * max(singular.max(initial=0.0), 1.0)]
    rows = np.zeros((len(basis), len(hidden)))
    rows[:, unknown[inside]] = basis
    return rows


# --- the synthetic label --------------------------------------------------------------------

#: A median of fewer values than this is not shown: with a handful of children behind it,
#: it is close to one child's own figure (with one child, it is that figure).
MEDIAN_MINIMUM = 10
#: Medians of money are shown to the nearest this many pounds.
MONEY_STEP = 10


def protected_median(values: pd.Series, minimum: int = MEDIAN_MINIMUM,
                     step: float = MONEY_STEP):
    """A typical value (the median) of case-level amounts, such as weekly fees, fit to
    show: rounded to ``step``, or "c" when fewer than ``minimum`` values lie behind it,
    and blank when there are none."""
    known = pd.to_numeric(values, errors="coerce").dropna()
    if known.empty:
        return np.nan
    if len(known) < minimum:
        return SUPPRESSED
    return float(step * round(known.median() / step))


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
