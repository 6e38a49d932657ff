"""Everything one refresh fits, each step after the one it needs:

1. every series on its own (``refresh``): the published annual series and the case-level
   monthly ones that disclosure control lets be shown, each with Prophet and the
   benchmarks, and (with backtests) their past forecasts, scores and default model;
2. the **stock-and-flow comparator** (``stock_flow``) for the case-level children looked
   after, at every level and, for RCCs, by placement group (fitted from the episodes in a
   process of its own while the other models are fitted): its forecasts and past
   forecasts join the other models' and the scores are taken again, so it becomes a
   series' default wherever its past forecasts were closest;
3. **coherent totals** (``reconcile``): the published LA forecasts reconciled with their
   RCC's, region's and England's (MinT, shrink: the method the backtest chose, see
   ``forecasting.reconcile``), and each case-level RCC total split down its placement
   groups and its needs cohorts. Coherent forecasts are a model of their own ("coherent"):
   for the published series their past forecasts are reconciled the same way and scored,
   so they are the default wherever they did best.

Case-level LAs are not reconciled with their RCC: an LA whose series disclosure control
hides has no forecast to reconcile, and a reconciled total less the shown LAs would hand
out a forecast of the hidden ones.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Callable, Iterable

import pandas as pd

from forecasting import backtest, monthly, reconcile, refresh, stock_flow

KEY = refresh.KEY
RANGE = ["forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
PUBLISHED, CASE = "published", "case"
COHERENT = "coherent"
METHOD = "mint_shrink"  # chosen by reconcile.compare on the published backtest


@dataclass
class Inputs:
    """What a refresh fits: the published annual series; the case-level monthly series
    (with ``shown``: only those are fitted), the episodes they were counted from, and each
    level's LA -> area map (``levels``: level -> {la_code: area_code}); the current LAs'
    areas (``tiers``: la, rcc, region, england codes) for the published hierarchy."""

    annual: pd.DataFrame
    tiers: pd.DataFrame
    monthly: pd.DataFrame = None
    episodes: pd.DataFrame = None
    levels: dict[str, dict[str, str]] = None


def fit_all(inputs: Inputs, *, with_backtest: bool = True, workers: int | None = None,
            progress: Callable[[Iterable], Iterable] = iter) -> dict[str, refresh.Fitted]:
    """Every source's fits (``PUBLISHED``, and ``CASE`` where there are case-level series):
    each model's forecasts, backtests and scores, the comparator and coherent forecasts
    among them."""
    frames = {PUBLISHED: inputs.annual}
    if inputs.monthly is not None and inputs.monthly["shown"].any():
        frames[CASE] = shown(inputs.monthly)
    comparator = CASE in frames and inputs.episodes is not None and len(inputs.episodes)
    with ProcessPoolExecutor(max_workers=1) as beside:
        runs = beside.submit(stock_flow_runs, inputs, with_backtest) if comparator else None
        fitted = refresh.refresh_kinds(frames, with_backtest=with_backtest, workers=workers,
                                       progress=progress)
        # the published and case-level series are finished apart, at the same time
        coherent = beside.submit(with_coherent_areas, fitted[PUBLISHED],
                                 replace(inputs, monthly=None, episodes=None), with_backtest
                                 ) if whole_hierarchy(fitted[PUBLISHED], inputs) else None
        if runs is not None:
            fitted[CASE] = with_stock_flow(fitted[CASE], inputs, runs.result())
        if CASE in fitted:
            fitted[CASE] = with_coherent_breakdowns(fitted[CASE], inputs.monthly)
        if coherent is not None:
            fitted[PUBLISHED] = coherent.result()
    return fitted


def whole_hierarchy(fitted: refresh.Fitted, inputs: Inputs) -> bool:
    """Whether every current LA has a published series (a forecast, or a history to carry
    forward): coherent totals are made only then, as an RCC's coherent forecast is its
    LAs' sum."""
    if fitted.forecasts.empty or inputs.tiers.empty:
        return False
    las = inputs.annual.loc[inputs.annual["level"] == "la", "area_code"]
    return set(inputs.tiers["la"]) <= set(las)


def shown(series: pd.DataFrame) -> pd.DataFrame:
    """The case-level series disclosure control lets be shown, and so forecast."""
    return series[series["shown"].astype(bool)].drop(columns="shown")


