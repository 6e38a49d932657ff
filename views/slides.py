"""Presentation mode's slides, in order: for the sidebar's scope and year, each slide is one
chart the app already draws (from ``cached``'s readers, restyled for a projector by
``components.slide_charts``) with its takeaway in one sentence
(``analysis.presentation_words``).

Each slide says which kind of table it is made of (``analysis.access``), so the page can
leave out, before building anything, the slides a viewer may not see. A slide with nothing
to draw (no forecasts made, no children's records, a rate DfE does not publish) comes back
with no chart and one sentence saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import plotly.graph_objects as go

import cached
import cached_costs
import cached_forecasts
import live
from analysis import access
from analysis import presentation_words as words
from analysis.accountability import RuleSettings
from analysis.disclosure import uses_synthetic
from analysis.forecast_words import ANSWER_YEARS_AHEAD
from components import placement_charts, slide_charts
from components.source import source_line
from data.errors import UserInputError
from data.forecast_reads import ALL
from views import frame
from views.spend_panel import spend_sentence

#: Whose needs the needs slide shows: children in residential care (the RCCs' focus, and
#: the Needs page's default).
NEEDS_POPULATION = "residential"
#: The out-of-area chart's bars the slide keeps (components.placement_charts' trace name).
OUTSIDE = "Placed outside the LA"


@dataclass(frozen=True)
class Slide:
    """One screen: a title, the takeaway, the chart (a Vega-Lite dict or a plotly figure;
    None when there is nothing to draw), its source line and a text alternative."""

    title: str
    takeaway: str
    chart: dict | go.Figure | None = None
    source: str = ""
    description: str = ""
    synthetic: bool = False


@dataclass(frozen=True)
class Deck:
    """One slide's place in the deck: its name in a link, the kind of table it is made of
    (for ``access.may``) and the function that builds it from the filters."""

    name: str
    kind: str
    build: Callable[[frame.Filters], Slide]


def vega(title: str, takeaway: str, spec: dict, description: str, rows: int = 0) -> Slide:
    """A slide of a Vega-Lite chart, its source from the chart's own source line."""
    return Slide(title, takeaway, slide_charts.vega_slide(spec, rows), spec["usermeta"]["source"],
                 description)


def plotly(title: str, takeaway: str, figure: go.Figure, description: str, rows: int = 0,
           synthetic: bool = False) -> Slide:
    """A slide of a plotly chart, its source from the chart's own source line."""
    return Slide(title, takeaway, slide_charts.plotly_slide(figure, rows),
                 slide_charts.plotly_source(figure), description, synthetic)


def rate_slide(filters: frame.Filters) -> Slide:
    """Children looked after per 10,000 over time, against England."""
    title = filters.title
    return vega("Children looked after: the rate over time",
                words.rate_takeaway(cached.rate_trend(filters.scope), title, filters.year),
                cached.trend_figure(filters.scope, title),
                f"Line chart of children looked after per 10,000 children by year for "
                f"{title} and England")


def comparison_slide(filters: frame.Filters) -> Slide:
    """The scope's LAs (or England's RCCs) side by side, England's rate marked."""
    scope, year, title = filters.scope, filters.year, filters.title
    rates = cached.comparison_rates(scope, year)
    summary = cached.scope_summary(scope, year).set_index("measure")
    compared = cached.compared_with(scope, title)
    takeaway = words.comparison_takeaway(
        rates, summary.at["Rate per 10,000 children", "england_value"], year, compared,
        highlight=scope.code if scope.kind == "la" else None)
    return vega(f"How {compared} compare, {year}", takeaway,
                cached.comparison_figure(scope, year, title),
                f"Bar chart of the rate per 10,000 children at 31 March {year} for {compared}",
                rows=len(rates))


def accountability_slide(filters: frame.Filters) -> Slide:
    """The funnel plot: which LAs owe the board an explanation this year."""
    scope, year, title = filters.scope, filters.year, filters.title
    settings = RuleSettings()
    table = cached.accountability(year, settings, scope)
    in_scope = table[table["la_code"].isin(cached.scope_codes(scope))]
    return plotly("Which LAs owe the board an explanation",
                  words.accountability_takeaway(in_scope, title, scope.kind, year),
                  cached.funnel_figure(year, settings, scope, title),
                  f"Funnel plot of each LA's rate per 10,000 against its number of children, "
                  f"{title} highlighted")


