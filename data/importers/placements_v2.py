"""Placements Data Standard v2 import: one row per agreed placement, CSV or XLSX.

The layout is the standard's (SocialCareData/placements-standard, draft of 2025-07-18):
columns named by its field names (``childId``, ``riskSelfHarm``, ``totalWeeklyCost``,
``providerURN``, ``placementType``, ``referralDate`` ...). A CSV file, or a workbook with
either one sheet holding every column or one sheet per entity of the standard
(PlacementAvailability, PlacementRequirements, PlacementRecommendation, Risks,
ActualPlacement, QualityAssurance; row N of each sheet is the same placement). Dates are
yyyy-mm-dd or dd/mm/yyyy; options are matched without regard to case.

What is written, and why:

- ``child``: one per childId. The standard has no date of birth, sex or ethnicity, so
  they are NULL (not invented); UASC is recorded as not known to be UASC (false).
- ``episode``: one per placement, starting on the placement's data-entry date (the nearest
  the standard has to a start date). Of the 903 codes only the placement type can be given:
  Residential -> K2, Supported Accommodation -> H5; 'Foster' stays NULL because 903 splits
  foster care (U1-U6) by carer and location, which the standard does not record. Placement
  LA: placementLocation when it names an LA (code or name: source 'pl_la'), else its
  postcode ('postcode'), else the Ofsted URN ('urn'), else unknown. There is no home
  postcode, so the distance is unknown.
- ``needs_assessment``: the needs present at referral (assessed on the referral date), found
  from the risk and requirement fields through the ``need_category`` table's
  ``placements_v2_fields``: change that table and the mapping changes with it. Frequency
  and intensity are 'unknown' because the standard does not record them.
- ``placement_fee``: the totalWeeklyCost of each placement (its parts are not recorded).

Officer names are read only to be checked; they are never stored.
"""

from __future__ import annotations

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
    import_details,
    read_csv_text,
    read_xlsx,
    report_cells,
    sha256_bytes,
    write_all,
)
from data.importers.validation import (
    Reference,
    load_reference,
    max_length,
    rule,
    run_schema,
    text_column,
    wide,
)

FORMAT = "placements-v2"
TABLE = "Placements"
FIELDS = codes.PLACEMENTS_V2_FIELDS
REQUIRED = [name for name, (_, _, required, _) in FIELDS.items() if required]
OPTIONAL = [name for name in FIELDS if name not in REQUIRED]
ENTITIES = list(dict.fromkeys(entity for entity, _, _, _ in FIELDS.values()))
REQUIRED_ENTITIES = [e for e in ENTITIES
                     if any(FIELDS[f][0] == e and FIELDS[f][2] for f in FIELDS)]
DATE_FIELDS = [name for name, (_, kind, _, _) in FIELDS.items() if kind == "Date"]
MONEY = r"^\d+(\.\d{1,2})?$"
COUNT = r"^\d+$"
LIST_SEPARATOR = r"\s*[;,|]\s*"  # specificCommunicationRequirements may hold several
NOT_GIVEN = {"", "none", "na", "n/a", "no", "not known", "not specified"}
CHILD_REF_LENGTH = 40
URN_LENGTH = 10


# --- reading -------------------------------------------------------------------------------

def read_placements(name: str, raw: bytes, report: ImportReport) -> pd.DataFrame | None:
    """The file as one frame of text: CSV, or XLSX in one sheet or one sheet per entity."""
    if name.lower().endswith((".xlsx", ".xlsm")) or raw[:2] == b"PK":
        sheets = read_xlsx(raw, name, report)
        return None if sheets is None else from_sheets(sheets, name, report)
    return read_csv_text(raw, name, report)


