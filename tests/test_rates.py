"""Rates per 10,000 as DfE computes them, LA reorganisations, and the export command."""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from analysis import rates, reorganisation
from analysis.scope import Scope
from data import cli, queries, schema, tables
from data.config import OPEN_DATA

ROOT = Path(__file__).resolve().parents[1]
ENGLAND = "E92000001"
SOUTH_WEST = "E12000009"
CLA = "dfe_cla/dfe_cla_number_and_rate_per_10k_children_2021_2025.csv"
POPULATION = "population/ons_mye_children_0_17_by_la_2012_2024.csv"
AT_31_MARCH = "Children looked after on 31 March each year"


def run_process(*args: str, url: str) -> subprocess.CompletedProcess:
    """Run ``python -m data ...`` from the repo root against the store at ``url``, in a
    new process, as a console does."""
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "data", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def run_cli(*args: str, url: str) -> subprocess.CompletedProcess:
    """The same command's ``main`` in this process (no interpreter start-up each time),
    its exit code and what it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.dict(os.environ, {"DATABASE_URL": url}), redirect_stdout(out), \
            redirect_stderr(err):
        code = cli.main(list(args))
    return subprocess.CompletedProcess(["python", "-m", "data", *args], code,
                                       out.getvalue(), err.getvalue())


def vendored_rows(rel: str) -> list[dict[str, str]]:
    """A vendored CSV read with the csv module, independently of the build's readers."""
    with (OPEN_DATA / rel).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- England and the published check --------------------------------------------------------

def test_england_2025_published_count(engine):
    """The headline figure is DfE's published England count at 31 March 2025."""
    with engine.connect() as connection:
        children = connection.execute(select(schema.ClaCount.children).where(
            schema.ClaCount.area_code == ENGLAND, schema.ClaCount.year == 2025,
            schema.ClaCount.measure == "at_31_march")).scalar_one()
    assert children == 81770


def test_england_2025_computed_rate(engine):
    """England's rate computed from summed LA counts and ONS mid-2024 is DfE's 67."""
    assert tables.england_rate(engine, 2025) == 67


@pytest.fixture(scope="module")
def rate_check(engine) -> pd.DataFrame:
    """The computed-versus-published table, once for the module."""
    return tables.rate_check(engine)


def test_rate_check_matches_dfe_everywhere(rate_check):
    """Every computed rate (LA, region, England) equals DfE's published rate."""
    mismatches = rate_check[~rate_check["matches"]]
    assert mismatches.empty, mismatches.head().to_string()


def test_rate_check_covers_all_years_and_levels(rate_check):
    """The check is only meaningful if it spans every year and level DfE publishes."""
    assert sorted(rate_check["year"].unique()) == [2021, 2022, 2023, 2024, 2025]
    by_level = rate_check["level"].value_counts()
    assert by_level["la"] >= 700
    assert by_level["region"] == 45
    assert by_level["england"] == 5
    assert rate_check.loc[rate_check["level"] == "region", "area_code"].nunique() == 9


def test_manchester_2025_rate_recomputed_from_files(rate_check):
    """An independent recomputation from the raw CSVs agrees with the app and with DfE."""
    count_row = next(r for r in vendored_rows(CLA)
                     if r["new_la_code"] == "E08000003" and r["time_period"] == "2025"
                     and r["population_type"] == AT_31_MARCH)
    population = next(int(r["population_estimate"]) for r in vendored_rows(POPULATION)
                      if r["new_la_code"] == "E08000003" and r["time_period"] == "2024")
    children = int(count_row["children_count"])
    expected = int((Decimal(children) * 10000 / Decimal(population))
                   .quantize(Decimal(1), rounding=ROUND_HALF_UP))
    row = rate_check[(rate_check["area_code"] == "E08000003") & (rate_check["year"] == 2025)]
    assert len(row) == 1
    assert row["children_looked_after"].iloc[0] == children
    assert row["population_0_17"].iloc[0] == population
    assert row["computed_rate_per_10k"].iloc[0] == expected
    assert expected == int(count_row["rate_per_10000"])


# --- rounding and aggregation ------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (0.5, 1), (1.5, 2), (2.5, 3), (66.49, 66), (66.5, 67), (0.49, 0),
])
def test_dfe_round_rounds_half_up(value, expected):
    """DfE rounds halves up; Python's round() would give 0, 2, 2 for 0.5, 1.5, 2.5."""
    assert rates.dfe_round(value) == expected


