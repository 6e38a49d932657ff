"""SSDA903 import: the Header and Episodes tables as LAs submit them to DfE.

Header: CHILD, SEX, DOB, ETHNIC, UPN (MOTHER, MC_DOB and UASC may also be present).
Episodes: CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,
REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN, and optionally DfE's derived PL_LA,
PL_LOCATION and PL_DISTANCE. Dates are dd/mm/yyyy. The year is the 903 collection year:
2025 covers 1 April 2024 to 31 March 2025.

What is kept is pseudonymous: the LA's CHILD id (as ``child_ref``), the year and month of
birth (never the full date), sex, ethnicity and UASC status; UPN and MOTHER are read only
to be checked and are never stored; postcodes are reduced to sectors. Each episode gets:

- ``period_of_care``: 1 for the child's first episode, plus one at each later RNE 'S';
- ``placement_la``: PL_LA where given (``placement_la_source`` 'pl_la'), else the LA of
  the placement postcode ('postcode'), else the LA of the children's home with that Ofsted
  URN ('urn'), else unknown ('unknown', counted and shown as such, with a warning);
- ``distance_miles``: PL_DISTANCE where given, else the straight line between the home and
  placement sector centroids, as DfE computes it; ``distance_band`` '<=20', '>20' or
  'unknown';
- ``inside_la``: PL_LOCATION (IN/OUT) where given, else whether the placement LA is the LA.

UASC status comes from the Header's UASC column when the file has one (DfE's XML
return carries it); CSV Header files usually do not, and then it is recorded as not UASC.

``import_frames`` is the entry point for frames already in 903 layout (the synthetic
generator uses it); ``import_files`` reads the two CSV files first. Both run the same
validation, enrichment and one-transaction write.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa
from sqlalchemy import Engine

from analysis.access import Viewer
from data import postcodes
from data.importers import codes
from data.importers.common import (
    ImportRefused,
    ImportReport,
    ImportResult,
    Submission,
    audited,
    check_columns,
    frame_hash,
    import_details,
    read_csv_text,
    report_cells,
    sha256_bytes,
    tidy,
    write_all,
)
from data.importers.validation import (
    DATE_FORMAT,
    Reference,
    isin,
    load_reference,
    max_length,
    run_schema,
    text_column,
    valid_date,
    wide,
)

FORMAT = "ssda903"
HEADER = "Header"
EPISODES = "Episodes"
HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN"]
HEADER_OPTIONAL = ["MOTHER", "MC_DOB", "UASC"]
EPISODE_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC",
                   "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
EPISODE_OPTIONAL = ["PL_LA", "PL_LOCATION", "PL_DISTANCE"]
CHILD_REF_LENGTH = 40
URN_LENGTH = 10
ADULT_AGE = 18
POSTCODE_COLUMNS = ("HOME_POST", "PL_POST")
GSS_OUTSIDE_ENGLAND = r"^[WSN]\d{8}$"
MAX_ROWS = 2_000_000


# --- collection year -----------------------------------------------------------------------

def collection_end(year: int) -> pd.Timestamp:
    """31 March of the collection year."""
    return pd.Timestamp(year=year, month=3, day=31)


def check_submitter(la_code: str, year: int, reference: Reference, report: ImportReport) -> None:
    """The submitting LA must exist now, and the year must be a plausible 903 year."""
    if la_code not in reference.current_la_codes:
        report.error("RCC-LA", "", column="--la", value=la_code,
                     detail="Give the GSS code of a current English LA, e.g. E08000025.")
    if not 2000 <= int(year) <= pd.Timestamp.now().year + 1:
        report.error("RCC-CODE", "", column="--year", value=str(year),
                     detail="Give the 903 collection year, e.g. 2025 for 2024-25.")


# --- schemas -----------------------------------------------------------------------------------

def header_schema(year: int) -> pa.DataFrameSchema:
    """Header: codes, a real date of birth before the end of the year, one row per child."""
    end = collection_end(year)
    return pa.DataFrameSchema({
        "CHILD": text_column([max_length(CHILD_REF_LENGTH, "CHILD")], name="CHILD",
                             nullable=False),
        "SEX": text_column([isin(codes.SEX, "101", "SEX")], name="SEX", nullable=False),
        "DOB": text_column([valid_date("102", "DOB")], name="DOB", nullable=False),
        "ETHNIC": text_column([isin(codes.ETHNIC, "103", "ETHNIC")], name="ETHNIC",
                              nullable=False),
        "UPN": text_column([], name="UPN"),
        "MOTHER": text_column([], name="MOTHER", required=False),
        "MC_DOB": text_column([], name="MC_DOB", required=False),
        "UASC": text_column([isin(codes.UASC, "105", "UASC")], name="UASC", nullable=False,
                            required=False),
    }, checks=[
        wide(lambda f: ~f["CHILD"].duplicated(keep="first") | f["CHILD"].isna(),
             "RCC-DUPLICATE", "CHILD"),
        wide(lambda f: ~(f["_DOB"] > end), "RCC-DOB-FUTURE", "DOB"),
    ])


def episodes_schema(year: int, reference: Reference) -> pa.DataFrameSchema:
    """Episodes: codes, real dates in order, no overlaps, one episode per child and start."""
    end = collection_end(year)
    known_la = reference.la_codes | set(codes.PL_LA_OUTSIDE_ENGLAND)
    return pa.DataFrameSchema({
        "CHILD": text_column([max_length(CHILD_REF_LENGTH, "CHILD")], name="CHILD",
                             nullable=False),
        "DECOM": text_column([valid_date("141", "DECOM")], name="DECOM", nullable=False),
        "RNE": text_column([isin(codes.RNE, "143", "RNE")], name="RNE", nullable=False),
        "LS": text_column([isin(codes.LS, "144", "LS")], name="LS", nullable=False),
        "CIN": text_column([isin(codes.CIN, "145", "CIN")], name="CIN", nullable=False),
        "PLACE": text_column([isin(codes.PLACE, "146", "PLACE")], name="PLACE", nullable=False),
        "PLACE_PROVIDER": text_column([isin(codes.PLACE_PROVIDER, "178", "PLACE_PROVIDER")],
                                      name="PLACE_PROVIDER"),
        "DEC": text_column([valid_date("147", "DEC")], name="DEC"),
        "REC": text_column([isin(codes.REC, "149", "REC")], name="REC"),
        "REASON_PLACE_CHANGE": text_column(
            [isin(codes.REASON_PLACE_CHANGE, "1009", "REASON_PLACE_CHANGE")],
            name="REASON_PLACE_CHANGE"),
        "HOME_POST": text_column([postcode_check("HOME_POST")], name="HOME_POST"),
        "PL_POST": text_column([postcode_check("PL_POST")], name="PL_POST"),
        "URN": text_column([max_length(URN_LENGTH, "URN")], name="URN"),
        "PL_LA": text_column([pa.Check(lambda v: v.isin(known_la)
                                       | v.str.match(GSS_OUTSIDE_ENGLAND),
                                       error="RCC-LA|PL_LA")], name="PL_LA", required=False),
        "PL_LOCATION": text_column([isin(codes.PL_LOCATION, "RCC-CODE", "PL_LOCATION")],
                                   name="PL_LOCATION", required=False),
        "PL_DISTANCE": text_column([pa.Check(non_negative, error="RCC-NUMBER|PL_DISTANCE")],
                                   name="PL_DISTANCE", required=False),
    }, checks=[
        wide(lambda f: ~(f["PLACE_PROVIDER"].isna() & f["PLACE"].notna()
                         & ~f["PLACE"].isin(codes.PLACE_WITHOUT_PROVIDER)),
             "178", "PLACE_PROVIDER"),
        wide(lambda f: f["DEC"].isna() == f["REC"].isna(), "148", "REC"),
        wide(lambda f: ~(f["_DEC"] < f["_DECOM"]), "RCC-DATE-ORDER", "DEC"),
        wide(lambda f: ~(f["_DECOM"] > end), "RCC-PERIOD", "DECOM"),
        wide(lambda f: ~(f["_DEC"] > end), "RCC-PERIOD", "DEC"),
        wide(lambda f: ~f.duplicated(["CHILD", "_DECOM"], keep="first") | f["_DECOM"].isna(),
             "RCC-DUPLICATE", "DECOM"),
        wide(lambda f: f["_IN_HEADER"] | f["CHILD"].isna(), "RCC-CHILD", "CHILD"),
        wide(lambda f: ~(f["_DECOM"] < f["_DOB"]), "RCC-BEFORE-BIRTH", "DECOM"),
        wide(lambda f: ~(f["_DECOM"] >= f["_ADULT"]), "RCC-AGE", "DECOM"),
        wide(overlaps_previous, "501", "DECOM"),
        wide(previous_not_ended, "142", "DEC"),
    ])


def non_negative(values: pd.Series) -> pd.Series:
    """True where the text is a number of miles (0 or more)."""
    return (pd.to_numeric(values, errors="coerce") >= 0).fillna(False).astype(bool)


def postcode_check(column: str) -> pa.Check:
    """A postcode or a postcode sector (903 rule 392c)."""
    return pa.Check(lambda v: postcodes.to_sector(v).notna(), error=f"392c|{column}")


def by_child_and_start(frame: pd.DataFrame) -> pd.DataFrame:
    """Episodes ordered within each child by start date (rows without a date last)."""
    return frame.sort_values(["CHILD", "_DECOM"], kind="stable")


def overlaps_previous(frame: pd.DataFrame) -> pd.Series:
    """True (passes) unless an episode starts before the child's previous episode ended."""
    ordered = by_child_and_start(frame)
    same_child = ordered["CHILD"].eq(ordered["CHILD"].shift())
    previous_end = ordered["_DEC"].shift()
    bad = same_child & (ordered["_DECOM"] < previous_end)
    return ~bad.reindex(frame.index, fill_value=False)