def from_sheets(sheets: dict[str, pd.DataFrame | None], name: str,
                report: ImportReport) -> pd.DataFrame | None:
    """Join entity sheets side by side (same row = same placement), or take the one sheet."""
    if any(frame is None for frame in sheets.values()):
        return None
    by_entity = {entity: sheets[entity] for entity in ENTITIES if entity in sheets}
    if not by_entity:
        if len(sheets) == 1:
            return next(iter(sheets.values()))
        for entity in REQUIRED_ENTITIES:
            report.error("RCC-MISSING-SHEET", name, column=entity,
                         detail="Use one sheet with every column, or one sheet per entity.")
        return None
    for entity in REQUIRED_ENTITIES:
        if entity not in by_entity:
            report.error("RCC-MISSING-SHEET", name, column=entity)
    lengths = {entity: len(frame) for entity, frame in by_entity.items()}
    if len(set(lengths.values())) > 1:
        report.error("RCC-SHAPE", name, detail="The entity sheets have different numbers of "
                     f"rows: {', '.join(f'{k} {v}' for k, v in lengths.items())}.")
    if not report.ok:
        return None
    joined = pd.concat([frame.reset_index(drop=True) for frame in by_entity.values()], axis=1)
    duplicated = joined.columns[joined.columns.duplicated()].unique()
    for column in duplicated:
        report.error("RCC-DUPLICATE-COLUMN", name, column=column)
    return None if len(duplicated) else joined


# --- normalising and validating --------------------------------------------------------------

def canonical_options(frame: pd.DataFrame) -> pd.DataFrame:
    """Write each categorical value as the standard spells it ('risk present' -> 'Risk
    Present'), so case differences are not errors; anything else is left for the check."""
    frame = frame.copy()
    for name, (_, _, _, options) in FIELDS.items():
        if name in frame.columns and options and name != "specificCommunicationRequirements":
            lookup = {option.lower(): option for option in options}
            lowered = frame[name].str.lower()
            frame[name] = lowered.map(lookup).astype("string").fillna(frame[name])
    return frame


def parse_any_date(values: pd.Series) -> pd.Series:
    """yyyy-mm-dd (also with a time, as spreadsheets write it) or dd/mm/yyyy -> Timestamp."""
    text = values.astype("string").str.slice(0, 10)
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk)


def options_check(name: str, options: tuple[str, ...]) -> pa.Check:
    """One of the standard's options (several, separated by ';', for multi-valued fields)."""
    allowed = {option.lower() for option in options}
    if name == "specificCommunicationRequirements":
        return pa.Check(lambda v: v.str.lower().str.split(LIST_SEPARATOR).map(
            lambda parts: all(part in allowed for part in parts)), error=rule("RCC-CODE", name))
    return pa.Check(lambda v: v.str.lower().isin(allowed), error=rule("RCC-CODE", name))


def field_checks(name: str, kind: str, options) -> list[pa.Check]:
    """The checks a field's type and options call for."""
    if options:
        return [options_check(name, options)]
    if kind == "Boolean":
        return [options_check(name, codes.YES_NO)]
    if kind == "Date":
        return [pa.Check(lambda v: parse_any_date(v).notna(), error=rule("RCC-DATE", name))]
    if name == "totalWeeklyCost":
        return [pa.Check(lambda v: v.str.match(MONEY), error=rule("RCC-NUMBER", name))]
    if kind == "Integer" and name != "childId":
        return [pa.Check(lambda v: v.str.match(COUNT), error=rule("RCC-NUMBER", name))]
    if name == "childId":
        return [pa.Check(lambda v: v.str.match(r"^\d+$"), error=rule("RCC-NUMBER", name)),
                max_length(CHILD_REF_LENGTH, name)]
    if name == "providerURN":
        return [max_length(URN_LENGTH, name)]
    return []


def schema(today: pd.Timestamp) -> pa.DataFrameSchema:
    """Built from the standard: each field's type, options and cardinality, plus keys/dates."""
    columns = {name: text_column(field_checks(name, kind, options), name=name,
                                 nullable=not required, required=required)
               for name, (_, kind, required, options) in FIELDS.items()}
    return pa.DataFrameSchema(columns, checks=[
        wide(lambda f: ~f.duplicated(["childId", "_placementDate"], keep="first")
             | f["_placementDate"].isna(), "RCC-DUPLICATE", "placementDate"),
        *[wide(lambda f, d=d: ~(f[f"_{d}"] > today), "RCC-FUTURE", d) for d in DATE_FIELDS],
    ])


