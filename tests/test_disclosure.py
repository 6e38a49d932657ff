"""Disclosure control of case-level counts, and the synthetic-data label on screen and in files."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from analysis import disclosure
from analysis.disclosure import SUPPRESSED, SYNTHETIC_LABEL, suppress


def shown(frame: pd.DataFrame, columns) -> np.ndarray:
    """The cells as displayed: numbers, or 'c'."""
    return frame[list(columns)].to_numpy(dtype=object)


# --- primary suppression ------------------------------------------------------------------

def test_counts_of_one_to_four_become_c_and_zero_stays_zero():
    table = pd.DataFrame({"area": ["A", "B", "C", "D", "E", "F"],
                          "children": [0, 1, 4, 5, 27, np.nan]})
    out = suppress(table, ["children"], totals_known=False)
    assert out["children"].tolist()[:5] == [0, SUPPRESSED, SUPPRESSED, 5, 27]
    assert pd.isna(out["children"].iloc[5])  # missing is not a count: left alone
    assert out["area"].tolist() == table["area"].tolist()
    assert table["children"].tolist()[:5] == [0, 1, 4, 5, 27]  # the input is not changed


def test_a_table_with_nothing_small_is_unchanged():
    table = pd.DataFrame({"a": [10, 0, 7], "b": [5, 6, 0]})
    out = suppress(table, ["a", "b"])
    pd.testing.assert_frame_equal(out, table)


# --- secondary suppression ----------------------------------------------------------------

def test_one_hidden_cell_in_a_row_with_a_total_hides_the_next_smallest():
    table = pd.DataFrame({"x": [3], "y": [12], "z": [10], "total": [25]})
    out = suppress(table, ["x", "y", "z"], total_column="total", totals_known=False)
    assert shown(out, ["x", "y", "z", "total"]).tolist() == [["c", 12, "c", 25]]


def test_zeros_are_never_used_as_the_second_cell():
    table = pd.DataFrame({"x": [2], "y": [0], "z": [9], "total": [11]})
    out = suppress(table, ["x", "y", "z"], total_column="total", totals_known=False)
    assert shown(out, ["x", "y", "z", "total"]).tolist() == [[SUPPRESSED, 0, SUPPRESSED, 11]]


def test_the_total_is_hidden_when_it_alone_would_give_the_cell_away():
    table = pd.DataFrame({"x": [3], "y": [0], "total": [3]})
    out = suppress(table, ["x", "y"], total_column="total", totals_known=False)
    assert shown(out, ["x", "y", "total"]).tolist() == [[SUPPRESSED, 0, SUPPRESSED]]


def test_two_hidden_cells_in_a_row_need_nothing_more():
    table = pd.DataFrame({"x": [3], "y": [2], "z": [40], "total": [45]})
    out = suppress(table, ["x", "y", "z"], total_column="total", totals_known=False)
    assert shown(out, ["x", "y", "z", "total"]).tolist() == [[SUPPRESSED, SUPPRESSED, 40, 45]]


def test_totals_rows_in_long_format_are_protected_group_by_group():
    table = pd.DataFrame({
        "la": ["A", "A", "A", "A", "B", "B", "B"],
        "placement": ["Foster", "Homes", "Other", "Total", "Foster", "Homes", "Total"],
        "children": [40, 3, 12, 55, 30, 20, 50]})
    out = suppress(table, ["children"], total_rows=table["placement"].eq("Total"),
                   groups=["la"], totals_known=False)
    assert out["children"].tolist() == [40, SUPPRESSED, SUPPRESSED, 55, 30, 20, 50]


def test_secondary_suppression_cascades_across_rows_and_columns():
    # hiding 8 to protect the 2 in row one leaves 8 alone in column y, so column y's
    # next smallest (9, row two) goes, which leaves row two with one hidden cell ...
    table = pd.DataFrame({"x": [2, 30], "y": [8, 9], "z": [50, 60]})
    table["total"] = table[["x", "y", "z"]].sum(axis=1)
    totals = pd.DataFrame({"x": [32], "y": [17], "z": [110], "total": [159]})
    table = pd.concat([table, totals], ignore_index=True)
    out = suppress(table, ["x", "y", "z"], total_column="total",
                   total_rows=pd.Series([False, False, True]), totals_known=False)
    assert_not_recoverable(out, table, ["x", "y", "z", "total"], "total",
                           pd.Series([False, False, True]), None, False)
    assert shown(out, ["x", "y", "z"])[0].tolist() == [SUPPRESSED, SUPPRESSED, 50]


def test_a_cell_that_only_combined_lines_reveal_is_protected_too():
    # Two 2x2 blocks of hidden cells joined by one hidden cell: every row and column has
    # two or more hidden cells, yet the joining cell equals R1 + R2 - C1 - C2.
    values = np.full((4, 4), 50)
    values[:2, :2] = [[2, 3], [4, 2]]
    values[2:, 2:] = [[3, 2], [2, 4]]
    values[1, 2] = 1
    hidden = disclosure.is_primary(values.ravel())
    lines = disclosure.table_lines(pd.DataFrame(values), list(range(4)), None, None, None,
                                   True)
    assert disclosure.recoverable(hidden, lines)[1 * 4 + 2]
    table = pd.DataFrame(values, columns=list("abcd"))
    out = suppress(table, list("abcd"))
    assert_not_recoverable(out, table, list("abcd"), None, None, None, True)


def test_from_to_matrix():
    matrix = pd.DataFrame([[1, 0, 10], [0, 20, 30], [6, 7, 8]], index=list("ABC"),
                          columns=list("ABC"))
    out = suppress(matrix, list("ABC"))  # rows: from, columns: to
    assert out.loc["A", "A"] == SUPPRESSED
    assert out.loc["A", "B"] == 0
    assert_not_recoverable(out, matrix, list("ABC"), None, None, None, True)


# --- property: nothing 1-4 shown, nothing hidden recoverable ---------------------------------

def assert_not_recoverable(out: pd.DataFrame, table: pd.DataFrame, columns: list,
                           total_column, total_rows, groups, totals_known: bool) -> None:
    """No count of 1-4 is shown, and no hidden count of 1-4 is determined by the shown
    cells and totals: not by subtraction within one row or column, nor by combining
    several (a hidden 0 or a hidden count of 5 or more may be worked out: it discloses
    nothing about a small group of children).

    An independent check (it does not use disclosure.recoverable): a hidden cell is
    determined exactly when its unit vector lies in the row space of the lines' equations.
    """
    cells = shown(out, columns)
    numbers = np.array([[v if not isinstance(v, str) else np.nan for v in row]
                        for row in cells], dtype=float)
    assert not ((numbers >= 1) & (numbers <= 4)).any(), "a count of 1-4 is shown"
    hidden = np.array([[isinstance(v, str) for v in row] for row in cells])
    assert (cells[hidden] == SUPPRESSED).all()
    original = table[columns].to_numpy(dtype=float)
    assert (original[~hidden] == numbers[~hidden]).all()
    n_rows, n_cols = hidden.shape
    index = {cell: k for k, cell in enumerate(zip(*np.nonzero(hidden)))}
    if not index:
        return
    equations = []
    members = [j for j, c in enumerate(columns) if c != total_column]
    total_j = columns.index(total_column) if total_column in columns else None
    for i in range(n_rows):  # each row across its counts
        if total_j is not None or totals_known:
            equations.append(([(i, j) for j in members],
                              None if total_j is None else (i, total_j)))
    flags = np.zeros(n_rows, bool) if total_rows is None else np.asarray(total_rows, bool)
    keys = (table[groups].astype(str).agg("|".join, axis=1).to_numpy() if groups
            else np.zeros(n_rows))
    for key in pd.unique(keys):  # each column down its group
        rows = np.flatnonzero(keys == key)
        body, totals = rows[~flags[rows]], rows[flags[rows]]
        if not len(totals) and not totals_known:
            continue
        for j in range(n_cols):
            equations.append(([(i, j) for i in body],
                              (totals[0], j) if len(totals) else None))
    pinned = pinned_by_known_totals(equations, original) if totals_known else set()
    matrix = []
    for cells_, total in equations:
        if len(cells_) + (total is not None) < 2:
            continue  # a single cell with a known total can never be protected
        row = np.zeros(len(index))
        for cell in cells_:
            if cell in index:
                row[index[cell]] += 1
        if total is not None and total in index:
            row[index[total]] -= 1
        if row.any():
            matrix.append(row)
        if total is not None or totals_known:
            in_line = [c for c in cells_ + ([total] if total is not None else []) if c in index]
            assert len(in_line) != 1 or not 1 <= original[in_line[0]] <= 4 \
                or in_line[0] in pinned, f"{in_line[0]} recoverable by subtraction"
    if not matrix:
        return
    a = np.array(matrix)
    rank = np.linalg.matrix_rank(a)
    for cell, k in index.items():
        if not 1 <= original[cell] <= 4 or cell in pinned:
            continue
        unit = np.zeros(len(index))
        unit[k] = 1
        assert np.linalg.matrix_rank(np.vstack([a, unit])) > rank, \
            "a hidden count of 1-4 is determined"


def pinned_by_known_totals(equations: list, original: np.ndarray) -> set:
    """The cells that the totals known from elsewhere pin by themselves, with every cell of
    the table hidden: the smallest and largest value each can take (counts are never
    negative; scipy's linear programming) are equal. A table whose known row total is 1
    and whose other known totals are 0 names the child whatever is hidden: no protection
    of the table can help (the totals are someone else's publication), so the checks
    above leave these cells out."""
    n_rows, n_cols = original.shape
    a_eq, b_eq = [], []
    for cells_, total in equations:
        if total is not None:
            continue  # a total inside the table could be hidden too: it pins nothing
        row = np.zeros(n_rows * n_cols)
        for i, j in cells_:
            row[i * n_cols + j] = 1
        a_eq.append(row)
        b_eq.append(sum(original[cell] for cell in cells_))
    if not a_eq:
        return set()
    pinned = set()
    for i, j in zip(*np.nonzero((original >= 1) & (original <= 4))):
        goal = np.zeros(n_rows * n_cols)
        goal[i * n_cols + j] = 1
        low, high = (linprog(sign * goal, A_eq=np.array(a_eq), b_eq=b_eq,
                             bounds=(0, None), method="highs").fun * sign
                     for sign in (1, -1))
        if high - low < 0.5:
            pinned.add((i, j))
    return pinned


SMALL_HEAVY = st.one_of(st.integers(0, 6), st.integers(0, 6), st.integers(0, 60))


@st.composite
def count_tables(draw):
    """A random case-level count table: rows and columns of counts (many small), with or
    without a total column, totals rows (per group) and group columns."""
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 5))
    columns = [f"k{j}" for j in range(n_cols)]
    body = pd.DataFrame(draw(st.lists(st.lists(SMALL_HEAVY, min_size=n_cols,
                                                max_size=n_cols),
                                       min_size=n_rows, max_size=n_rows)), columns=columns)
    use_groups = draw(st.booleans()) and n_rows > 1
    body["group"] = draw(st.lists(st.sampled_from("AB"), min_size=n_rows, max_size=n_rows)) \
        if use_groups else "A"
    total_column = "total" if draw(st.booleans()) else None
    totals_row = draw(st.booleans())
    frames, flags = [], []
    for key, rows in body.groupby("group", sort=True):
        frames.append(rows)
        flags += [False] * len(rows)
        if totals_row:
            sums = rows[columns].sum().to_frame().T.assign(group=key)
            frames.append(sums)
            flags.append(True)
    table = pd.concat(frames, ignore_index=True)
    if total_column:
        table[total_column] = table[columns].sum(axis=1)
    count_columns = columns + ([total_column] if total_column else [])
    return (table, count_columns, total_column,
            pd.Series(flags) if totals_row else None,
            ["group"] if use_groups else None, draw(st.booleans()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_property_no_count_of_one_to_four_is_shown_or_recoverable(case):
    table, columns, total_column, total_rows, groups, totals_known = case
    out = suppress(table, columns, total_column=total_column, total_rows=total_rows,
                   groups=groups, totals_known=totals_known)
    assert_not_recoverable(out, table, columns, total_column, total_rows, groups, totals_known)
    csv = disclosure.to_csv(out)  # what an export would write
    written = pd.read_csv(io.StringIO(csv), dtype=str)
    for column in columns:
        numbers = pd.to_numeric(written[column], errors="coerce")
        assert not numbers.between(1, 4).any()


# --- the synthetic label ------------------------------------------------------------------

def test_captions_of_synthetic_data_carry_the_label():
    assert disclosure.label_if_synthetic("Placements by LA", True) == \
        f"{SYNTHETIC_LABEL}. Placements by LA"
    assert disclosure.label_if_synthetic("Placements by LA", False) == "Placements by LA"
    assert disclosure.label_if_synthetic("", True) == SYNTHETIC_LABEL
    assert SYNTHETIC_LABEL == "Synthetic case-level data — not real children"


def test_exported_files_of_synthetic_data_start_with_the_label(tmp_path):
    table = pd.DataFrame({"la": ["A"], "children": [12]})
    marked = disclosure.label_if_synthetic(table, True)
    assert "synthetic" not in table.attrs  # the caller's frame is not changed
    text = disclosure.to_csv(marked)
    assert text.splitlines()[0] == f"# {SYNTHETIC_LABEL}"
    assert pd.read_csv(io.StringIO(text), comment="#").equals(table)
    path = tmp_path / "out.csv"
    disclosure.to_csv(marked, path)
    assert path.read_text(encoding="utf-8").startswith(f"# {SYNTHETIC_LABEL}\n")
    flagged = pd.DataFrame({"children": [12], "is_synthetic": [True]})
    assert disclosure.to_csv(flagged).startswith("# ")


def test_real_data_exports_have_no_label():
    table = pd.DataFrame({"la": ["A"], "children": [12], "is_synthetic": [False]})
    assert disclosure.to_csv(table) == "la,children,is_synthetic\nA,12,False\n"
    assert not disclosure.uses_synthetic(disclosure.label_if_synthetic(table, False))


def test_import_log_row_counts_are_suppressed_under_five():
    """The import log shows case-level row counts, so 1-4 appear as 'c' there too."""
    from data.importers.case_tables import rows_text

    assert rows_text('{"child": 3, "episode": 12, "placement_fee": 0}') == \
        "child c; episode 12; placement_fee 0"


def test_a_count_the_published_totals_give_away_does_not_hide_the_rest():
    # LA A's total (2) is the RCC's published total less B's and C's: nothing shown can
    # change that, so only A's age bands need protecting, with one partner line (B's).
    values = np.array([[1, 1, 2], [40, 60, 100], [90, 110, 200], [131, 171, 302]], float)
    lines = disclosure.table_lines(pd.DataFrame(values, columns=["u10", "o10", "all"]),
                                   ["u10", "o10", "all"], "all", [False] * 3 + [True],
                                   None, False)
    public = np.zeros(12, dtype=bool)
    public[[5, 8, 11]] = True  # DfE's totals for B, C and the RCC
    hidden = disclosure.protect(values.ravel(), lines, public=public)
    assert not hidden[[6, 7, 9, 10]].any(), "C's and the RCC's bands stay shown"
    # Independently: with the shown and the published cells known, A's bands are not
    # determined (each unit vector lies outside the row space of the line equations).
    unknown = np.flatnonzero(hidden)
    matrix = np.array([[int(c in line.members) - int(c == line.total) for c in unknown]
                       for line in lines])
    rank = np.linalg.matrix_rank(matrix)
    for cell in (0, 1):
        unit = (unknown == cell).astype(float)
        assert np.linalg.matrix_rank(np.vstack([matrix, unit])) > rank


@pytest.mark.parametrize("rows", [[[0, 0], [0, 1]], [[0, 0], [1, 5]]])
def test_a_count_only_the_known_totals_pin_is_still_hidden(rows):
    """Two tables a random run found: the known totals (a row of 0, a column summing to
    the count) name the child whatever is hidden. The count itself is still never shown,
    and every other check holds."""
    table = pd.DataFrame(rows, columns=["k0", "k1"]).assign(group="A")
    out = suppress(table, ["k0", "k1"], totals_known=True)
    assert_not_recoverable(out, table, ["k0", "k1"], None, None, None, True)
    assert SUPPRESSED in shown(out, ["k0", "k1"]).ravel().tolist()
