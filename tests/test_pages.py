"""Every page runs under AppTest at England, RCC and LA scope, and links reopen the same view."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_pages import app_on
from views.frame import PAGES as APP_PAGES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE_FILES = [path for pages in APP_PAGES.values() for path, _, _ in pages]
SCOPES = {
    "england": {"scope": "england"},
    "rcc": {"scope": "rcc", "rcc": "greater-manchester"},
    "region": {"scope": "region", "region": "E12000001"},
    "la": {"scope": "la", "la": "E06000063", "year": "2024"},
}
TIMEOUT = 60


def open_app(params: dict) -> AppTest:
    """Run the app as a shared link with these query parameters would open it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


@pytest.mark.parametrize("page", PAGE_FILES)
@pytest.mark.parametrize("scope", SCOPES)
def test_every_page_runs_at_every_scope(app_store, page, scope):
    """No page may raise at any scope: trustees switch scope live in meetings."""
    at = open_app(SCOPES[scope])
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a heading"
    assert at.sidebar.radio(key="f_scope").value == scope, "the shared frame ran around the page"


def test_overview_england_shows_published_headline(app_store):
    """England 31 March 2025: 81,770 children, 67 per 10,000 (DfE)."""
    at = open_app({"scope": "england", "year": "2025"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Children looked after"] == "81,770"
    assert metrics["Rate per 10,000 children"] == "67"
    assert at.title[0].value == "Overview: England"


def test_filters_follow_the_link_and_write_it_back(app_store):
    """A shared link reopens the same scope and year, and the URL reflects the filters."""
    at = open_app(SCOPES["la"])
    assert at.title[0].value == "Overview: Cumberland"
    assert at.session_state.f_year == 2024
    assert dict(at.query_params) == {"scope": "la", "la": "E06000063", "year": "2024"}


def test_changing_a_filter_updates_the_url(app_store):
    """Choosing an RCC in the sidebar makes the URL a link to that RCC."""
    at = open_app({})
    at.sidebar.radio(key="f_scope").set_value("rcc").run()
    at.sidebar.selectbox(key="f_rcc").set_value("greater-manchester").run()
    assert at.query_params["scope"] == "rcc" and at.query_params["rcc"] == "greater-manchester"
    assert at.title[0].value == "Overview: Greater Manchester RCC"


@pytest.mark.parametrize("params, words", [
    ({"scope": "la", "la": "E99999999"}, "LA code `E99999999`"),
    ({"year": "2031"}, "year `2031`"),
    ({"scope": "galaxy"}, "scope `galaxy`"),
    ({"scope": "rcc", "rcc": "atlantis"}, "RCC `atlantis`"),
])
def test_bad_link_warns_and_falls_back(app_store, params, words):
    """An unknown code or year in a link gives an on-page warning, never a stack trace."""
    at = open_app(params)
    assert not at.exception
    assert any(words in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.title[0].value.startswith("Overview")


#: Pages whose tables come only from children's records or provider offers, or from
#: stored forecasts, which this store does not hold (their tables' downloads are tested
#: on the cohort store and in test_forecasts_page.py); and Presentation mode, whose slides
#: are one chart each (their tables are the other pages' downloads).
NO_TABLES_WITHOUT_RECORDS = {"views/needs_page.py", "views/forecasts_page.py",
                             "views/homes_needed_page.py",
                             "views/board_pack_page.py",  # no packs made in this store
                             "views/audit_page.py",  # nor anything recorded
                             "views/present_page.py"}


def test_every_table_has_a_csv_download(app_store):
    """Each table a page shows can be downloaded (the same rows as the export command);
    the one other download (the provider-offers template) is not a table's."""
    for page in PAGE_FILES:
        at = open_app({"scope": "rcc", "rcc": "north-east"})
        at.switch_page(page).run()
        downloads = [d for d in at.get("download_button") if "template" not in d.proto.label]
        assert len(downloads) == len(at.dataframe), page
        assert len(at.dataframe) > 0 or page in NO_TABLES_WITHOUT_RECORDS, page


def test_corrupt_database_says_how_to_rebuild(tmp_path, monkeypatch):
    """A corrupt database file gives a message saying how to rebuild, not a traceback."""
    import cached

    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{broken}")
    cached.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    cached.clear()
    assert not at.exception
    assert any("make build" in e.value for e in at.error), [e.value for e in at.error]


@pytest.fixture
def writable_store(own_store):
    """The app pointed at a store of this test's own (these tests write to the register)."""
    url, _ = own_store
    with app_on(url):
        yield url


def accountability_for(la_code: str) -> AppTest:
    """The Accountability page at one LA's scope."""
    at = open_app({"scope": "la", "la": la_code, "year": "2025"})
    return at.switch_page("views/accountability_page.py").run()


def by_label(elements, label: str):
    """The one element with this label."""
    return next(e for e in elements if e.label == label)


def test_recording_a_request_from_the_page(writable_store):
    """A trustee records a request for a flagged LA; it appears in the register."""
    at = accountability_for("E06000009")  # Blackpool: flagged in 2025
    assert not at.exception
    by_label(at.text_input, "Meeting").set_value("Board, 3 December 2026")
    by_label(at.text_input, "Asked by").set_value("A. Trustee (chair)")
    reason = by_label(at.text_area, "Reason").value
    assert reason.startswith("Rate 184 per 10,000 against 67 for England")
    by_label(at.button, "Record request").click().run()
    assert not at.exception
    assert any("Request #1 recorded for Blackpool" in s.value for s in at.success)
    assert by_label(at.selectbox, "Request").value == 1


def test_two_people_editing_one_request_do_not_overwrite_each_other(writable_store):
    """If someone saves while you edit, your save is refused with a clear message, and both
    their change and your typed edits survive."""
    from data import register
    from data.store import make_engine

    engine = make_engine(writable_store)
    number = register.create_request(
        engine, la_code="E06000009", year=2025, requested_on=date.today(),
        meeting="Board", reason="High rate", asked_by="Chair", rule_settings={})
    at = accountability_for("E06000009")
    by_label(at.text_area, "LA's response").set_value("Our reply, typed in the meeting")
    register.update_request(engine, number, 1, "Alex", status="received",
                            response="Alex's note of the reply")
    by_label(at.text_input, "Your name").set_value("Sam")
    by_label(at.button, "Save changes").click().run()
    assert any("changed by Alex" in e.value for e in at.error), [e.value for e in at.error]
    assert by_label(at.text_area, "LA's response").value == "Our reply, typed in the meeting"
    saved = register.requests(engine).set_index("id").loc[number]
    assert saved["response"] == "Alex's note of the reply" and saved["version"] == 2
    engine.dispose()
