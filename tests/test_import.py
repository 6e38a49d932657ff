"""Case-level import: SSDA903 and Placements Standard v2, validated, enriched, all or nothing.

Each malformed file below is made from a small valid submission written by the test, and
must give a clear error (its rule code and column) while leaving the row count of every
table in the store unchanged, even when a submission for the same LA and year is already
in force. Clean files import with the right rows and derived placement LA and distance;
re-importing replaces; the same file twice changes nothing.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from data import cli, postcodes
from data import schema as s
from data.build import build
from data.importers import codes, placements_v2, ssda903
from data.importers.common import ImportRefused
from data.neutralise import FORMULA_START, neutralise
from data.store import make_engine

ROOT = Path(__file__).resolve().parents[1]
LA = "E08000003"  # Manchester
YEAR = 2025
HOME_URN = "2611447"  # an Ofsted children's home in Buckinghamshire (E06000060)
FORMULA = '=HYPERLINK("http://x","y")'


# --- a small valid submission -----------------------------------------------------------------

def header_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "CHILD": ["C1", "C2", "C3"], "SEX": ["1", "2", "1"],
        "DOB": ["01/02/2010", "15/06/2012", "03/03/2008"],
        "ETHNIC": ["WBRI", "BAFR", "MWBC"], "UPN": ["A123456789012", "", "B999999999999"]})


def episodes_frame() -> pd.DataFrame:
    rows = [  # CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,
        #       REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN
        ("C1", "01/05/2024", "S", "C2", "N1", "U1", "PR1", "01/08/2024", "X1", "CARPL",
         "M1 1AE", "M14 5", ""),
        ("C1", "01/08/2024", "P", "C2", "N1", "K2", "PR4", "", "", "", "M1 1AE", "", HOME_URN),
        ("C2", "01/06/2024", "S", "V2", "N4", "U3", "PR1", "01/09/2024", "E11", "", "M14 5",
         "LS1 4", ""),
        ("C3", "10/04/2024", "S", "C2", "N2", "R1", "PR0", "20/04/2024", "E3", "", "M1 1",
         "M1 1", ""),
        ("C3", "01/10/2024", "S", "C2", "N2", "U4", "PR1", "", "", "", "M1 1", "M1 1", ""),
    ]
    return pd.DataFrame(rows, columns=ssda903.EPISODE_COLUMNS)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def files_903(header: pd.DataFrame | None = None, episodes: pd.DataFrame | None = None):
    header = header_frame() if header is None else header
    episodes = episodes_frame() if episodes is None else episodes
    return [("header.csv", csv_bytes(header)), ("episodes.csv", csv_bytes(episodes))]


V2_ROW = {
    "childId": "501", "riskSelfHarm": "Risk Present", "riskSexualExploitation": "No known risk",
    "riskCriminalExploitation": "No known risk", "riskDrugAlcohol": "risk present",
    "riskEatingDisorder": "No known risk", "riskMissing": "Risk Present", "riskOther": "",
    "riskToOthersPhysical": "No known risk", "riskToOthersSexual": "No known risk",
    "riskToOthersFire": "No known risk", "riskToOthersAnimals": "No known risk",
    "riskToOthersCriminal": "No known risk", "riskToOthersOther": "",
    "totalWeeklyCost": "5200", "placementLocation": "Leeds", "preferabilityLocation": "No",
    "educationContinuity": "Yes", "providerURN": HOME_URN, "siblingsPlacedTogether": "0",
    "placementType": "Residential", "referralDate": "2024-06-01", "placementDate": "2024-06-10",
    "costDate": "2024-06-10"}


def v2_frame() -> pd.DataFrame:
    return pd.DataFrame([
        V2_ROW,
        dict(V2_ROW, childId="502", placementLocation="LS1 4", placementType="Foster",
             providerURN="SC999999", totalWeeklyCost="900.50", riskSelfHarm="No known risk",
             riskDrugAlcohol="No known risk", riskMissing="No known risk",
             educationContinuity="No"),
        dict(V2_ROW, childId="501", placementDate="2024-09-01", costDate="2024-09-01",
             referralDate="2024-08-20", placementLocation="somewhere", providerURN="X1",
             placementType="Supported Accommodation"),
    ])


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def entity_sheets(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The frame split into one sheet per entity of the standard."""
    sheets: dict[str, list[str]] = {}
    for field, (entity, *_rest) in codes.PLACEMENTS_V2_FIELDS.items():
        if field in frame.columns:
            sheets.setdefault(entity, []).append(field)
    return {entity: frame[fields] for entity, fields in sheets.items()}


# --- stores ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One built store with a clean 903 submission for LA/YEAR already in force, shared by
    the malformed-file tests (which must never write anything)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('import') / 'rcc.sqlite'}"
    build(url, progress=False)
    engine = make_engine(url)
    ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="setup")
    yield url, engine
    engine.dispose()


@pytest.fixture
def store(own_store):
    """A freshly built store of this test's own: (url, engine)."""
    return own_store