def test_dfe_round_differs_from_python_round():
    """Guard the reason dfe_round exists: banker's rounding would misstate published rates."""
    assert round(2.5) == 2 and rates.dfe_round(2.5) == 3


def test_aggregate_all_missing_group_is_nan_not_zero():
    """A group whose every count is suppressed has no rate; 0 would claim no children in care."""
    frame = pd.DataFrame({
        "group": ["a", "a", "b", "b"],
        "children": [np.nan, np.nan, 10.0, 30.0],
        "population_0_17": [1000, 2000, 3000, 1000],
    })
    out = rates.aggregate(frame, ["group"]).set_index("group")
    assert math.isnan(out.at["a", "rate_per_10k"])
    assert pd.isna(out.at["a", "children"])
    assert out.at["a", "las_left_out"] == 2
    assert out.at["b", "rate_per_10k"] == 100
    assert out.at["b", "las_left_out"] == 0


# --- reorganisations ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def changes(engine) -> pd.DataFrame:
    """The LA code-change table as stored."""
    return queries.code_changes(engine)


def test_south_west_contains_bournemouth_poole_and_dorset(engine, changes):
    """All of BCP's and Dorset Council's predecessors lie in the South West, so history counts."""
    las = queries.local_authorities(engine)
    south_west = set(las.loc[las["region_code"] == SOUTH_WEST, "code"])
    contained = reorganisation.contained_predecessors(changes, south_west)
    assert {"E06000028", "E06000029", "E10000009"} <= contained


def test_cumberland_alone_does_not_contain_cumbria(changes):
    """Half of Cumbria is not Cumbria: its series must not be pinned on Cumberland alone."""
    assert "E10000006" not in reorganisation.contained_predecessors(changes, {"E06000063"})


def test_both_cumbrian_successors_contain_cumbria(changes):
    """Cumberland and Westmorland and Furness together cover all of old Cumbria."""
    assert "E10000006" in reorganisation.contained_predecessors(changes, {"E06000063", "E06000064"})


def test_cumberland_trend_shows_a_break(engine):
    """A split LA's chart shows its predecessor separately and its own series from 2024."""
    trend = tables.rate_trend(engine, Scope("la", "E06000063"))
    series = set(trend["series"])
    assert {"Cumberland", "Cumbria (before 2024)", "England"} == series
    cumbria = trend[trend["series"] == "Cumbria (before 2024)"]
    cumberland = trend[trend["series"] == "Cumberland"]
    assert cumbria["year"].max() == 2023
    assert cumberland["year"].min() == 2024


def test_cumberland_has_nothing_apportioned_before_2024(engine):
    """No figure is invented for Cumberland before it existed (Cumbria is not shared out)."""
    counts = queries.lait(engine, "LACnum")
    before = counts[(counts["area_code"] == "E06000063") & (counts["year"] < 2024)]
    assert before["value"].isna().all()


def test_north_yorkshire_rename_is_one_continuous_series(engine):
    """A rename carries the history over: one unbroken North Yorkshire series, 2016-2025."""
    trend = tables.rate_trend(engine, Scope("la", "E06000065"))
    assert set(trend["series"]) == {"North Yorkshire", "England"}
    years = sorted(trend.loc[trend["series"] == "North Yorkshire", "year"])
    assert years == list(range(2016, 2026))


# --- command line ------------------------------------------------------------------------

def test_export_la_rates(built_url):
    """The export has one row per current LA with the columns the docs promise."""
    result = run_cli("export", "la-rates", "--year", "2025", url=built_url)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    header = set(rows[0])
    assert {"la_code", "la_name", "region_code", "rcc", "year", "children_looked_after",
            "population_0_17", "rate_per_10k", "england_rate_per_10k"} <= header
    assert len(rows) == 153
    assert {row["year"] for row in rows} == {"2025"}
    manchester = next(row for row in rows if row["la_code"] == "E08000003")
    assert float(manchester["rate_per_10k"]) == 97
    assert float(manchester["england_rate_per_10k"]) == 67


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_export_la_rates_every_year(built_url, year):
    """Every published year exports, 2021 included (the Isles of Scilly's all-zero 2017-2019
    counts once broke the trend fit), with limits for every LA that has a rate."""
    result = run_cli("export", "la-rates", "--year", str(year), url=built_url)
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(io.StringIO(result.stdout))
    assert set(rows["year"]) == {year}
    rated = rows[rows["rate_per_10k"].notna() & rows["current_la"]]
    assert rated["funnel_upper_998"].notna().all() and rated["tau_squared"].notna().all()
    scilly = rows[rows["la_code"] == "E06000053"]
    assert len(scilly) == 1 and not scilly["flag"].iloc[0]