def validate(frame: pd.DataFrame, *, la_code: str, reference: Reference,
             name: str = TABLE) -> ImportReport:
    """Every check: columns, then the schema, then (if clean) the warnings."""
    report = ImportReport()
    if la_code not in reference.current_la_codes:
        report.error("RCC-LA", "", column="--la", value=la_code,
                     detail="Give the GSS code of a current English LA, e.g. E08000025.")
    if not check_columns(frame, name, REQUIRED, OPTIONAL, report):
        return report
    if frame.empty:
        report.error("RCC-HEADER-ONLY", name, row=2)
        return report
    run_schema(schema(pd.Timestamp.now().normalize()), with_dates(frame), name, report)
    if report.ok:
        residential = frame["placementType"].eq("Residential")
        unknown = residential & ~frame["providerURN"].isin(reference.home_la.keys())
        report_cells(report, name, frame, unknown, "providerURN", "RCC-URN-UNKNOWN",
                     warning=True)
    report.sort()
    return report


def with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add parsed copies of the date fields for the wide checks and enrichment."""
    return frame.assign(**{f"_{d}": parse_any_date(frame[d]) for d in DATE_FIELDS
                           if d in frame.columns})


# --- enrichment ----------------------------------------------------------------------------

def present(name: str, values: pd.Series) -> pd.Series:
    """Whether a field's value shows the need it maps to (a risk present, a requirement)."""
    kind, options = FIELDS[name][1], FIELDS[name][3]
    text = values.astype("string").str.lower()
    if options == codes.RISK:
        hit = text.eq(codes.RISK_PRESENT)
    elif name == "communicationNeeds":
        hit = text.eq("y")
    elif name == "specificCommunicationRequirements":
        hit = text.notna() & ~text.isin(NOT_GIVEN)
    elif name == "livingCompanions":
        hit = text.eq("solo placement recommended")
    elif name == "educationContinuity":  # the need is *losing* the school place
        hit = text.isin([v.lower() for v in codes.YES_NO if v not in codes.TRUE_VALUES])
    elif kind == "Boolean":
        hit = text.isin([v.lower() for v in codes.TRUE_VALUES])
    else:  # free text such as riskOther: present when something is written
        hit = text.notna() & ~text.isin(NOT_GIVEN)
    return hit.fillna(False).astype(bool)


