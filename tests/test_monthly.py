"""Case-level monthly series: counts checked child by child against a brute-force count
of hand-built episodes, sums across levels, and the stock-and-flow identity on the
synthetic store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting import monthly

NaT = pd.NaT


def episode_rows(*rows) -> pd.DataFrame:
    """Episodes from (child_id, la_code, period_of_care, start, end, place, cohort)."""
    frame = pd.DataFrame(rows, columns=["child_id", "la_code", "period_of_care", "start",
                                        "end", "place", "cohort"])
    return frame.assign(start=pd.to_datetime(frame["start"]), end=pd.to_datetime(frame["end"]))


#: A child crossing month ends who moves from foster care to a children's home, ends on
#: a month end and comes back (a second period of care); a child starting and ending in
#: the same month; a child starting on a month end; a placement with no PLACE code.
EPISODES = episode_rows(
    (1, "A", 1, "2020-01-15", "2020-03-10", "U1", "trauma"),
    (1, "A", 1, "2020-03-10", "2020-06-30", "K2", "trauma"),
    (1, "A", 2, "2020-09-01", NaT, "H5", "trauma"),
    (2, "A", 1, "2020-02-03", "2020-02-20", "U4", None),
    (3, "B", 1, "2019-12-31", NaT, "P1", None),
    (4, "B", 1, "2020-01-31", "2020-03-15", None, "harm"),
    (5, "B", 1, "2019-06-01", "2020-01-31", "K1", None),
)
FIRST, LAST = pd.Timestamp("2020-01-01"), pd.Timestamp("2020-12-31")


def month_ends() -> pd.DatetimeIndex:
    return pd.date_range(FIRST, LAST, freq="ME")


def brute_force(episodes: pd.DataFrame) -> pd.DataFrame:
    """The counts worked out child by child and month by month, the slow obvious way."""
    group = {"U1": "fostering", "U4": "fostering", "K1": "children's homes",
             "K2": "children's homes", "H5": "supported accommodation"}
    rows = []
    periods = [rows_ for _, rows_ in episodes.groupby(["child_id", "period_of_care"])]
    for end in month_ends():
        begin = end - pd.offsets.MonthBegin(1)
        for _, e in episodes.iterrows():
            covered = e["start"] <= end and (pd.isna(e["end"]) or e["end"] > end)
            if covered:
                rows += labelled(e, group, monthly.STOCK, end)
        for period in periods:
            period = period.sort_values("start")
            first, last = period.iloc[0], period.iloc[-1]
            if begin <= first["start"] <= end:
                rows += labelled(first, group, monthly.STARTED, end)
            if pd.notna(last["end"]) and begin <= last["end"] <= end:
                rows += labelled(last, group, monthly.CEASED, end)
    return pd.DataFrame(rows, columns=["la_code", "breakdown", "series", "month"])


def labelled(episode, group: dict, series: str, month) -> list[tuple]:
    """One count under each breakdown the episode falls in."""
    cohort = episode["cohort"] if episode["cohort"] else "not assessed"
    return [(episode["la_code"], label, series, month)
            for label in ("all", group.get(episode["place"], "other placements"),
                          f"cohort: {cohort}")]


def test_counts_match_a_brute_force_count():
    counts = monthly.monthly_counts(EPISODES, FIRST, LAST)
    expected = (brute_force(EPISODES).value_counts().rename("expected").reset_index())
    both = counts.merge(expected, on=["la_code", "breakdown", "series", "month"], how="outer")
    assert both["value"].notna().all()  # no count the grid lacks
    assert (both["value"] == both["expected"].fillna(0)).all()
    # every LA x breakdown x series x month is there, zeros included
    breakdowns = 1 + 4 + 3  # all, 4 groups, 2 cohorts + not assessed
    assert len(counts) == 2 * breakdowns * 3 * 12
    assert set(counts["breakdown"]) == {"all", "fostering", "children's homes",
                                        "supported accommodation", "other placements",
                                        "cohort: trauma", "cohort: harm",
                                        "cohort: not assessed"}


def value(counts, la, breakdown, series, month) -> int:
    row = counts[(counts["la_code"] == la) & (counts["breakdown"] == breakdown)
                 & (counts["series"] == series) & (counts["month"] == pd.Timestamp(month))]
    return int(row["value"].iloc[0])


def test_hand_counted_cases():
    counts = monthly.monthly_counts(EPISODES, FIRST, LAST)
    stock, started, ceased = monthly.STOCK, monthly.STARTED, monthly.CEASED
    # a move from foster care to a children's home within a period is not a start or end
    assert value(counts, "A", "fostering", stock, "2020-02-29") == 1
    assert value(counts, "A", "children's homes", stock, "2020-03-31") == 1
    assert value(counts, "A", "all", started, "2020-03-31") == 0
    # ending on a month end: not looked after that day, ceased that month
    assert value(counts, "A", "all", stock, "2020-06-30") == 0
    assert value(counts, "A", "children's homes", ceased, "2020-06-30") == 1
    # the same child's second period of care is a second start
    assert value(counts, "A", "supported accommodation", started, "2020-09-30") == 1
    # started and ended within February: a start and an end, never in the stock
    assert value(counts, "A", "all", started, "2020-02-29") == 1
    assert value(counts, "A", "all", ceased, "2020-02-29") == 1
    assert value(counts, "A", "all", stock, "2020-02-29") == 1
    # starting on a month end counts at that month end; no PLACE code is "other"
    assert value(counts, "B", "other placements", stock, "2020-01-31") == 2
    assert value(counts, "B", "all", stock, "2020-01-31") == 2  # child 5 left that day


def test_the_window_starts_with_the_year_of_the_first_ceasing():
    """Before the first recorded end of a period, children who left are missing: an LA's
    months start in the April of that year (a reorganised council's later)."""
    episodes = episode_rows(
        (1, "A", 1, "2014-01-10", "2015-05-20", "U1", None),
        (2, "A", 1, "2016-02-01", NaT, "U1", None),
        (3, "N", 1, "2019-01-10", "2023-04-20", "U1", None),
        (4, "Q", 1, "2024-06-10", NaT, "U1", None))
    counts = monthly.monthly_counts(episodes)
    first = counts.groupby("la_code")["month"].min()
    assert first.to_dict() == {"A": pd.Timestamp("2015-04-30"),
                               "N": pd.Timestamp("2023-04-30"),
                               "Q": pd.Timestamp("2024-04-30")}  # no ceasing: latest year
    assert (counts.groupby("la_code")["month"].max() == pd.Timestamp("2024-06-30")).all()
    assert "cohort: not assessed" not in set(counts["breakdown"])  # no cohorts held
    window = monthly.monthly_counts(episodes, "2020-01-15", "2024-03-31")
    assert window.groupby("la_code")["month"].min().to_dict() == {
        "A": pd.Timestamp("2020-01-31"), "N": pd.Timestamp("2023-04-30"),
        "Q": pd.Timestamp("2023-04-30")}


def test_empty_episodes_give_empty_frames():
    empty = episode_rows()
    counts = monthly.monthly_counts(empty)
    assert counts.empty and list(counts.columns) == monthly.COUNT_COLUMNS
    table = monthly.case_series(counts, {}, {}, {})
    assert table.empty and list(table.columns) == monthly.SERIES_COLUMNS


def test_areas_are_sums_of_their_las_over_months_all_are_counted():
    rng = np.random.default_rng(3)
    las = {"A": ("R1", "X"), "B": ("R1", "Y"), "C": ("R2", "Y")}
    rows = []
    for child in range(300):
        la = str(rng.choice(list(las)))
        start = pd.Timestamp("2016-01-01") + pd.Timedelta(days=int(rng.integers(0, 3000)))
        end = start + pd.Timedelta(days=int(rng.integers(1, 900)))
        rows.append((child, la, 1, start, end if end < pd.Timestamp("2024-03-01") else NaT,
                     str(rng.choice(["U1", "K2", "H5", "P1"])), str(rng.choice(["a", "b"]))))
    rows.append((999, "C", 1, "2019-03-01", "2019-08-01", "U1", "a"))  # C counted later
    episodes = episode_rows(*rows)
    episodes = episodes[~((episodes["la_code"] == "C") & (episodes["end"] < "2019-04-01"))]
    counts = monthly.monthly_counts(episodes, last_month="2024-03-31")
    table = monthly.case_series(counts, {k: v[0] for k, v in las.items()},
                                {k: v[1] for k, v in las.items()}, {"R1": "R one"})
    la_rows = table[table["level"] == "la"]
    assert set(la_rows["breakdown"]) == {"all"}
    assert set(table.loc[table["level"] == "region", "breakdown"]) == {"all"}
    assert set(table.loc[table["level"] == "england", "area_code"]) == {monthly.ENGLAND_CODE}
    start_c = counts.loc[counts["la_code"] == "C", "month"].min()
    for level, area, members in (("rcc", "R1", ["A", "B"]), ("rcc", "R2", ["C"]),
                                 ("region", "Y", ["B", "C"]),
                                 ("england", monthly.ENGLAND_CODE, ["A", "B", "C"])):
        mine = table[(table["level"] == level) & (table["area_code"] == area)]
        expected = counts[counts["la_code"].isin(members)]
        expected = expected[expected["month"] >= expected.groupby("la_code")["month"]
                            .transform("min").max()]
        if level != "rcc":
            expected = expected[expected["breakdown"] == "all"]
        expected = expected.groupby(["breakdown", "series", "month"])["value"].sum()
        got = mine.set_index(["breakdown", "series", "month"])["value"]
        pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(),
                                       check_names=False)
        if "C" in members:
            assert mine["month"].min() == start_c  # never summed short
    assert set(table.loc[table["area_code"] == "R1", "area_name"]) == {"R one"}
    rcc = table[table["level"] == "rcc"]
    assert {"fostering", "cohort: a", "cohort: not assessed"} <= set(rcc["breakdown"])


@pytest.fixture(scope="module")
def synthetic_series(cohort_url):
    from data import case_series
    from data.store import make_engine

    engine = make_engine(cohort_url)
    try:
        yield case_series.case_series(engine)
    finally:
        engine.dispose()


def test_stock_and_flow_identity_on_the_synthetic_store(synthetic_series):
    """stock(t) = stock(t-1) + started(t) - ceased(t) in every area and breakdown where
    children do not move between the categories (all, cohorts)."""
    table = synthetic_series
    table = table[table["breakdown"].eq("all") | table["breakdown"].str.startswith("cohort")]
    wide = table.pivot_table(index=["level", "area_code", "breakdown", "month"],
                             columns="series", values="value")
    stock = wide[monthly.STOCK]
    change = stock.groupby(level=[0, 1, 2]).diff().dropna()
    flows = (wide[monthly.STARTED] - wide[monthly.CEASED]).reindex(change.index)
    assert len(change) > 1000
    assert (change == flows).all()
