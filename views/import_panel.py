"""'Import case-level data' on the Data & methods page: the same import as
``python -m data import``, as an upload. All the work is in data/importers (through
cached.py); this module only draws the form, the report and the import log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import cached
import live
from analysis import access
from data.importers.common import ImportRefused, ImportReport, ImportResult
from views import frame

FORMATS = {"ssda903": "SSDA903 (Header and Episodes CSV files)",
           "placements-v2": "Placements Data Standard v2 (one CSV or XLSX file)"}
REPORT_COLUMNS = {"table": "File", "row": st.column_config.NumberColumn("Row", format="%d"),
                  "column": "Column", "value": "Value", "rule": "Rule", "problem": "Problem"}


def render() -> None:
    """The section: explanation, the upload form, the last outcome and the import log;
    for analysts only (anyone else reads one line saying so)."""
    st.subheader("For analysts: import case-level data")
    if not access.may_act(cached.viewer(), access.ADMINISTER):
        st.markdown("Analysts import LAs' case-level files here; the import log is theirs.")
        return
    st.markdown(
        "Upload an LA's SSDA903 or Placements Data Standard v2 files. **Any blocking error "
        "refuses the whole import: nothing is written.** The LA and year start from the "
        "sidebar's.")
    with st.expander("What the import checks and keeps"):
        st.markdown(
            "Every row is checked first (DfE's 903 rule codes and wording where our checks "
            "overlap theirs). Warnings (a URN not in Ofsted's 2023 list, a postcode not "
            "found) do not block. Re-importing the same LA and period replaces that "
            "submission; the same file twice changes nothing. Only the child's pseudonymous "
            "id, birth year and month, and postcode *sectors* are kept, never names, full "
            "dates of birth, UPNs or full postcodes. The same import from the command line: "
            "`python -m data import --format ssda903 --la GSS_CODE --year YEAR HEADER.csv "
            "EPISODES.csv`.")
    upload_form()
    show_outcome()
    st.subheader("Import log")
    log = live.case_import_log()
    if log.empty:
        st.markdown("Nothing has been imported yet.")
    else:
        frame.table(log, "case-imports", "import log",
                    column_config={"imported_at": st.column_config.DatetimeColumn(
                        "Imported (UTC)"), "imported_by": "By", "import_id": "Import",
                        "format": "Format", "period": "Period", "rows": "Rows by table",
                        "outcome": "Outcome", "in_force": "In force",
                        "is_synthetic": "Synthetic",
                        "file_hash": "File SHA-256"})


def upload_form() -> None:
    """Format, LA, year, files and who: then import, keeping the outcome for the next run.
    The LA and year start from the sidebar's, and the years offered are those the app has
    data for: an import for a year no page can show would be invisible."""
    las = cached.local_authorities()
    names = dict(zip(las["code"], las["name"]))
    filters = frame.current()
    years = cached.years()[::-1]
    with st.form("case_import"):
        kind = st.radio("Format", list(FORMATS), format_func=FORMATS.get, horizontal=True)
        left, right = st.columns(2)
        la_code = left.selectbox("Local authority", list(names), format_func=names.get,
                                 index=la_index(list(names), filters),
                                 placeholder="Choose the LA the records are from")
        year = right.selectbox("Collection year (ending 31 March)", years,
                               index=years.index(filters.year),
                               help="2025 means 1 April 2024 to 31 March 2025. For "
                                    "Placements v2, the period the file covers. Only the "
                                    "years the app has DfE figures for are offered.")
        files = st.file_uploader("Files", type=["csv", "xlsx"], accept_multiple_files=True,
                                 help="SSDA903: the Header and the Episodes file. "
                                      "Placements v2: one file.")
        who = st.text_input("Imported by", placeholder="Your name and role")
        if st.form_submit_button("Import", type="primary"):
            st.session_state.case_import_outcome = run_import(kind, la_code, int(year),
                                                              files or [], who)


def la_index(codes: list[str], filters: frame.Filters) -> int | None:
    """The sidebar's LA when it shows one LA; otherwise none, so the form asks (a guessed
    LA could file one council's children under another's name)."""
    return codes.index(filters.scope.code) if filters.scope.kind == "la" else None


def run_import(kind: str, la_code: str | None, year: int, files, who: str):
    """Call the importer; returns an ImportResult, an ImportRefused or a message."""
    if not la_code:
        return "Choose the local authority the records are from."
    if not who.strip():
        return "Say who is importing (your name and role): the import log records it."
    if not files:
        return "Choose the file(s) to import."
    blobs = [(upload.name, upload.getvalue()) for upload in files]
    try:
        with st.spinner("Checking and importing..."):
            if kind == "ssda903":
                return live.import_ssda903(blobs, la_code, year, who.strip())
            if len(blobs) != 1:
                return "Placements v2 takes one file."
            return live.import_placements_v2(*blobs[0], la_code, who.strip(), year)
    except ImportRefused as refused:
        return refused


def show_outcome() -> None:
    """The last import's summary, or its report: blocking errors and warnings apart."""
    outcome = st.session_state.get("case_import_outcome")
    if outcome is None:
        return
    if isinstance(outcome, str):
        st.warning(outcome)
        return
    if isinstance(outcome, ImportRefused):
        report = outcome.report
        st.error(f"Import refused: {len(report.errors):,} blocking error"
                 f"{'s' if len(report.errors) != 1 else ''}. Nothing was written.",
                 icon=":material/block:")
        report_table(report, "errors")
    else:
        st.success(outcome.summary(), icon=":material/check_circle:")
        st.dataframe(rows_table(outcome), hide_index=True)
        report = outcome.report
    if report.warnings:
        report_table(report, "warnings")


def report_table(report: ImportReport, which: str) -> None:
    """Errors or warnings as a downloadable table (row, column, value, rule, problem)."""
    issues = report.frame(which)
    title = "Blocking errors" if which == "errors" else "Warnings (not blocking)"
    st.subheader(f"{title}: {len(issues):,}")
    frame.table(issues, f"import-{which}", f"import {which}", column_config=REPORT_COLUMNS)


def rows_table(result: ImportResult) -> pd.DataFrame:
    """Rows written by table, for the success message."""
    return pd.DataFrame({"Table": list(result.rows), "Rows": list(result.rows.values())})
