"""Coherent totals: reconciled forecasts checked against independent sums (pandas groupby
over a planted membership), planted coherent forecasts, and brute-force backtest scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from forecasting import reconcile as rc

#: A planted England: six councils in two RCCs in two regions; Cumberland (made in 2023,
#: two years of counts) has no base forecast; Isles of Scilly counts a child or two.
MEMBERS = pd.DataFrame({
    "la": ["E06000063", "E06000064", "E08000001", "E08000002", "E06000053", "E06000052"],
    "rcc": ["North West", "North West", "North West", "North West", "South West",
            "South West"],
    "region": ["E12000002"] * 4 + ["E12000009"] * 2,
    "england": ["E92000001"] * 6,
})
YEARS = [2026, 2027, 2028]
SERIES = "children looked after"


def frame(level: str, code: str, values, series: str = SERIES, spread: float = 0.2,
          breakdown: str = "all") -> pd.DataFrame:
    """Base forecast rows for one series: intervals +-spread (80%), +-2 spread (95%)."""
    values = np.asarray(values, dtype=float)
    return pd.DataFrame({
        "level": level, "area_code": code, "area_name": code, "series": series,
        "breakdown": breakdown, "model": "naive", "year": YEARS, "forecast": values,
        "lower_80": values * (1 - spread), "upper_80": values * (1 + spread),
        "lower_95": values * max(0.0, 1 - 2 * spread), "upper_95": values * (1 + 2 * spread)})


def planted_base(rng: np.random.Generator, coherent: bool = False) -> pd.DataFrame:
    """Forecasts for every area but Cumberland: incoherent (every total 5-15% off its
    LAs' sum) unless ``coherent``."""
    las = {code: rng.uniform(50, 900, len(YEARS)) for code in MEMBERS["la"][1:]}
    las["E06000053"] = np.array([1.0, 2.0, 1.0])
    rows = [frame("la", code, values) for code, values in las.items()]
    if coherent:
        las["E06000063"] = np.array([400.0, 410.0, 420.0])
        rows.append(frame("la", "E06000063", las["E06000063"]))
    for level in ("rcc", "region", "england"):
        for code, members in MEMBERS.groupby(level)["la"]:
            total = sum(las.get(la, 0) for la in members)
            off = 1 if coherent else rng.uniform(0.85, 1.15, len(YEARS))
            rows.append(frame(level, code, total * off))
    return pd.concat(rows, ignore_index=True)


def history(cumberland: bool = True) -> pd.DataFrame:
    """Counts to 2025, the totals their LAs' sums; Cumberland's start in 2024 (if at
    all)."""
    rows = [{"level": "la", "area_code": la, "series": SERIES, "year": year,
             "value": 300.0 + (10 * year) % 7 + i * 40}
            for i, la in enumerate(MEMBERS["la"]) for year in range(2016, 2026)
            if la != "E06000063" or (cumberland and year >= 2024)]
    out = pd.DataFrame(rows)
    out.loc[out["area_code"] == "E06000053", "value"] = [1, 2, 1, 0, 2, 1, 1, 2, 1, 1]
    totals = [out.merge(MEMBERS, left_on="area_code", right_on="la").groupby(
        [level, "year"], as_index=False)["value"].sum().rename(columns={level: "area_code"})
        .assign(level=level, series=SERIES) for level in ("rcc", "region", "england")]
    return pd.concat([out, *totals], ignore_index=True)


@pytest.fixture(scope="module")
def tree():
    return rc.hierarchy(rc.area_tiers(MEMBERS))


def independent_sums(out: pd.DataFrame) -> pd.DataFrame:
    """Each total's reconciled forecast beside its LAs' summed (pandas, from MEMBERS)."""
    las = out[out["level"] == "la"].merge(MEMBERS, left_on="area_code", right_on="la")
    checks = []
    for level in ("rcc", "region", "england"):
        sums = las.groupby([level, "year"])["forecast"].sum().rename("sum")
        mine = out[out["level"] == level].set_index(["area_code", "year"])["forecast"]
        checks.append(pd.concat([mine, sums.rename_axis(["area_code", "year"])], axis=1))
    return pd.concat(checks)


def test_summing_matrix_matches_the_membership(tree):
    S, tags = tree
    assert list(tags) == ["england", "region", "rcc", "la"]
    assert S.shape == (1 + 2 + 2 + 6, 1 + 6)
    row = S.set_index("unique_id").loc["rcc|South West|all"]
    assert row[row == 1].index.tolist() == ["la|E06000053|all", "la|E06000052|all"]
    assert np.array_equal(S.iloc[-6:, 1:].to_numpy(), np.eye(6))


@pytest.mark.parametrize("method", rc.METHODS)
def test_reconciled_las_add_up_to_rcc_region_and_england(tree, method):
    out = rc.reconcile(planted_base(np.random.default_rng(1)), *tree, method, history())
    checks = independent_sums(out)
    assert len(checks) == 5 * len(YEARS) and checks.notna().all().all()
    assert np.allclose(checks["forecast"], checks["sum"], rtol=0, atol=1e-6)
    assert set(out["model"]) == {"coherent"} and out["reconciled"].all()


@pytest.mark.parametrize("method", rc.METHODS)
def test_no_forecast_or_interval_below_zero(tree, method):
    """Totals far below their LAs' sum push MinT's tiny Isles of Scilly under 0 before it
    is put right; intervals cut at 0; the totals still add up."""
    base = planted_base(np.random.default_rng(2))
    totals = base["level"] != "la"
    base.loc[totals, ["forecast", *rc.BOUNDS]] *= 0.3
    out = rc.reconcile(base, *tree, method, history())
    assert (out[["forecast", *rc.BOUNDS]] >= 0).all().all()
    checks = independent_sums(out)
    assert np.allclose(checks["forecast"], checks["sum"], rtol=0, atol=1e-6)


def test_a_negative_child_is_set_to_zero_and_its_totals_move_with_it(tree):
    """Scilly at -3: set to 0; South West, its region and England 3 higher (intervals
    too); North West's untouched."""
    S, _ = tree
    result = pd.DataFrame({"forecast": 100.0, "lower_80": 90.0, "upper_80": 110.0,
                           "lower_95": 80.0, "upper_95": 120.0}, index=S["unique_id"])
    result.loc["la|E06000053|all"] = [-3.0, -5.0, -1.0, -6.0, 0.0]
    out = rc.without_negatives(result, S)
    assert out.loc["la|E06000053|all"].tolist() == [0.0, -2.0, 2.0, -3.0, 3.0]
    for total in ("rcc|South West|all", "region|E12000009|all", "england|E92000001|all"):
        assert out.loc[total, "forecast"] == 103.0 and out.loc[total, "upper_95"] == 123.0
    assert out.loc["rcc|North West|all", "forecast"] == 100.0


def test_bottom_up_is_the_sum_of_the_las_base_forecasts(tree):
    base = planted_base(np.random.default_rng(3), coherent=True)
    base.loc[base["level"] != "la", ["forecast", *rc.BOUNDS]] *= 1.3  # totals 30% high
    out = rc.reconcile(base, *tree, "bottom_up", history()).set_index(
        ["level", "area_code", "year"])["forecast"]
    las = base[base["level"] == "la"].merge(MEMBERS, left_on="area_code", right_on="la")
    for level in ("rcc", "region", "england"):
        for (code, year), total in las.groupby([level, "year"])["forecast"].sum().items():
            assert out[(level, code, year)] == pytest.approx(total, abs=1e-6)


@pytest.mark.parametrize("method", ["wls_struct", "mint_shrink"])
def test_mint_leaves_forecasts_that_already_add_up_unchanged(tree, method):
    base = planted_base(np.random.default_rng(4), coherent=True)
    out = rc.reconcile(base, *tree, method, history())
    merged = base.merge(out, on=["level", "area_code", "year"], suffixes=("", "_rec"))
    assert len(merged) == len(base)
    for column in ["forecast", *rc.BOUNDS]:
        assert np.allclose(merged[column], merged[f"{column}_rec"], rtol=1e-9, atol=1e-6)


def test_normality_intervals_are_those_the_base_intervals_imply(tree):
    """Bottom-up leaves an LA's distribution as it was: a normal one whose sigma is the
    mean of what its 80% and 95% half-widths imply (scipy's quantiles); its total's
    variance is its LAs' summed."""
    base = planted_base(np.random.default_rng(10), coherent=True)
    out = rc.reconcile(base, *tree, "bottom_up", history(), intervals="normality")
    row = out[(out["area_code"] == "E08000002") & (out["year"] == 2027)].iloc[0]
    f = row["forecast"]
    sigma = np.mean([0.2 * f / norm.ppf(0.9), 0.4 * f / norm.ppf(0.975)])
    assert row["upper_80"] - f == pytest.approx(norm.ppf(0.9) * sigma)
    assert f - row["lower_95"] == pytest.approx(norm.ppf(0.975) * sigma)
    south = out[(out["level"] == "la") & out["area_code"].isin(["E06000053", "E06000052"])
                & (out["year"] == 2027)]["forecast"]
    total = out[(out["area_code"] == "South West") & (out["year"] == 2027)].iloc[0]
    sigmas = [np.mean([0.2 * v / norm.ppf(0.9), 0.4 * v / norm.ppf(0.975)]) for v in south]
    assert total["upper_80"] - total["forecast"] == pytest.approx(
        norm.ppf(0.9) * np.sqrt(np.sum(np.square(sigmas))))


def test_a_council_too_new_to_forecast_carries_its_last_count(tree):
    """Cumberland (two years of counts: no base forecast) gets its 2025 count carried
    forward, with intervals as wide as the other LAs' (median), and its parents add up."""
    base = planted_base(np.random.default_rng(5))
    out = rc.reconcile(base, *tree, "bottom_up", history())
    past = history()
    last = past[(past["area_code"] == "E06000063") & (past["year"] == 2025)]["value"].item()
    mine = out[out["area_code"] == "E06000063"]
    assert mine["forecast"].tolist() == [last] * 3
    assert mine["base_model"].eq("last count carried forward").all()
    assert mine["upper_80"].to_numpy() == pytest.approx(last * 1.2)
    assert np.allclose(independent_sums(out)["forecast"], independent_sums(out)["sum"])


def test_a_council_with_no_forecast_and_no_history_is_refused(tree):
    with pytest.raises(ValueError, match="E06000063"):
        rc.reconcile(planted_base(np.random.default_rng(6)), *tree, "bottom_up")


def test_mint_needs_history(tree):
    with pytest.raises(ValueError, match="history"):
        rc.reconcile(planted_base(np.random.default_rng(6)), *tree, "mint_shrink")


def test_an_rcc_across_two_regions_is_a_grouped_structure():
    """LA -> RCC and LA -> region as separate groupings: both add up."""
    members = MEMBERS.assign(rcc=["A", "A", "B", "B", "B", "A"])
    S, tags = rc.hierarchy(rc.area_tiers(members))
    base = planted_base(np.random.default_rng(7))
    base = base[base["level"] != "rcc"]
    rcc_base = [frame("rcc", code, np.full(3, 1000.0)) for code in ("A", "B")]
    out = rc.reconcile(pd.concat([base, *rcc_base]), S, tags, "mint_shrink",
                       pd.concat([history(), history().query("level == 'rcc'").assign(
                           area_code=lambda f: f["area_code"].map(
                               {"North West": "A", "South West": "B"}))]))
    las = out[out["level"] == "la"].merge(members, left_on="area_code", right_on="la")
    for level in ("rcc", "region"):
        sums = las.groupby([level, "year"])["forecast"].sum()
        mine = out[out["level"] == level].set_index(["area_code", "year"])["forecast"]
        assert np.allclose(mine.sort_index(), sums.sort_index(), atol=1e-6)


def test_placement_groups_add_up_to_their_rcc_total():
    """Case level: each RCC's four placement groups -> its "all"; one RCC with a single
    group (one child) equals it."""
    groups = ["fostering", "children's homes", "supported accommodation", "other placements"]
    bottom = pd.DataFrame([("rcc", rcc, group) for rcc in ("North East", "London")
                           for group in groups] + [("rcc", "Solo", "fostering")],
                          columns=["level", "area_code", "breakdown"])
    S, tags = rc.hierarchy(rc.breakdown_tiers(bottom))
    rng = np.random.default_rng(8)
    rows = [frame("rcc", code, rng.uniform(10, 300, 3), breakdown=group)
            for _, code, group in bottom.itertuples(index=False)]
    rows += [frame("rcc", code, np.full(3, 500.0)) for code in ("North East", "London", "Solo")]
    out = rc.reconcile(pd.concat(rows, ignore_index=True), S, tags, "wls_struct")
    parts = out[out["breakdown"] != "all"].groupby(["area_code", "year"])["forecast"].sum()
    totals = out[out["breakdown"] == "all"].set_index(["area_code", "year"])["forecast"]
    assert np.allclose(totals.sort_index(), parts.sort_index(), atol=1e-6)
    solo = out[out["area_code"] == "Solo"].pivot(index="year", columns="breakdown",
                                                 values="forecast")
    assert np.allclose(solo["all"], solo["fostering"])


def test_placement_groups_and_cohorts_split_one_fixed_rcc_total():
    """Both breakdowns add up to the same fixed RCC total, each in its base proportions
    (intervals scaled alike); children all forecast 0 share it equally; a total not
    fixed is refused."""
    rng = np.random.default_rng(11)
    totals = pd.concat([frame("rcc", "North East", np.full(3, 600.0)),
                        frame("rcc", "London", np.full(3, 900.0))])
    for breakdowns in (["fostering", "children's homes", "other placements"],
                       ["cohort: A", "cohort: B", "cohort: not assessed"]):
        bottom = pd.DataFrame([("rcc", rcc, b) for rcc in ("North East", "London")
                               for b in breakdowns], columns=["level", "area_code", "breakdown"])
        S, _ = rc.hierarchy(rc.breakdown_tiers(bottom))
        base = pd.concat([frame("rcc", code, rng.uniform(50, 400, 3), breakdown=b)
                          for _, code, b in bottom.itertuples(index=False)])
        base.loc[base["area_code"] == "London", ["forecast", *rc.BOUNDS]] = 0.0
        out = rc.split_down(base, S, totals)
        sums = out.groupby(["area_code", "year"])["forecast"].sum()
        assert np.allclose(sums.xs("North East"), 600.0) and np.allclose(sums.xs("London"), 900)
        north = out[out["area_code"] == "North East"].set_index(["breakdown", "year"])
        planted = base[base["area_code"] == "North East"].set_index(["breakdown", "year"])
        ratio = north["forecast"] / planted["forecast"]
        assert np.allclose(north["upper_95"], planted["upper_95"] * ratio)
        assert np.allclose(ratio.groupby("year").std(), 0)  # one scale per total and year
        assert np.allclose(out.loc[out["area_code"] == "London", "forecast"], 300.0)
        assert out["reconciled"].all() and set(out["model"]) == {"coherent"}
    with pytest.raises(ValueError, match="London"):
        rc.split_down(base, S, totals[totals["area_code"] != "London"])


def test_empty_base_gives_no_rows(tree):
    base = planted_base(np.random.default_rng(9)).iloc[:0]
    assert rc.reconcile(base, *tree, "bottom_up", history()).empty


def planted_backtest() -> pd.DataFrame:
    """Origin 2023, targets 2024-2025, no Cumberland: every LA's forecast exact (its
    actual), every total 10% high; one LA's default model (planted as not naive) has no
    forecast at this origin, so its naive one stands in."""
    past = history(cumberland=False)
    rows = []
    for (level, code), counts in past[past["area_code"] != "E06000063"].groupby(
            ["level", "area_code"]):
        counts = counts.set_index("year")["value"]
        for target in (2024, 2025):
            actual = counts[target]
            forecast = actual * (1.0 if level == "la" else 1.1)
            rows.append({"level": level, "area_code": code, "area_name": code,
                         "series": SERIES, "breakdown": "all", "model": "naive",
                         "default": code != "E08000001", "origin": 2023, "target": target,
                         "horizon": target - 2023, "forecast": forecast,
                         "lower_80": forecast * 0.9, "upper_80": forecast * 1.1,
                         "lower_95": forecast * 0.8, "upper_95": forecast * 1.2,
                         "actual": actual})
    return pd.DataFrame(rows)


def test_compare_scores_base_and_bottom_up_as_the_backtest_does(tree):
    """Bottom-up of exact LA forecasts is exact at every level (MASE 0); the base totals'
    MASE is recomputed by hand: mean |error| over the mean absolute yearly change."""
    past = history(cumberland=False)
    tested = planted_backtest()
    table = rc.compare(tested, *tree, ["bottom_up"], history=past).set_index(
        ["level", "model"])
    assert table.loc[("england", "bottom_up"), "mase"] == pytest.approx(0, abs=1e-9)
    assert table.loc[("la", "base"), "mase"] == pytest.approx(0, abs=1e-9)
    england = past[past["level"] == "england"].set_index("year")["value"]
    by_hand = (0.1 * england[[2024, 2025]]).mean() / england.diff().abs().mean()
    assert table.loc[("england", "base"), "mase"] == pytest.approx(by_hand)
    assert table.loc[("la", "base"), "series_count"] == 5
    assert table.loc[("la", "base"), "forecasts"] == 10


def test_a_total_missing_a_council_at_the_origin_is_left_out():
    """A council counted in the total at the origin but absent from the hierarchy's
    bottom table: the total cannot be made up, so only the LAs are reconciled."""
    S, tags = rc.hierarchy(rc.area_tiers(MEMBERS.iloc[1:]))  # no Cumberland
    past = history(cumberland=False)
    counted = past["area_code"].isin(["North West", "E12000002", "E92000001"])
    past.loc[counted & (past["year"] == 2023), "value"] += 500  # a council not forecast
    table = rc.compare(planted_backtest(), S, tags, ["bottom_up"], history=past)
    assert set(table["level"]) == {"la", "rcc", "region"}
    assert set(table.loc[table["level"] != "la", "series_count"]) == {1}


def test_the_chosen_method_has_the_lowest_mase_at_rcc_level():
    compared = pd.DataFrame({
        "level": ["rcc"] * 4 + ["la"] * 2, "series": "s",
        "model": ["base", "bottom_up", "wls_struct", "mint_shrink", "bottom_up", "mint_shrink"],
        "mase": [0.5, 1.2, 0.9, 0.9, 0.1, 2.0], "series_count": 3})
    assert rc.chosen(compared) == "wls_struct"
    assert rc.chosen(compared, "la") == "bottom_up"
