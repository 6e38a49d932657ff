"""The tables pages show and ``python -m data export`` writes: one function each.

Each joins store queries with analysis/ logic, so the page's table, its CSV download
and the command-line export are the same rows by construction.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from analysis import accountability as accountability_rules
from analysis import funnel, rates, reorganisation, trend
from analysis.accountability import RuleSettings
from analysis.scope import Scope
from data import queries
from data.errors import UserInputError
from data.sources import ENGLAND

OUTSIDE_FAR = "4. Placed outside the LA boundary, more than 20 miles from home"
DISTANCE_GROUP = "Distance between home and placement and locality of placement"


def available_years(engine: Engine) -> list[int]:
    """Years with DfE counts at 31 March, newest last."""
    return sorted(int(y) for y in queries.cla_counts(engine)["year"].unique())


def check_year(engine: Engine, year: int) -> int:
    """``year`` if DfE published counts for it, else a UserInputError naming the choices."""
    years = available_years(engine)
    if year not in years:
        raise UserInputError(f"No DfE figures for {year}: choose a year from {years[0]} to "
                             f"{years[-1]}.")
    return year


def check_scope(engine: Engine, scope: Scope) -> Scope:
    """``scope`` if its code exists, else a UserInputError saying what was not found."""
    if scope.kind == "england":
        return scope
    known = {"la": lambda: set(queries.local_authorities(engine)["code"]),
             "rcc": lambda: set(queries.rccs(engine)["id"]),
             "region": lambda: set(queries.regions(engine)["code"])}
    if scope.kind not in known:
        raise UserInputError(f"Unknown scope '{scope.kind}': use england, rcc, region or la.")
    if scope.code not in known[scope.kind]():
        raise UserInputError(f"Unknown {scope.kind} code '{scope.code}'.")
    return scope


def la_counts_with_population(engine: Engine) -> pd.DataFrame:
    """DfE LA counts at 31 March 2021-2025 with the ONS population DfE pairs with them."""
    counts = queries.cla_counts(engine)
    counts = counts[counts["level"] == "la"]
    return rates.add_rates(rates.with_population(counts, queries.population(engine)))


def la_rates(engine: Engine, year: int) -> pd.DataFrame:
    """Every LA's CLA count, population and computed rate for ``year``, vs England.

    All current LAs are listed; an abolished council (e.g. Cumbria before 2024) is listed
    for the years DfE published a count for it.
    """
    check_year(engine, year)
    counts = la_counts_with_population(engine)
    counts = counts[counts["year"] == year]
    table = las_with_history(engine).merge(counts, left_on="code", right_on="area_code",
                                           how="left")
    table = table[table["is_current"] | table["children"].notna()]
    england = total_rate(counts)
    return pd.DataFrame({
        "la_code": table["code"], "la_name": table["name"],
        "region_code": table["region_code"], "region_name": table["region_name"],
        "rcc": table["rcc_name"], "rcc_id": table["rcc_id"], "year": year,
        "children_looked_after": table["children"].astype("Int64"),
        "children_symbol": table["children_symbol"],
        "population_0_17": table["population_0_17"].astype("Int64"),
        "rate_per_10k": table["rate_per_10k"],
        "dfe_published_rate_per_10k": table["published_rate"],
        "england_rate_per_10k": england,
        "current_la": table["is_current"].astype(bool),
    }).reset_index(drop=True)


def las_with_history(engine: Engine) -> pd.DataFrame:
    """Current LAs plus abolished ones, each abolished council placed in the RCC of its
    successors when they all share one (otherwise in no RCC)."""
    las = queries.local_authorities(engine).assign(is_current=True)
    changes = queries.code_changes(engine)
    everyone = queries.all_local_authorities(engine)
    historic = everyone[~everyone["is_current"].astype(bool)]
    by_code = las.set_index("code")
    successor_rccs = changes.assign(rcc_id=changes["new_code"].map(by_code["rcc_id"]))
    one_rcc = successor_rccs.groupby("old_code")["rcc_id"].agg(
        lambda ids: ids.iloc[0] if ids.nunique() == 1 else None)
    rcc_names = queries.rccs(engine).set_index("id")["name"]
    region_names = queries.regions(engine).set_index("code")["name"]
    old = pd.DataFrame({
        "code": historic["code"], "name": historic["name"],
        "region_code": historic["region_code"],
        "region_name": historic["region_code"].map(region_names),
        "rcc_id": historic["code"].map(one_rcc), "is_current": False,
    })
    old["rcc_name"] = old["rcc_id"].map(rcc_names)
    return pd.concat([las, old], ignore_index=True)


def scope_codes(engine: Engine, scope: Scope) -> set[str]:
    """The LA codes whose figures make up a scope: its current LAs and, for a region, RCC or
    England, any abolished council that lay wholly inside it (see analysis.reorganisation)."""
    members = set(scope.members(queries.local_authorities(engine))["code"])
    if scope.kind == "la":
        return members
    return members | reorganisation.contained_predecessors(queries.code_changes(engine), members)


def england_rate(engine: Engine, year: int) -> float:
    """England's rate for ``year`` computed from the sum of LA counts, rounded as DfE does."""
    counts = la_counts_with_population(engine)
    return total_rate(counts[counts["year"] == year])