def out_of_area_slide(filters: frame.Filters) -> Slide:
    """Where children live: the share placed outside their own LA and far from home."""
    scope, year, title = filters.scope, filters.year, filters.title
    table = cached.out_of_area(scope)
    this_year = table[table["year"] == year]
    takeaway = words.out_of_area_takeaway(this_year, title, scope.kind, year)
    shown = this_year[this_year["level"] != "la"] if scope.kind == "england" else this_year
    source = source_line(cached.releases(), ["cla_characteristic"], f"31 March {year}")
    figure = slide_charts.only(placement_charts.build_out_of_area_bars(shown, "", source),
                               OUTSIDE)
    return plotly("Where children live: placed outside their LA", takeaway, figure,
                  f"Bar chart of the % of children looked after placed outside their LA, "
                  f"{title}", rows=len(shown))


def needs_slide(filters: frame.Filters) -> Slide:
    """The needs of children in residential care, most common first."""
    scope, title = filters.scope, filters.title
    heading = "The needs of children in residential care"
    if scope.kind == "region":
        return Slide(heading, "The needs audit is by RCC and LA: choose England, an RCC or "
                              "an LA to see it.")
    version = cached.case_version()
    years = cached.case_years(version)
    if not years:
        return Slide(heading, "No children's records are loaded, so there are no needs to "
                              "show.")
    year = filters.year if filters.year in years else years[-1]
    try:
        tables = cached.needs_tables(year, scope, NEEDS_POPULATION, version)
    except UserInputError as problem:
        return Slide(heading, str(problem))
    takeaway = words.needs_takeaway(tables, cached.need_labels(), "children in residential care",
                                    title, year)
    figure = cached.needs_prevalence_figure(year, scope, NEEDS_POPULATION, title, version)
    return plotly(heading, takeaway, figure,
                  f"Bar chart of the share of children in residential care in {title} with "
                  "each need", rows=len(cached.need_labels()),
                  synthetic=uses_synthetic(tables["summary"]))


def forecast_slide(filters: frame.Filters) -> Slide:
    """The forecast of children looked after, with its range and past accuracy."""
    heading = "Children looked after: the forecast"
    run = live.forecast_run()
    if run is None:
        return Slide(heading, "Forecasts have not been made for this data yet.")
    pick = cached_forecasts.forecast_pick(filters.scope, "published", "children looked after",
                                          ALL)
    view = cached_forecasts.forecast_view(pick, run.id, run.with_backtest)
    forecasts = view["forecasts"]
    if forecasts.empty:
        return Slide(heading, words.forecast_takeaway(view, "prophet", filters.title))
    defaults = forecasts.loc[forecasts["default"], "model"]
    model = defaults.iloc[0] if len(defaults) else forecasts["model"].iloc[0]
    return vega(heading, words.forecast_takeaway(view, model, filters.title,
                                                 ANSWER_YEARS_AHEAD),
                cached_forecasts.forecast_figure(pick, model, filters.title, run.id,
                                                 run.with_backtest),
                f"Line chart of children looked after in {filters.title} with the forecast "
                "and its ranges")


def spend_slide(filters: frame.Filters) -> Slide:
    """What councils spend per child looked after (RO3, 2024-25)."""
    scope, title = filters.scope, filters.title
    rows = cached_costs.spend_comparison(scope)
    return plotly("What councils spend per child looked after, 2024-25",
                  words.one_sentence(spend_sentence(rows, scope, title)),
                  cached_costs.spend_bars_figure(scope, title),
                  f"Bar chart of spend per child looked after in 2024-25, {title}",
                  rows=len(rows))


#: The slides in the order they are shown.
DECK = (Deck("rate", access.PUBLISHED, rate_slide),
        Deck("compare", access.PUBLISHED, comparison_slide),
        Deck("accountability", access.PUBLISHED, accountability_slide),
        Deck("placed-out", access.PUBLISHED, out_of_area_slide),
        Deck("needs", access.NEEDS, needs_slide),
        Deck("forecast", access.FORECAST, forecast_slide),
        Deck("spend", access.PUBLISHED, spend_slide))


def visible(viewer: access.Viewer, filters: frame.Filters) -> list[Deck]:
    """The slides ``viewer`` may see at the filters' scope, in order."""
    scope = filters.scope
    rcc = None
    if scope.kind == "rcc":
        rcc = scope.code
    elif scope.kind == "la":
        rcc = cached.local_authorities().set_index("code")["rcc_id"].get(scope.code)
    return [deck for deck in DECK if access.may(viewer, deck.kind, scope.kind, rcc)]