def row_counts(engine) -> dict[str, int]:
    """The number of rows in every table of the store but the audit trail, which records
    every attempt, refused ones too (tests/test_audit.py)."""
    with engine.connect() as connection:
        return {name: connection.execute(select(func.count()).select_from(table)).scalar()
                for name, table in s.Base.metadata.tables.items() if name != "audit_event"}


def episodes_of(engine, import_id: int) -> pd.DataFrame:
    e, c = s.Episode, s.Child
    with engine.connect() as connection:
        result = connection.execute(select(c.child_ref, e).join(c, c.id == e.child_id)
                                    .where(c.import_id == import_id)
                                    .order_by(c.child_ref, e.start_date))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


# --- clean imports ------------------------------------------------------------------------------

def test_clean_903_imports_with_derived_placement_la_and_distance(store):
    _, engine = store
    before = row_counts(engine)
    result = ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="t")
    assert result.outcome == "imported" and result.rows == {"child": 3, "episode": 5}
    after = row_counts(engine)
    assert after["child"] - before["child"] == 3 and after["episode"] - before["episode"] == 5
    assert after["case_import"] - before["case_import"] == 1
    episodes = episodes_of(engine, result.import_id).set_index(["child_ref", "start_date"])
    c1_first = episodes.loc[("C1", pd.Timestamp("2024-05-01").date())]
    assert c1_first["placement_la"] == LA and c1_first["placement_la_source"] == "postcode"
    assert c1_first["inside_la"] and c1_first["home_sector"] == "M1 1"
    assert c1_first["distance_band"] == "<=20" and 0 < c1_first["distance_miles"] < 20
    c1_home = episodes.loc[("C1", pd.Timestamp("2024-08-01").date())]
    assert (c1_home["placement_la"], c1_home["placement_la_source"]) == ("E06000060", "urn")
    assert c1_home["distance_band"] == "unknown" and pd.isna(c1_home["distance_miles"])
    assert c1_home["inside_la"] == 0 and c1_home["end_date"] is None
    c2 = episodes.loc[("C2", pd.Timestamp("2024-06-01").date())]
    assert (c2["placement_la"], c2["placement_la_source"]) == ("E08000035", "postcode")  # Leeds
    assert c2["distance_band"] == ">20" and c2["distance_miles"] == pytest.approx(36, abs=2)
    assert c2["placement_sector"] == "LS1 4" and not c2["inside_la"]
    c3 = episodes.xs("C3", level="child_ref")["period_of_care"].tolist()
    assert c3 == [1, 2], "a later RNE 'S' starts a new period of care"
    assert episodes.xs("C1", level="child_ref")["period_of_care"].tolist() == [1, 1]


def test_only_pseudonymous_fields_are_stored(store):
    """No UPN, no full date of birth, no full postcode anywhere in the case-level tables."""
    _, engine = store
    ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="t")
    with engine.connect() as connection:
        children = pd.DataFrame(connection.execute(select(s.Child)).mappings().all())
        stored = pd.DataFrame(connection.execute(select(s.Episode)).mappings().all())
    assert sorted(children["birth_year_month"]) == ["2008-03", "2010-02", "2012-06"]
    text = children.astype(str).to_csv() + stored.astype(str).to_csv()
    for secret in ("A123456789012", "01/02/2010", "2010-02-01", "M1 1AE", "1AE"):
        assert secret not in text


def test_reimport_of_same_la_and_year_replaces_the_submission(store):
    _, engine = store
    first = ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="a")
    counts = row_counts(engine)
    changed = episodes_frame()
    changed.loc[4, "PLACE"] = "U5"
    second = ssda903.import_files(engine, files_903(episodes=changed), la_code=LA, year=YEAR,
                                  imported_by="b")
    assert second.outcome == "replaced" and second.import_id != first.import_id
    after = row_counts(engine)
    assert {k: v for k, v in after.items() if k != "case_import"} == \
        {k: v for k, v in counts.items() if k != "case_import"}
    assert after["case_import"] == counts["case_import"] + 1, "the log keeps every import"
    assert episodes_of(engine, first.import_id).empty
    assert "U5" in set(episodes_of(engine, second.import_id)["placement_type"])


def test_same_file_twice_changes_nothing(store):
    _, engine = store
    first = ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="a")
    counts = row_counts(engine)
    again = ssda903.import_files(engine, list(reversed(files_903())), la_code=LA, year=YEAR,
                                 imported_by="a")
    assert again.outcome == "unchanged"
    after = row_counts(engine)
    assert after == {**counts, "case_import": counts["case_import"] + 1}
    assert again.child_ids == first.child_ids
    assert not episodes_of(engine, first.import_id).empty


def test_another_year_or_la_is_a_separate_submission(store):
    _, engine = store
    ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="a")
    later = episodes_frame()
    later["DECOM"] = later["DECOM"].str.replace("2024", "2025")
    later["DEC"] = later["DEC"].str.replace("2024", "2025")
    result = ssda903.import_files(engine, files_903(episodes=later), la_code=LA,
                                  year=YEAR + 1, imported_by="a")
    assert result.outcome == "imported"
    assert row_counts(engine)["child"] == 6


