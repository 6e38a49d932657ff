"""The "Homes needed" page's figures: the provider view (per RCC and needs cohort, children
in children's homes now and in 1, 3 and 5 years against matching places) and scenarios
(what-ifs on one RCC), from the stored case-level forecasts, the needs audit's protected
gap table and the stock-and-flow model.

Both rest on the stock-and-flow model, the provider view on its stored forecast of each
RCC's children in children's homes, a scenario on the same model projected again with its
change (fitted once per data version; only the projection runs per scenario), so the
provider view is a scenario's baseline. Why not each series' default model: a placement
group's case-level history is short and, in records built from today's children, grows
towards today (children now in homes had most of their homes episodes lately); a trend
model carries that growth on for five years (Prophet on the log scale: several times
today's count), while the stock-and-flow model projects from today's children and the
rates they enter, move and leave at."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from data import (case_series, forecast_reads, forecast_store, gap_tables, needs_tables,
                  offer_register, scenario_store)
from analysis.disclosure import label_if_synthetic
from data.errors import UserInputError
from forecasting import monthly, outlook, scenarios, stock_flow

CASE = "case"
MODEL = "stock_flow"  # the provider view's and scenarios' model (module docstring)
#: The months ahead a scenario reads (years 1-5).
SCENARIO_MONTHS = [12 * year for year in scenarios.YEARS[1:]]


def rcc_history(engine: Engine) -> pd.DataFrame:
    """The RCCs' case-level children looked after as stored with the forecasts (only the
    series disclosure control let be shown): long format with ``month`` and ``shown``."""
    rows = forecast_reads.histories(engine, source=CASE, level="rcc", series=monthly.STOCK)
    return rows.rename(columns={"period": "month"}).assign(shown=True)


def homes_forecasts(engine: Engine, tested: bool) -> pd.DataFrame:
    """Each RCC's children's-home forecasts by the stock-and-flow model."""
    rows = forecast_reads.forecasts(engine, level="rcc", tested=tested, source=CASE,
                                    series=monthly.STOCK, breakdown=outlook.HOMES,
                                    model=MODEL)
    return rows.drop(columns="default")


def provider_view(engine: Engine, gap: pd.DataFrame, tested: bool) -> pd.DataFrame:
    """Per RCC and cohort, ranked by the shortfall in five years (``outlook``), forecasts
    in whole children (a forecast is not known to the child, let alone a tenth of one)."""
    table = outlook.provider_outlook(gap, rcc_history(engine),
                                     homes_forecasts(engine, tested), gap)
    ahead = [c for c in table.columns if c.startswith("in_") or c == "shortfall_5_years"]
    return table.assign(**{c: pd.to_numeric(table[c], errors="coerce").round()
                           for c in ahead})


def scenario_model(engine: Engine, rcc: str) -> stock_flow.StockFlow | None:
    """The RCC's stock-and-flow model at the latest stored month (None without case-level
    series for it): fitted once, projected per scenario."""
    history = rcc_history(engine)
    if history.empty or rcc not in set(history["area_code"]):
        return None
    la_rcc, _ = case_series.geography(engine)
    mine = {code: name for code, name in la_rcc.items() if name == rcc}
    return stock_flow.fit(case_series.episodes_frame(engine), history["month"].max(), mine)


def project(model: stock_flow.StockFlow, entries_factor: float = 1.0) -> pd.DataFrame:
    """The RCC's projection (by placement group) at years 1-5, entries scaled."""
    return stock_flow.forecast(model, max(SCENARIO_MONTHS), entries_factor, by_group=True,
                               only=SCENARIO_MONTHS)


def scenario_baseline(engine: Engine, rcc: str, gap: pd.DataFrame,
                      model: stock_flow.StockFlow) -> scenarios.Baseline | None:
    """The RCC as it stands and as projected with nothing changed."""
    return scenarios.baseline(rcc, rcc_history(engine), project(model), gap)


def scenario_result(scenario: scenarios.Scenario, base: scenarios.Baseline,
                    model: stock_flow.StockFlow) -> pd.DataFrame:
    """Baseline beside scenario, years 0-5 (``scenarios.apply``)."""
    return scenarios.apply(scenario, base, lambda factor: project(model, factor))


def stored_gap(engine: Engine, year: int) -> pd.DataFrame:
    """The protected specificity gap table at ``year`` (as the Needs page shows it)."""
    return gap_tables.gap_table(engine, year, needs_tables.needs_family(engine, year),
                                offer_register.register(engine))


def homes_needed_export(engine: Engine, year: int) -> pd.DataFrame:
    """``python -m data export homes-needed``: the provider view at ``year``."""
    run = forecast_store.stored_run(engine)
    return provider_view(engine, stored_gap(engine, year), run.with_backtest)


def scenario_export(engine: Engine, year: int, rcc: str, name: str) -> pd.DataFrame:
    """``python -m data export scenario``: a saved scenario's figures beside the baseline."""
    forecast_store.stored_run(engine)
    scenario = scenario_store.load(engine, rcc, name)
    if scenario is None:
        saved = ", ".join(scenario_store.list_names(engine, rcc)) or "none"
        raise UserInputError(f"No scenario {name!r} is saved for {rcc} (saved: {saved}).")
    model = scenario_model(engine, rcc)
    base = None if model is None else scenario_baseline(engine, rcc, stored_gap(engine, year),
                                                        model)
    if base is None:
        raise UserInputError(f"{rcc} has no case-level forecasts to change.")
    return label_if_synthetic(scenario_result(scenario, base, model),
                              case_series.is_synthetic(engine))