def total_rate(counts: pd.DataFrame) -> float:
    """The DfE-rounded rate of all the LA counts given (one year's), summed."""
    return float(rates.aggregate(counts, ["year"])["rate_per_10k"].iloc[0])


def rate_trend(engine: Engine, scope: Scope) -> pd.DataFrame:
    """CLA rate per 10,000, 2016-2025, for the scope and England (LAIT counts, ONS population).

    An LA created by a split or merger gets its predecessors as separate series, so the
    break is visible; an aggregate includes a predecessor only if it lies wholly inside.
    """
    check_scope(engine, scope)
    las = queries.local_authorities(engine)
    changes = queries.code_changes(engine)
    names = queries.all_local_authorities(engine).set_index("code")["name"]
    counts = lait_counts_with_population(engine)
    title = scope.title(las, queries.rccs(engine), queries.regions(engine))
    if scope.kind == "la":
        series = [(title, counts[counts["area_code"] == scope.code])]
        series += [(f"{names[old]} (before {year + 1})",
                    counts[counts["area_code"] == old])
                   for old, year in reorganisation.predecessors(changes, scope.code)
                   [["old_code", "effective_year"]].drop_duplicates().itertuples(index=False)]
    else:
        series = [(title, counts[counts["area_code"].isin(scope_codes(engine, scope))])]
    if scope.kind != "england":
        series.append(("England", counts))
    frames = [with_left_out(rows, names).assign(series=name) for name, rows in series]
    out = pd.concat(frames, ignore_index=True)
    out = out[out["children"] > 0]  # years before an LA existed, or after it was abolished
    return out[["series", "year", "children", "population_0_17", "rate_per_10k",
                "left_out"]].reset_index(drop=True)


