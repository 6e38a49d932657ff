"""Forecasting models and their backtest, checked against planted answers and independent
(brute-force) recomputations of the errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting import backtest, models, refresh
from forecasting import series as series_

YEARS = range(2016, 2026)


def series(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=list(YEARS)[-len(values):])


def test_prophet_follows_a_planted_steady_growth():
    """Ten years of 10% a year: Prophet on the log scale carries the growth on."""
    history = series([100 * 1.1 ** t for t in range(10)])
    out = models.prophet_forecast(history, 3)
    planted = [100 * 1.1 ** t for t in range(10, 13)]
    assert out["year"].tolist() == [2026, 2027, 2028]
    assert np.allclose(out["forecast"], planted, rtol=0.03)


@pytest.mark.parametrize("model", ["prophet", "naive", "drift", "ets"])
def test_no_forecast_or_interval_is_below_zero(model):
    """A series falling towards 0 never gives a negative forecast or interval."""
    out = models.forecasts(series([60, 40, 25, 15, 9, 5, 3, 2, 1, 0]), 5)[model]
    assert (out[models.COLUMNS[1:]] >= 0).all().all()


def test_intervals_nest_around_the_forecast():
    out = models.forecasts(series([500, 520, 560, 590, 600, 610, 640, 650, 660, 670]), 3)
    for table in out.values():
        assert (table["lower_95"] <= table["lower_80"] + 1e-9).all()
        assert (table["lower_80"] <= table["forecast"] + 1e-9).all()
        assert (table["forecast"] <= table["upper_80"] + 1e-9).all()
        assert (table["upper_80"] <= table["upper_95"] + 1e-9).all()


def test_the_same_history_gives_the_same_prophet_intervals():
    history = series([300, 320, 310, 340, 360, 350, 370])
    pd.testing.assert_frame_equal(models.prophet_forecast(history, 2),
                                  models.prophet_forecast(history, 2))


def test_ets_needs_eight_years_and_short_series_go_without_it():
    assert "ets" not in models.forecasts(series([10, 12, 13, 15, 16]), 2)
    assert "ets" in models.forecasts(series(range(20, 28)), 2)


def test_many_histories_fitted_together_each_get_their_own_forecasts():
    """Histories of 3, 8 and 10 years (with and without ETS) fitted in one batch: each
    gets what it gets alone, its last value as the naive forecast and its last value plus
    its mean yearly change per year ahead as the drift (planted)."""
    histories = [series([30, 33, 36]), series([5, 9, 8, 12, 15, 14, 18, 20]),
                 series([900, 880, 870, 850, 860, 840, 820, 800, 790, 770])]
    together = models.forecasts_many(histories, 3)
    for history, batch in zip(histories, together):
        alone = models.forecasts(history, 3)
        assert batch.keys() == alone.keys()
        for model in alone:
            pd.testing.assert_frame_equal(batch[model], alone[model])
        last, step = history.iloc[-1], (history.iloc[-1] - history.iloc[0]) / (len(history) - 1)
        assert np.allclose(batch["naive"]["forecast"], last)
        assert np.allclose(batch["drift"]["forecast"], last + step * np.arange(1, 4))


def test_backtests_of_many_series_are_each_ones_own():
    histories = [series([100, 110, 105, 120, 130, 125, 140, 150, 145, 160]),
                 series([40, 42, 45, 44, 48]), series([7, 7, 8])]
    together = backtest.backtests(histories, fit=naive_only)
    for history, tested in zip(histories, together):
        pd.testing.assert_frame_equal(tested, backtest.backtest(history, fit=naive_only))
    assert together[2].empty  # three years end in 2025: no origin has three years before it


def test_chunks_cover_every_series_once_in_order():
    assert refresh.chunks([], 2) == []
    assert refresh.chunks([1], 2) == [[1]]
    items = list(range(37))
    parts = refresh.chunks(items, 2)
    assert [i for part in parts for i in part] == items and len(parts) <= 16


def naive_only(trains: list[pd.Series], horizon: int) -> list[dict]:
    """A stand-in model with known forecasts: the last value, a band of +-10 (80%) and +-20."""
    out = []
    for train in trains:
        last = train.iloc[-1]
        years = np.arange(train.index.max() + 1, train.index.max() + 1 + horizon)
        out.append({"naive": pd.DataFrame({"year": years, "forecast": last,
                                           "lower_80": last - 10, "upper_80": last + 10,
                                           "lower_95": last - 20, "upper_95": last + 20})})
    return out


def test_backtest_has_one_row_per_origin_and_horizon_with_what_happened():
    history = series([100, 110, 105, 120, 130, 125, 140, 150, 145, 160])
    tested = backtest.backtest(history, fit=naive_only)
    # origins 2020-2022 see three years ahead, 2023 two and 2024 one
    assert len(tested) == 3 + 3 + 3 + 2 + 1
    row = tested[(tested["origin"] == 2021) & (tested["horizon"] == 2)].iloc[0]
    assert row["target"] == 2023 and row["forecast"] == 125 and row["actual"] == 150


def test_scores_match_a_brute_force_recomputation():
    history = series([100, 110, 105, 120, 130, 125, 140, 150, 145, 160])
    scored = backtest.scores(backtest.backtest(history, fit=naive_only), history).iloc[0]
    values = dict(zip(history.index, history.to_numpy()))
    errors, pcts, in80, in95 = [], [], [], []
    for origin in range(2020, 2025):
        for h in (1, 2, 3):
            if origin + h in values:
                e = abs(values[origin] - values[origin + h])
                errors.append(e)
                pcts.append(100 * e / values[origin + h])
                in80.append(e <= 10)
                in95.append(e <= 20)
    steps = [abs(b - a) for a, b in zip(history.to_numpy()[:-1], history.to_numpy()[1:])]
    assert scored["mase"] == pytest.approx(np.mean(errors) / np.mean(steps))
    assert scored["mape"] == pytest.approx(np.mean(pcts))
    assert scored["coverage_80"] == pytest.approx(np.mean(in80))
    assert scored["coverage_95"] == pytest.approx(np.mean(in95))
    assert scored["forecasts"] == len(errors)


def test_a_straight_line_is_best_forecast_by_its_trend():
    """Planted: a steady rise of 12 a year. Drift forecasts it exactly, so it is the
    default; the last value is behind by 12 a year ahead (MASE = mean horizon)."""
    history = series([200 + 12 * t for t in range(10)])
    scored = backtest.scores(backtest.backtest(history), history)
    by_model = scored.set_index("model")["mase"]
    assert by_model["drift"] == pytest.approx(0, abs=1e-6)
    assert by_model["naive"] == pytest.approx(np.mean([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 1]))
    assert backtest.default_model(scored) == "drift"


def test_default_model_prefers_the_simpler_on_a_tie_and_falls_back_to_naive():
    tie = pd.DataFrame({"model": ["prophet", "drift"], "mase": [0.5, 0.5]})
    assert backtest.default_model(tie) == "drift"
    assert backtest.default_model(pd.DataFrame({"model": ["prophet"], "mase": [np.nan]})) \
        == "naive"


def test_a_series_that_never_moves_has_no_mase():
    history = series([50] * 8)
    scored = backtest.scores(backtest.backtest(history, fit=naive_only), history)
    assert scored["mase"].isna().all()
    assert scored["mape"].iloc[0] == 0


# --- the published series ------------------------------------------------------------------

def lait_rows(values: dict[str, list], level: str = "la", measure: str = "LACnum",
              first: int = 2016) -> pd.DataFrame:
    """LAIT rows for each area's values from ``first`` (None: no published count)."""
    return pd.DataFrame([{"measure_code": measure, "area_code": code, "year": first + i,
                          "level": level, "value": value}
                         for code, column in values.items() for i, value in enumerate(column)])


