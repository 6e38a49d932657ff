"""Every RCC side by side (data/rcc_comparison.py, the All RCCs page and the rcc-comparison
export), each column checked against something worked out apart from it: LA counts and
populations summed by hand, a brute-force count of the placements and fees, Ofsted's homes
counted by RCC, and the source exports (flows, costs, la-rates) for the same RCC."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pandas as pd
import pytest
import streamlit as st

from analysis import access, fee_cap
from analysis.disclosure import SYNTHETIC_LABEL
from analysis.flows import ELSEWHERE
from analysis.scope import Scope
from data import (caps, cost_tables, export_access, fee_cap_tables, fee_frame, forecast_reads,
                  forecast_store, map_tables, queries, rcc_comparison, register, tables)
from data.sources import ENGLAND
from tests.app_pages import opened

PAGE = "views/rccs_page.py"
GM, NE = "greater-manchester", "north-east"  # the RCCs the cohort store holds records for


@pytest.fixture(scope="module")
def families(cohort_engine):
    """The cohort store's placement family, fee frame and fee family, built once."""
    fees = fee_frame.fee_frame(cohort_engine)
    return (map_tables.placement_family(cohort_engine, 2025), fees,
            fee_cap_tables.fee_family(cohort_engine, fees, caps.percent_in_use(cohort_engine)))


@pytest.fixture(scope="module")
def compared(cohort_engine, families):
    """The comparison at every year the app offers, by year."""
    return {year: rcc_comparison.rcc_comparison(cohort_engine, year, *families)
            for year in tables.available_years(cohort_engine)}


