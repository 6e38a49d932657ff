"""The synthetic cohort: calibrated to DfE, LAIT, Ofsted and S251, deterministic, flagged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chisquare
from sqlalchemy import func, insert, select

from data import cli, queries, synth
from data import schema as s
from data.build import build
from data.importers import codes
from data.store import make_engine
from tests.conftest import reset_database

ROOT = Path(__file__).resolve().parents[1]

SEED = 42
#: LAs written to a fresh store: small, large, one with no children's homes, a successor
#: council whose LAIT series starts in 2024 and whose homes Ofsted filed under Cumbria.
WRITTEN = ["E06000017", "E08000025", "E09000033", "E06000063"]


def no_sectors(_la: str) -> list[str]:
    """Postcode sectors are not needed to test the calibration (and take 5 s to index)."""
    return []


@pytest.fixture(scope="module")
def calibration(engine):
    return synth.load_calibration(engine)


@pytest.fixture(scope="module")
def cohort(calibration):
    return synth.generate(calibration, SEED, sectors=no_sectors)


@pytest.fixture(scope="module")
def current(cohort):
    """Each child's episode open at 31 March 2025, with the child's details."""
    episodes = cohort.episodes
    open_ = episodes[episodes["dec"].isna()]
    return open_.merge(cohort.children.drop(columns="la"), on="child_ref")


def published(engine, group: str) -> pd.DataFrame:
    """DfE's 2025 LA breakdown for one characteristic group."""
    table = queries.characteristic(engine, group)
    return table[(table["year"] == 2025) & (table["level"] == "la")
                 & (table["characteristic"] != "Total")]


def age_at_31_march(dob: pd.Series) -> pd.Series:
    """Whole years on 31 March 2025."""
    dob = pd.to_datetime(dob)
    return 2025 - dob.dt.year - ((dob.dt.month > 3) | ((dob.dt.month == 3) &
                                                       (dob.dt.day > 31))).astype(int)


def dfe_labels(current: pd.DataFrame) -> dict[str, pd.Series]:
    """The DfE characteristic of each current child, by group, from its 903 fields."""
    age = age_at_31_march(current["dob"])
    band = pd.cut(age, [-1, 0, 4, 9, 15, 17], labels=synth.AGE_BANDS).astype(str)
    miles = current["distance_miles"]
    far = np.select([miles.isna(), miles > 20], [2, 1], 0)
    locality = np.where(current["inside"], 0, 1)
    distance_group = np.select(
        [(locality == 0) & (far == 0), (locality == 1) & (far == 0), (locality == 0) & (far == 1),
         (locality == 1) & (far == 1), (locality == 0) & (far == 2)], [0, 1, 2, 3, 4], 5)
    legal = {code: group for group, codes_ in zip(synth.LEGAL_GROUPS, synth.LEGAL_CODES)
             for code in codes_}
    ethnic = {code: synth.ETHNIC_GROUPS[g] for g, (codes_, _, _) in
              enumerate(synth.ETHNIC_CODES) for code in codes_}
    return {
        synth.AGE_GROUP: band,
        synth.SEX_GROUP: current["sex"].map({"1": "Male", "2": "Female"}),
        synth.UASC_GROUP: np.where(current["uasc"], "UASC", "Non-UASC"),
        synth.PLACEMENT_GROUP: current["place"].map(synth.PLACE_GROUP).map(
            dict(enumerate(synth.PLACEMENT_GROUPS))),
        synth.DISTANCE_GROUP: np.asarray(synth.DISTANCE_BANDS)[distance_group],
        synth.BAND_GROUP: np.asarray(synth.BANDS)[far],
        "Locality of placement": np.where(locality == 0,
                                          "Placed inside the local authority boundary",
                                          "Placed outside the local authority boundary"),
        synth.LEGAL_GROUP: current["ls"].map(legal),
        synth.NEED_GROUP: current["cin"].map(
            {f"N{k + 1}": label for k, label in enumerate(synth.NEED_GROUPS)}),
        synth.ETHNICITY_GROUP: current["ethnic"].map(ethnic),
    }


# --- DfE at 31 March 2025 -----------------------------------------------------------------

