"""Published spend and unit costs (data/cost_tables.py) against the vendored files, read
here with plain pandas and summed by brute force, never through the store or the code's
own helpers."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.scope import Scope
from data import cost_tables, queries
from data.errors import UserInputError

OPEN = Path(__file__).resolve().parents[1] / "data" / "open"
RO3 = OPEN / "costs" / "mhclg_ro3_2024_25_cla_expenditure_by_upper_tier_la_gbp_thousands.csv"
COUNTS = OPEN / "dfe_cla" / "dfe_cla_number_and_rate_per_10k_children_2021_2025.csv"
POPULATION = OPEN / "population" / "ons_mye_children_0_17_by_la_2012_2024.csv"
LAIT = OPEN / "dfe_cla" / "dfe_lait_cla_and_finance_indicators_2016_2025.csv"
BENCHMARKS = OPEN / "costs" / "published_cost_benchmarks.csv"
RENAMES = Path(__file__).resolve().parents[1] / "data" / "reference" / "la_code_changes.csv"
CLA_TOTAL = "Children's social care - Children Looked After - Total Expenditure (C3 = C1 + C2)"
SCILLY, CITY = "E06000053", "E09000001"
GM = "greater-manchester"


def number(text: str) -> float:
    """A published cell as a number, NaN for a symbol ('[x]', 'c', 'z', '-')."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    """The raw files' figures per LA (``published_table``), read once per module."""
    return published_table()


def published_table() -> pd.DataFrame:
    """Per LA from the raw files: RO3 CLA gross spend (GBP), DfE count at 31 March 2025 and
    its text, ONS mid-2024 population aged 0-17."""
    ro3 = raw(RO3)
    counts = raw(COUNTS)
    counts = counts[(counts["time_period"] == "2025") & (counts["geographic_level"] ==
                    "Local authority") & (counts["population_type"] ==
                    "Children looked after on 31 March each year")]
    pop = raw(POPULATION)
    pop = pop[(pop["time_period"] == "2024") & (pop["geographic_level"] == "Local authority")]
    table = pd.DataFrame({"spend": [number(v) * 1000 for v in ro3[CLA_TOTAL]]},
                         index=ro3["ONS Code"])
    table["count_text"] = counts.set_index("new_la_code")["children_count"]
    table["count"] = table["count_text"].map(number)
    table["population"] = pop.set_index("new_la_code")["population_estimate"].map(number)
    assert table["count_text"].notna().all() and table["population"].notna().all()
    return table


def same(a: float, b: float) -> bool:
    return (pd.isna(a) and pd.isna(b)) or math.isclose(a, b, rel_tol=1e-9)


def test_spend_per_child_matches_the_published_files_for_every_la(engine, published):
    la = cost_tables.spend(engine, "la").set_index("area_code")
    assert set(la.index) == set(published.index) and len(la) == 153
    for code, row in published.iterrows():
        per_cla = row["spend"] / row["count"] if row["count"] > 0 else math.nan
        assert same(la.at[code, "spend_total_gbp"], row["spend"]), code
        assert same(la.at[code, "spend_per_child_looked_after_gbp"], per_cla), code
        assert same(la.at[code, "spend_per_child_0_17_gbp"], row["spend"] / row["population"])


def test_suppressed_and_not_applicable_counts_are_never_divided(engine, published):
    la = cost_tables.spend(engine, "la").set_index("area_code")
    assert published.at[CITY, "count_text"] == "c" and published.at[SCILLY, "count_text"] == "z"
    for code in (CITY, SCILLY):
        assert pd.isna(la.at[code, "spend_per_child_looked_after_gbp"])
        assert la.at[code, "spend_per_child_0_17_gbp"] > 0  # spend and population published
        assert "DfE count" in la.at[code, "note"]
    assert la.at[CITY, "children_symbol"] == "c" and la.at[SCILLY, "children_symbol"] == "z"


def test_per_child_is_blank_for_a_zero_or_missing_count():
    planted = pd.DataFrame({"spend_total_gbp": [100.0, 100.0, 100.0, math.nan],
                            "children_looked_after": pd.array([0, None, 4, 4], dtype="Int64"),
                            "population_0_17": pd.array([10, 10, 0, 10], dtype="Int64")})
    out = cost_tables.per_child(planted)
    assert out["spend_per_child_looked_after_gbp"].isna().tolist() == [True, True, False, True]
    assert out.at[2, "spend_per_child_looked_after_gbp"] == 25
    assert out["spend_per_child_0_17_gbp"].isna().tolist() == [False, False, True, True]


