"""The Forecasts page's answer and its accuracy, in plain words for a board: what the
forecast says, how far out past forecasts were, and why the model shown is the default."""

from __future__ import annotations

import math

import pandas as pd

from forecasting.models import MODELS

#: Every model a page can show, by key: the fitted ones, the stock-and-flow comparator
#: (case-level totals) and the forecasts reconciled to add up across areas.
MODEL_NAMES = {**MODELS, "stock_flow": "Stock and flow (how LAs forecast)",
               "coherent": "Coherent (adds up across areas)"}
#: How far ahead the answer looks: three years, the middle of a provider's horizon.
ANSWER_YEARS_AHEAD = 3
#: How each series reads in a sentence, given its count.
SERIES_WORDS = {"children looked after": "{n} children were looked after",
                "started to be looked after": "{n} children started to be looked after",
                "ceased to be looked after": "{n} children ceased to be looked after"}
#: Each model as the subject of a sentence ("... gives about 9,290 for 2028").
DOING = {"prophet": "Prophet", "naive": "Carrying the last count forward",
         "drift": "Continuing the average change", "ets": "Exponential smoothing (ETS)",
         "stock_flow": "The stock-and-flow model", "coherent": "The coherent forecast"}
#: When a count was made: published counts are at 31 March (stock) or in the year to it
#: (flows); case-level ones at a month end or in the month.
WHEN = {("children looked after", False): "At 31 March {date:%Y}",
        ("started to be looked after", False): "In the year to 31 March {date:%Y}",
        ("ceased to be looked after", False): "In the year to 31 March {date:%Y}",
        ("children looked after", True): "At the end of {date:%B %Y}",
        ("started to be looked after", True): "In {date:%B %Y}",
        ("ceased to be looked after", True): "In {date:%B %Y}"}


def is_monthly(periods: pd.Series) -> bool:
    """True for monthly series (periods a month apart), False for annual ones."""
    steps = pd.to_datetime(periods).sort_values().diff().dropna()
    return bool(len(steps)) and steps.min() < pd.Timedelta(days=60)


def period_name(date: pd.Timestamp, monthly: bool) -> str:
    """A forecast's period as a board reads it: "2028", or "March 2028"."""
    return f"{date:%B %Y}" if monthly else f"{date:%Y}"


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
        return f"There are no figures for {area} to forecast from."
    last = history.iloc[-1]
    monthly = is_monthly(history["period"])
    now = (f"{WHEN[series, monthly].format(date=last['period'])}, "
           f"{SERIES_WORDS[series].format(n=count(last['value']))} in {area}.")
    rows = ahead[ahead["model"] == model] if len(ahead) else ahead
    if rows.empty:
        return now + " There is no forecast for this series (too short a history)."
    when = last["period"] + pd.DateOffset(years=ANSWER_YEARS_AHEAD) + pd.offsets.MonthEnd(0)
    target = rows[rows["period"] == when]
    row = (target if len(target) else rows).iloc[-1]
    return (f"{now} {DOING[model]} gives about {about(row['forecast'])} for "
            f"{period_name(row['period'], monthly)} (80% range {about(row['lower_80'])} to "
            f"{about(row['upper_80'])}).")


def how_tested(backtests: pd.DataFrame) -> str:
    """The backtest's design in words, from its rows: the origins and how far ahead."""
    if backtests.empty:
        return ""
    origins = pd.to_datetime(backtests["origin"]).drop_duplicates().sort_values()
    horizons = backtests["horizon"].drop_duplicates().sort_values()
    monthly = is_monthly(origins) or horizons.max() >= 12
    unit = "months" if monthly else "years"
    stamp = "%B %Y" if monthly else "31 March %Y"
    every = ", every 6 months," if monthly else ""
    return (f" (fitted to the data up to {origins.iloc[0]:{stamp}}{every} to "
            f"{origins.iloc[-1]:{stamp}} and forecasting {horizons.iloc[0]} to "
            f"{horizons.iloc[-1]} {unit} ahead)")


def accuracy(scores: pd.DataFrame, model: str, backtests: pd.DataFrame) -> str:
    """How far out ``model``'s past forecasts were, and how often its 80% range held."""
    rows = scores[scores["model"] == model] if len(scores) else scores
    if rows.empty or rows["forecasts"].iloc[0] == 0:
        return "How good these forecasts are has not been measured for this series."
    row = rows.iloc[0]
    tested = int(row["forecasts"])
    held = round(row["coverage_80"] * tested)
    mape = "" if pd.isna(row["mape"]) else \
        f" were out by {row['mape']:.0f}% on average, and"
    return (f"Tested on the past{how_tested(backtests)}, its {tested} past "
            f"forecasts{mape} its 80% range held what happened in {held} of them.")


def default_reason(scores: pd.DataFrame) -> str:
    """Which model is shown by default and why; and, where another model beat Prophet,
    that it did (never hidden)."""
    scored = scores.dropna(subset=["mase"]) if len(scores) else scores
    if scored.empty:
        return ("Shown by default: Prophet. No model could be tested on this series (too "
                "short, or it never changes), so none is known to be better.")
    best = scored[scored["default"]].iloc[0] if scored["default"].any() else scored.iloc[0]
    text = (f"Shown by default: {MODEL_NAMES[best['model']]}, whose past forecasts were closest "
            f"to what happened (error {best['mase']:.2f} times the series' usual change "
            "from one count to the next; lower is better).")
    prophet = scored[scored["model"] == "prophet"]
    if best["model"] != "prophet" and len(prophet) and not math.isnan(prophet["mase"].iloc[0]):
        text += (f" Prophet's were further out ({prophet['mase'].iloc[0]:.2f}): choose it "
                 "above to see its forecast.")
    return text