def test_every_la_reproduces_dfe_count_at_31_march_2025(engine, cohort, current):
    counts = queries.cla_counts(engine)
    counts = counts[(counts["year"] == 2025) & (counts["level"] == "la")]
    las = queries.local_authorities(engine)
    dfe = counts.set_index("area_code")["children"].reindex(las["code"])
    in_care = current.groupby("la")["child_ref"].nunique()
    assert current["child_ref"].is_unique  # one open episode per child
    expected = dfe.dropna().astype(int)
    expected = expected[expected > 0]
    pd.testing.assert_series_equal(in_care.reindex(expected.index).fillna(0).astype(int),
                                   expected, check_names=False)
    assert len(expected) == 151
    # LAs whose count DfE suppressed or did not publish get no children, and are listed
    assert sorted(cohort.skipped) == sorted(set(dfe.index) - set(expected.index))
    assert sorted(cohort.skipped) == ["E06000053", "E09000001"]
    assert not set(cohort.children["la"]) & set(cohort.skipped)


@pytest.mark.parametrize("group", [synth.AGE_GROUP, synth.SEX_GROUP, synth.UASC_GROUP,
                                   synth.PLACEMENT_GROUP, synth.DISTANCE_GROUP,
                                   "Locality of placement", synth.BAND_GROUP, synth.LEGAL_GROUP,
                                   synth.NEED_GROUP, synth.ETHNICITY_GROUP])
def test_breakdowns_match_dfe_within_rounding_in_every_la(engine, current, group):
    """Published numbers exactly and published percentages to within DfE's rounding
    (half a percentage point), for every LA with a 2025 count."""
    labels = dfe_labels(current)
    got = pd.crosstab(current["la"], labels[group])
    dfe = published(engine, group)
    dfe = dfe[dfe["area_code"].isin(got.index)]
    got_long = got.stack().rename("synthetic")
    table = dfe.join(got_long, on=["area_code", "characteristic"]).fillna({"synthetic": 0})
    numbers = table[table["number"].notna()]
    wrong = numbers[numbers["number"] != numbers["synthetic"]]
    assert wrong.empty, wrong[["area_code", "characteristic", "number", "synthetic"]].head()
    totals = current.groupby("la").size()
    share = table["synthetic"] / table["area_code"].map(totals) * 100
    with_pct = table["percentage"].notna()
    off = (share[with_pct] - table.loc[with_pct, "percentage"]).abs()
    assert off.max() <= 0.5 + 1e-9
    assert len(table["area_code"].unique()) == 151


# --- LAIT starts and ceased ---------------------------------------------------------------

def year_ending_march(days: pd.Series) -> pd.Series:
    """The year ending 31 March that a date falls in (LAIT's year)."""
    days = pd.to_datetime(days)
    return days.dt.year + (days.dt.month >= 4).astype(int)


def test_monthly_starts_and_ends_add_up_to_lait(engine, calibration, cohort):
    episodes = cohort.episodes
    starts = episodes[episodes["rne"] == "S"]
    ends = episodes[episodes["dec"].notna() & (episodes["rec"] != "X1")]
    lait = {}
    for measure, rows in (("LACnum_Start", starts["decom"]), ("LACceased", ends["dec"])):
        frame = episodes.loc[rows.index, ["la"]].assign(
            month=pd.to_datetime(rows).dt.to_period("M"), year=year_ending_march(rows))
        monthly = frame.groupby(["la", "year", "month"]).size()
        annual = monthly.groupby(level=["la", "year"]).sum()
        published_ = queries.lait(engine, measure)
        published_ = published_[(published_["level"] == "la") & published_["value"].notna()
                                & published_["area_code"].isin(calibration.counts.index)]
        lait[measure] = published_.set_index(["area_code", "year"])["value"].astype(int)
        compared = annual.reindex(lait[measure].index).fillna(0).astype(int)
        mismatched = compared[compared != lait[measure]]
        assert mismatched.empty, (measure, mismatched.head())
        assert set(monthly.index.get_level_values("month").astype(str)) >= {
            f"{y}-{m:02d}" for y in range(2016, 2025) for m in range(1, 13)}
    # every year LAIT publishes for an LA in the cohort is matched (no gaps were skipped)
    for code in calibration.counts.index:
        years = synth.flow_years(calibration, code)
        both = set(lait["LACnum_Start"].get(code, pd.Series(dtype=int)).index) & \
            set(lait["LACceased"].get(code, pd.Series(dtype=int)).index)
        assert set(years) == both, code
    assert not cohort.shortfall