def brute_area(codes: list[str], published: pd.DataFrame) -> dict:
    """Sums over an area's LAs one by one: the total only if every LA has it; the per-child
    ratio over the LAs with both figures."""
    total, complete, spent, counted, spent_pop, people = 0.0, True, 0.0, 0.0, 0.0, 0.0
    for code in codes:
        spend, count, population = published.loc[code, ["spend", "count", "population"]]
        if math.isnan(spend):
            complete = False
            continue
        total += spend
        if not math.isnan(count) and count > 0:
            spent, counted = spent + spend, counted + count
        spent_pop, people = spent_pop + spend, people + population
    return {"total": total if complete else math.nan, "per_cla": spent / counted,
            "per_child": spent_pop / people}


@pytest.mark.parametrize("level", ["rcc", "region", "england"])
def test_area_sums_equal_brute_force_sums(engine, published, level):
    las = queries.local_authorities(engine)
    column = {"rcc": "rcc_id", "region": "region_code", "england": None}[level]
    groups = ({"E92000001": list(las["code"])} if column is None else
              {code: list(members["code"]) for code, members in las.groupby(column)})
    rows = cost_tables.spend(engine, level).set_index("area_code")
    assert set(rows.index) == set(groups)
    for code, members in groups.items():
        expected = brute_area(members, published)
        assert same(rows.at[code, "spend_total_gbp"], expected["total"]), code
        assert same(rows.at[code, "spend_per_child_looked_after_gbp"], expected["per_cla"])
        assert same(rows.at[code, "spend_per_child_0_17_gbp"], expected["per_child"])
        counts = published.loc[members, "count"]
        assert same(rows.at[code, "children_looked_after"],
                    counts.sum() if counts.notna().all() else math.nan)


def test_england_total_is_blank_and_says_who_is_missing(engine):
    england = cost_tables.spend(engine, "england").iloc[0]
    assert pd.isna(england["spend_total_gbp"])  # Birmingham, Cumberland, Slough: [x]
    for name in ("Birmingham", "Cumberland", "Slough", "City of London", "Isles of Scilly"):
        assert name in england["note"]
    assert england["las_left_out"] == 5


def test_export_covers_every_area_of_each_level(engine):
    sizes = {"la": 153, "rcc": len(queries.rccs(engine)), "region": 9, "england": 1}
    for level, size in sizes.items():
        table = cost_tables.costs_export(engine, level)
        assert len(table) == size and (table["level"] == level).all()
        assert (table["terms"] == "cash").all() and (table["financial_year"] == "2024-25").all()
    with pytest.raises(UserInputError):
        cost_tables.costs_export(engine, "ward")
    with pytest.raises(UserInputError):
        cost_tables.spend(engine, "la", 2024)


def test_comparison_of_one_la_lists_its_comparators_and_neighbours(engine, published):
    rows = cost_tables.spend_comparison(engine, Scope("la", "E08000003"))
    assert rows["comparator"].tolist()[:4] == ["This LA", "Region", "RCC", "England"]
    assert rows["area_name"].tolist()[:4] == ["Manchester", "North West", "Greater Manchester",
                                              "England"]
    wide = raw(OPEN / "lookups" / "dfe_statistical_neighbours_2025_wide.csv")
    numbers = raw(OPEN / "lookups" / "dfe_old_new_la_codes.csv")
    gss = dict(zip(numbers["old_la_code"], numbers["new_la_code"]))
    mine = wide[wide["old_la_code"] == "352"].iloc[0]  # Manchester's DfE number
    expected = [gss[mine[f"SN_{i}"]] for i in range(1, 11)]
    assert rows["area_code"].tolist()[5:] == expected
    together = rows.iloc[4]
    assert together["comparator"] == "Statistical neighbours"
    brute = brute_area(expected, published)  # Birmingham, a neighbour, published no spend
    assert pd.isna(together["spend_total_gbp"]) and "Birmingham" in together["note"]
    assert same(together["spend_per_child_looked_after_gbp"], brute["per_cla"])
    assert same(together["spend_per_child_0_17_gbp"], brute["per_child"])


@pytest.mark.parametrize("scope", [Scope("rcc", GM), Scope("region", "E12000009"), Scope()])
def test_comparison_of_an_area_ranks_its_las_highest_first(engine, scope):
    rows = cost_tables.spend_comparison(engine, scope)
    las = rows[rows["comparator"] == "LA"]
    members = scope.members(queries.local_authorities(engine))
    assert set(las["area_code"]) == set(members["code"])
    rated = las.dropna(subset=["spend_per_child_looked_after_gbp"])
    assert rated["spend_per_child_looked_after_gbp"].is_monotonic_decreasing
    assert rated["rank"].tolist() == list(range(1, len(rated) + 1))
    assert las["rank"].isna().sum() == len(las) - len(rated)
    assert rows["comparator"].iloc[-1] == "England"


