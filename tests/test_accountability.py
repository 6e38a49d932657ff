"""Funnel limits, overdispersion, trend tests and the flag rule, against independent sums."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from analysis import accountability as rule
from analysis import funnel, trend
from analysis.scope import Scope
from data import tables

POPULATIONS = [300, 2_500, 40_000, 131_831, 600_000]
TARGETS = [5.0, 67.12, 180.0]
PROBABILITIES = [0.001, 0.025, 0.975, 0.999]


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean), via the regularised upper incomplete gamma."""
    return 0.0 if k < 0 else float(special.gammaincc(k + 1, mean))


def independent_limit(population: float, target: float, p: float) -> float:
    """Spiegelhalter's interpolated Poisson quantile, found by walking up the CDF."""
    mean = population * target / 10_000
    r = 0
    while poisson_cdf(r, mean) < p:
        r += 1
    alpha = (poisson_cdf(r, mean) - p) / (poisson_cdf(r, mean) - poisson_cdf(r - 1, mean))
    return max(r - alpha, 0.0) / population * 10_000


@pytest.mark.parametrize("population", POPULATIONS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("p", PROBABILITIES)
def test_exact_limits_match_an_independent_poisson_computation(population, target, p):
    """The funnel's exact limits equal a from-scratch Poisson computation to 1e-6."""
    ours = funnel.exact_limit([population], target, p)[0]
    assert ours == pytest.approx(independent_limit(population, target, p), abs=1e-6)


def independent_dispersion(observed, population, target) -> tuple[float, float]:
    """(phi, DerSimonian-Laird tau^2) written out longhand (Spiegelhalter 2005), as a check."""
    z = [2 * (math.sqrt(o) - math.sqrt(n * target / 10_000))
         for o, n in zip(observed, population)]
    low, high = np.percentile(z, [10, 90])
    z = [min(max(v, low), high) for v in z]
    k = len(z)
    phi = sum(v * v for v in z) / k
    if k * phi <= k - 1:
        return phi, 0.0
    w = [4 * n for n in population]
    return phi, (k * phi - (k - 1)) / (sum(w) - sum(x * x for x in w) / sum(w))


def england_yardstick(table: pd.DataFrame) -> tuple[float, float]:
    """(phi, tau^2) computed longhand over every LA in an accountability table, against
    England's rate summed afresh from those LAs."""
    rated = table.dropna(subset=["children", "population_0_17"])
    england = rated["children"].sum() / rated["population_0_17"].sum() * 10_000
    return independent_dispersion(rated["children"], rated["population_0_17"], england)


def test_tau_squared_matches_an_independent_implementation(engine):
    """phi and tau^2 on the real 2025 LA rates equal the longhand estimate."""
    table = tables.accountability(engine, 2025)
    phi, tau2 = england_yardstick(table)
    assert table["overdispersion_phi"].iloc[0] == pytest.approx(phi, rel=1e-9)
    assert table["tau_squared"].iloc[0] == pytest.approx(tau2, rel=1e-9)
    assert tau2 > 0, "CLA rates are overdispersed"


TARGET_LINES = [(rule.RuleSettings(), Scope()),
                (rule.RuleSettings(target="rcc"), Scope("rcc", "greater-manchester")),
                (rule.RuleSettings(target="rcc"), Scope("rcc", "north-east")),
                (rule.RuleSettings(target="rcc"), Scope("la", "E06000009"))]


@pytest.mark.parametrize("settings, scope", TARGET_LINES)
def test_target_line_does_not_change_the_yardstick(engine, settings, scope):
    """Choosing an RCC's rate as the target moves the line, not the width: phi and tau^2
    stay those of all English LAs against England's rate."""
    table = tables.accountability(engine, 2025, settings, scope)
    phi, tau2 = england_yardstick(table)
    assert table["overdispersion_phi"].iloc[0] == pytest.approx(phi, rel=1e-9)
    assert table["tau_squared"].iloc[0] == pytest.approx(tau2, rel=1e-9)


def test_adjusted_limits_are_centred_on_the_chosen_target(engine):
    """With the North East's rate as the target, the adjusted limits sit symmetrically
    about it on the square-root scale, at the England-estimated width."""
    table = tables.accountability(engine, 2025, rule.RuleSettings(target="rcc"),
                                  Scope("rcc", "north-east"))
    rated = table.dropna(subset=["children", "population_0_17"])
    north_east = rated[rated["rcc_id"] == "north-east"]
    target = north_east["children"].sum() / north_east["population_0_17"].sum() * 10_000
    _, tau2 = england_yardstick(table)
    upper = np.sqrt(rated["funnel_adj_upper_998"] / 10_000)
    half_width = stats.norm.ppf(0.999) * np.sqrt(1 / (4 * rated["population_0_17"]) + tau2)
    assert np.allclose(upper, math.sqrt(target / 10_000) + half_width, rtol=1e-9)


def planted_counts(seed: int, overdispersion: float) -> tuple[np.ndarray, np.ndarray]:
    """150 LAs' counts at one true rate (67 per 10,000), Poisson or gamma-Poisson with the
    given extra variance of the log rate."""
    rng = np.random.default_rng(seed)
    population = rng.integers(2_000, 300_000, 150).astype(float)
    rate = 67 / 10_000 * rng.lognormal(0, overdispersion, 150) if overdispersion else 67e-4
    return rng.poisson(population * rate).astype(float), population


@pytest.mark.parametrize("seed, overdispersion", [(1, 0.0), (2, 0.0), (3, 0.05), (4, 0.3)])
def test_overdispersion_test_matches_scipy_chi2(seed, overdispersion):
    """The p-value is scipy's chi-square tail of the sum of squared winsorised z-scores on
    k - 1 degrees of freedom; 'overdispersed' means p < 0.05."""
    counts, population = planted_counts(seed, overdispersion)
    england = counts.sum() / population.sum() * 10_000
    phi, _ = independent_dispersion(counts, population, england)
    expected = stats.chi2.sf(len(counts) * phi, len(counts) - 1)
    spread = funnel.dispersion(counts, population, england)
    assert spread.p_value == pytest.approx(expected, rel=1e-9)
    assert spread.overdispersed == (expected < 0.05)


def test_auto_follows_the_test_not_a_positive_tau_squared():
    """Slight real differences (2% between LAs) give tau^2 > 0 in many samples, but 'auto'
    keeps the exact limits unless the chi-square test says the extra spread is beyond
    chance."""
    found = []
    for seed in range(20):
        counts, population = planted_counts(seed, 0.02)
        england = counts.sum() / population.sum() * 10_000
        spread = funnel.dispersion(counts, population, england)
        if spread.tau2 > 0 and not spread.overdispersed:
            found.append(rule.RuleSettings().limits_used(spread.overdispersed))
    assert found and set(found) == {"exact"}


def test_no_overdispersion_gives_zero_tau_and_adjusted_equals_poisson_width():
    """Counts exactly at expectation are not overdispersed: tau^2 = 0, and the adjusted
    limits then differ from the exact ones only by the normal approximation."""
    population = np.array([10_000, 20_000, 40_000, 80_000, 160_000] * 4, dtype=float)
    observed = population * 67 / 10_000
    spread = funnel.dispersion(observed, population, 67.0)
    assert spread.tau2 == 0 and not spread.overdispersed
    assert spread.p_value > 0.99
    exact = funnel.exact_limit(population, 67.0, 0.999)
    adjusted = funnel.adjusted_limit(population, 67.0, 0.999, 0.0)
    assert np.allclose(adjusted, exact, rtol=0.02)


def la(**overrides) -> dict:
    """A hand-built LA row in the shape rule.assess expects; nothing flagged by default."""
    row = {"la_code": "E0", "la_name": "Test", "year": 2025, "rate_per_10k": 70.0,
           "rate_per_10k_exact": 70.0, "target_rate_per_10k": 67.0,
           "funnel_upper_95": 80.0, "funnel_upper_998": 90.0,
           "funnel_adj_upper_95": 110.0, "funnel_adj_upper_998": 140.0,
           "trend_direction": trend.FLAT, "trend_pct_per_year": 0.0, "years_rising": 0,
           "change_since_pct": 0.0}
    row.update(overrides)
    return row


CASES = {
    "above 99.8% (adjusted)": (la(rate_per_10k=150, rate_per_10k_exact=150), True,
                               "above the 99.8% limit"),
    "above 95% and rising": (la(rate_per_10k=120, rate_per_10k_exact=120,
                                trend_direction=trend.RISING, trend_pct_per_year=6.0),
                             True, "above the 95% limit, rising significantly (+6.0% a year)"),
    "above 95% but not rising": (la(rate_per_10k=120, rate_per_10k_exact=120), False, ""),
    "up 3 years running, trend rising": (la(years_rising=3, trend_direction=trend.RISING,
                                            trend_pct_per_year=4.0), True,
                                         "up in each of the last 3 years, rising significantly "
                                         "(+4.0% a year)"),
    "up 3 years running, no significant trend": (la(years_rising=3), False, ""),
    "up only 2 years, trend rising": (la(years_rising=2, trend_direction=trend.RISING), False,
                                      ""),
    "above exact limit only": (la(rate_per_10k=95, rate_per_10k_exact=95), False, ""),
}


@pytest.mark.parametrize("case", CASES)
def test_each_branch_of_the_rule(case):
    """Each branch flags exactly when its conditions hold, with the right words."""
    row, flagged, words = CASES[case]
    out = rule.assess(pd.DataFrame([row]), rule.RuleSettings(), True, "England").iloc[0]
    assert out["flag"] == flagged
    assert words in out["flag_reason"]


def test_auto_limits_use_exact_poisson_when_not_overdispersed():
    """'auto' falls back to the exact limits when tau^2 = 0: the 95 rate then breaches 99.8%."""
    row = la(rate_per_10k=95, rate_per_10k_exact=95)
    out = rule.assess(pd.DataFrame([row]), rule.RuleSettings(), False, "England").iloc[0]
    assert out["limits_used"] == "exact" and out["flag"]


def test_switched_off_branch_does_not_flag():
    """The board can switch a branch off, and then it never flags."""
    row = la(rate_per_10k=150, rate_per_10k_exact=150)
    settings = rule.RuleSettings(above_998=False)
    assert not rule.assess(pd.DataFrame([row]), settings, True, "England").iloc[0]["flag"]


def test_reason_reads_as_one_plain_sentence():
    """The reason is the sentence a trustee reads out in the meeting."""
    row = la(rate_per_10k=112, rate_per_10k_exact=150, change_since_pct=18.2)
    out = rule.assess(pd.DataFrame([row]), rule.RuleSettings(), True, "England").iloc[0]
    assert out["flag_reason"] == ("Rate 112 per 10,000 against 67 for England; above the "
                                  "99.8% limit and up 18% since 2021.")


@pytest.mark.parametrize("bad", [dict(limits="loose"), dict(target="moon"),
                                 dict(trend_years=2), dict(alpha=0.9), dict(rising_years=9)])
def test_settings_are_validated(bad):
    """Settings come from a form and are stored with decisions, so nonsense is refused."""
    with pytest.raises(ValueError):
        rule.RuleSettings(**bad)


def test_default_rule_flags_a_handful_not_dozens(engine):
    """Against exact limits dozens of LAs breach 99.8%; the default (adjusted) rule flags
    few enough for a board to follow up."""
    table = tables.accountability(engine, 2025)
    counts = rule.variant_counts(table, rule.RuleSettings()).set_index("limits")
    assert counts.at["exact", "above_998"] > 30
    assert 0 < table["flag"].sum() < 20
    assert set(table["limits_used"]) == {"adjusted"}


def test_la_rates_export_carries_the_funnel_columns(engine):
    """The la-rates export has every column the issue names, for all current LAs."""
    exported = tables.la_rates_assessed(engine, 2025)
    for column in tables.LA_RATES_FUNNEL_COLUMNS:
        assert column in exported.columns
    current = exported[exported["current_la"]]
    assert len(current) == 153
    assert current["flag"].sum() == tables.accountability(engine, 2025)["flag"].sum()
    flagged = current[current["flag"]]
    assert flagged["flag_reason"].str.startswith("Rate ").all()


def test_rcc_target_uses_the_rccs_own_rate(engine):
    """With the RCC target, the line is the RCC's rate (Greater Manchester 2025: 89)."""
    settings = rule.RuleSettings(target="rcc")
    table = tables.accountability(engine, 2025, settings, Scope("rcc", "greater-manchester"))
    assert round(table["target_rate_per_10k"].iloc[0]) == 89


@pytest.fixture(scope="module")
def default_tables(engine) -> dict[int, pd.DataFrame]:
    """The default rule's table for every year DfE published, once for the module."""
    return {year: tables.accountability(engine, year) for year in tables.available_years(engine)}


@pytest.mark.parametrize("branch", rule.BRANCHES)
def test_each_branch_flags_someone_in_a_recent_year(default_tables, branch):
    """No branch is a dead setting: with the default settings each flags at least one LA
    in some year from 2022 to 2025."""
    flagged = {year: int(table[branch].sum()) for year, table in default_tables.items()
               if year >= 2022}
    assert max(flagged.values()) > 0, flagged


def test_rising_branch_needs_both_the_run_and_the_trend(default_tables):
    """An LA flagged as 'up each year' has both the run of rises and a significant trend."""
    for table in default_tables.values():
        flagged = table[table["rising_in_a_row"]]
        assert (flagged["years_rising"] >= 3).all()
        assert (flagged["trend_direction"] == trend.RISING).all()
        assert (flagged["trend_p_value"] < 0.05).all()


def test_variant_counts_cover_every_year_and_match_the_flags(default_tables):
    """The year-by-year counts have a row per year and kind of limit, and the adjusted
    'any' count is the number of LAs the default rule flags that year."""
    counts = rule.variant_counts_by_year(default_tables.values(), rule.RuleSettings())
    assert sorted(counts["year"].unique()) == sorted(default_tables)
    adjusted = counts[counts["limits"] == "adjusted"].set_index("year")
    for year, table in default_tables.items():
        assert adjusted.at[year, "any_branch"] == table["flag"].sum()


def test_page_words_state_the_spread_as_a_square_root(default_tables):
    """phi is a ratio of variances: 47 in 2025 means a spread about 7 times chance's."""
    table = default_tables[2025]
    phi, _ = england_yardstick(table)
    words = rule.spread_in_words(table)
    assert f"about **{round(math.sqrt(phi))} times as widely**" in words
    assert "tau" not in words and f"{phi:.0f} times" not in words


def test_adjusted_limits_are_not_called_chance_alone():
    """Adjusted limits include the differences between LAs, so they are not 'chance alone'."""
    assert "chance alone" not in rule.limits_caption("adjusted")
    assert "chance alone" in rule.limits_caption("exact")


def test_rule_in_words_follows_the_settings():
    """The rule as written on the page changes with the settings, branch by branch."""
    words = rule.in_words(rule.RuleSettings(above_998=False, trend_years=7, rising_years=4))
    assert "99.8%" not in words
    assert "each of the last 4 years" in words and "last **7 years**" in words
    assert "switched off" in rule.in_words(rule.RuleSettings(
        above_998=False, above_95_and_rising=False, rising_years=0))
