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


# --- monthly (case-level) series -----------------------------------------------------------

MONTHS = pd.date_range("2016-04-30", "2025-03-31", freq="ME")  # 108 month ends


def monthly(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=MONTHS[-len(values):])


def la_sized(seed: int = 1, level: float = 450, months: int = 108) -> pd.Series:
    """A planted LA-sized stock of children: a gentle rise with monthly noise."""
    rng = np.random.default_rng(seed)
    return monthly(np.round(level + 0.6 * np.arange(months) + rng.normal(0, 6, months)))


@pytest.mark.parametrize("model", ["prophet", "naive", "drift", "ets"])
def test_monthly_forecasts_run_60_month_ends_and_never_below_zero(model):
    falling = monthly(np.maximum(0, np.round(60 - 0.7 * np.arange(108)
                                             + np.random.default_rng(3).normal(0, 2, 108))))
    out = models.forecasts(falling, 60)[model]
    assert list(out.columns) == ["month", *models.VALUES]
    assert out["month"].tolist() == list(pd.date_range("2025-04-30", periods=60, freq="ME"))
    assert (out[models.VALUES] >= 0).all().all()


def monthly_naive_only(trains: list[pd.Series], horizon: int) -> list[dict]:
    """The monthly stand-in with known forecasts: the last value, bands of +-10 and +-20."""
    out = []
    for train in trains:
        last = train.iloc[-1]
        months = pd.date_range(train.index[-1] + pd.offsets.MonthEnd(1), periods=horizon,
                               freq="ME")
        out.append({"naive": pd.DataFrame({"month": months, "forecast": last,
                                           "lower_80": last - 10, "upper_80": last + 10,
                                           "lower_95": last - 20, "upper_95": last + 20})})
    return out


def test_monthly_backtest_rows_and_scores_match_a_brute_force_recomputation():
    """Origins every 31 March and 30 September from 2019 while a count 12 months on is
    known (the last: 31 March 2024), 12, 24 and 36 months ahead; MASE over the mean
    absolute month-on-month change. Recomputed here from dates and values alone."""
    history = la_sized()
    tested = backtest.backtest(history, fit=monthly_naive_only)
    values = {d.strftime("%Y-%m"): v for d, v in history.items()}
    expected = []
    for year in range(2019, 2026):
        for month in (3, 9):
            origin = f"{year}-{month:02d}"
            for h in (12, 24, 36):
                target = f"{year + h // 12}-{month:02d}"
                if target in values and f"{year + 1}-{month:02d}" in values:
                    expected.append((origin, h, values[origin], values[target]))
    got = [(o.strftime("%Y-%m"), h, f, a) for o, h, f, a in
           tested[["origin", "horizon", "forecast", "actual"]].itertuples(index=False)]
    assert sorted(got) == sorted(expected)
    assert ("2022-03", 36, values["2022-03"], values["2025-03"]) in got
    assert tested["origin"].max() == pd.Timestamp("2024-03-31")
    assert (tested["target"] - tested["origin"]).dt.days.between(360, 1100).all()
    errors = [abs(f - a) for _, _, f, a in expected]
    steps = np.abs(np.diff(list(values.values())))
    scored = backtest.scores(tested, history).iloc[0]
    assert scored["mase"] == pytest.approx(np.mean(errors) / steps.mean())
    assert scored["coverage_80"] == pytest.approx(np.mean([e <= 10 for e in errors]))
    assert scored["forecasts"] == len(expected)


def test_a_monthly_series_needs_three_years_before_an_origin():
    short = la_sized(months=50)  # from February 2021: three years by 31 January 2024
    origins = [o for o, _ in backtest.training_sets(short)]
    assert origins == [pd.Timestamp("2024-03-31")]


def test_the_default_is_the_lowest_mase_with_planted_stock_and_flow_rows():
    """The lead merges the stock-and-flow comparator's rows into a series' backtest: when
    its errors are the smallest it is the default; when Prophet's are, Prophet is."""
    history = la_sized()
    tested = backtest.backtest(history, fit=monthly_naive_only)
    planted = tested.assign(model="stock_flow", forecast=tested["actual"] + 1)
    scored = backtest.scores(pd.concat([tested, planted], ignore_index=True), history)
    assert backtest.default_model(scored) == "stock_flow"
    better = tested.assign(model="prophet", forecast=tested["actual"])
    scored = backtest.scores(pd.concat([tested, planted, better], ignore_index=True), history)
    assert backtest.default_model(scored) == "prophet"
    assert backtest.SIMPLEST_FIRST.index("stock_flow") < backtest.SIMPLEST_FIRST.index(
        "prophet")


def test_warm_started_prophet_fits_equal_cold_ones_within_a_child():
    """A backtest's origins fitted in order start each fit from the one before (a longer
    history of the same series); each forecast is what a fit from Prophet's own start
    gives, within a child."""
    history = la_sized(seed=7)
    trains = [train for _, train in backtest.training_sets(history)]
    assert models.extends(trains[1], trains[0]) and not models.extends(trains[0], trains[1])
    warm = models.prophet_forecasts(trains, 36)
    for train, table in zip(trains, warm):
        cold = models.prophet_forecast(train, 36)
        assert np.abs(table[models.VALUES] - cold[models.VALUES]).to_numpy().max() < 1