def previous_not_ended(frame: pd.DataFrame) -> pd.Series:
    """True (passes) unless an episode other than the child's last has no DEC or REC."""
    ordered = by_child_and_start(frame)
    is_last = ~ordered["CHILD"].eq(ordered["CHILD"].shift(-1))
    bad = ~is_last & ordered["_DECOM"].notna() & (ordered["DEC"].isna() | ordered["REC"].isna())
    return ~bad.reindex(frame.index, fill_value=False)


# --- validation --------------------------------------------------------------------------------

def parse_date(values: pd.Series) -> pd.Series:
    """dd/mm/yyyy -> Timestamp (NaT where missing or not a real date)."""
    return pd.to_datetime(values, format=DATE_FORMAT, errors="coerce")


def with_parsed_dates(header: pd.DataFrame, episodes: pd.DataFrame):
    """Add the parsed dates (and each episode's child's DOB) the wide checks compare."""
    header = header.assign(_DOB=parse_date(header["DOB"]))
    dob = header.drop_duplicates("CHILD").set_index("CHILD")["_DOB"]
    episodes = episodes.assign(
        _DECOM=parse_date(episodes["DECOM"]), _DEC=parse_date(episodes["DEC"]),
        _DOB=episodes["CHILD"].map(dob), _IN_HEADER=episodes["CHILD"].isin(dob.index))
    episodes["_ADULT"] = episodes["_DOB"] + pd.DateOffset(years=ADULT_AGE)
    return header, episodes


