"""The Forecasts page's words and chart, on planted forecasts and scores."""

from __future__ import annotations

import jsonschema
import pandas as pd
from altair.vegalite.v6.schema import load_schema

from analysis import forecast_words as words
from components.forecast_charts import forecast_chart

def march(*years: int) -> list[pd.Timestamp]:
    return [pd.Timestamp(f"{year}-03-31") for year in years]


HISTORY = pd.DataFrame({"period": march(2023, 2024, 2025), "value": [560.0, 575.0, 581.0]})
AHEAD = pd.DataFrame({"model": "ets", "period": march(2026, 2027, 2028),
                      "forecast": [590.4, 601.0, 612.6], "lower_80": [570, 575, 580.2],
                      "upper_80": [610, 625, 645.9], "lower_95": [560, 562, 563],
                      "upper_95": [620, 640, 660], "default": True})
SCORES = pd.DataFrame({"model": ["prophet", "ets", "naive"], "mase": [1.4, 0.8, 1.0],
                       "mape": [9.6, 4.2, 5.5], "coverage_80": [0.5, 0.8, 0.7],
                       "coverage_95": [0.7, 0.9, 0.9], "forecasts": [12, 12, 12],
                       "default": [False, True, False]})


def test_forecasts_are_given_to_three_significant_figures():
    assert [words.about(v) for v in (79547, 612.6, 12949, 8.4)] == ["79,500", "613", "12,900",
                                                                     "8"]


def test_the_answer_names_the_last_count_and_the_forecast_three_years_on():
    view = {"history": HISTORY, "forecasts": AHEAD}
    assert words.answer(view, "children looked after", "Leeds", "ets") == (
        "At 31 March 2025, 581 children were looked after in Leeds. Exponential smoothing "
        "(ETS) gives about 613 for 2028 (80% range 580 to 646).")
    started = words.answer(view, "started to be looked after", "Leeds", "ets")
    assert started.startswith("In the year to 31 March 2025, 581 children started")


def test_a_series_without_figures_or_forecasts_says_so():
    empty = {"history": HISTORY.iloc[0:0], "forecasts": AHEAD.iloc[0:0]}
    assert "no figures for Rutland" in words.answer(
        empty, "children looked after", "Rutland", "prophet")
    short = {"history": HISTORY, "forecasts": AHEAD.iloc[0:0]}
    assert "There is no forecast" in words.answer(short, "children looked after", "Cumberland",
                                                  "prophet")


def test_accuracy_in_words_from_the_scores_and_the_backtest_design():
    tested = pd.DataFrame({"origin": march(2020, 2020, 2024), "horizon": [1, 3, 1]})
    text = words.accuracy(SCORES, "ets", tested)
    assert "fitted to the data up to 31 March 2020 to 31 March 2024 and forecasting 1 to 3 " \
        "years ahead" in text
    assert "its 12 past forecasts were out by 4% on average" in text
    assert "80% range held what happened in 10 of them" in text
    assert "not been measured" in words.accuracy(SCORES.iloc[0:0], "ets", tested)


def test_monthly_series_are_read_by_the_month():
    months = pd.date_range("2024-10-31", periods=6, freq="ME")
    history = pd.DataFrame({"period": months, "value": [90.0, 91, 92, 93, 94, 95]})
    ahead = pd.DataFrame({"model": "naive", "period": pd.date_range("2025-04-30",
                                                                    periods=36, freq="ME"),
                          "forecast": 95.0, "lower_80": 90.0, "upper_80": 100.0})
    text = words.answer({"history": history, "forecasts": ahead}, "children looked after",
                        "Leeds", "naive")
    assert text.startswith("At the end of March 2025, 95 children were looked after")
    assert "gives about 95 for March 2028 (80% range 90 to 100)" in text
    tested = pd.DataFrame({"origin": pd.to_datetime(["2019-03-31", "2019-09-30",
                                                     "2022-03-31"]),
                           "horizon": [12, 24, 36]})
    assert "up to March 2019, every 6 months, to March 2022 and forecasting 12 to 36 " \
        "months ahead" in words.accuracy(SCORES, "ets", tested)


def test_the_default_is_explained_and_a_better_model_than_prophet_is_never_hidden():
    text = words.default_reason(SCORES)
    assert text.startswith("Shown by default: Exponential smoothing (ETS)")
    assert "Prophet's were further out (1.40)" in text
    prophet_best = SCORES.assign(default=[True, False, False], mase=[0.5, 0.8, 1.0])
    assert "further out" not in words.default_reason(prophet_best)


def test_the_chart_is_valid_vega_lite_with_history_forecast_ranges_and_past_forecasts():
    past = pd.DataFrame({"origin": march(2023, 2023, 2024), "target": march(2024, 2025, 2025),
                         "forecast": [570.0, 580.0, 590.0]})
    spec = forecast_chart(HISTORY, AHEAD, past, "children looked after", "Title", "Source.")
    jsonschema.validate(spec, load_schema())
    data = spec["datasets"]
    rows = [row for rows in data.values() for row in rows]
    assert {row.get("what") for row in rows} >= {"What happened", "Forecast",
                                                 "Past forecasts"}
    paths = [row for row in rows if row.get("what") == "Past forecasts"]
    # each past forecast starts from what was known at its origin
    assert {(row["origin"][:4], row["period"][:4], row["forecast"]) for row in paths} == {
        ("2023", "2023", 560.0), ("2023", "2024", 570.0), ("2023", "2025", 580.0),
        ("2024", "2024", 575.0), ("2024", "2025", 590.0)}
    assert spec["usermeta"] == {"title": "Title", "source": "Source."}
