"""The Forecasts page's answer and its accuracy, in plain words for a board: what the
forecast says, how far out past forecasts were, and why the model shown is the default."""

from __future__ import annotations

import math

import pandas as pd

from forecasting.backtest import HORIZONS, ORIGINS
from forecasting.models import MODELS

#: The forecast year the answer names: three years on, the middle of a provider's horizon.
ANSWER_YEARS_AHEAD = 3
#: How each series reads in a sentence, given its count.
SERIES_WORDS = {"children looked after": "{n} children were looked after",
                "started to be looked after": "{n} children started to be looked after",
                "ceased to be looked after": "{n} children ceased to be looked after"}
#: Each model as the subject of a sentence ("... gives about 9,290 for 2028").
DOING = {"prophet": "Prophet", "naive": "Carrying the last count forward",
         "drift": "Continuing the average yearly change",
         "ets": "Exponential smoothing (ETS)"}
WHEN = {"children looked after": "At 31 March {year}",
        "started to be looked after": "In the year to 31 March {year}",
        "ceased to be looked after": "In the year to 31 March {year}"}


def count(value: float) -> str:
    """A count of children as people read it: whole, with thousands separators."""
    return f"{round(value):,}"


def about(value: float) -> str:
    """A forecast to three significant figures (79,547 -> 79,500): a forecast is not
    known to the child, and more figures would suggest it were."""
    digits = max(len(str(int(round(abs(value))))) - 3, 0)
    return count(round(value, -digits))


def answer(view: dict, series: str, area: str, model: str) -> str:
    """Where the series stands and what ``model`` forecasts three years on, with its 80%
    range; or why there is no forecast."""
    history, ahead = view["history"], view["forecasts"]
    if history.empty:
        return f"There are no published figures for {area} to forecast from."
    last = history.iloc[-1]
    now = (f"{WHEN[series].format(year=int(last['year']))}, "
           f"{SERIES_WORDS[series].format(n=count(last['value']))} in {area}.")
    rows = ahead[ahead["model"] == model] if len(ahead) else ahead
    if rows.empty:
        return now + " There is no forecast for this series (too few years since its " \
                     "figures began)."
    target = rows[rows["year"] == rows["year"].min() + ANSWER_YEARS_AHEAD - 1]
    row = (target if len(target) else rows).iloc[-1]
    return (f"{now} {DOING[model]} gives about {about(row['forecast'])} for "
            f"{int(row['year'])} (80% range {about(row['lower_80'])} to "
            f"{about(row['upper_80'])}).")


def accuracy(scores: pd.DataFrame, model: str) -> str:
    """How far out ``model``'s past forecasts were, and how often its 80% range held."""
    rows = scores[scores["model"] == model] if len(scores) else scores
    if rows.empty or rows["forecasts"].iloc[0] == 0:
        return "How good these forecasts are has not been measured for this series."
    row = rows.iloc[0]
    tested = int(row["forecasts"])
    held = round(row["coverage_80"] * tested)
    mape = "" if pd.isna(row["mape"]) else \
        f" were out by {row['mape']:.0f}% on average, and"
    return (f"Tested on the past (fitted to the years up to 31 March {ORIGINS[0]}, "
            f"{ORIGINS[0] + 1}, ... {ORIGINS[-1]} and forecasting {HORIZONS[0]} to "
            f"{HORIZONS[-1]} years ahead), its {tested} past forecasts{mape} its 80% range "
            f"held what happened in {held} of them.")


def default_reason(scores: pd.DataFrame) -> str:
    """Which model is shown by default and why; and, where another model beat Prophet,
    that it did (never hidden)."""
    scored = scores.dropna(subset=["mase"]) if len(scores) else scores
    if scored.empty:
        return ("Shown by default: Prophet. No model could be tested on this series (too "
                "short, or it never changes), so none is known to be better.")
    best = scored[scored["default"]].iloc[0] if scored["default"].any() else scored.iloc[0]
    text = (f"Shown by default: {MODELS[best['model']]}, whose past forecasts were closest "
            f"to what happened (error {best['mase']:.2f} times the series' usual change "
            "from one year to the next; lower is better).")
    prophet = scored[scored["model"] == "prophet"]
    if best["model"] != "prophet" and len(prophet) and not math.isnan(prophet["mase"].iloc[0]):
        text += (f" Prophet's were further out ({prophet['mase'].iloc[0]:.2f}): choose it "
                 "above to see its forecast.")
    return text