def test_warnings_do_not_block(store):
    """A URN missing from Ofsted's 2023 list (homes open every month) is only a warning."""
    _, engine = store
    episodes = episodes_frame()
    episodes.loc[1, "URN"] = "SC123456"
    result = ssda903.import_files(engine, files_903(episodes=episodes), la_code=LA, year=YEAR,
                                  imported_by="t")
    assert result.outcome == "imported"
    found = {issue.code for issue in result.report.warnings}
    assert {"RCC-URN-UNKNOWN", "218"} <= found
    assert not result.report.errors
    home = episodes_of(engine, result.import_id).iloc[1]
    assert home["placement_la_source"] == "unknown" and home["placement_la"] is None
    assert "RCC-PLACEMENT-LA" in found


def test_derived_903_columns_are_used_when_given(store):
    _, engine = store
    episodes = episodes_frame().assign(PL_LA=["E08000003", "E06000060", "E08000035", "",
                                              "WAL"],
                                       PL_LOCATION=["IN", "OUT", "OUT", "IN", "OUT"],
                                       PL_DISTANCE=["1.5", "150.2", "36.0", "", "70"])
    result = ssda903.import_files(engine, files_903(episodes=episodes), la_code=LA, year=YEAR,
                                  imported_by="t")
    stored = episodes_of(engine, result.import_id)
    assert stored["placement_la"].tolist() == ["E08000003", "E06000060", "E08000035",
                                               "E08000003", "WAL"]
    assert stored["placement_la_source"].tolist() == ["pl_la", "pl_la", "pl_la", "postcode",
                                                      "pl_la"]
    assert stored["distance_miles"].tolist()[:3] == [1.5, 150.2, 36.0]
    assert stored["distance_band"].tolist() == ["<=20", ">20", ">20", "<=20", ">20"]


def test_import_frames_returns_ids_for_attaching_fees(store):
    """The synthetic generator's entry point: same checks, ids back, synthetic flag set."""
    _, engine = store
    episodes = episodes_frame().set_axis([10, 11, 12, 13, 14])
    result = ssda903.import_frames(engine, header_frame(), episodes, la_code=LA, year=YEAR,
                                   imported_by="synth", synthetic=True)
    assert result.outcome == "imported" and set(result.child_ids) == {"C1", "C2", "C3"}
    assert result.episode_ids.index.tolist() == episodes.index.tolist()
    stored = episodes_of(engine, result.import_id).set_index("id")
    assert stored["is_synthetic"].all()
    for row, episode_id in result.episode_ids.items():
        assert stored.at[episode_id, "child_ref"] == episodes.at[row, "CHILD"]
    with pytest.raises(ImportRefused) as refused:
        ssda903.import_frames(engine, header_frame(), episodes.assign(PLACE="Q9"), la_code=LA,
                              year=YEAR, imported_by="synth", synthetic=True)
    assert refused.value.report.errors[0].code == "146"


def test_import_many_is_all_or_nothing(store):
    _, engine = store
    good = (LA, header_frame(), episodes_frame())
    bad = ("E08000035", header_frame(), episodes_frame().assign(CIN="N9"))
    before = row_counts(engine)
    with pytest.raises(ImportRefused) as refused:
        ssda903.import_many(engine, [good, bad], year=YEAR, imported_by="s", synthetic=True)
    assert row_counts(engine) == before
    assert refused.value.report.errors[0].table == "E08000035 Episodes"
    results = ssda903.import_many(engine, [good, ("E08000035", header_frame(),
                                                  episodes_frame())],
                                  year=YEAR, imported_by="s", synthetic=True)
    assert [r.outcome for r in results] == ["imported", "imported"]
    assert row_counts(engine)["child"] == before["child"] + 6


def test_clean_placements_v2_csv_and_xlsx(store):
    _, engine = store
    frame = v2_frame()
    result = placements_v2.import_file(engine, "placements.csv", csv_bytes(frame), la_code=LA,
                                       imported_by="t")
    assert result.rows == {"child": 2, "episode": 3, "needs_assessment": 7,
                           "placement_fee": 3}
    assert result.period == "2025"
    stored = episodes_of(engine, result.import_id)
    assert stored["placement_type"].tolist() == ["K2", "H5", None]
    assert stored["placement_la_source"].tolist() == ["pl_la", "unknown", "postcode"]
    assert stored["placement_la"].tolist() == ["E08000035", None, "E08000035"]
    with engine.connect() as connection:
        needs = pd.DataFrame(connection.execute(
            select(s.Child.child_ref, s.NeedsAssessment.need, s.NeedsAssessment.frequency,
                   s.NeedsAssessment.intensity)
            .join(s.Child, s.Child.id == s.NeedsAssessment.child_id)).all(),
            columns=["child", "need", "frequency", "intensity"])
        fees = sorted(connection.execute(select(s.PlacementFee.weekly_fee)).scalars())
    assert set(needs.loc[needs["child"] == "501", "need"]) == {
        "self_harm", "substance_misuse", "going_missing"}
    assert set(needs.loc[needs["child"] == "502", "need"]) == {"out_of_education"}
    assert set(needs["frequency"]) == {"unknown"} == set(needs["intensity"])
    assert fees == [900.5, 5200.0, 5200.0]
    workbook = xlsx_bytes(entity_sheets(frame))
    again = placements_v2.import_file(engine, "placements.xlsx", workbook, la_code=LA,
                                      imported_by="t")
    assert again.outcome == "replaced" and again.rows == result.rows
    single = xlsx_bytes({"Placements": frame})
    assert placements_v2.import_file(engine, "one.xlsx", single, la_code=LA,
                                     imported_by="t").outcome == "replaced"
    assert row_counts(engine)["child"] == 2


