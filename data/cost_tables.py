"""What councils spend on children in care (MHCLG RO3 2024-25) and what a week of care
costs (DfE S251 unit costs in LAIT), with the published benchmarks: the Costs page's
published half and ``python -m data export costs``.

The headline "spend" is RO3's **Total Expenditure** (gross: what was spent, before
income such as health contributions and fees is taken off); Net Current Expenditure is
kept beside it. Every figure is in cash terms, as published. An RCC's, region's or
England's total is the sum of its LAs' and is given only when every member LA published
the figure. Figures per child are ratios of sums over the member LAs that published both
the spend and the count (a suppressed or not-applicable count is never divided by), and
say which LAs were left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from analysis.rates import population_mid_year
from analysis.scope import Scope
from data import queries
from data import schema as s
from data.errors import UserInputError
from data.sources import ENGLAND
from data.tables import check_scope, neighbours

#: RO3 is published for 2024-25 only: the year ending 31 March 2025.
SPEND_YEAR = 2025
LEVELS = ("la", "rcc", "region", "england")
#: RO3 line -> column stem (Total Expenditure as ``spend_<stem>_gbp``, net as
#: ``net_spend_<stem>_gbp``).
RO3_PARTS = {"children looked after": "total", "residential care": "residential",
             "fostering services": "fostering",
             "asylum seeking children who are looked after": "asylum", "other": "other"}
MEASURES = {"total_expenditure": "spend", "net_current_expenditure": "net_spend"}
SPEND_COLUMNS = [f"{prefix}_{part}_gbp" for prefix in MEASURES.values()
                 for part in RO3_PARTS.values()]
PER_CHILD = {"spend_per_child_looked_after_gbp": "children_looked_after",
             "spend_per_child_0_17_gbp": "population_0_17"}
#: The S251 weekly unit costs LAIT holds, by its measure code.
UNIT_COSTS = {"LACFinance": "Children looked after", "RescareFinance": "Residential care",
              "FosteringFinance": "Fostering"}
FIRST_UNIT_YEAR, LAST_UNIT_YEAR = 2017, 2025  # 2016-17 and 2024-25
WEEKS = 52
COMPARATORS = {"rcc": "RCC", "region": "Region"}


def check_spend_year(year: int) -> int:
    """``year`` if RO3 is held for it (2025, i.e. 2024-25), else a UserInputError."""
    if year != SPEND_YEAR:
        raise UserInputError(f"RO3 spend is held for 2024-25 only (year {SPEND_YEAR}), "
                             f"not {year}.")
    return year


def check_level(level: str) -> str:
    """``level`` if it is one of la, rcc, region, england."""
    if level not in LEVELS:
        raise UserInputError(f"Unknown level '{level}': use {', '.join(LEVELS)}.")
    return level


# --- store reads -----------------------------------------------------------------------------

def ro3(engine: Engine) -> pd.DataFrame:
    """RO3 children-looked-after lines, one row per LA, in GBP (the file is in £ thousand),
    with the symbol of the total line where MHCLG published none."""
    r = s.Ro3Expenditure
    long = queries.frame(engine, select(r.la_code, r.line, r.measure, r.value_gbp_thousands,
                                        r.symbol).where(r.line.in_(list(RO3_PARTS))))
    long["column"] = (long["measure"].map(MEASURES) + "_" + long["line"].map(RO3_PARTS)
                      + "_gbp")
    wide = long.pivot(index="la_code", columns="column", values="value_gbp_thousands") * 1000
    symbols = long[long["column"] == "spend_total_gbp"].set_index("la_code")["symbol"]
    return wide.reindex(columns=SPEND_COLUMNS).assign(spend_symbol=symbols)


def la_spend(engine: Engine) -> pd.DataFrame:
    """Every current LA's RO3 spend, DfE count at 31 March 2025 and ONS population 0-17
    (mid-2024, the estimate DfE rates that count by), with region and RCC."""
    las = queries.local_authorities(engine).set_index("code")
    counts = queries.cla_counts(engine)
    counts = counts[(counts["year"] == SPEND_YEAR) & (counts["level"] == "la")]
    population = queries.population(engine)
    population = population[population["mid_year"] == population_mid_year(SPEND_YEAR)]
    table = las.join(ro3(engine)).join(
        counts.set_index("area_code")[["children", "children_symbol"]]).join(
        population.set_index("area_code")["population_0_17"])
    return table.rename(columns={"children": "children_looked_after"})


# --- pure pandas on top ------------------------------------------------------------------------

def per_child(table: pd.DataFrame) -> pd.DataFrame:
    """Spend per child looked after and per child aged 0-17, blank where the divisor is
    missing (suppressed, not applicable) or zero."""
    out = table.copy()
    for column, divisor in PER_CHILD.items():
        count = pd.to_numeric(out[divisor], errors="coerce").astype(float)
        out[column] = out["spend_total_gbp"] / count.where(count > 0)
    return out


def la_note(row: pd.Series) -> str:
    """Why an LA's figure is blank, in words."""
    notes = []
    if pd.isna(row["spend_total_gbp"]):
        notes.append(f"RO3 spend not published ({row['spend_symbol'] or 'blank'})")
    elif pd.isna(row["spend_residential_gbp"]):
        notes.append("RO3 breakdown (residential, fostering, asylum, other) not published")
    if pd.isna(row["children_looked_after"]):
        notes.append(f"DfE count of children looked after is '{row['children_symbol']}' "
                     "(no spend per child looked after)")
    return "; ".join(notes)