def with_left_out(rows: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Aggregate rates by year, naming the LAs left out of each year's sum (a count with no
    population, or a population with no published count)."""
    left = rows[rows["children"].notna() != rows["population_0_17"].notna()]
    listed = left.groupby("year")["area_code"].agg(
        lambda codes: ", ".join(sorted(names.get(code, code) for code in codes)))
    totals = rates.aggregate(rows, ["year"])
    return totals.assign(left_out=totals["year"].map(listed).fillna(""))


def lait_counts_with_population(engine: Engine) -> pd.DataFrame:
    """LAIT LA counts of CLA at 31 March 2016-2025 with the matching ONS population."""
    counts = queries.lait(engine, "LACnum")
    counts = counts[counts["level"] == "la"].rename(columns={"value": "children"})
    return rates.with_population(counts[["area_code", "year", "children"]],
                                 queries.population(engine))


def scope_summary(engine: Engine, scope: Scope, year: int) -> pd.DataFrame:
    """The Overview's headline figures for the scope, each beside England's, with its source."""
    check_scope(engine, scope)
    check_year(engine, year)
    members = set(scope.members(queries.local_authorities(engine))["code"])
    counts = la_counts_with_population(engine)
    counts = counts[counts["year"] == year]
    scope_counts = rates.aggregate(counts[counts["area_code"].isin(scope_codes(engine, scope))],
                                   ["year"]).iloc[0]
    england = rates.aggregate(counts, ["year"]).iloc[0]
    homes = queries.homes(engine)
    changes = queries.code_changes(engine)
    in_scope = homes[homes["la_code"].isin(scope_codes(engine, scope))]
    homes_symbol, homes_note = homes_caveat(homes, changes, members)
    far = outside_far_share(engine, scope, members, year)
    published = queries.cla_counts(engine)
    published = published[published["year"] == year].set_index("area_code")
    code = published_code(scope)
    scope_children = published["children"].get(code) if code else scope_counts["children"]
    symbol = published["children_symbol"].get(code) if code else None
    rows = [
        ("Children looked after", scope_children, symbol, published.at[ENGLAND, "children"],
         f"31 March {year}", "cla_count",
         "As published by DfE (England and regions rounded to the nearest 10)."
         if code else missing_note(scope_counts["las_left_out"])),
        ("Rate per 10,000 children", scope_counts["rate_per_10k"], symbol,
         england["rate_per_10k"], f"31 March {year}", "cla_count",
         f"Computed: count / ONS population aged 0-17 (mid-{year - 1}) x 10,000."),
        ("Children's homes", None if homes_symbol else len(in_scope), homes_symbol, len(homes),
         "31 March 2023", "ofsted_homes", homes_note),
        ("Children's home places", None if homes_symbol else in_scope["places"].sum(),
         homes_symbol,
         homes["places"].sum(), "31 March 2023", "ofsted_homes", homes_note),
        ("% placed outside the LA and more than 20 miles from home", far[0], far[3], far[1],
         f"31 March {year}", "cla_characteristic", far[2]),
    ]
    table = pd.DataFrame(rows, columns=["measure", "scope_value", "scope_symbol",
                                        "england_value", "date", "dataset", "note"])
    for column in ("scope_value", "england_value"):
        table[column] = table[column].map(plain_number).astype(object)
    return table


def plain_number(value):
    """A whole number as int (so 6119.0 prints as 6119), other numbers as float, NaN as None."""
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def homes_caveat(homes: pd.DataFrame, changes: pd.DataFrame, members: set[str]):
    """(symbol, note) when Ofsted's 2023 list files some of the scope's homes under a
    predecessor council that is only partly in scope (Cumbria, split in April 2023)."""
    breaking = changes[changes["change"].isin(reorganisation.BREAKING)]
    partial = breaking[breaking["new_code"].isin(members)]
    partial = partial[~partial["old_code"].isin(reorganisation.contained_predecessors(changes,
                                                                                      members))]
    listed = homes[homes["la_code"].isin(set(partial["old_code"]))]
    if listed.empty:
        return None, ""
    names = ", ".join(sorted(set(partial["old_name"])))
    return "x", (f"Not available: Ofsted's list predates the split of {names} and files its "
                 f"{len(listed)} homes ({listed['places'].sum()} places) under {names}; "
                 "they are not apportioned.")


def published_code(scope: Scope) -> str | None:
    """The area code DfE publishes figures under for this scope (RCCs have none)."""
    return {"england": ENGLAND, "region": scope.code, "la": scope.code}.get(scope.kind)


def missing_note(las_left_out: int) -> str:
    """A caveat when some LAs' counts are suppressed or not published."""
    if not las_left_out:
        return ""
    return f"Excludes {las_left_out} LA(s) whose count is suppressed or not published."


def outside_far_share(engine: Engine, scope: Scope, members: set[str], year: int):
    """(% for scope, % for England, note, DfE symbol): published % where it exists, else summed."""
    dist = queries.characteristic(engine, DISTANCE_GROUP)
    dist = dist[dist["year"] == year]
    far = dist[dist["characteristic"] == OUTSIDE_FAR].set_index("area_code")
    england = far.at[ENGLAND, "percentage"]
    code = published_code(scope)
    if code is not None:
        return (far["percentage"].get(code), england, "As published by DfE.",
                far["percentage_symbol"].get(code))
    total = dist[dist["characteristic"] == "Total"].set_index("area_code")["number"]
    inside = far.index.intersection(list(members))
    share = rates.dfe_round(far.loc[inside, "number"].sum() / total.loc[inside].sum() * 100)
    suppressed = int(far.loc[inside, "number"].isna().sum())
    note = "Summed from member LAs' published counts."
    if suppressed:
        note += f" {suppressed} LA(s) with a suppressed count are left out."
    return float(share), england, note, None