# --- malformed files: a clear error and no change to any table --------------------------------

@dataclass
class Bad:
    """A malformed submission: how to make it, and the rule (and column) it must break."""

    id: str
    make: Callable[[], dict]
    code: str
    column: str | None = None


def h(**columns) -> pd.DataFrame:
    """The valid header with some cells replaced: column=(row, value)."""
    frame = header_frame()
    for column, (row, value) in columns.items():
        frame.loc[row, column] = value
    return frame


def e(**columns) -> pd.DataFrame:
    """The valid episodes with some cells replaced: column=(row, value)."""
    frame = episodes_frame()
    for column, (row, value) in columns.items():
        frame.loc[row, column] = value
    return frame


def f903(header=None, episodes=None, **kwargs) -> dict:
    return {"files": files_903(header, episodes), **kwargs}


def raw903(header: bytes | None = None, episodes: bytes | None = None, **kwargs) -> dict:
    files = dict(files_903())
    if header is not None:
        files["header.csv"] = header
    if episodes is not None:
        files["episodes.csv"] = episodes
    return {"files": list(files.items()), **kwargs}


def v2(frame: pd.DataFrame | None = None, raw: bytes | None = None, name="placements.csv",
       **kwargs) -> dict:
    frame = v2_frame() if frame is None else frame
    return {"v2": (name, raw if raw is not None else csv_bytes(frame)), **kwargs}


def v2_cell(**columns) -> pd.DataFrame:
    frame = v2_frame()
    for column, (row, value) in columns.items():
        frame.loc[row, column] = value
    return frame


EPISODES_TEXT = csv_bytes(episodes_frame()).decode()
TWO_HEADERS = [("header.csv", csv_bytes(header_frame())), ("header2.csv", csv_bytes(h()))]
OVERLAP = e(DECOM=(4, "15/04/2024"))  # starts before C3's first episode ends (20/04/2024)
NOT_ENDED = e(DEC=(0, ""), REC=(0, ""))  # C1's first episode open, yet a second follows
OVER_18 = h(DOB=(2, "01/04/2005"))
LATIN1 = "CHILD,SEX,DOB,ETHNIC,UPN\nC1,1,01/02/2010,WBRI,Zoë\nC2,2,15/06/2012,BAFR,\n" \
         "C3,1,03/03/2008,MWBC,\n".encode("latin-1")

