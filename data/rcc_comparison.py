"""Every RCC side by side, for the National Steering Group: the ``rcc-comparison`` table
(one row per RCC, then England) and the rate series its small multiples draw.

Nothing here is a new statistic or a new count: each column is read from the table that
already shows it for one area, and this module only sets those values beside each other.

* children looked after, the rate and homes: ``tables.scope_summary`` (Overview);
* the trend: ``tables.rate_trend``'s series with the Accountability page's yardstick
  (``analysis.trend.la_trend``, the flag rule's default window);
* self-sufficiency: ``map_tables.area_flows`` at RCC level (Maps); children placed in
  another region: the same protected RCC x RCC matrix, adding the columns of RCCs in other
  regions (every RCC lies in one region), so it is a sum of counts the matrix already
  shows, blank where one of them is hidden;
* spend per child: ``cost_tables.spend`` (Costs, RO3 2024-25);
* placements above the cap: ``fee_cap_tables.scope_summary`` through the fee family;
* forecast growth: the stored forecasts' default model (Forecasts);
* flagged LAs: ``tables.accountability`` under the default rule; the register: its requests.

A value hidden by disclosure control ("c") or not available ("x") is left blank, and the
row's ``note`` says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from analysis import rates
from analysis import trend as trends
from analysis.accountability import RuleSettings
from analysis.disclosure import label_if_synthetic
from analysis.flows import ELSEWHERE
from analysis.fee_family import FeeFamily
from analysis.placement_family import PlacementFamily
from analysis.scope import Scope
from data import (caps, cost_tables, fee_cap_tables, fee_frame, forecast_reads,
                  forecast_store, map_tables, queries, register, tables)
from data.sources import ENGLAND

#: What each column means, in plain words (the page's column help and the README).
MEANINGS = {
    "rcc": "The RCC (England last, for reference).",
    "children_looked_after": "Children looked after at 31 March (DfE).",
    "rate_per_10k": "Children looked after per 10,000 children aged 0-17.",
    "trend_pct_per_year": "How fast the rate changed over the last 5 years, % a year "
                          "(Accountability's yardstick).",
    "trend_direction": "Rising, falling or no clear change over those 5 years.",
    "placed_inside_pct": "Self-sufficiency: % of the RCC's children placed in England who "
                         "live inside the RCC (case-level placements).",
    "placed_in_other_region": "The RCC's children placed in another English region.",
    "homes_per_10k": "Children's homes per 10,000 children (Ofsted, 31 March 2023).",
    "places_per_10k": "Children's-home places per 10,000 children (Ofsted, 31 March 2023).",
    "spend_per_child_gbp": "Spend per child looked after a year, £ (RO3 2024-25, cash).",
    "placements_above_cap": "Current placements whose fee is above the board's cap.",
    "above_cap_pct": "Those placements as a % of current placements with a fee.",
    "forecast_growth_pct": "Forecast change in children looked after, 3 years after the "
                           "latest year, % (stored forecasts, default model).",
    "flagged_las": "LAs the flag rule flags this year (Accountability, default rule).",
    "register_requested": "Register: LAs asked to explain, for this year's figures.",
    "register_answered": "Register: of those, answered (a reply received or later).",
    "register_closed": "Register: of those, closed.",
}
#: The case-level columns disclosure control may hide, as a note names them.
SHORT_NAMES = {"placed_inside_pct": "self-sufficiency",
               "placed_in_other_region": "children placed in another region",
               "placements_above_cap": "placements above the cap"}
FORECAST_YEARS = 3
FORECAST_SERIES = "children looked after"
HIDDEN = ("c", "x")


def rcc_comparison(engine: Engine, year: int, placements: PlacementFamily | None = None,
                   fees: pd.DataFrame | None = None, family: FeeFamily | None = None,
                   ) -> pd.DataFrame:
    """Every RCC and England side by side at 31 March ``year`` (the columns of
    ``MEANINGS`` with rcc_id, year, case_year, cap_percent and note). ``placements``,
    ``fees`` and ``family`` are the app's cached families (built here if not given)."""
    tables.check_year(engine, year)
    areas = area_list(engine)
    table = areas.join(headline(engine, year, areas)).join(rate_trends_now(engine, year))
    table = table.join(homes_per_10k(engine, table))
    case_year = placements_year(engine, year)
    flows = flow_columns(engine, case_year, placements) if case_year else pd.DataFrame()
    table = table.join(flows).join(spend_per_child(engine))
    fees = fee_frame.fee_frame(engine) if fees is None else fees
    table = table.join(cap_columns(engine, fees, family)).join(forecast_growth(engine))
    table = table.join(flagged(engine, year)).join(register_progress(engine, year))
    table = table.reindex(columns=["rcc", *[c for c in MEANINGS if c != "rcc"]])
    table.insert(1, "year", year)
    table["case_year"] = case_year
    table["cap_percent"] = caps.percent_in_use(engine) if family is None else family.cap_percent
    table["note"] = [row_note(row) for _, row in table.iterrows()]
    out = blanked(table).rename_axis("rcc_id").reset_index()
    out.attrs["forecast_note"] = forecast_note(engine)
    synthetic = bool(flows.attrs.get("synthetic")) or bool(fees.attrs.get("synthetic"))
    return label_if_synthetic(out, synthetic)