def test_a_seasonal_month_pattern_is_fitted_only_where_it_is_there():
    """Planted: a strong yearly swing (+-40 around 300) passes statsforecast's test and
    gets yearly terms (Prophet) and a 12-month season (ETS), which carry it on; noise
    round a level does not."""
    swing = 300 + 40 * np.sin(2 * np.pi * np.arange(108) / 12)
    history = monthly(np.round(swing + np.random.default_rng(2).normal(0, 3, 108)))
    assert models.seasonal(history) and not models.seasonal(la_sized())
    assert models.benchmark_group(history) == ("month", True, 12)
    out = models.forecasts(history, 12)
    planted = 300 + 40 * np.sin(2 * np.pi * np.arange(108, 120) / 12)
    for model in ("prophet", "ets"):
        assert np.abs(out[model]["forecast"] - planted).max() < 15, model


def test_refresh_fits_annual_and_monthly_series_in_one_pool():
    monthly_frame = pd.concat([
        pd.DataFrame({"level": "rcc", "area_code": "R", "area_name": "R",
                      "series": "children looked after", "breakdown": breakdown,
                      "month": MONTHS, "value": la_sized(seed).to_numpy()})
        for seed, breakdown in ((1, "all"), (2, "fostering"))], ignore_index=True)
    short = monthly_frame.iloc[:20].assign(breakdown="cohort: not assessed")
    fitted = refresh.refresh_kinds({"annual": small_annual(),
                                    "monthly": pd.concat([monthly_frame, short])}, workers=2)
    month = fitted["monthly"]
    assert set(month.forecasts.groupby("breakdown").size()) == {60 * 4}
    assert month.forecasts["month"].max() == pd.Timestamp("2030-03-31")
    assert set(month.backtests["horizon"]) == {12, 24, 36}
    assert month.too_short[["breakdown", "months"]].values.tolist() == [
        ["cohort: not assessed", 20]]
    assert month.scores.groupby("breakdown")["default"].sum().tolist() == [1, 1]
    assert set(fitted["annual"].forecasts["breakdown"]) == {"all"}
    assert "year" in fitted["annual"].forecasts and "month" not in fitted["annual"].forecasts


# --- our Prophet fit against the prophet package's (cmdstan) -------------------------------

def stan_log_posterior(inputs, params: dict) -> float:
    """Prophet's Stan model's log density (constants dropped), written from prophet.stan
    and evaluated on the package's own inputs (``Prophet.preprocess``)."""
    t, y, cps = np.asarray(inputs.t), np.asarray(inputs.y), np.asarray(inputs.t_change)
    X, sigmas = np.asarray(inputs.X, dtype=float), np.asarray(inputs.sigmas, dtype=float)
    k, m, sigma = (float(np.ravel(params[name])[0]) for name in ("k", "m", "sigma_obs"))
    delta, beta = np.ravel(params["delta"]), np.ravel(params["beta"])
    A = (t[:, None] >= cps[None, :]).astype(float)
    trend = (k + A @ delta) * t + (m + A @ (-cps * delta))
    residual = y - trend - X @ beta
    return -(k ** 2 / 50 + m ** 2 / 50 + np.abs(delta).sum() / inputs.tau + 2 * sigma ** 2
             + np.sum(beta ** 2 / (2 * sigmas ** 2)) + len(y) * np.log(sigma)
             + residual @ residual / (2 * sigma ** 2))


@pytest.mark.parametrize("history, yearly", [
    (series([420, 445, 470, 480, 510, 530, 525, 560, 590, 600]), False),
    (la_sized(seed=11), False),
    (monthly(np.round(300 + 40 * np.sin(2 * np.pi * np.arange(108) / 12)
                      + 0.5 * np.arange(108) + np.random.default_rng(5).normal(0, 3, 108))),
     True)], ids=["annual", "monthly", "monthly-seasonal"])
def test_our_prophet_is_the_prophet_packages_fit_within_a_child(history, yearly):
    """The prophet package fitted (cmdstan) with the same settings: our forecasts are
    within a child of its, our parameters are at least as probable under its own model
    (its optimiser stops a little short of the mode), and given the same parameters our
    predictive samples are its draw for draw."""
    import logging

    from prophet import Prophet

    from forecasting import prophet_map

    for name in ("cmdstanpy", "prophet", "prophet.models"):
        logging.getLogger(name).disabled = True
    assert models.seasonal(history) == yearly
    package = Prophet(yearly_seasonality=yearly, weekly_seasonality=False,
                      daily_seasonality=False, n_changepoints=models.changepoints(history),
                      uncertainty_samples=models.SAMPLES)
    frame = pd.DataFrame({"ds": models.dates(history), "y": np.log1p(history.to_numpy())})
    package.fit(frame)
    ours, (design, params) = models.prophet_fit(history, 24)
    ahead = pd.DataFrame({"ds": models.dates(ours.set_index(ours.columns[0])["forecast"])})
    theirs = np.expm1(package.predict(ahead)["yhat"].to_numpy())
    assert np.abs(ours["forecast"].to_numpy() - theirs).max() < 1
    inputs = Prophet(yearly_seasonality=yearly, weekly_seasonality=False,
                     daily_seasonality=False,
                     n_changepoints=models.changepoints(history)).preprocess(frame)
    assert stan_log_posterior(inputs, params) >= stan_log_posterior(inputs,
                                                                    package.params) - 1e-9
    package.params = {key: np.atleast_1d(np.asarray(value, float)).reshape(1, -1)
                      for key, value in params.items()}
    np.random.seed(models.SEED)
    draws = package.sample_posterior_predictive(package.setup_dataframe(ahead),
                                                vectorized=True)["yhat"]
    _, samples = prophet_map.predict(design, params, pd.DatetimeIndex(ahead["ds"]),
                                     models.SAMPLES, models.SEED)
    assert np.allclose(draws, samples, rtol=0, atol=1e-9)