def test_an_rcc_is_its_las_summed_in_years_every_la_has_a_count():
    rows = lait_rows({"A": [10, 11, 12, 13, 14], "B": [20, None, 22, 23, 24],
                      "C": [1, 2, 3, 4, 5]})
    out = series_.annual_series(rows, {}, {}, {"R": {"A", "B"}})
    rcc = out[out["level"] == "rcc"]
    # 2017 is left out (B suppressed), so the latest unbroken run is 2018-2020
    assert dict(zip(rcc["year"], rcc["value"])) == {2018: 34, 2019: 36, 2020: 38}
    assert set(rcc["series"]) == {"children looked after"}


def test_an_rcc_spans_a_merger_inside_it_and_an_la_starts_at_its_break():
    """P and Q merged into M after 2018, all inside the RCC: its series runs on; M's own
    series starts with its first count."""
    rows = lait_rows({"P": [5, 6, 7, None, None], "Q": [8, 9, 9, None, None],
                      "M": [None, None, None, 17, 18], "N": [30, 31, 32, 33, 34]})
    out = series_.annual_series(rows, {"M": "Merged"}, {"M": 2018}, {"R": {"P", "Q", "M", "N"}})
    rcc = out[out["level"] == "rcc"]
    assert dict(zip(rcc["year"], rcc["value"])) == {2016: 43, 2017: 46, 2018: 48, 2019: 50,
                                                    2020: 52}
    merged = out[out["area_code"] == "M"]
    assert merged["year"].tolist() == [2019, 2020] and set(merged["area_name"]) == {"Merged"}