def validate(header: pd.DataFrame, episodes: pd.DataFrame, *, la_code: str, year: int,
             reference: Reference, header_name: str = HEADER,
             episodes_name: str = EPISODES) -> ImportReport:
    """Every check on a submission: blocking errors, then (if none) the warnings."""
    report = ImportReport()
    check_submitter(la_code, year, reference, report)
    ok = check_columns(header, header_name, HEADER_COLUMNS, HEADER_OPTIONAL, report)
    ok &= check_columns(episodes, episodes_name, EPISODE_COLUMNS, EPISODE_OPTIONAL, report)
    if not ok:
        return report
    for frame, name in ((header, header_name), (episodes, episodes_name)):
        if frame.empty:
            report.error("RCC-HEADER-ONLY", name, row=2)
        if len(frame) > MAX_ROWS:
            report.error("RCC-TOO-MANY", name, detail=f"At most {MAX_ROWS:,} rows.")
    if not report.ok:
        return report
    header, episodes = with_parsed_dates(header, episodes)
    run_schema(header_schema(year), header, header_name, report)
    run_schema(episodes_schema(year, reference), episodes, episodes_name, report)
    if report.ok:
        warn(header, episodes, reference, header_name, episodes_name, report)
    report.sort()
    return report


def warn(header: pd.DataFrame, episodes: pd.DataFrame, reference: Reference,
         header_name: str, episodes_name: str, report: ImportReport) -> None:
    """What does not block an import but should be seen: URNs, postcodes, missing links."""
    needs_urn = (episodes["URN"].isna() & ~episodes["PLACE"].isin(codes.PLACE_WITHOUT_URN)
                 & ~outside_england(episodes))
    report_cells(report, episodes_name, episodes, needs_urn, "URN", "218", warning=True)
    in_home = episodes["PLACE"].isin(codes.PLACE_HOME) & episodes["URN"].notna()
    unknown_urn = in_home & ~episodes["URN"].isin(reference.home_la.keys())
    report_cells(report, episodes_name, episodes, unknown_urn, "URN", "RCC-URN-UNKNOWN",
                 warning=True)
    for column in POSTCODE_COLUMNS:
        sectors = postcodes.to_sector(episodes[column])
        located = postcodes.sector_details(sectors)["easting"].notna()
        report_cells(report, episodes_name, episodes, sectors.notna() & ~located, column,
                     "RCC-POSTCODE-UNKNOWN", warning=True)
    no_episodes = ~header["CHILD"].isin(set(episodes["CHILD"]))
    report_cells(report, header_name, header, no_episodes, "CHILD", "RCC-NO-EPISODES",
                 warning=True)


