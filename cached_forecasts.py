"""The cached reads of the forecast pages (Forecasts, Homes needed): stored forecasts,
the provider view and scenarios. Cached with ``cached``'s two decorators (keyed by the data
version, like every other cache), kept apart only so neither file passes ~600 lines."""

from __future__ import annotations

import pandas as pd

from analysis.disclosure import label_if_synthetic, uses_synthetic
from analysis.forecast_words import MODEL_NAMES
from analysis import access
from analysis.scope import Scope
from cached import arrow_ready, engine, figure, releases, specificity_gap, table
from components import forecast_charts
from components.source import case_level_source, monthly_source, source_line
from data import case_series, forecast_reads, outlook_tables
from data.forecast_reads import Pick



@table(kind=access.FORECAST)
def forecast_pick(scope: Scope, source: str, series: str, breakdown: str) -> Pick:
    """The stored series a page's scope and choices name."""
    return forecast_reads.pick_for(engine(), scope, source, series, breakdown)


@table(kind=access.FORECAST)
def forecast_breakdowns(scope: Scope, source: str, run_id: int) -> list[str]:
    """The breakdowns stored for the scope (placement groups and cohorts: RCCs, case level)."""
    pick = forecast_pick(scope, source, "children looked after", forecast_reads.ALL)
    return forecast_reads.breakdowns(engine(), source, pick.level, pick.area_code)


@table(kind=access.PUBLISHED)
def case_synthetic() -> bool:
    """Whether the store's case-level records are synthetic (their forecasts say so)."""
    return case_series.is_synthetic(engine())


@table(kind=access.FORECAST)
def forecast_view(pick: Pick, run_id: int, tested: bool) -> dict:
    """One series' stored history, forecasts, backtests and scores; labelled synthetic
    (on screen and in downloads) when counted from synthetic records."""
    view = forecast_reads.view(engine(), pick, tested)
    synthetic = pick.source == "case" and case_synthetic()
    return {name: label_if_synthetic(rows, synthetic) for name, rows in view.items()}


@figure(kind=access.FORECAST)
def forecast_figure(pick: Pick, model: str, title: str, run_id: int, tested: bool) -> dict:
    """The Forecasts page's chart for one series and model."""
    view = forecast_view(pick, run_id, tested)
    published = pick.source == "published"
    when = f"Forecasts by RCC Insight ({MODEL_NAMES[model]})"
    months = view["history"]["period"]
    source = source_line(releases(), ["lait"], when) if published else monthly_source(
        months.min(), months.max(), case_synthetic(), when)
    return arrow_ready(forecast_charts.forecast_chart(
        view["history"], view["forecasts"].query("model == @model"),
        view["backtests"].query("model == @model"), pick.series,
        f"{pick.series.capitalize()}, {title}: what happened and the forecast", source,
        monthly=not published))


@table(kind=access.NEEDS,
       show_spinner="Setting the forecasts beside the homes' places…")
def provider_view(year: int, offers: tuple, run_id: int, tested: bool,
                  version: int) -> pd.DataFrame:
    """Per RCC and cohort: children in children's homes now and forecast, against places."""
    return outlook_tables.provider_view(engine(), specificity_gap(year, offers, version),
                                        tested)


@figure(kind=access.AGGREGATE, max_entries=16)
def scenario_model(rcc: str, run_id: int, version: int):
    """The RCC's stock-and-flow model (fitted once; a scenario only projects it)."""
    return outlook_tables.scenario_model(engine(), rcc)


@figure(kind=access.AGGREGATE, max_entries=16)
def scenario_baseline(rcc: str, year: int, offers: tuple, run_id: int, version: int):
    model = scenario_model(rcc, run_id, version)
    return None if model is None else outlook_tables.scenario_baseline(
        engine(), rcc, specificity_gap(year, offers, version), model)


@table(kind=access.AGGREGATE)
def scenario_result(scenario, year: int, offers: tuple, run_id: int,
                    version: int) -> pd.DataFrame:
    """Baseline beside scenario for years 0-5 (the projection is the only slow step)."""
    return label_if_synthetic(outlook_tables.scenario_result(
        scenario, scenario_baseline(scenario.rcc, year, offers, run_id, version),
        scenario_model(scenario.rcc, run_id, version)), case_synthetic())


@figure(kind=access.AGGREGATE)
def scenario_figure(scenario, year: int, offers: tuple, run_id: int, version: int) -> dict:
    result = scenario_result(scenario, year, offers, run_id, version)
    return arrow_ready(forecast_charts.scenario_chart(
        result, f"Children looked after in {scenario.rcc}: {scenario.name}",
        case_level_source(year, case_synthetic())))


@figure(kind=access.NEEDS)
def outlook_figure(year: int, offers: tuple, run_id: int, tested: bool, version: int,
                   rcc: str | None = None) -> dict:
    table = provider_view(year, offers, run_id, tested, version)
    table = table if rcc is None else table[table["rcc"] == rcc]
    return arrow_ready(forecast_charts.outlook_chart(
        table, "Children's homes: children forecast in five years and matching places",
        case_level_source(year, uses_synthetic(table))))
