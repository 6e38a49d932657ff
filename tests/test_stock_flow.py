"""The stock-and-flow comparator against a planted Markov chain, hand-made models with a
known answer and brute-force counts of children in care."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecasting import stock_flow as sf

# The planted chain: monthly chance of leaving care and of moving to another group by
# group (fostering, children's homes, supported accommodation, other), entries a month.
LEAVE = np.array([0.02, 0.05, 0.06, 0.04])
MOVES = {(0, 1): 0.01, (1, 0): 0.03, (3, 0): 0.02}
ENTRIES = 12.0
ENTRY_GROUP = np.array([0.6, 0.1, 0.0, 0.3])
FIRST_MONTH = 2000 * 12  # January 2000
MONTHS = 300


def _month_day(index: np.ndarray, day: int = 10) -> pd.Series:
    return pd.to_datetime(pd.DataFrame({"year": index // 12, "month": index % 12 + 1,
                                        "day": day}))


def _band(age_months: np.ndarray) -> np.ndarray:
    return np.searchsorted([0, 1, 5, 10, 16], age_months // 12, side="right") - 1


def plant(seed: int = 1, las=("E1", "E2")) -> tuple[pd.DataFrame, dict]:
    """Episodes from the planted chain, simulated child by child at month ends (each change
    dated the 10th of its month), and the simulator's own tally of child-months, leavings
    and moves by (band, group) over the last 24 months."""
    rng = np.random.default_rng(seed)
    rows, tally = [], {"months": np.zeros((5, 4)), "left": np.zeros((5, 4)),
                       "moved": np.zeros((5, 4, 4)), "entries": 0}
    move = np.eye(4)
    for (a, b), p in MOVES.items():
        move[a, b], move[a, a] = p, move[a, a] - p
    next_id = 0
    for la in las:
        birth = np.empty(0, int)
        group = np.empty(0, int)
        ids = np.empty(0, int)
        for month in range(FIRST_MONTH, FIRST_MONTH + MONTHS):
            counting = month > FIRST_MONTH + MONTHS - 25
            adult = month - birth >= 216
            band, old = _band(month - 1 - birth), group
            left = ~adult & (rng.random(len(ids)) < LEAVE[group])
            stay = ~adult & ~left
            group = (rng.random(len(group))[:, None] > move[group].cumsum(1)).sum(1)
            if counting:
                np.add.at(tally["months"], (band, old), 1)
                np.add.at(tally["left"], (band[left], old[left]), 1)
                np.add.at(tally["moved"], (band[stay], old[stay], group[stay]), 1)
            ids, birth, group = ids[stay], birth[stay], group[stay]
            n = rng.poisson(ENTRIES)
            new_ids = np.arange(next_id, next_id + n)
            next_id += n
            tally["entries"] += n if counting and la == las[0] else 0
            ids = np.r_[ids, new_ids]
            birth = np.r_[birth, month - rng.integers(0, 17 * 12, n)]
            group = np.r_[group, rng.choice(4, n, p=ENTRY_GROUP)]
            rows.append(pd.DataFrame({"child_id": ids, "la_code": la, "birth_k": birth,
                                      "month": month, "group": group}))
    return _episodes(pd.concat(rows, ignore_index=True)), tally


def _episodes(states: pd.DataFrame) -> pd.DataFrame:
    """Month-end states as 903-like episodes: a run of one group is an episode; a child
    out of care at a month end left on the 10th of that month."""
    states = states.sort_values(["child_id", "month"])
    new = (states["child_id"].diff() != 0) | (states["group"].diff() != 0)
    runs = states.assign(run=new.cumsum()).groupby("run").agg(
        child_id=("child_id", "first"), la_code=("la_code", "first"),
        birth_k=("birth_k", "first"), group=("group", "first"), first=("month", "min"),
        last=("month", "max"))
    last_seen = runs.groupby("child_id")["last"].transform("max")
    following = runs.groupby("child_id")["first"].shift(-1)
    end_k = following.fillna(runs["last"] + 1)
    still_in = (runs["last"] == last_seen) & (last_seen == FIRST_MONTH + MONTHS - 1)
    place = np.array(["U3", "K2", "P2", "P1"])[runs["group"]]
    return pd.DataFrame({
        "child_id": runs["child_id"].to_numpy(), "la_code": runs["la_code"].to_numpy(),
        "birth": _month_day(runs["birth_k"].to_numpy(), 1).to_numpy(),
        "period_of_care": 1, "start": _month_day(runs["first"].to_numpy()).to_numpy(),
        "end": _month_day(end_k.to_numpy().astype(int)).where(~still_in.to_numpy()).to_numpy(),
        "place": place})


@pytest.fixture(scope="module")
def planted():
    return plant()


@pytest.fixture(scope="module")
def origin():
    return pd.Timestamp("2024-12-31")  # the end of the planted months


def test_planted_rates_are_recovered_within_sampling_error(planted, origin):
    episodes, tally = planted
    model = sf.fit(episodes, origin, {"E1": "both", "E2": "both"})
    leave = model.leave[0]
    months = tally["months"]
    for band in range(1, 5):
        for group in (0, 1, 3):
            n = months[band, group]
            if n < 200:
                continue
            low, high = stats.binomtest(int(round(leave[band, group] * n)), int(n)) \
                .proportion_ci(0.999)
            assert low <= LEAVE[group] <= high, (band, group)
    moved = model.move[0]
    for (a, b), p in MOVES.items():
        n = tally["moved"][3, a].sum()
        low, high = stats.binomtest(int(round(moved[3, a, b] * n)), int(n)).proportion_ci(0.999)
        assert low <= p <= high
    entries = model.entries[0].sum()
    assert stats.poisson.cdf(entries * 24, 2 * ENTRIES * 24) > 0.0005
    assert stats.poisson.sf(entries * 24, 2 * ENTRIES * 24) > 0.0005


def test_without_pooling_the_rates_are_the_simulators_own_counts(planted, origin):
    episodes, tally = planted
    model = sf.fit(episodes, origin, {"E1": "E1", "E2": "E1"}, prior_months=0)
    leave = model.leave[0]
    seen = tally["months"] > 0
    np.testing.assert_allclose(leave[seen], (tally["left"] / np.where(seen, tally["months"],
                                                                       1))[seen])
    stayed = tally["moved"].sum(-1)
    moved = model.move[0]
    has = stayed > 0
    np.testing.assert_allclose(moved[has], (tally["moved"] / np.where(
        has, stayed, 1)[..., None])[has], atol=1e-12)


def test_entries_are_the_months_newcomers(planted, origin):
    episodes, tally = planted
    model = sf.fit(episodes, origin, {"E1": "E1"})
    assert model.entries.sum() * 24 == pytest.approx(tally["entries"])


def _single_state(stock: int, leave: float, entries: float) -> sf.StockFlow:
    """A model whose children are all 12 years old in foster care and never move."""
    one = np.zeros((1, 216, 4))
    one[0, 144, 0] = 1
    move = np.zeros((1, 5, 4, 4))
    move[..., 0] = 1
    return sf.StockFlow(origin=pd.Timestamp("2022-03-31"), area_codes=["A"],
                        stock=(one * stock).astype(int), leave=np.full((1, 5, 4), leave),
                        move=move, entries=one * entries, drift=np.zeros(1))


def test_entries_equal_to_exits_keep_the_forecast_flat():
    # 200 children of 12 leaving at 5% a month, 10 of 12 entering: flat for the 60 months
    # before the newcomers' first cohort turns 18.
    table = sf.forecast(_single_state(200, 0.05, 10.0), 60, sims=400)
    np.testing.assert_allclose(table["forecast"], 200.0)
    assert (table["lower_95"] <= 200).all() and (table["upper_95"] >= 200).all()


def test_single_state_intervals_match_the_exact_distribution():
    # 200 children, each still there after h months with 0.95^h; Poisson newcomers with
    # mean 10 * sum of 0.95^j: the 80% interval's bounds at h = 24 from scipy's quantiles.
    table = sf.forecast(_single_state(200, 0.05, 10.0), 24, sims=20000, seed=3)
    last = table.iloc[-1]
    stayers = stats.binom(200, 0.95 ** 24)
    newcomers = stats.poisson(10 * sum(0.95 ** j for j in range(24)))
    draws = stayers.rvs(200000, random_state=1) + newcomers.rvs(200000, random_state=2)
    assert last["lower_80"] == pytest.approx(np.quantile(draws, 0.1), abs=2)
    assert last["upper_80"] == pytest.approx(np.quantile(draws, 0.9), abs=2)


def _stepped(model: sf.StockFlow, months: int, rng) -> np.ndarray:
    """One future of area 0 of ``model`` stepped child by child, month by month (no entry
    drift): the children in care at each month end."""
    cells = np.argwhere(model.stock[0] > 0)
    counts = model.stock[0][model.stock[0] > 0]
    age, group = np.repeat(cells[:, 0], counts), np.repeat(cells[:, 1], counts)
    band_of = np.searchsorted([0, 1, 5, 10, 16], np.arange(216) // 12, side="right") - 1
    totals = []
    for _ in range(months):
        band = band_of[age]
        stays = rng.random(len(age)) >= model.leave[0][band, group]
        cumulative = model.move[0][band, group].cumsum(1)
        group = (rng.random(len(age))[:, None] > cumulative).sum(1)
        age = age + 1
        keep = stays & (age < 216)
        age, group = age[keep], group[keep]
        new = rng.poisson(model.entries[0])
        cells = np.argwhere(new > 0)
        age = np.r_[age, np.repeat(cells[:, 0], new[new > 0])]
        group = np.r_[group, np.repeat(cells[:, 1], new[new > 0])]
        totals.append(len(age))
    return np.array(totals)


def test_the_expected_path_is_the_mean_of_children_stepped_one_by_one(planted, origin):
    episodes, _ = planted
    model = sf.fit(episodes, pd.Timestamp("2022-12-31"), {"E1": "E1"})
    rng = np.random.default_rng(5)
    stepped = np.array([_stepped(model, 36, rng) for _ in range(300)])
    table = sf.forecast(model, 36, sims=20)
    error = stepped.std(0) / np.sqrt(len(stepped))
    assert (np.abs(table["forecast"] - stepped.mean(0)) < 4 * error).all()


def test_fewer_entries_lower_the_forecast(planted, origin):
    episodes, _ = planted
    base = sf.project(episodes, origin, 36, sims=100)
    lower = sf.project(episodes, origin, 36, entries_factor=0.9, sims=100)
    assert (lower["forecast"] < base["forecast"]).all()
    assert lower["upper_95"].iloc[-1] < base["upper_95"].iloc[-1]


def test_no_negative_forecast_or_interval_and_widening_with_horizon(planted, origin):
    episodes, _ = planted
    table = sf.project(episodes, origin, 60, sims=300, by_group=True)
    values = table[["forecast", "lower_80", "upper_80", "lower_95", "upper_95"]]
    assert (values >= 0).all().all()
    for _, one in table[table["breakdown"] == "all"].groupby("area_code"):
        width = (one["upper_95"] - one["lower_95"]).to_numpy()
        assert width[0] < width[11] < width[59]


def test_placement_groups_add_up_to_all(planted, origin):
    episodes, _ = planted
    table = sf.project(episodes, origin, 24, sims=50, by_group=True)
    wide = table.pivot_table(index=["area_code", "month"], columns="breakdown",
                             values="forecast")
    np.testing.assert_allclose(wide[list(sf.GROUPS)].sum(axis=1), wide["all"])


def test_an_area_without_children_is_forecast_zero(planted, origin):
    episodes, _ = planted
    table = sf.project(episodes, origin, 24, areas={"E1": "E1", "E9": "empty"}, sims=50)
    empty = table[table["area_code"] == "empty"]
    assert len(empty) == 24
    assert (empty[["forecast", "lower_95", "upper_95"]] == 0).all().all()


def test_no_episodes_give_zeros_for_named_areas_and_no_rows_otherwise(planted):
    none = planted[0].iloc[:0]
    named = sf.project(none, pd.Timestamp("2022-03-31"), 3, areas={"E1": "A"}, sims=10)
    assert len(named) == 3 and (named[["forecast", "upper_95"]] == 0).all().all()
    assert sf.project(none, pd.Timestamp("2022-03-31"), 3, sims=10).empty


def test_one_child_leaves_and_never_goes_below_zero():
    table = sf.forecast(_single_state(1, 0.5, 0.0), 12, sims=2000)
    np.testing.assert_allclose(table["forecast"], 0.5 ** np.arange(1, 13))
    assert table["upper_95"].tolist() == [1.0] * 5 + [0.0] * 7  # 1/2^h > 2.5% to h = 5
    assert (table["lower_95"] == 0).all()


def test_children_leave_care_the_month_they_turn_18():
    # 30 children born in June 2004, in care since 2019 and never leaving, none entering:
    # all there at the end of May 2022, none at the end of June.
    episodes = pd.DataFrame({"child_id": range(30), "la_code": "E1",
                             "birth": pd.Timestamp("2004-06-01"), "period_of_care": 1,
                             "start": pd.Timestamp("2019-01-10"), "end": pd.NaT,
                             "place": "U3"})
    table = sf.project(episodes, pd.Timestamp("2022-03-31"), 4, sims=50)
    assert table["forecast"].round(9).tolist() == [30, 30, 0, 0]
    assert table["upper_95"].tolist() == [30, 30, 0, 0]


def test_placement_codes_fall_in_the_four_groups():
    codes = pd.Series(["U3", "K2", "K1", "P2", "H5", "P1", "A5", "R1", "Z1", None, "XX"])
    groups = [sf.GROUPS[g] for g in sf._group_codes(codes)]
    assert groups == ["fostering", "children's homes", "children's homes",
                      "supported accommodation", "supported accommodation"] + [
        "other placements"] * 6


def _brute_in_care(episodes: pd.DataFrame, day: pd.Timestamp) -> dict:
    """Children with an episode open at ``day`` (started by then, not ended by it), by LA."""
    found = {}
    for row in episodes.itertuples():
        if row.start <= day and (pd.isna(row.end) or row.end > day):
            found.setdefault(row.la_code, set()).add(row.child_id)
    return {la: len(children) for la, children in found.items()}


def test_backtest_actuals_are_brute_force_counts(planted):
    episodes, _ = planted
    origins = sf.default_origins(episodes, first="2020-03-31")
    table = sf.backtest(episodes, origins=origins, sims=50)
    assert list(table.columns) == sf.BACKTEST_COLUMNS
    assert (table["model"] == "stock_flow").all()
    assert set(table["horizon"]) == {12, 24, 36}
    for target, rows in table.groupby("target"):
        truth = _brute_in_care(episodes, target)
        assert dict(zip(rows["area_code"], rows["actual"])) == {
            la: truth.get(la, 0) for la in rows["area_code"]}
    assert (table["target"] <= pd.Timestamp("2024-12-31")).all()  # the data's last month
    assert table["origin"].max() == pd.Timestamp("2023-09-30")
    per = table.groupby(["area_code", "origin"]).size()
    assert per.loc[("E1", pd.Timestamp("2021-03-31"))] == 3
    assert per.loc[("E1", pd.Timestamp("2022-03-31"))] == 2  # 36 months on is past the data


def test_default_origins_are_march_and_september_with_a_year_after():
    episodes = pd.DataFrame({"start": [pd.Timestamp("2016-04-01")],
                             "end": [pd.Timestamp("2025-03-31")]})
    origins = sf.default_origins(episodes)
    assert origins[0] == pd.Timestamp("2019-03-31")
    assert origins[-1] == pd.Timestamp("2024-03-31")
    assert len(origins) == 11 and pd.Timestamp("2022-03-31") in origins


# Levels of areas fitted together: every level's model and past forecasts as fitting that
# level alone gives them, an LA outside a level's areas and an area without LAs included.
LEVELS = {"la": None, "both": {"E1": "X", "E2": "X"}, "part": {"E2": "A"},
          "empty": {"E1": "A", "E9": "none"}}


def _assert_same_model(one: sf.StockFlow, other: sf.StockFlow) -> None:
    assert one.origin == other.origin and one.area_codes == other.area_codes
    assert one.drift_months == other.drift_months
    for name in ("stock", "leave", "move", "entries", "drift"):
        np.testing.assert_array_equal(getattr(one, name), getattr(other, name), err_msg=name)


def test_levels_fitted_together_equal_each_level_fitted_alone(planted):
    episodes, _ = planted
    origin = pd.Timestamp("2023-06-30")
    together = sf.fit_levels(episodes, origin, LEVELS)
    assert list(together) == list(LEVELS)
    for level, areas in LEVELS.items():
        _assert_same_model(together[level], sf.fit(episodes, origin, areas))


def test_an_areas_children_are_its_las_children(planted):
    # The children in care and the entries of the area of both LAs are those of each LA
    # fitted on its own, added up; its rates lie between the LAs' own.
    episodes, _ = planted
    origin = pd.Timestamp("2023-06-30")
    models = sf.fit_levels(episodes, origin, {"la": None, "both": LEVELS["both"]},
                           prior_months=0)
    las, both = models["la"], models["both"]
    np.testing.assert_array_equal(both.stock[0], las.stock.sum(0))
    np.testing.assert_allclose(both.entries[0], las.entries.sum(0))
    seen = (las.stock.sum(1) > 0).all(0)  # groups with children in both LAs
    leave = both.leave[0][3][seen]
    low, high = las.leave[:, 3][:, seen].min(0), las.leave[:, 3][:, seen].max(0)
    assert ((low - 1e-12 <= leave) & (leave <= high + 1e-12)).all()


def test_levels_backtested_together_equal_each_level_backtested_alone(planted):
    episodes, _ = planted
    origins = [pd.Timestamp("2021-09-30"), pd.Timestamp("2022-03-31"),
               pd.Timestamp("2023-09-30")]
    together = sf.backtest_levels(episodes, LEVELS, origins=origins, sims=30, seed=4)
    assert list(together) == list(LEVELS)
    for level, areas in LEVELS.items():
        alone = sf.backtest(episodes, areas, origins=origins, sims=30, seed=4)
        pd.testing.assert_frame_equal(together[level], alone, check_exact=True)
    assert set(together["empty"]["area_code"]) == {"A", "none"}
    assert (together["empty"].query("area_code == 'none'")["actual"] == 0).all()


def test_no_origins_give_an_empty_table_for_every_level(planted):
    tables = sf.backtest_levels(planted[0], LEVELS, origins=[])
    assert list(tables) == list(LEVELS)
    assert all(list(t.columns) == sf.BACKTEST_COLUMNS and t.empty for t in tables.values())


def test_a_child_in_care_before_its_recorded_birth_counts_as_a_baby_of_its_own_la():
    # A birth date after the episode starts (a data error) once pushed the child's entry
    # into the row of the LA before its own; it is an entry at age 0 of its own LA.
    episodes = pd.DataFrame({
        "child_id": [1, 2], "la_code": ["E1", "E2"],
        "birth": [pd.Timestamp("2010-01-01"), pd.Timestamp("2021-06-01")],
        "period_of_care": 1, "start": [pd.Timestamp("2019-01-10"),
                                       pd.Timestamp("2021-03-10")],
        "end": pd.NaT, "place": "U3"})
    model = sf.fit(episodes, pd.Timestamp("2021-12-31"))
    assert model.area_codes == ["E1", "E2"]
    assert model.entries[0].sum() == 0
    assert model.entries[1].sum() * 24 == pytest.approx(1)
    assert model.entries[1, :12].sum() * 24 == pytest.approx(1)
    assert model.stock[1].sum() == 1 and model.stock[0].sum() == 1