def outside_england(episodes: pd.DataFrame) -> pd.Series:
    """Placements DfE's PL_LA puts outside England (Wales, Scotland, NI, not UK)."""
    if "PL_LA" not in episodes.columns:
        return pd.Series(False, index=episodes.index)
    pl_la = episodes["PL_LA"].astype("string")
    return (pl_la.isin(codes.PL_LA_OUTSIDE_ENGLAND)
            | pl_la.str.match(GSS_OUTSIDE_ENGLAND)).fillna(False).astype(bool)


# --- enrichment --------------------------------------------------------------------------------

def children_rows(header: pd.DataFrame, la_code: str) -> pd.DataFrame:
    """child rows: pseudonymous id, birth year-month (never the full date), sex, ethnicity."""
    uasc = (header["UASC"] == "1").fillna(False) if "UASC" in header.columns else False
    return pd.DataFrame({
        "la_code": la_code, "child_ref": header["CHILD"],
        "birth_year_month": parse_date(header["DOB"]).dt.strftime("%Y-%m"),
        "sex": header["SEX"], "ethnicity": header["ETHNIC"], "uasc": uasc,
    }, index=header.index)


def periods_of_care(episodes: pd.DataFrame) -> pd.Series:
    """1 for each child's first episode, +1 at each later new period (RNE 'S')."""
    ordered = episodes.sort_values(["CHILD", "_DECOM"], kind="stable")
    starts = ordered["RNE"].eq("S")
    count = starts.groupby(ordered["CHILD"]).cumsum()
    first_is_not_start = (~starts).groupby(ordered["CHILD"]).transform("first")
    return (count + first_is_not_start.astype(int)).reindex(episodes.index)


def placement_las(episodes: pd.DataFrame, la_code: str,
                  reference: Reference) -> tuple[pd.Series, pd.Series]:
    """Placement LA and where it came from: PL_LA, else postcode, else URN, else unknown."""
    index = episodes.index
    given = episodes["PL_LA"] if "PL_LA" in episodes.columns else pd.Series(pd.NA, index=index)
    given = given.astype("string").replace(reference.renames)
    by_postcode = postcodes.place_la(episodes["PL_POST"]).astype("string")
    by_urn = episodes["URN"].map(reference.home_la).astype("string")
    source = np.select([given.notna(), by_postcode.notna(), by_urn.notna()],
                       ["pl_la", "postcode", "urn"], default="unknown")
    la = given.fillna(by_postcode).fillna(by_urn)
    return la.astype(object).where(la.notna(), None), pd.Series(source, index=index)


