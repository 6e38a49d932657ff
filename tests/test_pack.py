"""Board packs: one pack of Greater Manchester (synthetic cohort, no forecasts stored) made
once on a copy of the cohort store, then read as a reader would: the PDF's text
(``pdftotext``), the XLSX's sheets, the stored manifest, the audit trail, the page that
reopens it; and what must not happen: a pack stored when a part failed, a pack for an RCC
the viewer does not serve, a stack trace for a mistyped command."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from analysis import access
from analysis.disclosure import SYNTHETIC_LABEL
from analysis.scope import Scope
from data import audit, cli, pack_workbook, packs, tables
from data.config import sqlite_path
from data.store import make_engine
from tests.app_pages import opened, words
from tests.conftest import copied_store

RCC = "greater-manchester"
MEETING = "2026-01-15"
HEADINGS = ["Contents", "Headline figures", "Children looked after in each LA",
            "LAs owing an explanation", "Needs and the specificity gap",
            "Forecasts and their accuracy", "Costs", "Sources", "The frozen data version"]
SHEETS = ["About", "overview", "scope-comparison", "la-rates-flagged", "register",
          "needs-summary", "needs-prevalence", "specificity-gap", "spend", "unit-costs",
          "cap-make-up", "cap-by-year", "data-releases", "Version"]


@pytest.fixture(scope="module")
def pack_url(cohort_url, tmp_path_factory) -> str:
    """A copy of the cohort store that packs may be written into (the cohort store itself
    is never written to)."""
    if sqlite_path(cohort_url) is None:
        pytest.skip("packs are written into a copy of the SQLite cohort store")
    return copied_store(cohort_url, tmp_path_factory.mktemp("packs"))


@pytest.fixture(scope="module")
def pack_engine(pack_url):
    engine = make_engine(pack_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def made(pack_engine):
    """One pack, made from the command line's viewer."""
    return packs.make_pack(pack_engine, RCC, MEETING, access.COMMAND_LINE)


