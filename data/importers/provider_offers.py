"""The provider offer register's import: what each children's home offers, from a CSV file.

Ofsted does not publish which needs a home caters for, so providers (or commissioners on
their behalf) say it here; the specificity gap (``analysis.specificity``) matches children
to these offers. ``python -m data import --format provider-offers PATH`` reads one UTF-8
CSV file, one row per home, with these columns (template: data/templates/provider_offers.csv):

* ``urn``: the home's Ofsted URN; it must be a children's home in Ofsted's list held in
  the store (``python -m data export homes-by-la`` counts them by LA);
* ``needs``: the needs the home accepts, need codes separated by ';', e.g.
  ``mental_health;self_harm`` (the codes: ``python -m data export needs-vocabulary``);
* ``max_intensity``: the highest intensity of need it accepts: low, medium or high;
* ``age_from``, ``age_to``: the youngest and oldest ages accepted, whole years 0 to 18,
  age_from not above age_to;
* ``sex``: any, female or male;
* ``places``: places offered, from 1 to the home's Ofsted-registered places.

Words (low, any, need codes) may be in any case. The import is all or nothing, like the
case-level imports: every row is checked first; any error refuses the whole file with a
report naming the row, column and problem (the first 50 and the total) and nothing is
written. A clean file replaces the offers of the homes it lists in one transaction (a
synthetic default offer included); every other home's offer is kept.

Checks are plain pandas masks rather than pandera schemas (as in ``validation``) because
most messages carry a detail of their own row: the home's registered places, the unknown
need codes, the other row with the same URN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select

from analysis.access import Viewer
from analysis.specificity import INTENSITIES
from data import schema as s
from data.importers.common import (ImportRefused, ImportReport, audited, check_columns,
                                   import_details, read_csv_text, report_cells, row_of)

FORMAT = "provider-offers"
COLUMNS = ["urn", "needs", "max_intensity", "age_from", "age_to", "sex", "places"]
SEXES = ("any", "female", "male")
OLDEST = 18


@dataclass(frozen=True)
class OfferReference:
    """What an offer is checked against: each home's registered places, the need codes."""

    places: dict[str, int]  # Ofsted URN -> registered places
    needs: tuple[str, ...]  # need_category codes, sorted


@dataclass(frozen=True)
class OfferImport:
    """A written file: how many offers, and how many of them replaced an earlier one."""

    written: int
    replaced: int

    def summary(self) -> str:
        return (f"Imported {self.written:,} provider offer(s); {self.replaced:,} replaced "
                "an earlier offer for the same home.")

    def audit_detail(self) -> dict:
        """What the audit trail keeps of a written file."""
        return {"outcome": "imported", "rows": {"provider_offer": self.written},
                "replaced": self.replaced}


def load_reference(engine: Engine) -> OfferReference:
    """The homes and the needs vocabulary, read from the store once per import."""
    with engine.connect() as connection:
        homes = connection.execute(select(s.ChildrensHome.urn, s.ChildrensHome.places)).all()
        needs = connection.execute(select(s.NeedCategory.code)
                                   .order_by(s.NeedCategory.code)).scalars().all()
    return OfferReference({str(urn): int(places) for urn, places in homes}, tuple(needs))


# --- checks ------------------------------------------------------------------------------

def read_offers(name: str, raw: bytes, report: ImportReport) -> pd.DataFrame | None:
    """The file as a frame of stripped strings with exactly ``COLUMNS``, or None."""
    frame = read_csv_text(raw, name, report)
    if frame is None or not check_columns(frame, name, COLUMNS, [], report):
        return None
    if frame.empty:
        report.error("RCC-HEADER-ONLY", name)
        return None
    return frame[COLUMNS]


def validate(frame: pd.DataFrame, table: str, reference: OfferReference,
             report: ImportReport) -> pd.DataFrame:
    """Check every row (errors go to ``report``) and return the rows as the store keeps
    them: words in lower case, need codes sorted, numbers as integers."""
    for column in COLUMNS:
        report_cells(report, table, frame, frame[column].isna(), column, "RCC-REQUIRED")
    clean = pd.DataFrame({"urn": frame["urn"], "max_intensity": frame["max_intensity"]
                          .str.lower(), "sex": frame["sex"].str.lower()}, index=frame.index)
    check_urns(frame, table, reference, report)
    clean["needs"] = check_needs(frame, table, reference, report)
    for column, allowed in (("max_intensity", INTENSITIES), ("sex", SEXES)):
        bad = frame[column].notna() & ~clean[column].isin(allowed)
        report_cells(report, table, frame, bad, column, "RCC-CODE",
                     detail=f"Use {', '.join(allowed[:-1])} or {allowed[-1]}.")
    for column in ("age_from", "age_to"):
        clean[column] = whole_numbers(frame[column])
        bad = frame[column].notna() & ~known(clean[column].between(0, OLDEST))
        report_cells(report, table, frame, bad, column, "RCC-NUMBER",
                     detail=f"Ages are whole years from 0 to {OLDEST}.")
    backwards = known(clean["age_from"] > clean["age_to"])
    report_cells(report, table, frame, backwards, "age_from", "RCC-NUMBER",
                 detail="The youngest age accepted (age_from) is above the oldest (age_to).")
    clean["places"] = whole_numbers(frame["places"])
    check_places(frame, clean, table, reference, report)
    return clean[COLUMNS]