def releases(engine: Engine) -> pd.DataFrame:
    """The data_release table, as shown on Data & methods."""
    return queries.releases(engine)


def code_changes(engine: Engine) -> pd.DataFrame:
    """LA code changes and the rule applied to each, as shown on Data & methods."""
    return queries.code_changes(engine)


def comparison_rates(engine: Engine, scope: Scope, year: int) -> pd.DataFrame:
    """What the scope is compared with: RCCs for England, else the LAs of its RCC or region.

    An LA is shown among the LAs of its own RCC, so a board sees it beside its peers.
    """
    check_scope(engine, scope)
    rated = la_rates(engine, year).rename(columns={"children_looked_after": "children"})
    if scope.kind == "england":
        groups = rates.aggregate(rated.rename(columns={"rcc": "name", "rcc_id": "code"}),
                                 ["name", "code"])
        return pd.DataFrame({"name": groups["name"], "code": groups["code"],
                             "children_looked_after": groups["children"].astype("Int64"),
                             "population_0_17": groups["population_0_17"].astype("Int64"),
                             "rate_per_10k": groups["rate_per_10k"], "year": year})
    if scope.kind == "la":
        las = queries.local_authorities(engine)
        scope = Scope("rcc", las.set_index("code").at[scope.code, "rcc_id"])
    rows = rated[rated["la_code"].isin(scope_codes(engine, scope))]
    return pd.DataFrame({"name": rows["la_name"], "code": rows["la_code"],
                         "children_looked_after": rows["children"],
                         "population_0_17": rows["population_0_17"],
                         "rate_per_10k": rows["rate_per_10k"], "year": year})


def rate_check(engine: Engine) -> pd.DataFrame:
    """Computed rates beside DfE's published ones, for every LA, region and England, 2021-2025.

    LA rates use the LA's count; region and England rates use the sum of their LAs'
    counts (DfE's unrounded count) over the ONS population of the region or England.
    """
    counts = queries.cla_counts(engine)
    pop = queries.population(engine)
    la = rates.add_rates(rates.with_population(counts[counts["level"] == "la"], pop))
    la_regions = queries.all_local_authorities(engine).set_index("code")["region_code"]
    in_la = counts[counts["level"] == "la"]
    groups = pd.concat([in_la.assign(area_code=in_la["area_code"].map(la_regions)),
                        in_la.assign(area_code=ENGLAND)])
    summed = groups.groupby(["area_code", "year"], as_index=False)["children"].sum(min_count=1)
    summed = rates.add_rates(rates.with_population(summed, pop))
    published = counts[counts["level"].isin(["region", "england"])].drop(columns="children")
    areas = published.merge(summed, on=["area_code", "year"])
    table = pd.concat([la, areas], ignore_index=True)
    table = table[table["published_rate"].notna()]
    names = pd.concat([queries.all_local_authorities(engine).set_index("code")["name"],
                       queries.regions(engine).set_index("code")["name"],
                       pd.Series({ENGLAND: "England"})])
    return pd.DataFrame({
        "area_code": table["area_code"], "area_name": table["area_code"].map(names),
        "level": table["level"], "year": table["year"],
        "children_looked_after": table["children"].astype("Int64"),
        "population_0_17": table["population_0_17"].astype("Int64"),
        "computed_rate_per_10k": table["rate_per_10k"],
        "dfe_published_rate_per_10k": table["published_rate"],
        "matches": table["rate_per_10k"] == table["published_rate"],
    }).sort_values(["level", "area_code", "year"]).reset_index(drop=True)