def area_list(engine: Engine) -> pd.DataFrame:
    """The RCCs by id, then England (code E92000001), with their names."""
    rccs = queries.rccs(engine).sort_values("name")
    names = pd.concat([rccs.set_index("id")["name"], pd.Series({ENGLAND: "England"})])
    return names.rename("rcc").to_frame()


def scope_of(code: str) -> Scope:
    """The scope of a row: an RCC, or England."""
    return Scope() if code == ENGLAND else Scope("rcc", code)


def headline(engine: Engine, year: int, areas: pd.DataFrame) -> pd.DataFrame:
    """Children looked after, rate, homes and places as the Overview shows them."""
    rows = {}
    for code in areas.index:
        summary = tables.scope_summary(engine, scope_of(code), year).set_index("measure")
        value = summary["scope_value"]
        rows[code] = {"children_looked_after": value["Children looked after"],
                      "rate_per_10k": value["Rate per 10,000 children"],
                      "homes": value["Children's homes"],
                      "places": value["Children's home places"]}
    return pd.DataFrame.from_dict(rows, orient="index")


def rate_series(engine: Engine) -> pd.DataFrame:
    """The CLA rate over time of every RCC and England (``tables.rate_trend``): rcc_id,
    rcc, year, children, population_0_17, rate_per_10k. The small multiples draw it."""
    parts = []
    for code, name in area_list(engine)["rcc"].items():
        series = tables.rate_trend(engine, scope_of(code))
        series = series[(series["series"] != "England") == (code != ENGLAND)]
        parts.append(series.drop(columns=["series"]).assign(rcc_id=code, rcc=name))
    out = pd.concat(parts, ignore_index=True)
    return out[["rcc_id", "rcc", "year", "children", "population_0_17", "rate_per_10k",
                "left_out"]]


def rate_trends_now(engine: Engine, year: int) -> pd.DataFrame:
    """Each area's trend to ``year`` by the Accountability page's rule (default window)."""
    settings = RuleSettings()
    series = rate_series(engine)
    rows = {code: trends.la_trend(rows[rows["year"] <= year], year, settings.trend_years,
                                  settings.alpha)
            for code, rows in series.groupby("rcc_id")}
    found = pd.DataFrame.from_dict(rows, orient="index")
    return found[["trend_pct_per_year", "trend_direction"]]


def homes_per_10k(engine: Engine, counted: pd.DataFrame) -> pd.DataFrame:
    """Homes and places (``headline``'s, blank where it gives none) per 10,000 children
    aged 0-17 in the member LAs at mid-2022, the population the Maps page rates places by."""
    mid_year = rates.population_mid_year(map_tables.HOMES_YEAR)
    population = queries.population(engine)
    population = population[population["mid_year"] == mid_year].set_index("area_code")
    las = queries.local_authorities(engine)
    children = {code: population["population_0_17"].reindex(
        scope_of(code).members(las)["code"]).sum(min_count=1) for code in counted.index}
    homes = counted[["homes", "places"]].apply(pd.to_numeric, errors="coerce")
    divisor = pd.Series(children, dtype=float)
    return pd.DataFrame({"homes_per_10k": rates.rate_per_10k(homes["homes"], divisor).round(1),
                         "places_per_10k": rates.rate_per_10k(homes["places"],
                                                              divisor).round(1)})