def known(mask: pd.Series) -> pd.Series:
    """A nullable comparison as plain booleans, missing (a value not checkable) as False."""
    return mask.fillna(False).astype(bool)


def whole_numbers(values: pd.Series) -> pd.Series:
    """Digits only ('8', not '8.5', '-1' or 'eight') as integers; anything else missing."""
    digits = values.where(known(values.str.fullmatch(r"\d{1,3}")))
    return pd.to_numeric(digits, errors="coerce").astype("Int64")


def check_urns(frame: pd.DataFrame, table: str, reference: OfferReference,
               report: ImportReport) -> None:
    """Every URN a children's home in the store's Ofsted list, and no URN twice."""
    urns = frame["urn"]
    unknown = urns.notna() & ~urns.isin(set(reference.places))
    report_cells(report, table, frame, unknown, "urn", "RCC-CODE",
                 detail="It is not a children's home in Ofsted's list held in the store.")
    repeated = urns.notna() & urns.duplicated(keep=False)
    for index in repeated[repeated].index:
        others = [row_of(other) for other in urns.index[urns == urns[index]] if other != index]
        report.error("RCC-DUPLICATE", table, row=row_of(index), column="urn",
                     value=urns[index],
                     detail=f"The URN is also on row {', '.join(map(str, others))}.")


def check_needs(frame: pd.DataFrame, table: str, reference: OfferReference,
                report: ImportReport) -> pd.Series:
    """The needs cell as known codes, sorted and ';'-joined; unknown codes and a
    cell with no code at all (';') are errors."""
    vocabulary = set(reference.needs)
    joined = pd.Series(pd.NA, index=frame.index, dtype="object")
    for index, cell in frame["needs"].dropna().items():
        codes = {code.strip().lower() for code in cell.split(";") if code.strip()}
        unknown = sorted(codes - vocabulary)
        if unknown:
            report.error("RCC-CODE", table, row=row_of(index), column="needs", value=cell,
                         detail=f"Unknown need code(s): {', '.join(unknown)}. Use codes from "
                                "the needs vocabulary, separated by ';'.")
        elif not codes:
            report.error("RCC-REQUIRED", table, row=row_of(index), column="needs", value=cell)
        joined[index] = ";".join(sorted(codes & vocabulary))
    return joined


def check_places(frame: pd.DataFrame, clean: pd.DataFrame, table: str,
                 reference: OfferReference, report: ImportReport) -> None:
    """Places from 1 to the home's registered places (any whole number >= 1 if the URN is
    itself wrong, which is reported on its own)."""
    registered = clean["urn"].map(reference.places)
    too_many = known(clean["places"] > registered)
    wrong = frame["places"].notna() & ~known(clean["places"] >= 1)
    for index in frame.index[wrong | too_many]:
        limit = registered[index]
        rule = (f"Places must be a whole number from 1 to the home's {int(limit)} registered "
                "places." if pd.notna(limit) else "Places must be a whole number from 1.")
        report.error("RCC-NUMBER", table, row=row_of(index), column="places",
                     value=frame.at[index, "places"], detail=rule)


def checked(frame: pd.DataFrame, table: str, reference: OfferReference,
            report: ImportReport) -> pd.DataFrame:
    """The validated rows, or ImportRefused with the report (in file order)."""
    rows = validate(frame, table, reference, report)
    report.sort()
    if not report.ok:
        raise ImportRefused(report)
    return rows.astype({"age_from": int, "age_to": int, "places": int})


# --- the write ---------------------------------------------------------------------------

def write_offers(engine: Engine, rows: pd.DataFrame, *, source: str, by: str) -> OfferImport:
    """Replace the offers of these homes by ``rows`` in one transaction; others are kept."""
    with engine.begin() as connection:
        return replace_offers(connection, rows, source=source, by=by)


def replace_offers(connection: Connection, rows: pd.DataFrame, *, source: str,
                   by: str) -> OfferImport:
    """The write, inside the caller's transaction: delete these homes' offers, insert
    ``rows`` stamped with source, time and who (synthetic when the source is)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    o = s.ProviderOffer
    urns = list(rows["urn"])
    records = rows.assign(source=source, updated_at=now, updated_by=by[:120],
                          is_synthetic=source == "synthetic").to_dict("records")
    replaced = connection.execute(select(func.count()).select_from(o)
                                  .where(o.urn.in_(urns))).scalar()
    connection.execute(delete(o).where(o.urn.in_(urns)))
    if records:
        connection.execute(insert(o), records)
    return OfferImport(len(records), int(replaced))


def import_file(engine: Engine, name: str, raw: bytes, *, imported_by: str,
                viewer: Viewer | None = None) -> OfferImport:
    """Check a provider-offers CSV and write it, or raise ImportRefused (nothing written);
    recorded in the audit trail either way, for ``viewer`` (None: the command line)."""
    return audited(engine, viewer, imported_by, import_details(FORMAT, [(name, raw)]),
                   lambda: write_file(engine, name, raw, imported_by=imported_by))


def write_file(engine: Engine, name: str, raw: bytes, *, imported_by: str) -> OfferImport:
    """Check and write the file (``import_file`` without the audit trail)."""
    report = ImportReport()
    frame = read_offers(name, raw, report)
    if frame is None:
        report.sort()
        raise ImportRefused(report)
    rows = checked(frame, name, load_reference(engine), report)
    return write_offers(engine, rows, source="import", by=imported_by)