@pytest.mark.parametrize("code", [SCILLY, CITY])
def test_the_smallest_las_have_comparisons_and_unit_costs(engine, code):
    rows = cost_tables.spend_comparison(engine, Scope("la", code))
    assert rows.iloc[0]["area_code"] == code
    costs = cost_tables.unit_costs(engine, Scope("la", code))
    assert set(costs["level"]) == {"la", "region", "england"}


def lait_published() -> pd.DataFrame:
    """The LAIT unit-cost rows for LAs, regions and England, keyed by today's LA code or
    the area's name (regions), with the value as a number (NaN for '-')."""
    lait = raw(LAIT)
    lait = lait[lait["measure_code"].isin(cost_tables.UNIT_COSTS)
                & ~lait["area_name"].str.startswith("London (")]
    renames = raw(RENAMES)
    renames = dict(zip(renames.loc[renames["change"] == "rename", "old_code"],
                       renames.loc[renames["change"] == "rename", "new_code"]))
    is_la = lait["geographic_level"] == "Local authority"
    key = lait["new_la_code"].replace(renames).where(is_la, lait["area_name"].str.lower())
    return pd.DataFrame({"measure_code": lait["measure_code"], "key": key,
                         "year": lait["year"].str[:4].astype(int) + 1,
                         "value": lait["value"].map(number)})


def test_unit_costs_equal_the_lait_file_for_every_area_and_year(engine):
    costs = cost_tables.unit_costs(engine, Scope())
    costs = costs.assign(key=costs["area_code"].where(costs["level"] == "la",
                                                      costs["area_name"].str.lower()))
    published = lait_published()
    published = published[published["key"].isin(set(costs["key"]))]
    merged = costs.merge(published, on=["measure_code", "key", "year"], how="outer",
                         indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert len(costs) == 3 * 9 * (153 + 9 + 1)
    assert all(same(a, b) for a, b in zip(merged["weekly_cost_gbp"], merged["value"]))
    assert (costs["terms"] == "cash").all()


def test_growth_recomputed_year_by_year(engine):
    costs = cost_tables.unit_costs(engine, Scope("rcc", GM))
    for (_, _), series in costs.groupby(["measure_code", "area_code"]):
        values = dict(zip(series["year"], series["weekly_cost_gbp"]))
        for year, growth in zip(series["year"], series["growth_pct"]):
            before, now = values.get(year - 1, math.nan), values[year]
            expected = (now - before) / before * 100 if before > 0 else math.nan
            assert same(growth, expected), (series["area_name"].iloc[0], year)
        first, last = values.get(2017, math.nan), values.get(2025, math.nan)
        expected = ((last / first) ** (1 / 8) - 1) * 100 if first > 0 and last > 0 else math.nan
        assert same(series["average_growth_pct"].iloc[0], expected)


def test_an_rcc_is_shown_through_its_las_and_region_not_an_invented_figure(engine):
    costs = cost_tables.unit_costs(engine, Scope("rcc", GM))
    assert set(costs["level"]) == {"la", "region", "england"}
    assert set(costs.loc[costs["level"] == "region", "area_name"]) == {"North West"}
    assert costs.loc[costs["level"] == "la", "area_code"].nunique() == 10


def test_benchmarks_are_the_vendored_file_with_terms(engine):
    file = raw(BENCHMARKS)
    table = cost_tables.benchmarks(engine)
    assert len(table) == len(file)
    assert [number(v) for v in file["value"]] == table["value"].tolist()
    nao = table[(table["source_id"] == "nao_2025") & (table["value"] == 318400)].iloc[0]
    assert nao["terms"].startswith("real terms") and nao["period"] == "2023-24"
    assert math.isclose(nao["weekly_equivalent_gbp"], 318400 / 52)
    money = table[table["unit"].str.startswith("GBP")]
    assert set(money.loc[~money["scope"].str.contains("real terms"), "terms"]) == {"cash"}
    cma = table[(table["source_id"] == "cma_interim_2021") & (table["value"] == 3830)].iloc[0]
    assert cma["chart"] == "Residential care"
    assert table.loc[table["source_id"] == "dfe_lait_s251", "chart"].isna().all()