def history_long(frame: pd.DataFrame) -> pd.DataFrame:
    """A series frame with its breakdown (the published series are totals)."""
    return frame if "breakdown" in frame else frame.assign(breakdown=refresh.TOTAL)


# --- the stock-and-flow comparator ---------------------------------------------------------

def stock_flow_runs(inputs: Inputs, with_backtest: bool) -> tuple[pd.DataFrame, list]:
    """The stock-and-flow model's forecasts (every level; RCCs by placement group too) and,
    with backtests, its past forecasts: from the episodes alone, so it runs beside the
    other models' fits."""
    origin = shown(inputs.monthly)["month"].max()
    models = stock_flow.fit_levels(inputs.episodes, origin, inputs.levels)
    ahead = pd.concat([stock_flow.forecast(model, refresh.HORIZON * 12,
                                           by_group=level == "rcc").assign(level=level)
                       for level, model in models.items()], ignore_index=True)
    past = [] if not with_backtest else [
        table.assign(level=level, breakdown=refresh.TOTAL) for level, table in
        stock_flow.backtest_levels(inputs.episodes, inputs.levels).items()]
    return ahead, past


def with_stock_flow(fitted: refresh.Fitted, inputs: Inputs,
                    runs: tuple[pd.DataFrame, list]) -> refresh.Fitted:
    """``fitted`` (case-level) with the stock-and-flow forecasts and past forecasts
    (``stock_flow_runs``) of the children looked after it holds, and scores taken again."""
    series = shown(inputs.monthly)
    stock = series[series["series"] == monthly.STOCK]
    names = stock.drop_duplicates(["level", "area_code"]).set_index(
        ["level", "area_code"])["area_name"]
    ahead, past = runs
    fitted_keys = fitted.forecasts[KEY].drop_duplicates()
    labelled = [frame.assign(series=monthly.STOCK, area_name=[
        names.get((level, code)) for level, code in zip(frame["level"], frame["area_code"])])
        .merge(fitted_keys, on=KEY) for frame in (ahead, *past)]
    forecasts = pd.concat([fitted.forecasts, labelled[0].assign(model="stock_flow")],
                          ignore_index=True)
    if not past:
        return replace(fitted, forecasts=forecasts)
    tested = with_actuals(pd.concat(labelled[1:], ignore_index=True), stock)
    return rescored(replace(fitted, forecasts=forecasts), tested, series)