def by_rcc(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("rcc_id")


def test_every_rcc_then_england_at_every_year(cohort_engine, compared):
    rccs = sorted(queries.rccs(cohort_engine)["id"])
    assert sorted(compared) == tables.available_years(cohort_engine)
    for year, table in compared.items():
        assert list(table["rcc_id"]) == [*sorted(rccs, key=by_name(cohort_engine)), ENGLAND]
        assert table["rcc"].iloc[-1] == "England"
        assert (table["year"] == year).all()
        assert table.attrs["synthetic"]  # case-level columns come from the synthetic cohort


def by_name(engine):
    names = queries.rccs(engine).set_index("id")["name"]
    return lambda code: names[code]


def test_counts_and_rates_are_the_member_las_summed_by_hand(cohort_engine, compared):
    """Each RCC's count is the sum of its LAs' DfE counts; its rate that sum over their ONS
    population, rounded half up as DfE rounds; England's count is DfE's published one."""
    published = queries.cla_counts(cohort_engine)
    for year, table in compared.items():
        las = tables.la_rates(cohort_engine, year)
        shown = by_rcc(table)
        for rcc, members in las.dropna(subset=["rcc_id"]).groupby("rcc_id"):
            children = members["children_looked_after"].sum()
            population = members.loc[members["children_looked_after"].notna(),
                                     "population_0_17"].sum()
            assert shown.at[rcc, "children_looked_after"] == children, (year, rcc)
            assert shown.at[rcc, "rate_per_10k"] == np.floor(children / population * 1e4 + .5)
        england = published[(published["level"] == "england") & (published["year"] == year)]
        assert shown.at[ENGLAND, "children_looked_after"] == england["children"].iloc[0]
        every = las[las["children_looked_after"].notna()]
        assert shown.at[ENGLAND, "rate_per_10k"] == np.floor(
            every["children_looked_after"].sum() / every["population_0_17"].sum() * 1e4 + .5)


def test_the_trend_is_the_accountability_yardstick_on_the_rcc_series(cohort_engine, compared):
    """A falling RCC's trend is negative and a rising one's positive, read from the rate
    trend export's first and last year of the window; the direction words agree."""
    table = by_rcc(compared[2025])
    for rcc in table.index:
        series = tables.rate_trend(cohort_engine, Scope() if rcc == ENGLAND else
                                   Scope("rcc", rcc))
        series = series[(series["series"] != "England") == (rcc != ENGLAND)]
        window = series[series["year"].between(2021, 2025)].set_index("year")["rate_per_10k"]
        pct, direction = table.at[rcc, "trend_pct_per_year"], table.at[rcc, "trend_direction"]
        if direction == "rising":
            assert pct > 0 and window[2025] >= window[2021] - 1
        elif direction == "falling":
            assert pct < 0 and window[2025] <= window[2021] + 1
        else:
            assert direction == "no clear change"


def test_self_sufficiency_is_the_flows_matrix_value(cohort_engine, compared):
    matrix = map_tables.flows(cohort_engine, 2025, "rcc").set_index("placing_rcc")
    ids = queries.rccs(cohort_engine).set_index("name")["id"]
    table = by_rcc(compared[2025])
    for name, value in matrix["placed_inside_pct"].items():
        shown = table.at[ids[name], "placed_inside_pct"]
        if value in ("c", "x"):
            assert np.isnan(shown), name
        else:
            assert shown == value, name
    assert table.loc[[GM, NE], "placed_inside_pct"].notna().all()
    assert np.isnan(table.at[ENGLAND, "placed_inside_pct"])


def test_children_placed_in_another_region_counted_child_by_child(cohort_engine, compared):
    """A brute-force count over the placements: the RCC's children living in an LA of a
    different region (outside England or not recorded left out)."""
    placements = map_tables.placements_at(cohort_engine, 2025)
    regions = queries.all_local_authorities(cohort_engine).set_index("code")["region_code"]
    las = queries.local_authorities(cohort_engine)
    table = by_rcc(compared[2025])
    for rcc in (GM, NE):
        members = las[las["rcc_id"] == rcc]
        home = members["region_code"].iloc[0]
        mine = placements[placements["from_code"].isin(set(members["code"]))]
        where = mine["to_code"].map(regions)
        assert table.at[rcc, "placed_in_other_region"] == (where.notna() & (where != home)).sum()
    others = table.drop(index=[GM, NE, ENGLAND])
    assert others["placed_in_other_region"].isna().all()  # no records held: blank, not 0
    assert others["note"].str.contains("No case-level records").all()


def test_other_region_reads_only_counts_the_matrix_shows():
    """Planted matrix rows: hidden cells elsewhere are worked round; never guessed."""
    region_of = pd.Series({"A": "R1", "B": "R1", "C": "R2", "D": "R3"})
    row = pd.Series({"A": 50, "B": 10, "C": "c", "D": "c", ELSEWHERE: 2, "Total": 70}, name="A")
    assert rcc_comparison.other_region(row, region_of) == 8  # 70 - 50 - 10 - 2
    row = pd.Series({"A": 50, "B": "c", "C": 6, "D": 7, "Total": 65}, name="A")
    assert rcc_comparison.other_region(row, region_of) == 13  # 6 + 7
    row = pd.Series({"A": 50, "B": "c", "C": "c", "D": 7, "Total": 65}, name="A")
    assert rcc_comparison.other_region(row, region_of) == "c"


def test_homes_and_places_per_10000_counted_from_ofsteds_list(cohort_engine, compared):
    """Ofsted's homes counted by each LA's RCC (a former council's homes counted in the RCC
    holding all its successors) over the RCC's children aged 0-17 in mid-2022; an RCC
    holding only some of a former council's successors is blank (nothing apportioned)."""
    homes = queries.homes(cohort_engine)
    las = queries.local_authorities(cohort_engine)
    population = queries.population(cohort_engine)
    population = population[population["mid_year"] == 2022].set_index("area_code")
    changes = queries.code_changes(cohort_engine)
    former = changes[changes["old_code"].isin(set(homes["la_code"]) - set(las["code"]))]
    rcc_of = las.set_index("code")["rcc_id"]
    successors = former.groupby("old_code")["new_code"].agg(lambda new: set(rcc_of[list(new)]))
    table = by_rcc(compared[2025])
    checked = 0
    for rcc, members in [*las.groupby("rcc_id"), (ENGLAND, las)]:
        codes = set(members["code"])
        whole = {old for old, rccs in successors.items() if rccs == {rcc} or rcc == ENGLAND}
        part = {old for old, rccs in successors.items() if rcc in rccs} - whole
        children = population["population_0_17"].reindex(sorted(codes)).sum()
        mine = homes[homes["la_code"].isin(codes | whole)]
        if part:
            assert np.isnan(table.at[rcc, "homes_per_10k"]), rcc
            continue
        assert table.at[rcc, "homes_per_10k"] == round(len(mine) / children * 1e4, 1), rcc
        assert table.at[rcc, "places_per_10k"] == round(mine["places"].sum() / children * 1e4,
                                                        1), rcc
        checked += 1
    assert checked == len(table)


def test_spend_and_flags_are_the_costs_and_la_rates_exports(cohort_engine, compared):
    costs = pd.concat([cost_tables.costs_export(cohort_engine, "rcc"),
                       cost_tables.costs_export(cohort_engine, "england")])
    spend = costs.set_index("area_code")["spend_per_child_looked_after_gbp"]
    for year, table in compared.items():
        shown = by_rcc(table)
        assert (shown["spend_per_child_gbp"] - spend.reindex(shown.index)).abs().max() <= 0.5
        rated = tables.la_rates_assessed(cohort_engine, year)
        flags = rated[rated["flag"]].groupby("rcc_id").size()
        expected = flags.reindex(shown.index, fill_value=0)
        expected[ENGLAND] = int(rated["flag"].sum())
        assert shown["flagged_las"].astype(int).tolist() == expected.tolist(), year


def test_placements_above_the_cap_counted_fee_by_fee(cohort_engine, compared, families):
    """A brute-force count of current placements whose fee is above the cap in force."""
    fees, percent = families[1], caps.percent_in_use(cohort_engine)
    above = fees[fee_cap.cap_status(fees, percent) == "above"]
    rcc_of = queries.local_authorities(cohort_engine).set_index("code")["rcc_id"]
    counted = above.groupby(above["la_code"].map(rcc_of)).size()
    table = by_rcc(compared[2025])
    for rcc in (GM, NE):
        assert table.at[rcc, "placements_above_cap"] == counted[rcc]
        placed = (fees["la_code"].map(rcc_of) == rcc).sum()
        assert table.at[rcc, "above_cap_pct"] == round(counted[rcc] / placed * 100, 1)
    assert table.at[ENGLAND, "placements_above_cap"] == len(above)
    assert table.drop(index=[GM, NE, ENGLAND])["placements_above_cap"].isna().all()
    assert (table["cap_percent"] == percent).all()


def test_forecast_growth_from_planted_forecasts(cohort_engine, monkeypatch):
    """History ends at 200 in 2025; the default model says 230 in 2028: +15%. A model that
    is not the default, and other years, are ignored."""
    run = forecast_store.Run(1, pd.Timestamp("2025-06-01"), 1.0, 1, True, False)
    monkeypatch.setattr(forecast_store, "latest_run", lambda engine: run)
    history = pd.DataFrame({"area_code": ["Greater Manchester"] * 2,
                            "period": pd.to_datetime(["2024-03-31", "2025-03-31"]),
                            "value": [190.0, 200.0]})
    ahead = pd.DataFrame({"area_code": ["Greater Manchester"] * 3,
                          "period": pd.to_datetime(["2027-03-31", "2028-03-31", "2028-03-31"]),
                          "forecast": [220.0, 230.0, 999.0], "default": [True, True, False]})
    monkeypatch.setattr(forecast_reads, "histories", lambda engine, **picks: history
                        if picks["level"] == "rcc" else history.iloc[:0])
    monkeypatch.setattr(forecast_reads, "forecasts", lambda engine, **picks: ahead)
    growth = rcc_comparison.forecast_growth(cohort_engine)["forecast_growth_pct"]
    assert growth.to_dict() == {GM: 15.0}


def test_no_forecasts_leave_growth_blank_and_say_why(compared):
    table = compared[2025]
    assert table["forecast_growth_pct"].isna().all()
    assert "python -m forecasting refresh" in table.attrs["forecast_note"]


def test_register_progress_counts_planted_requests(cohort_engine, monkeypatch):
    """Three requests to Manchester LAs about 2025 (one closed, one answered), one to a
    North East LA about 2024: only this year's count."""
    planted = pd.DataFrame({"la_code": ["E08000003", "E08000001", "E08000002", "E06000001"],
                            "year": [2025, 2025, 2025, 2024],
                            "status": ["requested", "received", "closed", "closed"]})
    monkeypatch.setattr(register, "requests", lambda engine: planted)
    progress = rcc_comparison.register_progress(cohort_engine, 2025)
    assert progress.loc[GM].tolist() == [3, 2, 1]
    assert progress.loc[NE].tolist() == [0, 0, 0]
    assert progress.loc[ENGLAND].tolist() == [3, 2, 1]


# --- who may read it ------------------------------------------------------------------

def test_only_the_national_steering_group_and_analysts_may_read_it(cohort_engine):
    import cached_rccs

    args = type("Args", (), {"year": 2025, "level": "la"})()
    for viewer, allowed in ((access.Viewer("nsg"), True), (access.SINGLE_USER, True),
                            (access.Viewer("trustee", rccs=frozenset({GM})), False),
                            (access.Viewer("adcs", rccs=frozenset({NE})), False),
                            (access.Viewer("provider", provider="p1"), False),
                            (access.ANONYMOUS, False)):
        if allowed:
            export_access.check_export(viewer, "rcc-comparison", args, cohort_engine)
            continue
        with pytest.raises(access.AccessDenied):
            export_access.check_export(viewer, "rcc-comparison", args, cohort_engine)
        st.session_state["viewer"] = viewer
        with pytest.raises(access.AccessDenied):  # refused before anything is read
            cached_rccs.rcc_comparison(2025, 10.0)
    st.session_state.pop("viewer", None)


# --- the page and the export ----------------------------------------------------------

@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_the_page_opens_at_every_year(app_store, engine, year):
    assert year in tables.available_years(engine)
    at = opened(PAGE, {"year": str(year)})
    assert at.title[0].value == f"All RCCs, 31 March {year}"
    shown = at.dataframe[0].value
    assert len(shown) == len(queries.rccs(engine)) + 1
    assert shown["rcc"].iloc[-1] == "England"
    assert at.selectbox(key="rcc_sort").value == "rate_per_10k"
    assert any("its area does not" in caption.value for caption in at.caption)


@pytest.fixture
def cohort_copy(cohort_url, tmp_path, monkeypatch):
    """The app and the command line on a copy of the cohort store (the export writes to
    the audit trail), with empty Streamlit caches."""
    import cached

    url = cohort_url
    if url.startswith("sqlite:///"):
        copy = tmp_path / "rcc.sqlite"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    cached.clear()
    yield url
    cached.clear()


def test_the_export_is_the_pages_table(cohort_copy, capsys):
    """``python -m data export rcc-comparison --year 2025`` holds the rows and values the
    page shows (the page in its own order, numbers as it formats them)."""
    from data import cli

    at = opened(PAGE, {"year": "2025"}, timeout=600)
    page = at.dataframe[0].value.set_index("rcc_id")
    assert any(SYNTHETIC_LABEL in warning.value for warning in at.warning)
    capsys.readouterr()
    assert cli.main(["export", "rcc-comparison", "--year", "2025"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == f"# {SYNTHETIC_LABEL}"
    exported = pd.read_csv(io.StringIO(text), skiprows=1).set_index("rcc_id")
    assert sorted(page.index) == sorted(exported.index)
    assert list(page.columns) == list(exported.columns)
    for column in exported.columns:
        mine = page[column].reindex(exported.index)
        if pd.api.types.is_numeric_dtype(exported[column]):
            mine = pd.to_numeric(mine.astype(str).str.replace(",", ""), errors="coerce")
            assert np.allclose(mine, exported[column], equal_nan=True, atol=0.051), column
        else:
            assert mine.fillna("").tolist() == exported[column].fillna("").tolist(), column
