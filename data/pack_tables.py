"""A board pack's tables, in the pack's order, each named as its ``python -m data export``
table (the XLSX sheet carries that name) and made by the same data-layer function the
page and the export use, so a pack's numbers are the app's numbers for the same data
version. Nothing here computes a figure: tables are only cut to the RCC and to the
columns the PDF has room for, and every case-level count comes from the protected tables
(needs family, fee family) as the pages show them.

The slow parts, the needs family and the fee family (each protects or checks every table
of England at once), are kept in the store once made (``data.kept``); the app hands in
(``Parts``) the copies it already holds in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from sqlalchemy import Engine

from analysis import accountability as rule
from analysis.accountability import RuleSettings
from analysis.disclosure import uses_synthetic
from analysis.scope import Scope
from data import (cost_tables, fee_cap_tables, fee_frame, fee_stat_tables, forecast_reads,
                  forecast_store, gap_tables, needs_tables, offer_register, tables)
from data import register as explanations
from data.errors import UserInputError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PackTable:
    """One table: its export name (the XLSX sheet), title, rows, and the columns the PDF
    shows with their headings (None: every column)."""

    name: str
    title: str
    frame: pd.DataFrame
    shown: dict[str, str] | None = None


@dataclass
class Section:
    """One part of the pack: heading, plain sentences, tables (a section with no tables
    says why in its sentences)."""

    key: str
    title: str
    words: list[str]
    tables: list[PackTable] = field(default_factory=list)


@dataclass
class Parts:
    """The slow shared objects, if the caller has them already: the year's needs family,
    the fee frame and the fee family against the cap in use."""

    needs_family: object | None = None
    fee_frame: pd.DataFrame | None = None
    fee_family: object | None = None


def headline(engine: Engine, scope: Scope, year: int) -> Section:
    """The Overview's headline figures for the RCC beside England."""
    summary = tables.scope_summary(engine, scope, year)
    return Section("headline", "Headline figures", [
        f"The RCC's headline figures at 31 March {year}, each beside England's, as the "
        "Overview page shows them."],
        [PackTable("overview", "Headline figures", summary, {
            "measure": "Measure", "scope_value": "This RCC", "england_value": "England",
            "date": "As at"})])


def rates(engine: Engine, scope: Scope, year: int) -> Section:
    """The rate of children looked after in each of the RCC's LAs (the map's figures)."""
    compared = tables.comparison_rates(engine, scope, year)
    return Section("map", "Children looked after in each LA", [
        f"Children looked after per 10,000 children aged 0-17 at 31 March {year}, by LA."],
        [PackTable("scope-comparison", "Rates of the RCC's LAs", compared, {
            "name": "LA", "children_looked_after": "Children looked after",
            "population_0_17": "Children aged 0-17", "rate_per_10k": "Rate per 10,000"})])


def flagged(engine: Engine, scope: Scope, year: int) -> Section:
    """The LAs the flag rule (default settings) says owe the board an explanation, why,
    and where the board stands with each in the explanations register."""
    assessed = tables.accountability(engine, year, RuleSettings(), scope)
    in_scope = assessed[assessed["la_code"].isin(tables.scope_codes(engine, scope))]
    requests = explanations.requests(engine, set(in_scope["la_code"]))
    statuses = rule.register_statuses(requests, year)
    named = in_scope[in_scope["flag"].eq(True)].sort_values("z_score_adjusted",
                                                            ascending=False)
    named = named.assign(register_status=named["la_code"].map(statuses).fillna(
        rule.NOT_ASKED))[["la_code", "la_name", "rate_per_10k", "rank", "trend_pct_per_year",
                          "flag_reason", "register_status"]]
    words = [f"{len(named)} of the RCC's {len(in_scope)} LAs owe the board an explanation "
             f"at 31 March {year} under the flag rule's default settings."
             if len(named) else f"No LA in the RCC is flagged at 31 March {year} under the "
             "flag rule's default settings.",
             rule.in_words(RuleSettings()).replace("**", "")]  # Markdown bold, in print
    return Section("flagged", "LAs owing an explanation", words, [
        PackTable("la-rates-flagged", "Flagged LAs", named.reset_index(drop=True), {
            "la_name": "LA", "rate_per_10k": "Rate", "rank": "Rank in England",
            "flag_reason": "Why", "register_status": "Register"}),
        PackTable("register", "The explanations register", requests, {
            "id": "#", "la_name": "LA", "year": "Year", "requested_on": "Asked on",
            "status": "Status", "outcome": "Outcome"})])