def test_periods_of_care_are_well_formed(cohort):
    episodes = cohort.episodes
    children = cohort.children.set_index("child_ref")
    dob = pd.to_datetime(episodes["child_ref"].map(children["dob"]))
    decom, dec = pd.to_datetime(episodes["decom"]), pd.to_datetime(episodes["dec"])
    assert (decom >= dob).all()
    assert (decom < dob + pd.DateOffset(years=18)).all()  # nobody is looked after at 18
    assert (dec.dropna() >= decom[dec.notna()]).all()
    assert (dec.dropna() <= pd.Timestamp("2025-03-31")).all()
    following = episodes.groupby("child_ref")["decom"].shift(-1)
    chained = episodes["rec"] == "X1"
    assert (pd.to_datetime(following[chained]) == dec[chained]).all()
    current = children[children["current"]]
    assert (episodes[episodes["dec"].isna()]["child_ref"].isin(current.index)).all()


# --- Ofsted homes -------------------------------------------------------------------------

def test_childrens_home_placements_follow_ofsted_places(engine, calibration, current):
    homes = queries.homes(engine)
    k2 = current[current["place"] == "K2"]
    assert k2["urn"].notna().mean() > 0.999
    located = k2.dropna(subset=["urn"])
    home_la = calibration.homes.set_index("urn")["la_code"]
    assert (located["urn"].map(home_la) == located["pl_la"]).all()  # a real home in that LA
    assert located["urn"].isin(homes["urn"]).all()
    geo = synth.geography_of(calibration)
    places = pd.Series(geo.places, index=geo.codes)
    places = places[places > 0]
    observed = k2["pl_la"].value_counts().reindex(places.index).fillna(0)
    expected = places / places.sum() * observed.sum()
    assert chisquare(observed, expected).pvalue > 0.01
    assert (observed - expected).abs().sum() / 2 / observed.sum() < 0.05
    assert np.corrcoef(observed, expected)[0, 1] > 0.99


# --- needs and fees -----------------------------------------------------------------------

def needs_per_child(cohort, current: pd.DataFrame) -> pd.Series:
    return current["child_ref"].map(cohort.needs.groupby("child_ref").size()).fillna(0)


def test_needs_prevalence_and_co_occurrence(cohort, current):
    count = needs_per_child(cohort, current)
    in_home = current["place"] == "K2"
    assert 3.5 <= count[in_home].mean() <= 4.5  # regional needs analyses: about 4
    fostered = current["place"].str.startswith("U")
    assert 1.3 <= count[fostered].mean() <= 2.0
    assert set(cohort.needs["need"]) <= set(synth.NEEDS)
    assert set(cohort.needs["frequency"]) == set(synth.FREQUENCIES)
    assert set(cohort.needs["intensity"]) == set(synth.INTENSITIES)
    assert not cohort.needs.duplicated(["child_ref", "need"]).any()
    teenagers = current[age_at_31_march(current["dob"]) >= 12]["child_ref"]
    wide = (cohort.needs[cohort.needs["child_ref"].isin(teenagers)].assign(flag=1)
            .pivot_table(index="child_ref", columns="need", values="flag", fill_value=0)
            .reindex(teenagers, fill_value=0))
    linked = wide[["sexual_exploitation", "criminal_exploitation", "going_missing",
                   "substance_misuse"]].corr()
    assert (linked.to_numpy()[np.triu_indices(4, 1)] > 0.2).all()
    under_5 = current[age_at_31_march(current["dob"]) < 5]["child_ref"]
    risky = cohort.needs[cohort.needs["child_ref"].isin(under_5)]["need"]
    assert not risky.isin(["sexual_exploitation", "criminal_exploitation",
                           "substance_misuse", "going_missing"]).any()