def needs_rows(frame: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """One row per need present per child and referral, from need_category's field map."""
    found = []
    for need in reference.needs.itertuples(index=False):
        fields = [f for f in str(need.placements_v2_fields).split(";")
                  if f in frame.columns and f in FIELDS]
        if not fields:
            continue
        hit = np.logical_or.reduce([present(f, frame[f]).to_numpy() for f in fields])
        rows = frame.loc[hit, ["childId", "_referralDate"]]
        found.append(pd.DataFrame({"child_ref": rows["childId"],
                                   "assessed_on": rows["_referralDate"].dt.date,
                                   "need": need.code}))
    if not found:
        return pd.DataFrame(columns=["child_ref", "assessed_on", "need", "frequency",
                                     "intensity"])
    needs = pd.concat(found).drop_duplicates(["child_ref", "assessed_on", "need"])
    return needs.assign(frequency="unknown", intensity="unknown").reset_index(drop=True)


def location_la(frame: pd.DataFrame, reference: Reference) -> pd.Series:
    """placementLocation naming an LA, by GSS code or by name (None otherwise)."""
    location = frame["placementLocation"].astype("string").str.strip()
    by_code = location.str.upper().where(location.str.upper().isin(reference.la_codes))
    by_name = location.str.lower().str.replace(r"\s+", " ", regex=True).map(reference.la_names)
    found = by_code.fillna(by_name).replace(reference.renames)
    return found


def placement_las(frame: pd.DataFrame, reference: Reference):
    """Placement LA and its source: named LA, else postcode, else URN, else unknown."""
    named = location_la(frame, reference).astype("string")
    by_postcode = postcodes.place_la(frame["placementLocation"]).astype("string")
    by_urn = frame["providerURN"].map(reference.home_la).astype("string")
    source = np.select([named.notna(), by_postcode.notna(), by_urn.notna()],
                       ["pl_la", "postcode", "urn"], default="unknown")
    la = named.fillna(by_postcode).fillna(by_urn)
    return la.astype(object).where(la.notna(), None), pd.Series(source, index=frame.index)


def prepare(frame: pd.DataFrame, *, la_code: str, year: int | None, imported_by: str,
            file_hash: str, reference: Reference, name: str = TABLE) -> Submission:
    """Validate and turn one file into child, episode, needs and fee rows."""
    frame = canonical_options(frame)
    report = validate(frame, la_code=la_code, reference=reference, name=name)
    if not report.ok:
        raise ImportRefused(report)
    frame = with_dates(frame)
    placement_la, source = placement_las(frame, reference)
    report_cells(report, name, frame, source.eq("unknown"), "placementLocation",
                 "RCC-PLACEMENT-LA", warning=True)
    children = pd.DataFrame({"la_code": la_code, "child_ref": frame["childId"].unique(),
                             "birth_year_month": None, "sex": None, "ethnicity": None,
                             "uasc": False})
    order = frame.sort_values(["childId", "_placementDate"], kind="stable")
    episodes = pd.DataFrame({
        "child_ref": frame["childId"], "period_of_care": 1,
        "start_date": frame["_placementDate"].dt.date, "end_date": None,
        "reason_new_episode": None, "legal_status": None, "category_of_need": None,
        "placement_type": frame["placementType"].map(codes.PLACEMENT_TYPE_903),
        "provider_type": None, "reason_episode_ceased": None, "reason_place_change": None,
        "home_sector": None, "placement_sector": postcodes.to_sector(frame["placementLocation"]),
        "placing_la": la_code, "placement_la": placement_la, "placement_la_source": source,
        "inside_la": placement_la.map(lambda code: None if code is None else code == la_code),
        "distance_miles": np.nan, "distance_band": "unknown", "urn": frame["providerURN"],
        "provider_id": None,
    }, index=frame.index).loc[order.index]
    fees = pd.DataFrame({"episode_row": frame.index,
                         "weekly_fee": pd.to_numeric(frame["totalWeeklyCost"]),
                         "core": None, "extra_staffing": None, "education": None,
                         "therapy": None, "surplus_pct": None})
    period = str(year or collection_year(frame["_placementDate"].max()))
    return Submission(FORMAT, la_code, period, file_hash, imported_by, False, children,
                      episodes, needs_rows(frame, reference), fees, report)


def collection_year(latest: pd.Timestamp) -> int:
    """The year ending 31 March that contains ``latest`` (as the 903 numbers its years)."""
    return latest.year + 1 if latest.month >= 4 else latest.year


def import_file(engine: Engine, name: str, raw: bytes, *, la_code: str, imported_by: str,
                year: int | None = None, viewer: Viewer | None = None) -> ImportResult:
    """Import one Placements v2 file (CSV or XLSX) for an LA; raises ImportRefused on errors.
    Recorded in the audit trail, refused or not, for ``viewer`` (None: the command line).

    The period is ``year`` if given, else the year ending 31 March that holds the latest
    placement date: a later extract of the same year replaces the earlier one.
    """
    return audited(engine, viewer, imported_by,
                   import_details(FORMAT, [(name, raw)], la_code, year),
                   lambda: write_file(engine, name, raw, la_code=la_code,
                                      imported_by=imported_by, year=year))


def write_file(engine: Engine, name: str, raw: bytes, *, la_code: str, imported_by: str,
               year: int | None) -> ImportResult:
    """Check and write one file (``import_file`` without the audit trail)."""
    report = ImportReport()
    frame = read_placements(name, raw, report)
    if frame is None or not report.ok:
        raise ImportRefused(report)
    reference = load_reference(engine)
    submission = prepare(frame, la_code=la_code, year=year, imported_by=imported_by,
                         file_hash=sha256_bytes(raw), reference=reference, name=name)
    return write_all(engine, [submission])[0]

