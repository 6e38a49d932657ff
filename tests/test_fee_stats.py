"""Fee distributions and the inside/outside comparison, against numpy's percentiles, scipy's
Welch test done by hand, planted differences, and a disclosure gate that hides cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import fee_stats
from analysis.scope import Scope

AREA = Scope("rcc", "planted")
COHORTS = ["Complex needs", "Few needs", "Risk outside home"]
SECTORS = ["Private", "Voluntary", "Local authority"]
AGE_BANDS = ["Under 10", "10 to 15", "16 and over"]
PLACEMENTS = {"K2": "children's homes", "U1": "fostering", "H5": "supported accommodation"}


def planted(n: int = 600, seed: int = 1, outside_effect: float = 0.0,
            effects: dict | None = None, noise: float = 0.25) -> pd.DataFrame:
    """A fee frame with the contract's columns whose log fee is planted: a base, ``effects``
    (numeric terms per unit; 'cohort', 'age_band', 'placement_type' dicts of level ->
    effect; 'provider' dict of provider -> effect), ``outside_effect`` for placements
    outside the LA and RCC, and normal noise."""
    rng = np.random.default_rng(seed)
    effects = effects or {}
    place = rng.choice(list(PLACEMENTS), n, p=[0.4, 0.45, 0.15])
    needs = rng.integers(0, 8, n)
    high = rng.binomial(needs, 0.3)
    daily = rng.binomial(needs, 0.4)
    cohort = rng.choice(COHORTS, n)
    age_band = rng.choice(AGE_BANDS, n)
    provider = rng.choice([f"P{i:02d}" for i in range(12)], n)
    inside = rng.random(n) < 0.5
    log_fee = (np.log(2000) + outside_effect * ~inside + rng.normal(0, noise, n)
               + sum(effects.get(term, 0) * value for term, value in
                     (("needs", needs), ("high_intensity", high), ("daily", daily))))
    for term, values in (("cohort", cohort), ("age_band", age_band),
                         ("placement_type", place), ("provider", provider)):
        log_fee += pd.Series(values).map(effects.get(term, {})).fillna(0).to_numpy()
    return pd.DataFrame({
        "episode_id": np.arange(n), "child_id": np.arange(n), "la_code": "E08000001",
        "rcc": "planted", "placement_type": place,
        "placement": pd.Series(place).map(PLACEMENTS).to_numpy(), "provider_id": provider,
        "sector": rng.choice(SECTORS, n), "provider_size": "10-49 placements",
        "inside_la": inside, "inside_rcc": inside,
        "distance_miles": np.where(inside, rng.gamma(4, 2, n), rng.gamma(4, 10, n)),
        "age_band": age_band, "needs": needs, "high_intensity": high, "daily": daily,
        "cohort": cohort, "weekly_fee": np.exp(log_fee), "is_synthetic": True})


class CountGate:
    """A stand-in for the fee family: a cell's count as is from 5 up, 'c' below, and a
    cell described only from 5 placements. ``hidden`` cells are hidden whatever their
    count (as secondary suppression would)."""

    def __init__(self, frame: pd.DataFrame, hidden: set = frozenset()):
        self.frame, self.hidden, self.asked = frame, set(hidden), []

    def count(self, breakdown: str, value) -> int:
        frame = self.frame
        if breakdown == "all":
            return len(frame)
        if breakdown.startswith("cohort_inside_"):
            column = "inside_" + breakdown.removeprefix("cohort_inside_")
            cohort, side = value
            return int(((frame["cohort"] == cohort) & frame[column].notna()
                        & (frame[column] == (side == "inside"))).sum())
        column = "provider_id" if breakdown == "provider" else breakdown
        return int((frame[column] == value).sum())

    def shown_count(self, area, breakdown, value):
        self.asked.append((area, breakdown, value))
        count = self.count(breakdown, value)
        return "c" if (breakdown, value) in self.hidden or 0 < count < 5 else count

    def may_describe(self, area, breakdown, value) -> bool:
        shown = self.shown_count(area, breakdown, value)
        return shown != "c" and shown >= 5


def test_distribution_matches_numpy_percentiles():
    frame = planted()
    table = fee_stats.fee_distribution(frame, AREA, CountGate(frame))
    for row in table.itertuples():
        fees = frame["weekly_fee"] if row.breakdown == "all" else \
            frame.loc[frame[row.breakdown] == row.value, "weekly_fee"]
        assert row.placements == len(fees)
        assert row.median == pytest.approx(np.percentile(fees, 50))
        assert row.lower_quartile == pytest.approx(np.percentile(fees, 25))
        assert row.upper_quartile == pytest.approx(np.percentile(fees, 75))
        assert row.mean == pytest.approx(sum(fees) / len(fees))
    assert set(table["breakdown"]) == set(fee_stats.BREAKDOWNS)
    assert list(table.loc[table["breakdown"] == "sector", "value"]) == SECTORS


def test_no_statistic_on_fewer_than_five_placements():
    frame = planted(60)
    frame.loc[frame.index[:4], "sector"] = "Health authority"  # 4 placements
    gate = CountGate(frame, hidden={("sector", "Voluntary")})
    table = fee_stats.fee_distribution(frame, AREA, gate).set_index(["breakdown", "value"])
    for key in (("sector", "Health authority"), ("sector", "Voluntary")):
        assert table.loc[key, "placements"] == "c"
        assert table.loc[key, ["median", "lower_quartile", "upper_quartile", "mean"]].isna().all()
    assert table.loc[("sector", "Private"), "median"] > 0
    assert all(area == AREA for area, _, _ in gate.asked)


def test_empty_frame_gives_empty_tables():
    frame = planted().iloc[:0]
    gate = CountGate(frame)
    assert fee_stats.fee_distribution(frame, AREA, gate).empty
    comparison = fee_stats.inside_outside(frame, AREA, gate, "la")
    assert comparison.empty
    assert fee_stats.adjusted_inside_outside(frame, comparison, "la") is None
    assert "Too few" in fee_stats.inside_outside_sentences(comparison, None, "la")[0]
    assert fee_stats.distribution_sentences(fee_stats.fee_distribution(frame, AREA, gate)) == []


def test_welch_interval_matches_hand_calculation():
    rng = np.random.default_rng(3)
    a, b = pd.Series(rng.normal(10, 2, 30)), pd.Series(rng.normal(8, 5, 12))
    va, vb = a.var() / len(a), b.var() / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    from scipy.stats import t
    half = t.ppf(0.975, df) * np.sqrt(va + vb)
    difference, low, high = fee_stats.welch(a, b)
    assert (low, high) == pytest.approx((difference - half, difference + half))


def test_planted_outside_premium_is_detected():
    frame = planted(1200, outside_effect=np.log(1.3), seed=5)
    gate = CountGate(frame)
    comparison = fee_stats.inside_outside(frame, AREA, gate, "la")
    assert (comparison["outside_more_lower_pct"] > 0).all()
    assert (comparison["outside_more_lower_pct"] < 30).all()
    assert (comparison["outside_more_upper_pct"] > 30).all()
    assert (comparison["miles_difference_lower"] > 0).all()
    adjusted = fee_stats.adjusted_inside_outside(frame, comparison, "la")
    assert adjusted["lower_pct"] < 30 < adjusted["upper_pct"] and adjusted["lower_pct"] > 0
    words = " ".join(fee_stats.inside_outside_sentences(comparison, adjusted, "la"))
    assert "cost about" in words and "more than those inside" in words
    assert "clearly higher in 3 of the 3 cohorts described and clearly lower in 0" in words


@pytest.mark.parametrize("seed", [11, 12])
def test_no_difference_interval_covers_zero(seed):
    frame = planted(800, seed=seed)
    comparison = fee_stats.inside_outside(frame, AREA, CountGate(frame), "rcc")
    adjusted = fee_stats.adjusted_inside_outside(frame, comparison, "rcc")
    assert adjusted["lower_pct"] < 0 < adjusted["upper_pct"]
    assert "cannot tell" in fee_stats.inside_outside_sentences(comparison, adjusted, "rcc")[0]


def test_inside_outside_gated_by_both_cells_and_unknown_side_left_out():
    frame = planted(300)
    frame["inside_la"] = frame["inside_la"].astype(object)
    few = frame.index[(frame["cohort"] == "Few needs") & ~frame["inside_la"].astype(bool)]
    frame.loc[few[4:], "inside_la"] = None  # 4 known outside placements in "Few needs"
    gate = CountGate(frame)
    comparison = fee_stats.inside_outside(frame, AREA, gate, "la").set_index("cohort")
    assert comparison.loc["Few needs", "outside_placements"] == "c"
    assert comparison.loc["Few needs", ["inside_mean_fee", "outside_more_pct"]].isna().all()
    assert pd.notna(comparison.loc["Complex needs", "outside_more_pct"])
    adjusted = fee_stats.adjusted_inside_outside(frame, comparison.reset_index(), "la")
    assert adjusted["cohorts"] == 2
    known = frame[frame["inside_la"].notna() & (frame["cohort"] != "Few needs")]
    assert adjusted["placements"] == len(known)


def test_distance_needs_five_known_distances():
    frame = planted(200)
    frame.loc[~frame["inside_la"], "distance_miles"] = np.nan
    comparison = fee_stats.inside_outside(frame, AREA, CountGate(frame), "la")
    assert comparison["outside_mean_miles"].isna().all()
    assert comparison["outside_mean_fee"].notna().all()


def test_percentages_in_words_never_say_minus_zero():
    assert fee_stats.interval_words(-0.4, 2.6) == "95% interval +0% to +3%"
    assert fee_stats.signed(-2.6) == "-3%"


def test_sentences_name_the_dearest_and_cheapest():
    frame = planted(400, effects={"placement_type": {"K2": 1.0}})
    table = fee_stats.fee_distribution(frame, AREA, CountGate(frame))
    words = " ".join(fee_stats.distribution_sentences(table))
    assert "highest for children's homes" in words
    assert "Half of placements cost more than £" in words