@pytest.fixture(scope="module")
def pdf_pages(made, tmp_path_factory) -> list[str]:
    """The PDF's text, page by page (pdftotext splits pages with form feeds)."""
    path = tmp_path_factory.mktemp("pdf") / "pack.pdf"
    path.write_bytes(made.pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return done.stdout.split("\f")[:-1]


def test_the_pdf_has_every_section_page_numbers_and_a_true_contents(pdf_pages):
    everything = "\n".join(pdf_pages)
    for heading in HEADINGS:
        assert heading in everything
    total = len(pdf_pages)
    for number, page in enumerate(pdf_pages, start=1):
        assert f"Page {number} of {total}" in page
    contents = pdf_pages[1]
    for heading in HEADINGS[1:]:
        listed = int(contents.split(heading)[1].split("\n")[0].strip(" .").split()[-1])
        first_line = pdf_pages[listed - 1].strip().splitlines()[0]
        assert first_line.startswith(heading), (heading, listed)


def test_headline_figures_are_the_overviews_on_the_same_store(made, pack_engine, pdf_pages):
    sheet = pack_workbook.read_sheets(made.xlsx)["overview"]
    app = tables.scope_summary(pack_engine, Scope("rcc", RCC), made.manifest["year"])
    assert list(sheet["measure"]) == list(app["measure"])
    pd.testing.assert_series_equal(pd.to_numeric(sheet["scope_value"]),
                                   pd.to_numeric(app["scope_value"]), check_dtype=False)
    children = int(app.set_index("measure").at["Children looked after", "scope_value"])
    assert f"{children:,}" in pdf_pages[2]


def test_the_xlsx_has_every_sheet_and_every_datasets_checksum(made, pack_engine):
    book = pd.read_excel(io.BytesIO(made.xlsx), sheet_name=None)
    assert list(book) == SHEETS
    version = book["Version"].set_index("item")["value"]
    with pack_engine.connect() as connection:
        stored = connection.execute(text("SELECT dataset, checksum FROM data_release")).all()
    assert stored
    for dataset, checksum in stored:
        assert version[f"release.{dataset}.checksum"] == checksum
    assert SYNTHETIC_LABEL in set(book["About"]["value"])


def test_the_manifest_freezes_the_imports_forecasts_cap_and_rule(made, pack_engine):
    manifest = made.manifest
    with pack_engine.connect() as connection:
        imports = connection.execute(text(
            "SELECT i.id FROM case_import i JOIN rcc_membership m ON m.la_code = i.la_code "
            "WHERE m.rcc_id = :rcc ORDER BY i.id"), {"rcc": RCC}).scalars().all()
    assert [row["id"] for row in manifest["case_imports"]] == imports
    assert manifest["synthetic"] is True
    assert manifest["forecast_run"] is None
    assert manifest["cap"]["board_cap"] is None and manifest["cap"]["percent_in_use"] > 0
    assert manifest["rule_settings"]["trend_years"] == 5
    assert manifest["meeting_date"] == MEETING and manifest["year"] == 2025


def test_the_pdf_says_plainly_there_are_no_forecasts_and_is_labelled_synthetic(pdf_pages):
    everything = " ".join(" ".join(pdf_pages).split())
    assert "No forecast run is stored" in everything
    assert SYNTHETIC_LABEL in pdf_pages[0]
    assert "Open Government Licence v3.0" in everything


def test_a_pack_is_stored_listed_and_audited(made, pack_engine):
    listed = packs.packs(pack_engine)
    row = listed[listed["id"] == made.id].iloc[0]
    assert (row["rcc"], str(row["meeting_date"])) == (RCC, MEETING)
    stored = packs.read_pack(pack_engine, made.id, access.SINGLE_USER)
    assert stored.pdf == made.pdf and stored.xlsx == made.xlsx
    events = audit.events(pack_engine, action="pack")
    assert f'"pack": {made.id}' in " ".join(events["detail"])


def test_a_viewer_who_does_not_serve_the_rcc_is_refused_and_nothing_is_stored(made,
                                                                                 pack_engine):
    outsider = access.Viewer("trustee", email="t@example.org", rccs=frozenset({"london"}),
                             how="local")
    with pytest.raises(access.AccessDenied):
        packs.read_pack(pack_engine, made.id, outsider)
    before = len(packs.packs(pack_engine))
    with pytest.raises(access.AccessDenied):
        packs.make_pack(pack_engine, RCC, MEETING, outsider)
    with pytest.raises(access.AccessDenied):
        packs.make_pack(pack_engine, RCC, MEETING, access.Viewer("provider", provider="p1"))
    assert len(packs.packs(pack_engine)) == before


def test_a_pack_is_all_or_nothing(made, pack_engine, monkeypatch):
    """The last part failing (the XLSX, after the PDF) stores no pack and records no event
    (the tables are cut to the headline alone here, to keep the test fast)."""
    before = (len(packs.packs(pack_engine)), len(audit.events(pack_engine, action="pack")))

    def broken(*_args, **_kwargs):
        raise RuntimeError("the XLSX could not be written")

    monkeypatch.setattr(packs.pack_tables, "sections", lambda engine, manifest, *_args: [
        packs.pack_tables.headline(engine, Scope("rcc", RCC), manifest["year"])])
    monkeypatch.setattr(packs, "figures", lambda *_args: {})
    monkeypatch.setattr(packs.pack_workbook, "workbook", broken)
    with pytest.raises(RuntimeError):
        packs.make_pack(pack_engine, RCC, MEETING, access.COMMAND_LINE)
    assert (len(packs.packs(pack_engine)),
            len(audit.events(pack_engine, action="pack"))) == before


@pytest.mark.parametrize("arguments, says", [
    (["--rcc", "atlantis", "--date", MEETING], "Unknown RCC 'atlantis'"),
    (["--rcc", RCC, "--date", "2026-13-01"], "must be a real date"),
    (["--rcc", RCC, "--date", "2001-01-01"], "No DfE figures are dated on or before")])
def test_command_line_mistakes_get_one_line_and_exit_2(pack_url, monkeypatch, capsys,
                                                       tmp_path, arguments, says):
    monkeypatch.setenv("DATABASE_URL", pack_url)
    assert cli.main(["pack", *arguments, "--out", str(tmp_path)]) == cli.EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert says in error and "Traceback" not in error
    assert list(tmp_path.iterdir()) == []


def test_reopening_a_pack_link_shows_its_frozen_tables(made, pack_url, monkeypatch):
    import cached

    monkeypatch.setenv("DATABASE_URL", pack_url)
    cached.clear()
    try:
        at = opened("views/board_pack_page.py", {"pack": str(made.id)})
    finally:
        cached.clear()
    assert at.title[0].value == f"Board pack {made.id}: Greater Manchester"
    said = words(at) + " ".join(s.value for s in at.success)
    assert f"Frozen on **{date.today():%-d %B %Y}" in said
    assert "has not changed since this pack was made" in said
    frozen = pack_workbook.read_sheets(made.xlsx)
    assert len(at.dataframe) == len(frozen)
    shown = at.dataframe[0].value
    assert list(shown["measure"]) == list(frozen["overview"]["measure"])


def test_a_trustee_pack_shares_the_pages_families_only_for_their_own_rcc(pack_url):
    """A trustee making a pack for their RCC is handed the families the Needs and Costs
    pages cached (whatever the sidebar shows), not left to rebuild them; for another RCC
    the same call is refused before anything is read."""
    import streamlit as st

    import cached_packs
    from tests.app_pages import app_on

    trustee = access.Viewer("trustee", email="t@example.org", rccs=frozenset({RCC}),
                            how="local")
    year = max(cli.map_tables.case_years(make_engine(pack_url)))
    with app_on(pack_url):
        st.session_state["viewer"] = trustee
        try:
            parts = cached_packs.parts(RCC, year)
            assert parts.needs_family is not None and parts.fee_family is not None
            assert parts.fee_frame is not None
            with pytest.raises(access.AccessDenied):
                cached_packs.parts("london", year)
        finally:
            st.session_state.pop("viewer", None)
