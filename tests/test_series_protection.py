"""Disclosure control of case-level series, one decision per series: a planted small
series and its partner, and a brute-force check (plain linear algebra, month by month)
that nothing hidden can be worked out from what is shown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import series_protection as sp
from forecasting import monthly

MONTHS = pd.date_range("2020-01-31", periods=6, freq="ME")
LA_RCC = {"A": "R", "B": "R", "C": "R"}
LA_REGION = {"A": "X", "B": "X", "C": "X"}


def series_rows(level: str, area: str, breakdown: str, name: str, values) -> pd.DataFrame:
    return pd.DataFrame({"level": level, "area_code": area, "breakdown": breakdown,
                         "series": name, "month": MONTHS, "value": values})


def planted() -> pd.DataFrame:
    """Three LAs of one RCC (and region); LA A's starts have a month of 3."""
    big = {"A": [40, 41, 42, 40, 40, 41], "B": [60, 61, 60, 62, 61, 60],
           "C": [90, 91, 90, 93, 92, 91]}
    started = {"A": [6, 3, 7, 6, 5, 6], "B": [8, 9, 8, 7, 9, 8], "C": [12, 11, 12, 13, 11, 12]}
    ceased = {"A": [6, 5, 6, 8, 6, 5], "B": [7, 8, 9, 6, 8, 9], "C": [11, 12, 10, 11, 12, 13]}
    frames = []
    for name, values in ((monthly.STOCK, big), (monthly.STARTED, started),
                         (monthly.CEASED, ceased)):
        total = np.sum(list(values.values()), axis=0)
        frames += [series_rows("la", la, "all", name, v) for la, v in values.items()]
        frames += [series_rows(level, code, "all", name, total)
                   for level, code in (("rcc", "R"), ("region", "X"),
                                       ("england", monthly.ENGLAND_CODE))]
    return pd.concat(frames, ignore_index=True)


def flag(result: pd.DataFrame, level: str, area: str, name: str, breakdown: str = "all"):
    row = result[(result["level"] == level) & (result["area_code"] == area)
                 & (result["series"] == name) & (result["breakdown"] == breakdown)]
    return bool(row["shown"].iloc[0]), row["reason"].iloc[0]


def test_a_small_series_is_hidden_with_partners():
    result = sp.shown(planted(), LA_RCC, LA_REGION)
    assert list(result.columns) == sp.COLUMNS
    assert len(result) == 6 * 3
    assert flag(result, "la", "A", monthly.STARTED) == (False, sp.PRIMARY)
    # the RCC total less B and C would give A back: another LA's starts go too (B's: the
    # smaller), and A's stock or ceased too, or the identity would
    assert flag(result, "la", "B", monthly.STARTED) == (False, sp.SECONDARY)
    assert flag(result, "la", "C", monthly.STARTED)[0]
    assert not (flag(result, "la", "A", monthly.STOCK)[0]
                and flag(result, "la", "A", monthly.CEASED)[0])
    assert flag(result, "rcc", "R", monthly.STARTED)[0]


def test_zeros_and_empty_input():
    assert sp.shown(pd.DataFrame(columns=["level", "area_code", "breakdown", "series",
                                          "month", "value"]), {}, {}).empty
    frame = planted()
    frame.loc[frame["series"] == monthly.CEASED, "value"] = 0  # nobody left: no risk
    frame.loc[frame["series"] == monthly.STARTED, "value"] = \
        frame.loc[frame["series"] == monthly.STARTED, "value"].clip(lower=5)
    result = sp.shown(frame, LA_RCC, LA_REGION)
    assert result["shown"].all()
    assert set(result["reason"]) == {sp.SHOWN}


def synthetic_series(seed: int) -> pd.DataFrame:
    """Series made by the real counting from random children of three LAs, one small,
    with placement groups and cohorts, so every identity holds month by month."""
    rng = np.random.default_rng(seed)
    rows = []
    for child, la in enumerate(rng.choice(["A", "B", "C"], size=260, p=[0.06, 0.4, 0.54])):
        start = pd.Timestamp("2019-06-01") + pd.Timedelta(days=int(rng.integers(0, 600)))
        end = start + pd.Timedelta(days=int(rng.integers(20, 500)))
        rows.append((child, la, 1, start, end if end < pd.Timestamp("2021-03-01") else pd.NaT,
                     str(rng.choice(["U1", "K2", "P1"], p=[0.6, 0.1, 0.3])),
                     str(rng.choice(["a", "b"], p=[0.8, 0.2]))))
    episodes = pd.DataFrame(rows, columns=["child_id", "la_code", "period_of_care", "start",
                                           "end", "place", "cohort"])
    counts = monthly.monthly_counts(episodes, "2020-04-01", "2021-03-31")
    return monthly.case_series(counts, LA_RCC, LA_REGION, {})