BAD: list[Bad] = [
    # structure
    Bad("header-missing-column", lambda: f903(h().drop(columns="SEX")),
        "RCC-MISSING-COLUMN", "SEX"),
    Bad("episodes-missing-column", lambda: f903(episodes=e().drop(columns="PLACE")),
        "RCC-MISSING-COLUMN", "PLACE"),
    Bad("episodes-missing-urn", lambda: f903(episodes=e().drop(columns="URN")),
        "RCC-MISSING-COLUMN", "URN"),
    Bad("episodes-extra-column", lambda: f903(episodes=e().assign(NOTES="x")),
        "RCC-EXTRA-COLUMN", "NOTES"),
    Bad("header-extra-column", lambda: f903(h().assign(NAME="Jo")), "RCC-EXTRA-COLUMN", "NAME"),
    Bad("duplicate-column", lambda: raw903(header=b"CHILD,SEX,SEX,DOB,ETHNIC,UPN\n"
                                                  b"C1,1,1,01/02/2010,WBRI,\n"),
        "RCC-DUPLICATE-COLUMN", "SEX"),
    Bad("empty-file", lambda: raw903(episodes=b""), "RCC-EMPTY"),
    Bad("blank-file", lambda: raw903(episodes=b"\n  \n"), "RCC-EMPTY"),
    Bad("episodes-header-only", lambda: raw903(
        episodes=(",".join(ssda903.EPISODE_COLUMNS) + "\n").encode()), "RCC-HEADER-ONLY"),
    Bad("header-header-only", lambda: raw903(header=b"CHILD,SEX,DOB,ETHNIC,UPN\n"),
        "RCC-HEADER-ONLY"),
    Bad("truncated-file", lambda: raw903(episodes=EPISODES_TEXT[:-25].encode()),
        "RCC-TRUNCATED"),
    Bad("row-with-extra-field", lambda: raw903(
        episodes=(EPISODES_TEXT + "C1,01/01/2025,P,C2,N1,U1,PR1,,,,M1 1,M1 1,,EXTRA\n")
        .encode()), "RCC-SHAPE"),
    Bad("row-missing-a-field", lambda: raw903(
        episodes=(EPISODES_TEXT + "C1,01/01/2025,P,C2\n").encode()), "RCC-SHAPE"),
    Bad("latin-1-encoding", lambda: raw903(header=LATIN1), "RCC-ENCODING"),
    Bad("utf-16-encoding", lambda: raw903(header=csv_bytes(h()).decode().encode("utf-16")),
        "RCC-ENCODING"),
    Bad("binary-file", lambda: raw903(episodes=b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe"),
        "RCC-ENCODING"),
    Bad("only-one-file", lambda: {"files": files_903()[:1]}, "RCC-TABLES"),
    Bad("two-header-files", lambda: {"files": TWO_HEADERS}, "RCC-TABLES"),
    Bad("unrecognised-file", lambda: raw903(episodes=b"A,B\n1,2\n"), "RCC-TABLES"),
    # Header values
    Bad("sex-code", lambda: f903(h(SEX=(0, "3"))), "101", "SEX"),
    Bad("sex-blank", lambda: f903(h(SEX=(1, ""))), "101", "SEX"),
    Bad("dob-impossible", lambda: f903(h(DOB=(0, "31/02/2010"))), "102", "DOB"),
    Bad("dob-wrong-format", lambda: f903(h(DOB=(0, "2010-02-01"))), "102", "DOB"),
    Bad("dob-blank", lambda: f903(h(DOB=(0, ""))), "102", "DOB"),
    Bad("dob-in-future", lambda: f903(h(DOB=(0, "01/01/2030"))), "RCC-DOB-FUTURE", "DOB"),
    Bad("ethnic-lower-case", lambda: f903(h(ETHNIC=(0, "wbri"))), "103", "ETHNIC"),
    Bad("ethnic-blank", lambda: f903(h(ETHNIC=(2, ""))), "103", "ETHNIC"),
    Bad("duplicate-child", lambda: f903(h(CHILD=(1, "C1"))), "RCC-DUPLICATE", "CHILD"),
    Bad("child-blank", lambda: f903(h(CHILD=(2, ""))), "RCC-REQUIRED", "CHILD"),
    Bad("child-too-long", lambda: f903(h(CHILD=(2, "X" * 41))), "RCC-TOO-LONG", "CHILD"),
    Bad("uasc-code", lambda: f903(h().assign(UASC=["0", "2", "1"])), "105", "UASC"),
    # Episodes values
    Bad("decom-impossible", lambda: f903(episodes=e(DECOM=(0, "31/02/2024"))), "141", "DECOM"),
    Bad("decom-blank", lambda: f903(episodes=e(DECOM=(2, ""))), "RCC-REQUIRED", "DECOM"),
    Bad("dec-not-a-date", lambda: f903(episodes=e(DEC=(0, "yesterday"))), "147", "DEC"),
    Bad("dec-before-decom", lambda: f903(episodes=e(DEC=(2, "01/05/2024"))),
        "RCC-DATE-ORDER", "DEC"),
    Bad("rne-code", lambda: f903(episodes=e(RNE=(0, "X"))), "143", "RNE"),
    Bad("ls-code", lambda: f903(episodes=e(LS=(0, "C9"))), "144", "LS"),
    Bad("cin-code", lambda: f903(episodes=e(CIN=(0, "N9"))), "145", "CIN"),
    Bad("place-code-r4", lambda: f903(episodes=e(PLACE=(0, "R4"))), "146", "PLACE"),
    Bad("place-provider-code", lambda: f903(episodes=e(PLACE_PROVIDER=(0, "PR9"))),
        "178", "PLACE_PROVIDER"),
    Bad("place-provider-missing", lambda: f903(episodes=e(PLACE_PROVIDER=(0, ""))),
        "178", "PLACE_PROVIDER"),
    Bad("rec-code", lambda: f903(episodes=e(REC=(0, "E99"))), "149", "REC"),
    Bad("dec-without-rec", lambda: f903(episodes=e(REC=(2, ""))), "148", "REC"),
    Bad("reason-place-change-code", lambda: f903(episodes=e(REASON_PLACE_CHANGE=(0, "MOVED"))),
        "1009", "REASON_PLACE_CHANGE"),
    Bad("home-postcode", lambda: f903(episodes=e(HOME_POST=(0, "NOT A POSTCODE"))),
        "392c", "HOME_POST"),
    Bad("placement-postcode", lambda: f903(episodes=e(PL_POST=(2, "12345"))),
        "392c", "PL_POST"),
    Bad("urn-too-long", lambda: f903(episodes=e(URN=(1, "SC1234567890"))),
        "RCC-TOO-LONG", "URN"),
    Bad("duplicate-episode", lambda: f903(episodes=pd.concat([e(), e().iloc[[2]]])),
        "RCC-DUPLICATE", "DECOM"),
    Bad("overlapping-episodes", lambda: f903(episodes=OVERLAP), "501", "DECOM"),
    Bad("previous-episode-open", lambda: f903(episodes=NOT_ENDED), "142", "DEC"),
    Bad("child-not-in-header", lambda: f903(episodes=e(CHILD=(2, "C9"))), "RCC-CHILD", "CHILD"),
    Bad("episode-before-birth", lambda: f903(h(DOB=(1, "01/07/2024"))),
        "RCC-BEFORE-BIRTH", "DECOM"),
    Bad("child-18-at-decom", lambda: f903(OVER_18), "RCC-AGE", "DECOM"),
    Bad("decom-after-year-end", lambda: f903(episodes=e(DECOM=(4, "01/04/2025"))),
        "RCC-PERIOD", "DECOM"),
    Bad("unknown-pl-la", lambda: f903(episodes=e().assign(PL_LA=["E99999999"] + [""] * 4)),
        "RCC-LA", "PL_LA"),
    Bad("pl-location-code", lambda: f903(episodes=e().assign(PL_LOCATION="MAYBE")),
        "RCC-CODE", "PL_LOCATION"),
    Bad("pl-distance-not-a-number", lambda: f903(episodes=e().assign(PL_DISTANCE="far")),
        "RCC-NUMBER", "PL_DISTANCE"),
    Bad("formula-in-child-id", lambda: f903(h(CHILD=(0, FORMULA)), e(CHILD=(0, FORMULA))),
        "RCC-FORMULA", "CHILD"),
    Bad("formula-in-upn", lambda: f903(h(UPN=(1, FORMULA))), "RCC-FORMULA", "UPN"),
    Bad("formula-in-urn", lambda: f903(episodes=e(URN=(1, "+SUM(1)"))), "RCC-FORMULA", "URN"),
    Bad("unknown-la", lambda: f903(la="E99999999"), "RCC-LA", "--la"),
    Bad("retired-la", lambda: f903(la="E10000006"), "RCC-LA", "--la"),  # Cumbria, split 2023
    Bad("implausible-year", lambda: f903(year=1990), "RCC-CODE", "--year"),
    # Placements Standard v2
    Bad("v2-missing-column", lambda: v2(v2_frame().drop(columns="riskSelfHarm")),
        "RCC-MISSING-COLUMN", "riskSelfHarm"),
    Bad("v2-extra-column", lambda: v2(v2_frame().assign(childName="Jo")),
        "RCC-EXTRA-COLUMN", "childName"),
    Bad("v2-risk-option", lambda: v2(v2_cell(riskMissing=(0, "Maybe"))), "RCC-CODE",
        "riskMissing"),
    Bad("v2-cost-not-a-number", lambda: v2(v2_cell(totalWeeklyCost=(1, "lots"))),
        "RCC-NUMBER", "totalWeeklyCost"),
    Bad("v2-cost-negative", lambda: v2(v2_cell(totalWeeklyCost=(1, "-50"))),
        "RCC-NUMBER", "totalWeeklyCost"),
    Bad("v2-impossible-date", lambda: v2(v2_cell(placementDate=(0, "2024-02-30"))),
        "RCC-DATE", "placementDate"),
    Bad("v2-future-date", lambda: v2(v2_cell(costDate=(0, "2099-01-01"))),
        "RCC-FUTURE", "costDate"),
    Bad("v2-duplicate-placement", lambda: v2(pd.concat([v2_frame(), v2_frame().iloc[[0]]])),
        "RCC-DUPLICATE", "placementDate"),
    Bad("v2-child-id-not-integer", lambda: v2(v2_cell(childId=(1, "abc"))), "RCC-NUMBER",
        "childId"),
    Bad("v2-placement-type", lambda: v2(v2_cell(placementType=(0, "Hotel"))), "RCC-CODE",
        "placementType"),
    Bad("v2-required-blank", lambda: v2(v2_cell(providerURN=(0, ""))), "RCC-REQUIRED",
        "providerURN"),
    Bad("v2-xlsx-missing-sheet", lambda: v2(raw=xlsx_bytes(
        {k: v for k, v in entity_sheets(v2_frame()).items() if k != "Risks"}),
        name="p.xlsx"), "RCC-MISSING-SHEET", "Risks"),
    Bad("v2-xlsx-missing-column", lambda: v2(raw=xlsx_bytes(
        {"Placements": v2_frame().drop(columns="providerURN")}), name="p.xlsx"),
        "RCC-MISSING-COLUMN", "providerURN"),
    Bad("v2-xlsx-sheets-of-different-length", lambda: v2(raw=xlsx_bytes(
        {k: (v.iloc[:2] if k == "Risks" else v)
         for k, v in entity_sheets(v2_frame()).items()}), name="p.xlsx"), "RCC-SHAPE"),
    Bad("v2-xlsx-corrupt", lambda: v2(raw=b"PK\x03\x04 this is not a workbook", name="p.xlsx"),
        "RCC-PARSE"),
    Bad("v2-formula", lambda: v2(v2_cell(riskOther=(0, FORMULA))), "RCC-FORMULA", "riskOther"),
    Bad("v2-empty-file", lambda: v2(raw=b""), "RCC-EMPTY"),
    Bad("v2-unknown-la", lambda: v2(la="E99999999"), "RCC-LA", "--la"),
]


def attempt(engine, case: dict):
    """Run the import a malformed case describes; returns the ImportRefused it raised."""
    with pytest.raises(ImportRefused) as refused:
        if "v2" in case:
            name, raw = case["v2"]
            placements_v2.import_file(engine, name, raw, la_code=case.get("la", LA),
                                      imported_by="t")
        else:
            ssda903.import_files(engine, case["files"], la_code=case.get("la", LA),
                                 year=case.get("year", YEAR), imported_by="t")
    return refused.value


def test_there_are_at_least_fifty_malformed_files():
    assert len(BAD) >= 50 and len({bad.id for bad in BAD}) == len(BAD)


@pytest.mark.parametrize("bad", BAD, ids=[bad.id for bad in BAD])
def test_malformed_file_is_refused_and_changes_nothing(seeded, bad):
    _, engine = seeded
    before = row_counts(engine)
    refused = attempt(engine, bad.make())
    errors = refused.report.errors
    assert errors, "refused with no error"
    matching = [i for i in errors if i.code == bad.code
                and (bad.column is None or i.column == bad.column)]
    assert matching, [i.line() for i in errors]
    assert bad.code in str(refused) and "nothing was imported" in str(refused)
    assert row_counts(engine) == before


# --- command line, exports, neutralisation ---------------------------------------------------

@pytest.fixture
def cli_store(store, monkeypatch):
    url, engine = store
    monkeypatch.setenv("DATABASE_URL", url)
    return engine


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_cli_refuses_with_report_and_exit_2(cli_store, tmp_path, capsys):
    header = write(tmp_path, "header.csv", csv_bytes(header_frame()))
    episodes = write(tmp_path, "episodes.csv",
                     csv_bytes(episodes_frame().assign(PLACE=["Q9"] * 5)))
    before = row_counts(cli_store)
    code = cli.main(["import", "--format", "ssda903", "--la", LA, "--year", str(YEAR),
                     header, episodes])
    err = capsys.readouterr().err
    assert code == 2
    assert "row 2, column PLACE, value 'Q9': Placement type code is not a valid code." in err
    assert "Total: 5 blocking errors; nothing was imported." in err
    assert row_counts(cli_store) == before


def test_cli_report_shows_first_fifty_and_the_total(cli_store, tmp_path, capsys):
    many = pd.concat([episodes_frame()] * 15, ignore_index=True).assign(CIN="N0")
    header = write(tmp_path, "header.csv", csv_bytes(header_frame()))
    episodes = write(tmp_path, "episodes.csv", csv_bytes(many))
    code = cli.main(["import", "--format", "ssda903", "--la", LA, "--year", str(YEAR),
                     header, episodes])
    err = capsys.readouterr().err
    assert code == 2
    shown = [line for line in err.splitlines() if line.strip().startswith("episodes.csv, row")]
    assert len(shown) == 50
    assert "(the first 50 shown)" in err and "Total:" in err


def test_cli_imports_and_prints_rows_by_table(cli_store, tmp_path, capsys):
    header = write(tmp_path, "header.csv", csv_bytes(header_frame()))
    episodes = write(tmp_path, "episodes.csv", csv_bytes(episodes_frame()))
    code = cli.main(["import", "--format", "ssda903", "--la", LA, "--year", str(YEAR),
                     "--by", "Analyst", episodes, header])
    err = capsys.readouterr().err
    assert code == 0
    assert "Imported E08000003 2025" in err and "episode" in err and "5 rows" in err
    placements = write(tmp_path, "p.csv", csv_bytes(v2_frame()))
    assert cli.main(["import", "--format", "placements-v2", "--la", LA, placements]) == 0


def test_cli_needs_year_for_903(cli_store, tmp_path, capsys):
    header = write(tmp_path, "header.csv", csv_bytes(header_frame()))
    assert cli.main(["import", "--format", "ssda903", "--la", LA, header]) == 2
    assert "--year" in capsys.readouterr().err


def test_formula_text_is_neutralised_in_exports(cli_store, tmp_path, capsys):
    """Who imported is free text and is stored as given; every export defuses it."""
    header = write(tmp_path, "header.csv", csv_bytes(header_frame()))
    episodes = write(tmp_path, "episodes.csv", csv_bytes(episodes_frame()))
    assert cli.main(["import", "--format", "ssda903", "--la", LA, "--year", str(YEAR),
                     "--by", FORMULA, header, episodes]) == 0
    capsys.readouterr()
    output = tmp_path / "log.csv"
    assert cli.main(["export", "case-imports", "--output", str(output)]) == 0
    log = pd.read_csv(output, dtype=str)
    assert log.loc[0, "imported_by"] == "'" + FORMULA
    assert json.dumps(FORMULA) not in output.read_text().replace("'" + FORMULA, "")


def test_needs_vocabulary_export(cli_store, tmp_path):
    output = tmp_path / "needs.csv"
    assert cli.main(["export", "needs-vocabulary", "--output", str(output)]) == 0
    needs = pd.read_csv(output)
    assert len(needs) == 11 and "riskSelfHarm" in set(needs["placements_v2_fields"])


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_like_a_formula(text):
    out = neutralise(pd.DataFrame({"a": [text], "n": [-1.5]}))
    assert not str(out.at[0, "a"]).startswith(FORMULA_START)
    assert out.at[0, "n"] == -1.5
    if not text.startswith(FORMULA_START):
        assert out.at[0, "a"] == text


# --- postcodes --------------------------------------------------------------------------------

def test_postcodes_reduce_to_sectors_and_find_their_la():
    values = pd.Series(["sw1a 1aa", "SW1A 1", "S11", "LS1 4", "CF10 1AA", "bad", None])
    assert postcodes.to_sector(values).tolist()[:5] == ["SW1A 1", "SW1A 1", "S1 1", "LS1 4",
                                                        "CF10 1"]
    assert postcodes.to_sector(values).isna().tolist()[5:] == [True, True]
    assert postcodes.place_la(values).tolist()[:5] == ["E09000033", "E09000033", "E08000019",
                                                       "E08000035", "W06000015"]
    miles = postcodes.distance_miles(pd.Series(["S1 1"]), pd.Series(["M1 1AE"]))
    assert miles.iloc[0] == pytest.approx(32.5, abs=1)


def test_sheffield_postcodes_map_to_the_2023_code():
    """ONS recoded Sheffield's district in 2024 (E08000039); our LA code is E08000019."""
    assert postcodes.place_la(pd.Series(["S1 1AA"])).iloc[0] == "E08000019"


def test_sectors_of_la_are_real_sectors_of_that_la():
    sectors = postcodes.sectors_of_la(LA)
    assert len(sectors) > 50 and "M1 1" in sectors
    assert set(postcodes.sector_details(pd.Series(sectors))["la_code"]) == {LA}
    assert postcodes.sectors_of_la("E99999999") == []


# --- the Data & methods page ------------------------------------------------------------------

@pytest.fixture
def page(store, monkeypatch):
    """The Data & methods page on a store of this test's own."""
    import cached
    from streamlit.testing.v1 import AppTest

    url, engine = store
    monkeypatch.setenv("DATABASE_URL", url)
    cached.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("views/data_methods_page.py").run()
    yield at, engine
    cached.clear()


def test_page_shows_the_import_form_log_and_needs(page):
    at, engine = page
    assert not at.exception
    headings = [h.value.lower() for h in [*at.header, *at.subheader]]
    assert any("import case-level data" in heading for heading in headings), headings
    assert "Import" in [b.label for b in at.button]
    ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="Analyst")
    at.run()
    assert "Import log" in [h.value for h in at.subheader]
    assert len(at.get("download_button")) == len(at.dataframe)