def placements_year(engine: Engine, year: int) -> int | None:
    """The year of case-level placements shown: ``year`` if held, else the latest held
    (as every case-level page does), None if none are held."""
    held = map_tables.case_years(engine)
    if not held:
        return None
    return year if year in held else held[-1]


def flow_columns(engine: Engine, year: int,
                 placements: PlacementFamily | None) -> pd.DataFrame:
    """Self-sufficiency and children placed in another region, per RCC id, from the
    protected RCC x RCC matrix (the Maps page's)."""
    matrix = map_tables.area_flows(engine, year, "rcc", family=placements)
    las = queries.local_authorities(engine)
    ids = queries.rccs(engine).set_index("name")["id"]
    region_of = las.groupby("rcc_name")["region_code"].agg(
        lambda codes: codes.iloc[0] if codes.nunique() == 1 else None)
    rows = matrix.set_index("placing_rcc")
    out = pd.DataFrame({
        "placed_inside_pct": rows["placed_inside_pct"],
        "placed_in_other_region": [other_region(rows.loc[name], region_of) for name in
                                   rows.index]}, index=rows.index)
    out.index = out.index.map(ids)
    out.attrs["synthetic"] = bool(matrix.attrs.get("synthetic"))
    return out


def other_region(row: pd.Series, region_of: pd.Series):
    """Children of one RCC placed in RCCs of other regions: the sum of those columns, or
    Total less the columns of its own region and outside England when that is what the
    matrix shows; "c" when neither can be read from shown counts."""
    home = region_of.get(row.name)
    if home is None or row["Total"] in HIDDEN:
        return "c"
    others = [name for name, region in region_of.items() if region != home and name in row]
    same = [name for name, region in region_of.items() if region == home and name in row]
    same += [ELSEWHERE] if ELSEWHERE in row else []
    for parts, sign, start in ((others, 1, 0), (same, -1, row["Total"])):
        values = [row[name] for name in parts]
        if not any(value in HIDDEN for value in values):
            return int(start + sign * sum(values))
    return "c"


def spend_per_child(engine: Engine) -> pd.DataFrame:
    """RO3 2024-25 spend per child looked after of each RCC and England (Costs page)."""
    spend = pd.concat([cost_tables.spend(engine, "rcc"), cost_tables.spend(engine, "england")])
    per_child = spend.set_index("area_code")["spend_per_child_looked_after_gbp"].round()
    return per_child.rename("spend_per_child_gbp").to_frame()


def cap_columns(engine: Engine, fees: pd.DataFrame, family: FeeFamily | None) -> pd.DataFrame:
    """Placements above the cap in force (or the reference cap) and their share, as the
    cap panel counts them (blank where the fee family hides the count)."""
    if fees.empty:
        return pd.DataFrame(columns=["placements_above_cap", "above_cap_pct"])
    family = family or fee_cap_tables.fee_family(engine, fees, caps.percent_in_use(engine))
    rows = {}
    for scope, codes in [*fee_cap_tables.areas(engine, "rcc"),
                         *fee_cap_tables.areas(engine, "england")]:
        summary = fee_cap_tables.scope_summary(fee_frame.scope_rows(fees, scope, codes),
                                               family, scope)
        above, every = summary["above"], summary["all"]
        above = "x" if every == 0 else above  # no fee records for its LAs, not "none above"
        share = np.nan if above in HIDDEN or every in HIDDEN or not every else \
            round(above / every * 100, 1)
        rows[scope.code or ENGLAND] = {"placements_above_cap": above, "above_cap_pct": share}
    return pd.DataFrame.from_dict(rows, orient="index")