def la_rows(table: pd.DataFrame) -> pd.DataFrame:
    """One row per LA in the export's columns."""
    rated = per_child(table)
    return pd.DataFrame({
        "level": "la", "area_code": rated.index, "area_name": rated["name"],
        "region_code": rated["region_code"], "rcc_id": rated["rcc_id"],
        **{column: rated[column] for column in SPEND_COLUMNS},
        "children_looked_after": rated["children_looked_after"].astype("Int64"),
        "children_symbol": rated["children_symbol"],
        "population_0_17": rated["population_0_17"].astype("Int64"),
        **{column: rated[column] for column in PER_CHILD},
        "las": 1, "las_left_out": 0, "note": rated.apply(la_note, axis=1),
    }).reset_index(drop=True)


def complete_sum(values: pd.Series) -> float:
    """The sum of every member's value, or NaN if any member has none."""
    return float(values.sum()) if values.notna().all() else np.nan


def area_row(level: str, code: str, name: str, members: pd.DataFrame) -> dict:
    """An RCC's, region's or England's figures from its member LAs (see module docstring)."""
    sums = {column: complete_sum(members[column]) for column in
            [*SPEND_COLUMNS, "children_looked_after", "population_0_17"]}
    ratios, left_out = {}, set()
    for column, divisor in PER_CHILD.items():
        both = members["spend_total_gbp"].notna() & members[divisor].notna() & (
            pd.to_numeric(members[divisor], errors="coerce") > 0)
        used = members[both]
        ratios[column] = (used["spend_total_gbp"].sum() / float(used[divisor].sum())
                          if both.any() else np.nan)
        left_out |= set(members.loc[~both, "name"])
    gaps = [column for column in SPEND_COLUMNS if np.isnan(sums[column])]
    return {"level": level, "area_code": code, "area_name": name, **sums,
            "children_symbol": None, **ratios, "las": len(members),
            "las_left_out": len(left_out), "note": area_note(gaps, sorted(left_out))}


def area_note(gaps: list[str], left_out: list[str]) -> str:
    """Which totals are blank and which LAs the per-child figures leave out, in words."""
    notes = []
    if gaps:
        notes.append("No total where a member LA published none: " + ", ".join(
            column.removesuffix("_gbp").replace("_", " ") for column in gaps))
    if left_out:
        notes.append("Per-child figures leave out (no published spend or count): "
                     + ", ".join(left_out))
    return "; ".join(notes)


def area_rows(table: pd.DataFrame, level: str, names: dict[str, str]) -> pd.DataFrame:
    """One row per area of ``level`` (rcc, region, england) summed over its LAs."""
    if level == "england":
        return pd.DataFrame([area_row("england", ENGLAND, "England", table)])
    column = {"rcc": "rcc_id", "region": "region_code"}[level]
    rows = [area_row(level, code, names.get(code, code), members)
            for code, members in table.groupby(column, sort=True)]
    return pd.DataFrame(rows)