def distances(episodes: pd.DataFrame) -> pd.Series:
    """PL_DISTANCE where given, else miles between the home and placement sector centroids."""
    computed = postcodes.distance_miles(episodes["HOME_POST"], episodes["PL_POST"])
    if "PL_DISTANCE" in episodes.columns:
        given = pd.to_numeric(episodes["PL_DISTANCE"], errors="coerce")
        return given.fillna(computed)
    return computed


def inside(episodes: pd.DataFrame, placement_la: pd.Series, la_code: str) -> pd.Series:
    """PL_LOCATION IN/OUT where given, else whether the placement LA is the placing LA."""
    derived = placement_la.map(lambda code: None if code is None else code == la_code)
    if "PL_LOCATION" in episodes.columns:
        given = episodes["PL_LOCATION"].map({"IN": True, "OUT": False})
        return given.astype(object).where(given.notna(), derived)
    return derived


def episode_rows(episodes: pd.DataFrame, la_code: str, reference: Reference,
                 report: ImportReport, table: str = EPISODES) -> pd.DataFrame:
    """episode rows with derived placement LA, distance and period of care."""
    placement_la, source = placement_las(episodes, la_code, reference)
    report_cells(report, table, episodes, source.eq("unknown"), "PL_POST", "RCC-PLACEMENT-LA",
                 warning=True)
    miles = distances(episodes)
    return pd.DataFrame({
        "child_ref": episodes["CHILD"],
        "period_of_care": periods_of_care(episodes),
        "start_date": episodes["_DECOM"].dt.date,
        "end_date": episodes["_DEC"].dt.date.where(episodes["_DEC"].notna(), None),
        "reason_new_episode": episodes["RNE"], "legal_status": episodes["LS"],
        "category_of_need": episodes["CIN"], "placement_type": episodes["PLACE"],
        "provider_type": episodes["PLACE_PROVIDER"], "reason_episode_ceased": episodes["REC"],
        "reason_place_change": episodes["REASON_PLACE_CHANGE"],
        "home_sector": postcodes.to_sector(episodes["HOME_POST"]),
        "placement_sector": postcodes.to_sector(episodes["PL_POST"]),
        "placing_la": la_code, "placement_la": placement_la, "placement_la_source": source,
        "inside_la": inside(episodes, placement_la, la_code),
        "distance_miles": miles, "distance_band": postcodes.distance_band(miles),
        "urn": episodes["URN"], "provider_id": None,
    }, index=episodes.index)


# --- entry points ------------------------------------------------------------------------------

def prepare(header: pd.DataFrame, episodes: pd.DataFrame, *, la_code: str, year: int,
            imported_by: str, synthetic: bool, file_hash: str, reference: Reference,
            header_name: str = HEADER, episodes_name: str = EPISODES) -> Submission:
    """Validate and enrich one LA's submission; raise ImportRefused on any blocking error."""
    report = validate(header, episodes, la_code=la_code, year=year, reference=reference,
                      header_name=header_name, episodes_name=episodes_name)
    if not report.ok:
        raise ImportRefused(report)
    header, episodes = with_parsed_dates(header, episodes)
    return Submission(FORMAT, la_code, str(year), file_hash, imported_by, synthetic,
                      children_rows(header, la_code),
                      episode_rows(episodes, la_code, reference, report, episodes_name),
                      report=report)