def test_export_rule_variants_counts_every_year(built_url):
    """The rule-variants export counts each branch, both kinds of limit, every year."""
    result = run_cli("export", "rule-variants", url=built_url)
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(io.StringIO(result.stdout))
    assert sorted(set(zip(rows["year"], rows["limits"]))) == [
        (year, kind) for year in range(2021, 2026) for kind in ("adjusted", "exact")]
    assert {"above_998", "above_95_and_rising", "rising_in_a_row", "any_branch"} <= set(rows)


def assert_one_line_error(result: subprocess.CompletedProcess, words: str = "") -> None:
    """Exit 2 with a single readable line on stderr and no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]
    assert result.stdout == ""


def test_export_unknown_year(built_url):
    """A year DfE has not published is a user error, not a crash."""
    assert_one_line_error(run_cli("export", "la-rates", "--year", "2030", url=built_url), "2030")


def test_export_unknown_la_code(built_url):
    """An unknown LA code is a user error, not a crash."""
    assert_one_line_error(run_cli("export", "rate-trend", "--scope", "la", "--code",
                                  "E99999999", url=built_url), "E99999999")


@pytest.mark.sqlite_only
def test_export_without_database_says_make_build(tmp_path):
    """With no database yet, the message tells people how to build one."""
    missing = tmp_path / "nowhere" / "rcc.sqlite"
    result = run_process("export", "la-rates", url=f"sqlite:///{missing}")
    assert_one_line_error(result, "make build")
    assert not missing.exists()


def test_aggregate_sums_only_las_with_both_count_and_population():
    """Numerator and denominator must cover the same area, or a region's rate jumps when a
    council with no population estimate (pre-2019 Dorset) drops in or out."""
    frame = pd.DataFrame({
        "group": ["a", "a", "a"],
        "children": [100.0, 50.0, np.nan],
        "population_0_17": [10_000, np.nan, 5_000],
    })
    out = rates.aggregate(frame, ["group"]).iloc[0]
    assert out["children"] == 100 and out["population_0_17"] == 10_000
    assert out["rate_per_10k"] == 100
    assert out["las_left_out"] == 2


def test_south_west_trend_names_what_it_leaves_out(engine):
    """2016-2019 South West rates leave out Bournemouth, Poole and Dorset CC (no ONS
    population on the old boundaries) and say so, rather than inflating the rate."""
    trend = tables.rate_trend(engine, Scope("region", "E12000009"))
    south_west = trend[trend["series"] == "South West region"].set_index("year")
    for year in range(2016, 2020):
        assert south_west.at[year, "left_out"] == "Bournemouth, Dorset, Poole"
    assert south_west.at[2021, "left_out"] == "Isles of Scilly"  # count suppressed
    assert abs(south_west.at[2019, "rate_per_10k"] - south_west.at[2020, "rate_per_10k"]) < 5


def test_overview_region_rates_equal_dfe_published(engine):
    """The Overview's region rate (summed from LAs) equals DfE's published regional rate."""
    published = tables.rate_check(engine)
    published = published[published["level"] == "region"]
    for row in published.itertuples():
        summary = tables.scope_summary(engine, Scope("region", row.area_code), row.year)
        rate = summary.set_index("measure").at["Rate per 10,000 children", "scope_value"]
        assert rate == row.dfe_published_rate_per_10k, (row.area_code, row.year)


def test_left_out_note_merges_consecutive_years_only():
    """Caveats must not claim a span of years that were not all affected."""
    from components.source import left_out_note

    series = pd.DataFrame({"year": [2016, 2017, 2018, 2020, 2021],
                           "left_out": ["A", "A", "", "A", "B"]})
    assert left_out_note(series).endswith("2016-2017: A; 2020: A; 2021: B.")
    assert left_out_note(series.assign(left_out="")) == ""
