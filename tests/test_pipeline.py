"""One refresh's whole fit (forecasting/pipeline.py): the published LA forecasts made
coherent with their RCC, region and England; the case-level series with the stock-and-flow
comparator among their models and placement groups adding up to the RCC; the default
model the one whose past forecasts were closest, recomputed here by brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data import forecast_inputs
from data.store import make_engine
from forecasting import monthly, pipeline

TIERS = pd.DataFrame({"la": ["A", "B", "C"], "rcc": ["R1", "R1", "R2"],
                      "region": ["X", "X", "X"], "england": ["E", "E", "E"]})


def planted_annual() -> pd.DataFrame:
    """Three LAs, their RCCs, region and England (the totals their own, noisy, series)."""
    rng = np.random.default_rng(7)
    las = {"A": 100 + 6 * np.arange(10), "B": 80 + 2 * np.arange(10),
           "C": 300 - 5 * np.arange(10)}
    areas = {("la", code): values + rng.integers(-3, 4, 10) for code, values in las.items()}
    areas[("rcc", "R1")] = las["A"] + las["B"] + rng.integers(-5, 6, 10)
    areas[("rcc", "R2")] = las["C"] + rng.integers(-5, 6, 10)
    areas[("region", "X")] = las["A"] + las["B"] + las["C"] + rng.integers(-8, 9, 10)
    areas[("england", "E")] = areas[("region", "X")] + 4
    return pd.DataFrame([{"level": level, "area_code": code, "area_name": code,
                          "series": series, "year": 2016 + t, "value": float(value)}
                         for (level, code), values in areas.items()
                         for series in ("children looked after", "started to be looked after")
                         for t, value in enumerate(values)])


@pytest.fixture(scope="module")
def published():
    return pipeline.fit_all(pipeline.Inputs(annual=planted_annual(), tiers=TIERS),
                            workers=1)[pipeline.PUBLISHED]


def coherent(forecasts: pd.DataFrame) -> pd.DataFrame:
    rows = forecasts[forecasts["model"] == pipeline.COHERENT]
    return rows.set_index(["series", "year", "level", "area_code"])["forecast"]


def test_reconciled_la_forecasts_add_up_to_rcc_region_and_england(published):
    values = coherent(published.forecasts)
    la = values.xs("la", level="level").rename_axis(["series", "year", "la"]).reset_index()
    la = la.merge(TIERS, on="la")
    for level, column in (("rcc", "rcc"), ("region", "region"), ("england", "england")):
        sums = la.groupby(["series", "year", column])["forecast"].sum()
        theirs = values.xs(level, level="level")
        assert np.allclose(sums.sort_index().to_numpy(), theirs.sort_index().to_numpy(),
                           atol=1e-6, rtol=0), level


def test_no_forecast_or_range_is_negative(published):
    ranges = ["forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    assert (published.forecasts[ranges] >= 0).all().all()
    assert (published.backtests[ranges] >= 0).all().all()


def brute_force_mase(tested: pd.DataFrame, history: pd.Series) -> float:
    """Mean absolute error over the mean absolute one-step change of the whole history."""
    steps = [abs(b - a) for a, b in zip(history.to_list(), history.to_list()[1:])]
    return sum(abs(f - a) for f, a in zip(tested["forecast"], tested["actual"])) \
        / len(tested) / (sum(steps) / len(steps))


def check_defaults(fitted, history: pd.DataFrame, period: str) -> None:
    """Each series' default model has the lowest MASE (recomputed from its backtest rows)
    among the models tested on as many past forecasts as any."""
    key = ["level", "area_code", "series", "breakdown"]
    history = pipeline.history_long(history)
    for values, rows in fitted.backtests.groupby(key):
        counted = history.merge(pd.DataFrame([dict(zip(key, values))]), on=key)
        series = counted.set_index(period)["value"].sort_index()
        if series.diff().abs().sum() == 0:
            continue
        sizes = rows.groupby("model").size()
        errors = {model: brute_force_mase(part, series) for model, part in rows.groupby("model")
                  if sizes[model] == sizes.max()}
        scores = fitted.scores.merge(pd.DataFrame([dict(zip(key, values))]), on=key)
        chosen = scores.loc[scores["default"].astype(bool), "model"]
        assert len(chosen) == 1, values
        assert errors[chosen.iloc[0]] == pytest.approx(min(errors.values())), values


def test_coherent_forecasts_are_scored_and_the_default_is_the_closest(published):
    assert set(published.backtests["model"]) >= {"coherent", "naive", "prophet"}
    check_defaults(published, planted_annual(), "year")


@pytest.fixture(scope="module")
def case(cohort_url):
    """The synthetic cohort's case-level series (Greater Manchester and the North East:
    their RCC, regions and England, and three LAs, to keep the fits few), fitted with
    backtests; the published series left out (tested above)."""
    engine = make_engine(cohort_url)
    given = forecast_inputs.inputs(engine)
    engine.dispose()
    series = given.monthly
    given.monthly = series[(series["level"] != "la") | series["area_code"].isin(
        ["E08000001", "E08000003", "E06000047"])]
    given.annual = planted_annual().iloc[0:0]
    fitted = pipeline.fit_all(given, workers=2)
    return given, fitted[pipeline.CASE]


def test_stock_and_flow_forecasts_every_shown_stock_series(case):
    given, fitted = case
    stocks = pipeline.shown(given.monthly).query("series == @monthly.STOCK")
    stocks = stocks[stocks["breakdown"].isin(["all", *monthly.GROUPS])]  # not by cohort
    wanted = set(map(tuple, stocks[["level", "area_code", "breakdown"]].drop_duplicates()
                     .to_numpy()))
    by_model = fitted.forecasts[fitted.forecasts["model"] == "stock_flow"]
    got = set(map(tuple, by_model[["level", "area_code", "breakdown"]].drop_duplicates()
                  .to_numpy()))
    assert got == wanted
    assert (by_model["lower_95"] >= 0).all()


def test_every_la_and_rcc_is_backtested_from_31_march_2022(case):
    given, fitted = case
    tested = fitted.backtests
    origin = tested[(tested["origin"] == pd.Timestamp("2022-03-31"))
                    & (tested["series"] == monthly.STOCK) & (tested["breakdown"] == "all")]
    stocks = pipeline.shown(given.monthly)
    stocks = stocks[(stocks["series"] == monthly.STOCK) & (stocks["breakdown"] == "all")
                    & stocks["level"].isin(["la", "rcc"])]
    long_enough = stocks.groupby("area_code")["month"].min() <= pd.Timestamp("2019-03-31")
    assert set(long_enough[long_enough].index) <= set(origin["area_code"])
    assert set(origin["model"]) >= {"prophet", "naive", "drift", "ets", "stock_flow"}
    assert set(origin["horizon"]) == {12, 24, 36}


def test_case_level_defaults_are_the_closest_models(case):
    given, fitted = case
    check_defaults(fitted, pipeline.shown(given.monthly), "month")


def test_placement_groups_add_up_to_the_rcc_total(case):
    given, fitted = case
    rows = fitted.forecasts[(fitted.forecasts["level"] == "rcc")]
    parts = rows[(rows["model"] == pipeline.COHERENT)
                 & rows["breakdown"].isin(list(monthly.GROUPS))]
    assert len(parts), "Greater Manchester's placement groups are all shown"
    totals = pipeline.defaults(fitted)
    totals = totals[(totals["level"] == "rcc") & (totals["breakdown"] == "all")].set_index(
        ["area_code", "series", "month"])["forecast"]
    sums = parts.groupby(["area_code", "series", "month"])["forecast"].sum()
    assert np.allclose(sums.to_numpy(), totals.reindex(sums.index).to_numpy(), atol=1e-6)