def rcc_membership(engine: Engine) -> pd.DataFrame:
    """Each RCC's member LAs, as shown on Data & methods."""
    las = queries.local_authorities(engine)
    return las[["rcc_name", "rcc_id", "code", "name", "region_name"]].rename(
        columns={"rcc_name": "rcc", "code": "la_code", "name": "la_name"}
    ).sort_values(["rcc", "la_name"]).reset_index(drop=True)


def accountability(engine: Engine, year: int, settings: RuleSettings = RuleSettings(),
                   scope: Scope = Scope()) -> pd.DataFrame:
    """Every current LA's rate against the funnel limits, its trend, and the flag rule.

    The target is England's rate, or (settings.target == 'rcc') the rate of the scope's
    RCC. The limits' width (phi, tau^2) is estimated once over all English LAs against
    England's rate, so an LA is judged by the same yardstick whatever the scope or target
    line; the page then shows the scope's LAs.
    """
    check_year(engine, year)
    rated = la_rates(engine, year)
    rated = rated[rated["current_la"]].rename(columns={"children_looked_after": "children"})
    rated = rated.astype({"children": float, "population_0_17": float})
    rated["rate_per_10k_exact"] = rates.rate_per_10k(rated["children"], rated["population_0_17"])
    spread = funnel.national_dispersion(rated, rates.pooled_rate(rated))
    target_name, target = target_rate(engine, rated, settings, scope)
    table = funnel.funnel_table(rated, target, spread)
    table = table.join(trends(engine, year, settings), on="la_code")
    table = table.join(accountability_rules.quartile_and_rank(table["rate_per_10k_exact"]))
    return accountability_rules.assess(table, settings, spread.overdispersed, target_name)


def target_rate(engine: Engine, rated: pd.DataFrame, settings: RuleSettings,
                scope: Scope) -> tuple[str, float]:
    """(name, unrounded rate) of the funnel's target: England or the scope's RCC."""
    if settings.target == "england" or scope.kind in ("england", "region"):
        return "England", rates.pooled_rate(rated)
    rcc_id = scope.code if scope.kind == "rcc" else \
        queries.local_authorities(engine).set_index("code").at[scope.code, "rcc_id"]
    name = queries.rccs(engine).set_index("id").at[rcc_id, "name"]
    return f"{name} RCC", rates.pooled_rate(rated[rated["rcc_id"] == rcc_id])


def trends(engine: Engine, year: int, settings: RuleSettings) -> pd.DataFrame:
    """Per LA: % change a year over the last N years, its p-value and direction, the %
    change since the window's first year, and how many years in a row its rate rose
    (analysis.trend.la_trend)."""
    counts = lait_counts_with_population(engine)
    rows = {code: trend.la_trend(series, year, settings.trend_years, settings.alpha)
            for code, series in counts[counts["year"] <= year].groupby("area_code")}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("la_code")


def rule_variants(engine: Engine, settings: RuleSettings = RuleSettings(),
                  scope: Scope = Scope()) -> pd.DataFrame:
    """How many LAs each branch of the rule flags in every year, with either kind of
    limit: the ``rule-variants`` table (a dead branch shows as zeros)."""
    return accountability_rules.variant_counts_by_year(
        [accountability(engine, year, settings, scope) for year in available_years(engine)],
        settings)


LA_RATES_FUNNEL_COLUMNS = [
    "target_rate_per_10k", "funnel_lower_95", "funnel_upper_95", "funnel_lower_998",
    "funnel_upper_998", "funnel_adj_lower_95", "funnel_adj_upper_95", "funnel_adj_lower_998",
    "funnel_adj_upper_998", "tau_squared", "z_score", "z_score_adjusted",
    "trend_pct_per_year", "trend_p_value", "flag", "flag_reason"]


def la_rates_assessed(engine: Engine, year: int) -> pd.DataFrame:
    """``la_rates`` with the funnel limits, trend and flag under the default rule (England
    target): the ``python -m data export la-rates`` table."""
    assessed = accountability(engine, year).set_index("la_code")[LA_RATES_FUNNEL_COLUMNS]
    table = la_rates(engine, year).join(assessed, on="la_code")
    table["flag"] = table["flag"].eq(True)  # LAs not assessed (abolished) are not flagged
    return table