def as_text(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Frames from code (not files): every cell as stripped text, blanks missing."""
    report = ImportReport()
    tidied = tidy(frame.reset_index(drop=True), name, report)
    if tidied is None:
        raise ImportRefused(report)
    return tidied


def import_frames(engine: Engine, header: pd.DataFrame, episodes: pd.DataFrame, *,
                  la_code: str, year: int, imported_by: str, synthetic: bool = False,
                  file_hash: str | None = None) -> ImportResult:
    """Validate, enrich and write one LA's Header and Episodes given as DataFrames.

    The frames are in 903 layout (column names as in the files, values as text, dates
    dd/mm/yyyy). Rows are numbered as they would be in a CSV file (first data row = 2).
    ``episode_ids`` in the result has the same index as ``episodes``, so fees and needs can
    be attached row by row. Raises ImportRefused (nothing written) on any blocking error.
    """
    return import_many(engine, [(la_code, header, episodes)], year=year,
                       imported_by=imported_by, synthetic=synthetic,
                       file_hashes=[file_hash])[0]


def import_many(engine: Engine,
                submissions: Iterable[tuple[str, pd.DataFrame, pd.DataFrame]], *, year: int,
                imported_by: str, synthetic: bool = False,
                file_hashes: list[str | None] | None = None) -> list[ImportResult]:
    """Import many LAs' (la_code, header, episodes) in one transaction: all or none.

    Reference data are read once, so this is the fast way to load every LA (the synthetic
    generator's ~82,000 children across 153 LAs). Any blocking error in any LA refuses the
    lot; the report names each LA's tables.
    """
    reference = load_reference(engine)
    batch = list(submissions)
    hashes = file_hashes or [None] * len(batch)
    prepared, report = [], ImportReport()
    for (la_code, header, episodes), given_hash in zip(batch, hashes):
        names = (HEADER, EPISODES) if len(batch) == 1 else (f"{la_code} {HEADER}",
                                                            f"{la_code} {EPISODES}")
        header_text, episodes_text = as_text(header, names[0]), as_text(episodes, names[1])
        try:
            prepared.append(prepare(
                header_text, episodes_text, la_code=la_code, year=year,
                imported_by=imported_by, synthetic=synthetic,
                file_hash=given_hash or frame_hash(header_text, episodes_text),
                reference=reference, header_name=names[0], episodes_name=names[1]))
        except ImportRefused as refused:
            report.extend(refused.report)
    if not report.ok:
        report.sort()
        raise ImportRefused(report)
    results = write_all(engine, prepared)
    for result, (_, _, episodes) in zip(results, batch):
        positions = result.episode_ids.index.to_numpy()
        result.episode_ids.index = episodes.index[positions]
    return results


def read_files(files: list[tuple[str, bytes]], report: ImportReport):
    """Read the CSV files and tell Header from Episodes by their columns."""
    frames = {}
    for name, raw in files:
        frame = read_csv_text(raw, name, report)
        if frame is None:
            continue
        kind = (EPISODES if "DECOM" in frame.columns
                else HEADER if "DOB" in frame.columns else None)
        if kind is None or kind in frames:
            report.error("RCC-TABLES", name, row=1,
                         detail=("Neither DOB (Header) nor DECOM (Episodes) is a column."
                                 if kind is None else f"A second {kind} file."))
            continue
        frames[kind] = (name, frame)
    if report.ok and len(frames) != 2:
        missing = HEADER if HEADER not in frames else EPISODES
        report.error("RCC-TABLES", missing, detail=f"No {missing} file was given.")
    return frames


def import_files(engine: Engine, files: list[tuple[str, bytes]], *, la_code: str, year: int,
                 imported_by: str, viewer: Viewer | None = None) -> ImportResult:
    """Import the Header and Episodes CSV files (name, bytes) of one LA and year, recorded
    in the audit trail (refused or not) for ``viewer`` (None: the command line)."""
    return audited(engine, viewer, imported_by, import_details(FORMAT, files, la_code, year),
                   lambda: write_files(engine, files, la_code=la_code, year=year,
                                       imported_by=imported_by))


def write_files(engine: Engine, files: list[tuple[str, bytes]], *, la_code: str, year: int,
                imported_by: str) -> ImportResult:
    """Check and write the files (``import_files`` without the audit trail)."""
    report = ImportReport()
    frames = read_files(files, report)
    if not report.ok:
        raise ImportRefused(report)
    (header_name, header), (episodes_name, episodes) = frames[HEADER], frames[EPISODES]
    reference = load_reference(engine)
    submission = prepare(header, episodes, la_code=la_code, year=year,
                         imported_by=imported_by, synthetic=False,
                         file_hash=sha256_bytes(*(raw for _, raw in files)),
                         reference=reference, header_name=header_name,
                         episodes_name=episodes_name)
    return write_all(engine, [submission])[0]