def test_fees_average_the_regions_s251_unit_costs(calibration, cohort):
    fees = cohort.fees.merge(cohort.episodes[["child_ref", "decom", "place"]],
                             on=["child_ref", "decom"])
    fees["region"] = fees["la"].map(calibration.region_of)
    for chosen, cost in ((fees["place"] == "K2", "residential"),
                         (fees["place"].str.startswith("U"), "fostering")):
        mean = fees[chosen].groupby("region")["weekly_fee"].mean()
        ratio = mean / calibration.unit_costs[cost].reindex(mean.index)
        assert ratio.between(0.9, 1.1).all(), (cost, ratio)
    parts = fees[["core", "extra_staffing", "education", "therapy"]].sum(axis=1)
    assert np.allclose(parts, fees["weekly_fee"], atol=0.011)
    assert (fees[["core", "extra_staffing", "education", "therapy"]] >= 0).all().all()
    assert fees["surplus_pct"].between(5, 25).all()
    sector = fees.merge(cohort.episodes[["child_ref", "decom", "provider_id"]],
                        on=["child_ref", "decom"])["provider_id"].map(
        cohort.providers.set_index("id")["sector"])
    by_sector = fees.assign(sector=sector.to_numpy()).groupby("sector")["surplus_pct"].mean()
    assert by_sector["Private"] > by_sector["Voluntary"] > 0
    open_paid = cohort.episodes[cohort.episodes["dec"].isna()
                                & cohort.episodes["place"].isin(["K2", "U4", "U6"])
                                & (cohort.episodes["provider"] != "PR0")]
    assert len(fees) >= len(open_paid)  # every current paid placement has its fee


# --- shape, determinism -------------------------------------------------------------------

def test_frames_are_ssda903_shaped_with_valid_codes(cohort):
    header, episodes = cohort.ssda903("E08000025")
    assert list(header.columns) == ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "UASC"]
    assert list(episodes.columns) == [
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN", "PL_LA", "PL_LOCATION",
        "PL_DISTANCE"]
    assert header["DOB"].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    assert episodes["DECOM"].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    assert (episodes["DEC"].eq("") | episodes["DEC"].str.fullmatch(r"\d{2}/\d{2}/\d{4}")).all()
    everything = cohort.episodes
    for column, allowed in (("rne", codes.RNE), ("ls", codes.LS), ("cin", codes.CIN),
                            ("place", codes.PLACE), ("provider", codes.PLACE_PROVIDER)):
        assert set(everything[column]) <= set(allowed), column
    assert set(everything["rec"].dropna()) <= set(codes.REC)
    assert set(everything["reason_place_change"].dropna()) <= set(codes.REASON_PLACE_CHANGE)
    assert set(cohort.children["ethnic"]) <= set(codes.ETHNIC)
    assert cohort.children["child_ref"].str.startswith("SYN-").all()
    assert cohort.providers["id"].str.startswith("SYN-").all()
    assert set(synth.PLACEMENTS["place"]) <= set(codes.PLACE)


def test_same_seed_same_cohort_and_a_different_seed_a_different_one(calibration, cohort):
    las = ["E06000017", "E09000033"]
    first = synth.generate(calibration, SEED, las=las, sectors=no_sectors)
    again = synth.generate(calibration, SEED, las=las, sectors=no_sectors)
    other = synth.generate(calibration, SEED + 1, las=las, sectors=no_sectors)
    for table in ("children", "episodes", "needs", "fees", "providers"):
        pd.testing.assert_frame_equal(getattr(first, table), getattr(again, table))
    assert not first.episodes.equals(other.episodes)
    # an LA's rows do not depend on which other LAs were generated with it
    whole = cohort.episodes[cohort.episodes["la"].isin(las)].reset_index(drop=True)
    pd.testing.assert_frame_equal(first.episodes, whole)


# --- writing through the importer ---------------------------------------------------------