def test_an_rcc_holding_part_of_a_split_council_starts_after_the_split():
    rows = lait_rows({"S": [None, None, 4, 5, 6], "N": [30, 31, 32, 33, 34]})
    out = series_.annual_series(rows, {}, {"R": 2017}, {"R": {"S", "N"}})
    assert out[out["level"] == "rcc"]["year"].tolist() == [2018, 2019, 2020]


def test_regions_and_england_are_dfe_figures_as_published():
    rows = pd.concat([lait_rows({"E92000001": [80000, 81000]}, level="england"),
                      lait_rows({"E12000001": [5000, 5100]}, level="region",
                                measure="LACnum_Start")])
    out = series_.annual_series(rows, {"E92000001": "England"}, {}, {})
    assert out[["level", "area_name", "series", "value"]].values.tolist() == [
        ["england", "England", "children looked after", 80000],
        ["england", "England", "children looked after", 81000],
        ["region", "E12000001", "started to be looked after", 5000],
        ["region", "E12000001", "started to be looked after", 5100]]


def test_the_stores_rcc_series_add_up_its_las_published_counts(engine):
    """Independently of the builder: each RCC's 2025 count is the sum of its LAs' LAIT
    counts for 2025, read straight from the store."""
    from data import forecast_series, queries

    annual = forecast_series.annual_series(engine)
    lait = queries.lait(engine, "LACnum")
    lait = lait[(lait["year"] == 2025) & (lait["level"] == "la")].set_index("area_code")
    las = queries.local_authorities(engine).dropna(subset=["rcc_name"])
    got = annual[(annual["level"] == "rcc") & (annual["year"] == 2025)
                 & (annual["series"] == "children looked after")].set_index("area_code")
    for rcc, rows in las.groupby("rcc_name"):
        assert got.at[rcc, "value"] == lait.loc[rows["code"], "value"].sum()
    successors = annual[annual["area_code"].isin(["E06000061", "E06000062"])]
    assert successors["year"].min() == 2022  # Northamptonshire split in 2021


# --- refresh: every series at once ---------------------------------------------------------

def small_annual() -> pd.DataFrame:
    """Three series: two long enough to forecast, one two years old."""
    return series_.annual_series(
        lait_rows({"A": [100 + 5 * t for t in range(10)], "B": [40, 35, 30, 28, 25, 20, 18,
                                                              15, 12, 10],
                   "C": [None] * 8 + [7, 8]}), {}, {}, {})


def test_refresh_forecasts_every_series_five_years_ahead_with_every_model():
    fitted = refresh.refresh(small_annual(), workers=1)
    counts = fitted.forecasts.groupby(["area_code", "model"]).size()
    assert set(counts.index.get_level_values(0)) == {"A", "B"}
    assert (counts == refresh.HORIZON).all()
    assert (fitted.forecasts[models.COLUMNS[1:]] >= 0).all().all()
    assert fitted.too_short[["area_code", "years"]].values.tolist() == [["C", 2]]
    defaults = fitted.scores[fitted.scores["default"]]
    assert sorted(defaults["area_code"]) == ["A", "B"], "one default model per series"
    assert defaults.set_index("area_code").at["A", "model"] == "drift"  # a planted line


def test_refresh_on_two_workers_gives_what_one_gives():
    one = refresh.refresh(small_annual(), workers=1)
    two = refresh.refresh(small_annual(), workers=2)
    pd.testing.assert_frame_equal(one.forecasts, two.forecasts)
    pd.testing.assert_frame_equal(one.scores, two.scores)


def test_a_model_tested_on_fewer_past_forecasts_is_not_chosen_over_the_others():
    """ETS (8 years needed) is tested from 2023 only: its lower error on 3 forecasts does
    not make it the default over models tested on all 12."""
    scored = pd.DataFrame({"model": ["naive", "drift", "ets", "prophet"],
                           "mase": [1.1, 0.9, 0.4, 1.3], "forecasts": [12, 12, 3, 12]})
    assert backtest.default_model(scored) == "drift"