def with_actuals(tested: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """Past forecasts with what happened taken from the series themselves (the count every
    model is scored against), and only targets the series has."""
    values = series.rename(columns={"month": "target", "value": "counted"})[
        [*KEY, "target", "counted"]]
    out = tested.merge(values, on=[*KEY, "target"])
    return out.assign(actual=out["counted"]).drop(columns="counted")


def rescored(fitted: refresh.Fitted, tested: pd.DataFrame,
             series: pd.DataFrame) -> refresh.Fitted:
    """``fitted`` with ``tested`` (more past forecasts, another model's) added and the
    scores and defaults of the series they touch taken again."""
    backtests = pd.concat([fitted.backtests, tested], ignore_index=True)
    touched = tested[KEY].drop_duplicates()
    period = refresh.kind(series)
    histories = {key: rows.set_index(period)["value"].sort_index()
                 for key, rows in history_long(series).merge(touched, on=KEY).groupby(KEY)}
    again = []
    for key, rows in backtests.merge(touched, on=KEY).groupby(KEY):
        scored = backtest.scores(rows, histories[key])
        scored["default"] = scored["model"] == backtest.default_model(scored)
        again.append(scored.assign(**dict(zip(KEY, key))))
    kept = fitted.scores.merge(touched, on=KEY, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    return replace(fitted, backtests=backtests,
                   scores=pd.concat([kept, *again], ignore_index=True))


# --- coherent totals -----------------------------------------------------------------------

def defaults(fitted: refresh.Fitted) -> pd.DataFrame:
    """Each series' default model's forecasts (Prophet's where nothing was tested)."""
    if fitted.scores.empty:
        return fitted.forecasts[fitted.forecasts["model"] == "prophet"]
    chosen = fitted.scores.loc[fitted.scores["default"].astype(bool), [*KEY, "model"]]
    return fitted.forecasts.merge(chosen, on=[*KEY, "model"])


def with_coherent_areas(fitted: refresh.Fitted, inputs: Inputs,
                        with_backtest: bool) -> refresh.Fitted:
    """The published series with their coherent forecasts (LAs adding up to their RCC,
    region and England) and, with backtests, their coherent past forecasts, scored."""
    S, tags = reconcile.hierarchy(reconcile.area_tiers(inputs.tiers))
    history = history_long(inputs.annual).drop(columns="area_name")
    base = defaults(fitted)
    base = base[base["year"] > inputs.annual["year"].max()]  # not a stopped series' past
    coherent = reconcile.reconcile(base.drop(columns="model"), S, tags, METHOD, history)
    names = inputs.annual.drop_duplicates(["level", "area_code"]).set_index(
        ["level", "area_code"])["area_name"]
    coherent["area_name"] = [names.get(key, key[1]) for key in
                             zip(coherent["level"], coherent["area_code"])]
    forecasts = pd.concat([fitted.forecasts, coherent[[*KEY, "model", "year", *RANGE]]],
                          ignore_index=True)
    fitted = replace(fitted, forecasts=forecasts)
    if not with_backtest or fitted.backtests.empty:
        return fitted
    return rescored(fitted, coherent_past(fitted, S, tags, history), history_long(
        inputs.annual))


def coherent_past(fitted: refresh.Fitted, S: pd.DataFrame, tags: dict,
                  history: pd.DataFrame) -> pd.DataFrame:
    """The past forecasts reconciled origin by origin as the forecasts are (each series'
    default model's, or the last count's where that model had none then)."""
    marked = fitted.backtests.merge(fitted.scores[[*KEY, "model", "default"]],
                                    on=[*KEY, "model"], how="left")
    marked["default"] = marked["default"].fillna(False).astype(bool)
    history = history.assign(node=reconcile.nodes(history))
    parts = [reconcile.reconciled_backtest(rows, S, tags, (METHOD,),
                                           history[history["series"] == name], "shifted")
             for name, rows in reconcile.default_or_naive(marked).groupby("series")]
    tested = pd.concat(parts, ignore_index=True)
    tested = tested[tested["model"] == METHOD].drop(columns=["node", "default"],
                                                    errors="ignore")
    return tested.assign(model=COHERENT)[[*KEY, *backtest.COLUMNS]]


def with_coherent_breakdowns(fitted: refresh.Fitted, series: pd.DataFrame) -> refresh.Fitted:
    """Each case-level RCC's placement groups and cohorts made to add up to its total
    (its default model's forecast), where the total and every part are forecast (a part
    hidden by disclosure control, or too short, would push its share onto the others)."""
    base = defaults(fitted)
    rcc = base[base["level"] == "rcc"]
    totals = rcc[rcc["breakdown"] == refresh.TOTAL]
    every = series[series["level"] == "rcc"].groupby(["area_code", "series"])[
        "breakdown"].agg(set)
    parts = []
    for is_cohort in (False, True):
        rows = rcc[(rcc["breakdown"] != refresh.TOTAL)
                   & (rcc["breakdown"].str.startswith(monthly.COHORT_PREFIX) == is_cohort)]
        rows = rows[rows["area_code"].isin(totals["area_code"])]
        for key, one in rows.groupby(["area_code", "series"]):
            wanted = {b for b in every.get(key, set()) if b != refresh.TOTAL
                      and b.startswith(monthly.COHORT_PREFIX) == is_cohort}
            if set(one["breakdown"]) != wanted:
                continue
            S, _ = reconcile.hierarchy(reconcile.breakdown_tiers(
                one[["level", "area_code", "breakdown"]].drop_duplicates()))
            parts.append(reconcile.split_down(one.drop(columns="model"), S, totals.merge(
                one[["area_code", "series"]].drop_duplicates())))
    if not parts:
        return fitted
    coherent = pd.concat(parts, ignore_index=True)[[*KEY, "month", *RANGE]]
    return replace(fitted, forecasts=pd.concat(
        [fitted.forecasts, coherent.assign(model=COHERENT)], ignore_index=True))