def test_page_shows_errors_and_warnings_apart(page):
    at, engine = page
    refused = attempt(engine, f903(episodes=e(PLACE=(0, "Q9"))))
    at.session_state["case_import_outcome"] = refused
    at.run()
    assert not at.exception
    assert any("Import refused: 1 blocking error" in x.value for x in at.error)
    assert "Blocking errors: 1" in [h.value for h in at.subheader]
    tables = [d.value for d in at.dataframe]
    assert any("146" in set(t.get("rule", [])) for t in tables)
    result = ssda903.import_files(engine, files_903(episodes=e(URN=(1, "SC123456"))),
                                  la_code=LA, year=YEAR, imported_by="t")
    at.session_state["case_import_outcome"] = result
    at.run()
    assert any("Imported E08000003 2025" in x.value for x in at.success)
    assert any(h.value.startswith("Warnings (not blocking)") for h in at.subheader)


def test_log_marks_the_submission_in_force_and_counts_sources(store):
    from data.importers.case_tables import import_log

    _, engine = store
    first = ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="a")
    assert first.placement_la_sources == {"postcode": 4, "urn": 1}
    assert "Placement LA from the postcode 4, the Ofsted URN 1." in first.summary()
    second = ssda903.import_files(engine, files_903(episodes=e(URN=(1, "SC123456"))),
                                  la_code=LA, year=YEAR, imported_by="b")
    assert second.placement_la_sources == {"postcode": 4, "unknown": 1}
    log = import_log(engine).set_index("import_id")
    assert not log.at[first.import_id, "in_force"] and log.at[second.import_id, "in_force"]
    assert log.at[second.import_id, "rows"] == "child c; episode 5"