def reader_equations(table: pd.DataFrame) -> tuple[np.ndarray, list[tuple]]:
    """Every equation a reader knows, month by month, written from the definitions (not
    from disclosure.py): LAs add up to the RCC, region and England; an RCC's groups, and
    its cohorts, add up to its total; stock(t) - stock(t-1) - started(t) + ceased(t) = 0
    for "all" and cohorts. Returns the matrix over every (series key, month) and keys."""
    keys = list(table.set_index(sp.KEY + ["month"]).index)
    column = {key: i for i, key in enumerate(keys)}
    months = sorted(table["month"].unique())
    equations = []

    def add(plus: list[tuple], minus: list[tuple]):
        if all(k in column for k in plus + minus):
            row = np.zeros(len(keys))
            for k in plus:
                row[column[k]] += 1
            for k in minus:
                row[column[k]] -= 1
            equations.append(row)

    breakdowns = sorted(set(table.loc[table["level"] == "rcc", "breakdown"]))
    groups = [b for b in breakdowns if b != "all" and not b.startswith("cohort")]
    cohorts = [b for b in breakdowns if b.startswith("cohort")]
    for name in monthly.SERIES:
        for month in months:
            las = [("la", la, "all", name, month) for la in "ABC"]
            for level, area in (("rcc", "R"), ("region", "X"),
                                ("england", monthly.ENGLAND_CODE)):
                add(las, [(level, area, "all", name, month)])
            for family in (groups, cohorts):
                add([("rcc", "R", b, name, month) for b in family],
                    [("rcc", "R", "all", name, month)])
    areas = table[table["breakdown"].eq("all") | table["breakdown"].str.startswith("cohort")]
    for level, area, breakdown in areas[["level", "area_code", "breakdown"]] \
            .drop_duplicates().itertuples(index=False, name=None):
        for before, month in zip(months, months[1:]):
            add([(level, area, breakdown, monthly.STOCK, month),
                 (level, area, breakdown, monthly.CEASED, month)],
                [(level, area, breakdown, monthly.STOCK, before),
                 (level, area, breakdown, monthly.STARTED, month)])
    return np.array(equations), keys


def determined(matrix: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Which unknowns the equations pin down: those whose unit vector lies in the row
    space of the equations restricted to the unknowns (its projection onto an orthonormal
    basis of that space, from the SVD, has length 1)."""
    _, singular, vt = np.linalg.svd(matrix[:, unknown], full_matrices=False)
    basis = vt[singular > 1e-9 * max(singular.max(initial=0.0), 1.0)]
    return (basis ** 2).sum(axis=0) > 1 - 1e-9


def pinned_months(table: pd.DataFrame, flags: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Hidden months the reader's equations pin down, and which hidden months are 1-4."""
    table = table.merge(flags[sp.KEY + ["shown"]], on=sp.KEY)
    matrix, keys = reader_equations(table)
    indexed = table.set_index(sp.KEY + ["month"]).reindex(keys)
    values = indexed["value"].to_numpy()
    assert np.allclose(matrix @ values, 0)  # the equations are true of the data
    hidden = ~indexed["shown"].to_numpy(dtype=bool)
    return determined(matrix, hidden), (values[hidden] >= 1) & (values[hidden] <= 4)


def test_no_hidden_month_can_be_worked_out_from_the_shown_series():
    for seed in (1, 2, 3):
        table = synthetic_series(seed)
        flags = sp.shown(table, LA_RCC, LA_REGION)
        assert (~flags["shown"]).any() and flags["shown"].any()
        pinned, small = pinned_months(table, flags)
        assert small.any() and not pinned.any()
        # the check has teeth: hiding only the series with a month of 1-4 leaks some
        primary_only = flags.assign(shown=flags["reason"] != sp.PRIMARY)
        pinned, small = pinned_months(table, primary_only)
        assert (pinned & small).any()