def needs(engine: Engine, scope: Scope, case_year: int | None, rcc_name: str,
          parts: Parts) -> Section:
    """The needs audit's summary and prevalence for the RCC, and its specificity gap."""
    title = "Needs and the specificity gap"
    if case_year is None:
        return Section("needs", title, ["No case-level records are held, so the pack has no "
                                        "needs figures."])
    family = parts.needs_family or needs_tables.needs_family(engine, case_year)
    try:
        found = needs_tables.needs_tables(engine, case_year, scope, family=family)
    except UserInputError:
        return Section("needs", title, ["No case-level records are held for this RCC's LAs, "
                                        "so the pack has no needs figures."])
    prevalence = found["prevalence"]
    prevalence = prevalence[prevalence["grouping"] == "all"].reset_index(drop=True)
    gap = gap_tables.gap_table(engine, case_year, family, offer_register.register(engine))
    gap = gap[gap["rcc"] == rcc_name].reset_index(drop=True)
    return Section("needs", title, [
        f"Children looked after at 31 March {case_year} with case-level records: their needs "
        "at their latest assessment, and the children in residential care by needs cohort "
        "against the matching places in the RCC's homes (the gap)."], [
        PackTable("needs-summary", "Children and their needs", found["summary"], {
            "children": "Children", "mean_needs": "Needs per child (mean)",
            "share_4_plus_pct": "% with 4 or more needs"}),
        PackTable("needs-prevalence", "Each need", prevalence, {
            "need_label": "Need", "with_need": "Children with it", "share_pct": "%",
            "england_share_pct": "England %"}),
        PackTable("specificity-gap", "The specificity gap by cohort", gap, {
            "cohort": "Cohort", "children": "Children in residential care",
            "outside the RCC": "Placed outside the RCC", "matching_places": "Matching places",
            "gap": "Gap"})])


def forecasts(engine: Engine, scope: Scope) -> Section:
    """The stored forecasts of the RCC's published series (default model, totals) and
    each default model's measured accuracy; says so plainly when none are stored."""
    title = "Forecasts and their accuracy"
    run = forecast_store.latest_run(engine)
    if run is None:
        return Section("forecasts", title, [
            "No forecast run is stored, so this pack has no forecasts (an analyst runs "
            "`python -m forecasting refresh`)."])
    _, area = forecast_reads.area_of(engine, scope)
    values = forecast_reads.forecasts(engine, level="rcc", tested=run.with_backtest,
                                      area_code=area, source=forecast_store.PUBLISHED,
                                      breakdown=forecast_reads.ALL)
    values = forecast_store.with_year_or_month(values[values["default"]], "period")
    scores = forecast_reads.scores(engine) if run.with_backtest else pd.DataFrame(
        columns=["area_code", "source", "breakdown", "default"])
    scores = scores[(scores["area_code"] == area) & scores["default"].astype(bool)
                    & (scores["source"] == forecast_store.PUBLISHED)
                    & (scores["breakdown"] == forecast_reads.ALL)]
    words = [f"Forecasts of the RCC's published yearly counts from the run fitted on "
             f"{run.fitted_at:%-d %B %Y}, each by its default model (the one that forecast "
             "best in the past), with 80% and 95% ranges."]
    if run.stale:
        words.append("The data have changed since this run was fitted: the forecasts are "
                     "out of date.")
    return Section("forecasts", title, words, [
        PackTable("forecasts", "Forecasts", values.reset_index(drop=True), {
            "series": "Series", "year": "31 March", "model": "Model", "forecast": "Forecast",
            "lower_80": "80% from", "upper_80": "80% to"}),
        PackTable("forecast-scores", "How well each model forecast in the past",
                  scores.reset_index(drop=True), {
                      "series": "Series", "model": "Model", "mase": "MASE",
                      "mape": "MAPE %", "coverage_80": "80% range held",
                      "forecasts": "Past forecasts"})])