def area_names(engine: Engine, level: str) -> dict[str, str]:
    """RCC or region names by id/code (England needs none)."""
    if level == "rcc":
        return dict(queries.rccs(engine)[["id", "name"]].itertuples(index=False))
    if level == "region":
        return dict(queries.regions(engine)[["code", "name"]].itertuples(index=False))
    return {}


def spend(engine: Engine, level: str, year: int = SPEND_YEAR) -> pd.DataFrame:
    """RO3 2024-25 spend on children looked after by LA, RCC, region or England: total
    (gross), residential, fostering, asylum-seeking, other and net, in GBP; children looked
    after at 31 March 2025; children aged 0-17; spend per child looked after and per child
    aged 0-17. Cash terms."""
    check_spend_year(year)
    check_level(level)
    table = la_spend(engine)
    if level == "la":
        return la_rows(table)
    rows = area_rows(table, level, area_names(engine, level))
    rows["children_looked_after"] = rows["children_looked_after"].astype("Int64")
    rows["population_0_17"] = rows["population_0_17"].astype("Int64")
    return rows


def costs_export(engine: Engine, level: str) -> pd.DataFrame:
    """``python -m data export costs --level ...``: spend and per-child figures."""
    return spend(engine, level).assign(year=SPEND_YEAR, financial_year="2024-25",
                                       terms="cash")


# --- comparisons ---------------------------------------------------------------------------------

def spend_comparison(engine: Engine, scope: Scope) -> pd.DataFrame:
    """For one LA: the LA, its region, RCC, England and its DfE statistical neighbours (2025
    model). For an RCC, region or England: its LAs ranked by spend per child looked after
    (1 = highest; LAs with no figure unranked, last), then the area and England."""
    check_scope(engine, scope)
    las = spend(engine, "la").set_index("area_code")
    england = spend(engine, "england").assign(comparator="England")
    if scope.kind == "la":
        return la_comparison(engine, scope.code, las, england)
    members = las.loc[sorted(queries.local_authorities(engine).pipe(scope.members)["code"])]
    ranked = members.sort_values("spend_per_child_looked_after_gbp", ascending=False)
    ranked = ranked.reset_index().assign(
        comparator="LA", rank=ranked["spend_per_child_looked_after_gbp"].rank(
            ascending=False, method="min").astype("Int64").values)
    own = [] if scope.kind == "england" else [
        area_frame(engine, scope.kind, scope.code).assign(comparator=COMPARATORS[scope.kind])]
    return first(pd.concat([ranked, *own, england], ignore_index=True), ["comparator", "rank"])


def first(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``table`` with ``columns`` (those it has) moved to the front."""
    front = [column for column in columns if column in table.columns]
    return table[front + [column for column in table.columns if column not in front]]


def area_frame(engine: Engine, level: str, code: str) -> pd.DataFrame:
    """The one row of ``spend(level)`` for ``code``."""
    rows = spend(engine, level)
    return rows[rows["area_code"] == code]


def la_comparison(engine: Engine, la_code: str, las: pd.DataFrame,
                  england: pd.DataFrame) -> pd.DataFrame:
    """The LA, its region, its RCC, England, its statistical neighbours taken together
    (summed like an area), then each neighbour in DfE's order."""
    me = las.loc[[la_code]].reset_index().assign(comparator="This LA")
    region = area_frame(engine, "region", me.at[0, "region_code"]).assign(comparator="Region")
    parts = [me, region]
    if pd.notna(me.at[0, "rcc_id"]):
        parts.append(area_frame(engine, "rcc", me.at[0, "rcc_id"]).assign(comparator="RCC"))
    sns = [code for code in neighbours(engine, la_code) if code in las.index]
    near = las.loc[sns].reset_index().assign(
        comparator=[f"Statistical neighbour {i}" for i in range(1, len(sns) + 1)])
    together = pd.DataFrame([area_row("neighbours", None, "Statistical neighbours together",
                                      la_spend(engine).loc[sns])]).assign(
        comparator="Statistical neighbours")
    return first(pd.concat([*parts, england, together, near], ignore_index=True),
                 ["comparator"])


# --- unit costs ----------------------------------------------------------------------------------

def unit_costs(engine: Engine, scope: Scope) -> pd.DataFrame:
    """S251 weekly unit costs (children looked after, residential care, fostering), 2016-17
    to 2024-25, cash terms, for the scope's LAs, their region(s) and England, with the change
    on the year before and the average yearly (compound) growth 2016-17 to 2024-25.

    LAIT publishes no RCC figure and none is made up here: an RCC is shown through its LAs
    and their region(s)."""
    check_scope(engine, scope)
    las = queries.local_authorities(engine)
    members = scope.members(las)
    codes = set(members["code"]) | set(members["region_code"]) | {ENGLAND}
    names = {**dict(zip(las["code"], las["name"])),
             **area_names(engine, "region"), ENGLAND: "England"}
    frames = [queries.lait(engine, code).assign(measure_code=code) for code in UNIT_COSTS]
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["area_code"].isin(codes) & rows["level"].isin(["la", "region", "england"])
                & rows["year"].between(FIRST_UNIT_YEAR, LAST_UNIT_YEAR)]
    rows = rows.assign(measure=rows["measure_code"].map(UNIT_COSTS),
                       area_name=rows["area_code"].map(names),
                       year_label=rows["year_label"].str.removesuffix(" (OT)"),
                       weekly_cost_gbp=rows["value"], terms="cash")
    rows = rows.sort_values(["measure_code", "level", "area_code", "year"])
    return with_growth(rows)[[
        "measure", "measure_code", "level", "area_code", "area_name", "year", "year_label",
        "weekly_cost_gbp", "symbol", "growth_pct", "average_growth_pct", "terms"]].reset_index(
        drop=True)