def forecast_growth(engine: Engine) -> pd.DataFrame:
    """Per RCC id and England: the default model's forecast of children looked after
    ``FORECAST_YEARS`` after the latest published year, as a % change on that year
    (empty when no forecasts are stored)."""
    run = forecast_store.latest_run(engine)
    if run is None:
        return pd.DataFrame(columns=["forecast_growth_pct"])
    ids = {**queries.rccs(engine).set_index("name")["id"].to_dict(), ENGLAND: ENGLAND}
    growth = {}
    for level in ("rcc", "england"):
        picks = dict(source="published", level=level, series=FORECAST_SERIES,
                     breakdown=forecast_reads.ALL)
        history = forecast_reads.histories(engine, **picks)
        ahead = forecast_reads.forecasts(engine, tested=run.with_backtest, **picks)
        ahead = ahead[ahead["default"]]
        for code, past in history.groupby("area_code"):
            latest = past.sort_values("period").iloc[-1]
            target = ahead[(ahead["area_code"] == code) & (ahead["period"].dt.year ==
                                                           latest["period"].year
                                                           + FORECAST_YEARS)]
            if len(target) and latest["value"]:
                growth[ids.get(code, code)] = round(
                    float(target["forecast"].iloc[0]) / float(latest["value"]) * 100 - 100, 1)
    return pd.Series(growth, name="forecast_growth_pct", dtype=float).to_frame()


def forecast_note(engine: Engine) -> str:
    """Why forecast growth is blank, or that the forecasts are older than the data."""
    run = forecast_store.latest_run(engine)
    if run is None:
        return ("Forecast growth is blank: no forecasts are stored yet (an analyst runs "
                "`python -m forecasting refresh`).")
    return ("The stored forecasts were made before the latest data; an analyst can "
            "refresh them." if run.stale else "")


def flagged(engine: Engine, year: int) -> pd.DataFrame:
    """How many of each RCC's LAs (and England's) the default flag rule flags."""
    assessed = tables.accountability(engine, year)
    flags = assessed["flag"].eq(True)
    counts = flags.groupby(assessed["rcc_id"]).sum()
    counts = counts.reindex(queries.rccs(engine)["id"], fill_value=0)
    counts[ENGLAND] = flags.sum()
    return counts.astype(int).rename("flagged_las").to_frame()


def register_progress(engine: Engine, year: int) -> pd.DataFrame:
    """Register requests about ``year``'s figures per RCC and England: asked, answered
    (any status past "requested"), closed."""
    asked = register.requests(engine)
    asked = asked[asked["year"] == year]
    rcc_of = queries.local_authorities(engine).set_index("code")["rcc_id"]
    counts = pd.DataFrame({"register_requested": 1,
                           "register_answered": asked["status"].ne("requested").astype(int),
                           "register_closed": asked["status"].eq("closed").astype(int)},
                          index=asked.index)
    by_rcc = counts.groupby(asked["la_code"].map(rcc_of)).sum()
    by_rcc.loc[ENGLAND] = counts.sum()
    every = [*queries.rccs(engine)["id"], ENGLAND]
    return by_rcc.reindex(every, fill_value=0).astype(int)


def row_note(row: pd.Series) -> str:
    """Which of a row's values are blank, and why, in words."""
    notes = []
    for symbol, words in (("c", "Hidden to protect small numbers"),
                          ("x", "No case-level records held for its LAs")):
        columns = [name for column, name in SHORT_NAMES.items() if row.get(column) == symbol]
        notes += [f"{words}: {', '.join(columns)}."] if columns else []
    if row.name == ENGLAND:
        notes.append("Self-sufficiency and other regions are for RCCs only.")
    if pd.isna(row.get("homes_per_10k")):
        notes.append("Homes blank: Ofsted's list files some homes under a council split "
                     "since (not apportioned).")
    return " ".join(notes)


def blanked(table: pd.DataFrame) -> pd.DataFrame:
    """Hidden ("c") and not available ("x") values as blanks, so every column is numeric."""
    out = table.copy()
    for column in MEANINGS:
        if column in ("rcc", "trend_direction"):
            continue
        out[column] = pd.to_numeric(out[column].where(~out[column].isin(HIDDEN)),
                                    errors="coerce")
    for column in ("children_looked_after", "placed_in_other_region", "placements_above_cap",
                   "flagged_las", "register_requested", "register_answered",
                   "register_closed"):
        out[column] = out[column].round().astype("Int64")
    return out