def costs(engine: Engine, scope: Scope, parts: Parts) -> Section:
    """Spend per child, unit costs, and the typical fee's make-up and the amount above the
    cap, through the one fee family the Costs page uses."""
    frame = parts.fee_frame if parts.fee_frame is not None else fee_frame.fee_frame(engine)
    family = parts.fee_family or fee_stat_tables.board_family(engine, frame)
    rows = fee_frame.scope_rows(frame, scope, tables.scope_codes(engine, scope))
    unit = cost_tables.unit_costs(engine, scope)
    latest = unit[unit["year"] == unit["year"].max()].reset_index(drop=True)
    return Section("costs", "Costs", [
        "Spend on children looked after (RO3 2024-25, cash terms), weekly unit costs (S251), "
        "and what providers' typical fees are made of, with the amount above the cap."], [
        PackTable("spend", "Spend per child looked after, 2024-25",
                  cost_tables.spend_comparison(engine, scope), {
                      "area_name": "Area", "spend_total_gbp": "Spend, £",
                      "children_looked_after": "Children looked after",
                      "spend_per_child_looked_after_gbp": "£ per child looked after"}),
        PackTable("unit-costs", f"Weekly unit costs, {latest['year_label'].iloc[0]}"
                  if len(latest) else "Weekly unit costs", unit, {
                      "measure": "Measure", "area_name": "Area",
                      "weekly_cost_gbp": "£ a week", "growth_pct": "% on the year before"}),
        PackTable("cap-make-up", "What the typical weekly fee is made of",
                  fee_cap_tables.make_up_table(rows, family, scope)),
        PackTable("cap-by-year", "The amount above the cap",
                  fee_cap_tables.by_year_table(rows, family, scope))])


def sources(engine: Engine) -> Section:
    """Every dataset the pack draws on, with its licence (the releases list)."""
    return Section("sources", "Sources", [
        "Contains public sector information licensed under the Open Government Licence "
        "v3.0."], [PackTable("data-releases", "Datasets", tables.releases(engine), {
            "publisher": "Publisher", "title": "Dataset", "period": "Period",
            "licence": "Licence"})])


def sections(engine: Engine, manifest: dict, parts: Parts | None = None,
             progress: Progress = lambda _: None) -> list[Section]:
    """Every section of the pack for the manifest's RCC and year, in order."""
    parts = parts or Parts()
    scope = Scope("rcc", manifest["rcc"]["id"])
    year = manifest["year"]
    steps = [("headline figures", lambda: headline(engine, scope, year)),
             ("LA rates", lambda: rates(engine, scope, year)),
             ("flagged LAs and the register", lambda: flagged(engine, scope, year)),
             ("needs and the specificity gap", lambda: needs(
                 engine, scope, manifest["case_year"], manifest["rcc"]["name"], parts)),
             ("forecasts", lambda: forecasts(engine, scope)),
             ("costs", lambda: costs(engine, scope, parts)),
             ("sources", lambda: sources(engine))]
    out = []
    for name, make in steps:
        progress(name)
        out.append(make())
    return out


def every_table(found: list[Section]) -> list[PackTable]:
    """The pack's tables in order (the XLSX's sheets)."""
    return [table for section in found for table in section.tables]


def any_synthetic(found: list[Section]) -> bool:
    """Whether any table was made from synthetic case-level records."""
    return any(uses_synthetic(table.frame) for table in every_table(found))