@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A fresh store with the synthetic cohort of a few LAs written twice (seed 1, then
    42), beside one real import that a re-run must leave alone."""
    url = os.environ.get("TEST_DATABASE_URL_OWN")
    url = reset_database(url) if url else \
        f"sqlite:///{tmp_path_factory.mktemp('synth') / 'rcc.sqlite'}"
    build(url, progress=False)
    engine = make_engine(url)
    with engine.begin() as connection:
        real = connection.execute(insert(s.CaseImport).values(
            imported_at=pd.Timestamp("2025-06-01").to_pydatetime(), imported_by="an LA",
            file_hash="0" * 64, format="ssda903", la_code="E08000025", period="2025",
            rows="{}", outcome="imported", is_synthetic=False)).inserted_primary_key[0]
        connection.execute(insert(s.Child).values(
            import_id=real, la_code="E08000025", child_ref="REAL1", birth_year_month="2010-01",
            sex="1", ethnicity="WBRI", uasc=False, is_synthetic=False))
    synth.run(engine, 1, las=WRITTEN)
    cohort, counts = synth.run(engine, SEED, las=WRITTEN)
    yield engine, cohort, counts
    engine.dispose()


def count_rows(engine, table, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar()


def test_written_cohort_reproduces_dfe_counts_in_the_store(written):
    engine, cohort, counts = written
    statement = (select(s.Child.la_code, func.count(func.distinct(s.Child.id)))
                 .join(s.Episode, s.Episode.child_id == s.Child.id)
                 .where(s.Child.is_synthetic.is_(True), s.Episode.end_date.is_(None))
                 .group_by(s.Child.la_code))
    with engine.connect() as connection:
        in_care = dict(connection.execute(statement).all())
    dfe = queries.cla_counts(engine)
    dfe = dfe[(dfe["year"] == 2025) & dfe["area_code"].isin(WRITTEN)]
    assert in_care == dict(zip(dfe["area_code"], dfe["children"].astype(int)))
    assert counts["child"] == len(cohort.children)
    assert counts["episode"] == len(cohort.episodes)


def test_every_written_row_is_flagged_synthetic_and_a_rerun_replaces_it(written):
    engine, cohort, counts = written
    for table, rows in ((s.Child, len(cohort.children) + 1), (s.Episode, len(cohort.episodes)),
                        (s.NeedsAssessment, len(cohort.needs)),
                        (s.PlacementFee, len(cohort.fees)), (s.Provider, counts["provider"])):
        assert count_rows(engine, table) == rows, table  # the first run's rows are gone
        real = 1 if table is s.Child else 0
        assert count_rows(engine, table, table.is_synthetic.is_(False)) == real, table
    imports = queries.frame(engine, select(s.CaseImport))
    synthetic = imports[imports["is_synthetic"].astype(bool)]
    assert sorted(synthetic["la_code"]) == sorted(WRITTEN)
    assert set(synthetic["format"]) == {"synthetic"}
    assert (imports.loc[~imports["is_synthetic"].astype(bool), "imported_by"] == "an LA").all()
    assert count_rows(engine, s.Child, s.Child.child_ref == "REAL1") == 1


def test_written_episodes_keep_the_calibrated_locality_and_links(written):
    engine, cohort, _ = written
    episodes = queries.frame(engine, select(
        s.Episode.placement_type, s.Episode.placement_la, s.Episode.inside_la,
        s.Episode.distance_band, s.Episode.urn, s.Episode.provider_id,
        s.Episode.placement_la_source, s.Episode.home_sector).where(s.Episode.end_date.is_(None)))
    expected = cohort.episodes[cohort.episodes["dec"].isna()]
    assert episodes["inside_la"].astype(bool).sum() == expected["inside"].sum()
    assert (episodes["distance_band"] == "unknown").sum() == expected["distance_miles"].isna().sum()
    assert set(episodes["placement_la_source"]) == {"pl_la"}
    assert episodes["provider_id"].notna().mean() > 0.9
    assert episodes["home_sector"].notna().all()  # real postcode sectors of the LA
    fees = queries.frame(engine, select(s.PlacementFee.episode_id))
    assert fees["episode_id"].notna().all()


def test_cli_synth_writes_and_reports(monkeypatch, capsys, written):
    engine, _, _ = written
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli.main(["synth", "--if-absent", "--quiet"]) == 0
    assert "already holds a synthetic cohort" in capsys.readouterr().err
    assert cli.main(["synth", "--la", "E99999999", "--quiet"]) == cli.EXIT_BAD_INPUT
    assert "E99999999" in capsys.readouterr().err


def test_exports_that_use_synthetic_rows_say_so_in_the_file(written):
    """The import log includes the synthetic cohort's imports, so its export is labelled."""
    engine, _, _ = written
    result = subprocess.run(
        [sys.executable, "-m", "data", "export", "case-imports"], cwd=ROOT, text=True,
        capture_output=True, env={**os.environ, "DATABASE_URL": engine.url.render_as_string(
            hide_password=False)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "# Synthetic case-level data — not real children"