def register(engine: Engine) -> pd.DataFrame:
    """The explanations register, newest first: the ``python -m data export register`` table."""
    from data import register as explanations
    return explanations.requests(engine)


def register_history(engine: Engine) -> pd.DataFrame:
    """Every change to the register, oldest first: who changed which field, when, from what."""
    from data import register as explanations
    return explanations.history(engine)


def neighbours(engine: Engine, la_code: str, model: str = "2025") -> list[str]:
    """The LA's ten DfE statistical neighbours (GSS codes) under the 2025 or 2021 model."""
    found = queries.statistical_neighbours(engine, model)
    return list(found.loc[found["la_code"] == la_code].sort_values("rank")["neighbour_code"])


def benchmarks(engine: Engine, la_code: str, year: int, model: str = "2025") -> pd.DataFrame:
    """An LA's rate beside its region, RCC, England, statistical neighbours' average and
    each neighbour, with England quartile band and rank where the row is an LA."""
    check_scope(engine, Scope("la", la_code))
    rated = accountability(engine, year).set_index("la_code")
    me = rated.loc[la_code]
    sns = [code for code in neighbours(engine, la_code, model) if code in rated.index]
    groups = [("Region: " + me["region_name"], rated[rated["region_code"] == me["region_code"]]),
              (f"RCC: {me['rcc']}", rated[rated["rcc_id"] == me["rcc_id"]]),
              ("England", rated)]
    rows = [comparator_row(f"{me['la_name']} (this LA)", rated.loc[[la_code]], me)]
    rows += [comparator_row(name, members) for name, members in groups]
    sn_rates = rated.loc[sns, "rate_per_10k_exact"]
    rows.append({"comparator": f"Statistical neighbours' average ({model} model)",
                 "children_looked_after": None, "population_0_17": None,
                 "rate_per_10k": float(rates.dfe_round(sn_rates.mean())),
                 "quartile": None, "rank": None})
    rows += [comparator_row(f"Neighbour {i}: {rated.at[code, 'la_name']}", rated.loc[[code]],
                            rated.loc[code]) for i, code in enumerate(sns, start=1)]
    table = pd.DataFrame(rows).assign(year=year)
    return table.astype({"children_looked_after": "Int64", "population_0_17": "Int64",
                         "quartile": "Int64", "rank": "Int64"})


def comparator_row(name: str, members: pd.DataFrame, la: pd.Series | None = None) -> dict:
    """One benchmark row: summed count, population and rate; quartile and rank for an LA."""
    children = members["children"].sum(min_count=1)
    population = members["population_0_17"].sum(min_count=1)
    return {"comparator": name, "children_looked_after": plain_number(children),
            "population_0_17": plain_number(population),
            "rate_per_10k": float(rates.dfe_round(rates.rate_per_10k(children, population))),
            "quartile": None if la is None else plain_number(la["quartile"]),
            "rank": None if la is None else plain_number(la["rank"])}


def benchmark_trend(engine: Engine, la_code: str, model: str = "2025") -> pd.DataFrame:
    """Rate 2016-2025 for the LA, its region, RCC and England, and its neighbours' average."""
    las = queries.local_authorities(engine).set_index("code")
    me = las.loc[la_code]
    parts = [rate_trend(engine, Scope("la", la_code)),
             rate_trend(engine, Scope("region", me["region_code"])),
             rate_trend(engine, Scope("rcc", me["rcc_id"]))]
    trend_table = pd.concat(parts, ignore_index=True).drop_duplicates(["series", "year"])
    counts = lait_counts_with_population(engine)
    sn = counts[counts["area_code"].isin(neighbours(engine, la_code, model))]
    sn_rates = rates.add_rates(sn).groupby("year", as_index=False)["rate_per_10k_exact"].mean()
    average = pd.DataFrame({"series": f"Statistical neighbours' average ({model})",
                            "year": sn_rates["year"],
                            "rate_per_10k": rates.dfe_round(sn_rates["rate_per_10k_exact"]),
                            "left_out": ""})
    return pd.concat([trend_table, average], ignore_index=True)
