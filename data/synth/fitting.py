"""Whole numbers that keep published totals exact.

DfE publishes counts, so wherever a total is shared out, a suppressed cell filled or two
breakdowns combined, every published number must survive to the child, never just on
average. These are the integer tools for that: Hamilton's method, filling suppressed
cells from residuals, and iterative proportional fitting with controlled rounding (both
margins of a table kept exact by augmenting paths). They read no data and draw nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def largest_remainder(total: int, weights) -> np.ndarray:
    """Whole numbers proportional to ``weights`` that add up to ``total`` exactly.

    Hamilton's method (floors, then one each to the largest remainders) is used wherever a
    published total is shared out, so totals are preserved exactly, never approximately.
    """
    weights = np.clip(np.asarray(weights, dtype=float), 0, None)
    if total <= 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=int)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    quota = total * weights / weights.sum()
    base = np.floor(quota).astype(int)
    order = np.argsort(-(quota - base), kind="stable")
    base[order[:total - base.sum()]] += 1
    return base


def complete_breakdown(numbers: pd.Series, symbols: pd.Series, total: int,
                       prior: np.ndarray) -> np.ndarray:
    """A published breakdown with its suppressed cells filled so it adds up to ``total``.

    Published numbers are kept. The residual (total less the published cells) is shared
    among cells DfE shows as 'c' (or 'x'/'low'): one each first, since 'c' hides a count
    of at least one, then in proportion to England's ``prior``. 'z' (not applicable) is 0.
    """
    known = numbers.to_numpy(dtype=float, na_value=np.nan)
    hidden = np.isnan(known) & ~symbols.fillna("").eq("z").to_numpy()
    out = np.where(np.isnan(known), 0, known).astype(int)
    residual = int(total - out.sum())
    if residual < 0:  # should not happen: published cells exceed the total
        return largest_remainder(total, out)
    if not hidden.any():
        return out + largest_remainder(residual, out if out.sum() else prior)
    cells = np.flatnonzero(hidden)
    ones = min(residual, len(cells))
    first = np.zeros(len(cells), dtype=int)
    first[np.argsort(-prior[cells], kind="stable")[:ones]] = 1
    out[cells] += first + largest_remainder(residual - ones, prior[cells])
    return out


def fit_table(row_totals: np.ndarray, col_totals: np.ndarray, weights: np.ndarray,
              iterations: int = 500, allowed: np.ndarray | None = None) -> np.ndarray:
    """An integer table with exactly these row and column totals, shaped like ``weights``.

    Iterative proportional fitting gives the table closest to ``weights`` (odds of each
    combination) with both margins; controlled rounding then keeps both margins exact,
    so every published count survives the combination of two breakdowns. Cells outside
    ``allowed`` (if given) stay empty.
    """
    rows = np.asarray(row_totals, dtype=float)
    cols = np.asarray(col_totals, dtype=float)
    table = np.where(weights > 0, weights, 1e-9) * (rows[:, None] > 0) * (cols[None, :] > 0)
    if allowed is not None:  # structural zeros: cells that must stay empty
        table = table * allowed
    for _ in range(iterations):
        sums = table.sum(1)
        table *= np.divide(rows, sums, out=np.zeros_like(rows), where=sums > 0)[:, None]
        sums = table.sum(0)
        table *= np.divide(cols, sums, out=np.zeros_like(cols), where=sums > 0)[None, :]
        if np.abs(table.sum(1) - rows).max() < 1e-6:
            break
    return round_table(table, np.asarray(row_totals, int), np.asarray(col_totals, int))


ROUNDING_TIERS = (0.05, 0.005, 1e-9)


def round_table(table: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Round a fractional table to integers keeping both margins exact (controlled rounding).

    Each cell is rounded down or up. The cells to round up are chosen largest fraction
    first, then completed by augmenting paths through ever less likely cells (a bipartite
    matching on the fractional cells, which always exists when the margins are whole
    numbers), so an unlikely cell is never filled just because a greedy pass ran out of
    room. Only if the fitting had not converged does a leftover unit go to the likeliest
    cell whose row and column still fall short.
    """
    base = np.floor(table + 1e-9).astype(int)
    base = np.minimum(base, rows[:, None], out=base)
    row_short = rows - base.sum(1)
    col_short = cols - base.sum(0)
    if row_short.min() < 0 or col_short.min() < 0:  # float noise above a margin
        base = np.floor(table - 1e-6).clip(0).astype(int)
        row_short, col_short = rows - base.sum(1), cols - base.sum(0)
    fraction = table - base
    up = np.zeros(table.shape, dtype=bool)
    for flat in np.argsort(-fraction, axis=None, kind="stable"):
        if not row_short.any() or fraction.flat[flat] <= 0.05:
            break
        i, j = divmod(int(flat), table.shape[1])
        if row_short[i] > 0 and col_short[j] > 0:
            up[i, j] = True
            row_short[i] -= 1
            col_short[j] -= 1
    for floor in ROUNDING_TIERS:  # likely cells first; unlikely ones only if unavoidable
        eligible = fraction > floor
        while row_short.any() and augment(eligible, up, row_short, col_short):
            pass
    base += up
    while row_short.any():
        short = np.ix_(row_short > 0, col_short > 0)
        sub = table[short]
        i, j = np.unravel_index(np.argmax(sub), sub.shape)
        i, j = np.flatnonzero(row_short > 0)[i], np.flatnonzero(col_short > 0)[j]
        base[i, j] += 1
        row_short[i] -= 1
        col_short[j] -= 1
    return base


def augment(eligible: np.ndarray, up: np.ndarray, row_short: np.ndarray,
            col_short: np.ndarray) -> bool:
    """Find one augmenting path (short row -> ... -> short column) alternating between
    cells to round up and cells already rounded up, and apply it. False if none exists."""
    came_from: dict[tuple[str, int], tuple[str, int] | None] = {}
    frontier = [("r", int(i)) for i in np.flatnonzero(row_short > 0)]
    for node in frontier:
        came_from[node] = None
    while frontier:
        following = []
        for kind, k in frontier:
            if kind == "r":
                steps = [("c", int(j)) for j in np.flatnonzero(eligible[k] & ~up[k])]
            else:
                steps = [("r", int(i)) for i in np.flatnonzero(up[:, k])]
            for step in steps:
                if step in came_from:
                    continue
                came_from[step] = (kind, k)
                if step[0] == "c" and col_short[step[1]] > 0:
                    flip_path(came_from, step, up, row_short, col_short)
                    return True
                following.append(step)
        frontier = following
    return False


def flip_path(came_from: dict, end: tuple[str, int], up: np.ndarray,
              row_short: np.ndarray, col_short: np.ndarray) -> None:
    """Apply an augmenting path: cells entered from a row are rounded up, cells entered
    from a column are rounded down, so only the path's two ends change their margins."""
    col_short[end[1]] -= 1
    node = end
    while came_from[node] is not None:
        previous = came_from[node]
        if node[0] == "c":
            up[previous[1], node[1]] = True
        else:
            up[node[1], previous[1]] = False
        node = previous
    row_short[node[1]] -= 1