def with_growth(rows: pd.DataFrame) -> pd.DataFrame:
    """Add the % change on the year before (blank if either year is missing or not
    consecutive) and the compound average yearly growth from the first to the last year
    (blank unless both ends are published and positive)."""
    keys = ["measure_code", "area_code"]
    previous = rows.groupby(keys)["weekly_cost_gbp"].shift()
    consecutive = rows.groupby(keys)["year"].diff() == 1
    growth = (rows["weekly_cost_gbp"] / previous.where(previous > 0) - 1) * 100
    ends = rows.pivot_table(index=keys, columns="year", values="weekly_cost_gbp")
    first = ends.get(FIRST_UNIT_YEAR, pd.Series(np.nan, index=ends.index))
    last = ends.get(LAST_UNIT_YEAR, pd.Series(np.nan, index=ends.index))
    span = LAST_UNIT_YEAR - FIRST_UNIT_YEAR
    average = ((last / first.where(first > 0)) ** (1 / span) - 1) * 100
    average = average.where(last > 0).rename("average_growth_pct")
    return rows.assign(growth_pct=growth.where(consecutive)).join(average, on=keys)


# --- benchmarks ----------------------------------------------------------------------------------

def benchmarks(engine: Engine) -> pd.DataFrame:
    """The published cost figures, with whether each is cash or real terms, the unit-cost
    chart it belongs on (residential care, fostering, or none) and a weekly equivalent
    (a yearly cost / 52, labelled as such) where it is money per child or place."""
    b = s.CostBenchmark
    table = queries.frame(engine, select(b.source_id, b.publisher, b.publication, b.published,
                                         b.period, b.metric, b.value, b.unit, b.scope,
                                         b.source_url, b.note).order_by(b.id))
    weekly = table["unit"].str.contains("per week|per child per week", regex=True)
    yearly = table["unit"].str.contains("per year")
    real = table["scope"].str.contains("real terms")
    return table.assign(
        terms=np.where(real, "real terms (2023-24 prices)",
                       np.where(table["unit"].str.startswith("GBP"), "cash", "not money")),
        weekly_equivalent_gbp=table["value"].where(weekly, table["value"].where(yearly) / WEEKS),
        chart=table.apply(chart_of, axis=1),
    )


def chart_of(row: pd.Series) -> str | None:
    """The unit-cost chart a benchmark is drawn on, or None. The England S251 rows are the
    England line itself, so they are not drawn again."""
    if row["source_id"] == "dfe_lait_s251" or not row["unit"].startswith("GBP per"):
        return None
    metric = row["metric"].lower()
    if "children's home" in metric:
        return "Residential care"
    if "fostering" in metric:
        return "Fostering"
    return None
