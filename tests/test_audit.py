"""The audit trail: every change, import and download adds exactly one row saying who,
when and what; the store refuses to change or delete a row; the analysts' page filters
it; ``python -m data export audit`` is the same table; anyone else is refused.

Each change below is planted with a name of its own and checked against something the
test knows independently: the import log's own row, the rows the small planted files
hold, the cap and LA the test chose.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy
from sqlalchemy import delete, func, insert, select, update

from analysis.access import Viewer
from data import accounts, audit, caps, cli, offer_register, rccs, register
from data import schema as s
from data.importers import placements_v2, provider_offers, ssda903
from data.importers.common import ImportRefused
from tests.conftest import module_store
from tests.test_import import LA, YEAR, csv_bytes, episodes_frame, files_903, v2_frame

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "data" / "templates" / "provider_offers.csv"
HOME = "2611447"  # an Ofsted children's home with 5 registered places (test_provider_offers)
HARTLEPOOL = "E06000001"  # in the North East RCC
SIGNED_IN = Viewer("analyst", email="analyst@example.org", how="local")
TRUSTEE = "trustee@example.org"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One built store for the module (every test adds rows and checks only its own):
    ``TEST_DATABASE_URL_OWN`` (emptied) if set, as scripts/pg-parity sets it, else
    SQLite. (url, engine)."""
    yield from module_store(tmp_path_factory, "audit")


def last_id(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.coalesce(func.max(s.AuditEvent.id), 0))).scalar()


def added(engine, change) -> list[dict]:
    """Run ``change`` (refusals allowed) and return the audit rows it added."""
    first = last_id(engine)
    try:
        change()
    except ImportRefused:
        pass
    event = s.AuditEvent
    with engine.connect() as connection:
        rows = connection.execute(select(event.at, event.who, event.role, event.action,
                                         event.detail).where(event.id > first)
                                  .order_by(event.id)).mappings().all()
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


def one_row(engine, change) -> dict:
    """The single audit row ``change`` added, checked to be recent."""
    before = datetime.now().replace(microsecond=0)
    rows = added(engine, change)
    assert len(rows) == 1, rows
    assert before <= rows[0]["at"] <= datetime.now() + timedelta(seconds=1)
    return rows[0]


def import_log_hash(engine, import_id: int) -> str:
    """The file hash the import log (not the audit trail) keeps for an import."""
    with engine.connect() as connection:
        return connection.execute(select(s.CaseImport.file_hash)
                                  .where(s.CaseImport.id == import_id)).scalar_one()


# --- every change adds one row -----------------------------------------------------------

def test_a_903_import_is_recorded_with_its_la_year_rows_and_hash(store):
    _, engine = store
    who = f"importer-{uuid.uuid4().hex[:6]}"
    row = one_row(engine, lambda: ssda903.import_files(engine, files_903(), la_code=LA,
                                                       year=YEAR, imported_by=who))
    detail = row["detail"]
    assert (row["who"], row["role"], row["action"]) == (who, "analyst", "import")
    assert (detail["format"], detail["la"], detail["year"]) == ("ssda903", LA, YEAR)
    assert detail["outcome"] == "imported" and detail["rows"] == {"child": 3, "episode": 5}
    assert detail["file_hash"] == import_log_hash(engine, detail["import_id"])
    assert detail["files"] == ["header.csv", "episodes.csv"]


def test_a_refused_import_is_recorded_as_refused(store):
    _, engine = store
    bad = files_903(episodes=episodes_frame().assign(PLACE="Q9"))  # 5 bad placement codes
    row = one_row(engine, lambda: ssda903.import_files(engine, bad, la_code=LA, year=YEAR,
                                                       imported_by="refused importer"))
    assert row["who"] == "refused importer" and row["action"] == "import"
    assert (row["detail"]["outcome"], row["detail"]["errors"]) == ("refused", 5)
    assert "rows" not in row["detail"]


def test_a_placements_v2_import_is_recorded(store):
    _, engine = store
    raw = csv_bytes(v2_frame())
    row = one_row(engine, lambda: placements_v2.import_file(
        engine, "placements.csv", raw, la_code=LA, imported_by="v2 importer"))
    detail = row["detail"]
    assert (detail["format"], detail["la"], detail["outcome"]) == \
        ("placements-v2", LA, "imported")
    assert detail["rows"]["child"] == 2  # childIds 501 and 502
    assert detail["file_hash"] == hashlib.sha256(raw).hexdigest()


def test_a_provider_offers_import_and_a_refused_one_are_recorded(store):
    _, engine = store
    row = one_row(engine, lambda: provider_offers.import_file(
        engine, "provider_offers.csv", TEMPLATE.read_bytes(), imported_by="offers importer"))
    assert (row["action"], row["who"]) == ("import", "offers importer")
    assert (row["detail"]["format"], row["detail"]["rows"]) == \
        ("provider-offers", {"provider_offer": 2})  # the template's two homes
    refused = one_row(engine, lambda: provider_offers.import_file(
        engine, "bad.csv", b"urn,needs\n1,x\n", imported_by="offers importer"))
    assert refused["detail"]["outcome"] == "refused"


def test_an_offer_saved_on_the_form_is_recorded(store):
    _, engine = store
    offer = {"urn": HOME, "needs": ["self_harm"], "max_intensity": "low", "age_from": 8,
             "age_to": 17, "sex": "any", "places": 3}
    row = one_row(engine, lambda: offer_register.save_offer(engine, offer, "Form user"))
    assert (row["action"], row["who"]) == ("offers", "Form user")
    assert (row["detail"]["urn"], row["detail"]["needs"]) == (HOME, "self_harm")


def test_a_cap_is_recorded(store):
    _, engine = store
    row = one_row(engine, lambda: caps.set_cap(engine, 12.5, "2025-04-01", "Chair",
                                               note="Board, 12 March"))
    assert (row["action"], row["who"]) == ("cap", "Chair")
    assert row["detail"] == {"percent": 12.5, "effective_from": "2025-04-01",
                             "set_by": "Chair", "note": "Board, 12 March"}


def test_a_request_and_its_edit_are_recorded_and_an_empty_save_is_not(store):
    _, engine = store
    made = {}

    def ask():
        made["id"] = register.create_request(
            engine, la_code=HARTLEPOOL, year=2025, requested_on=date(2025, 10, 1),
            meeting="Board, 1 October 2025", reason="Rate above the limit.",
            asked_by="Sam", rule_settings={"limit": "99.8%"})

    row = one_row(engine, ask)
    assert (row["action"], row["who"]) == ("register", "Sam")
    assert (row["detail"]["request"], row["detail"]["la"]) == (made["id"], HARTLEPOOL)
    edit = one_row(engine, lambda: register.update_request(
        engine, made["id"], 1, "Alex", status="received", response="Letter of 3 Nov"))
    assert edit["who"] == "Alex"
    assert (edit["detail"]["version"], edit["detail"]["changed"]) == \
        (2, ["response", "status"])
    assert added(engine, lambda: register.update_request(engine, made["id"], 2, "Alex",
                                                         status="received")) == []


def test_rcc_membership_changes_are_recorded(store):
    _, engine = store
    rcc = f"audit-{uuid.uuid4().hex[:6]}"
    row = one_row(engine, lambda: rccs.add_rcc(engine, rcc, "Audit test", "test",
                                               by="board clerk"))
    assert (row["action"], row["who"], row["detail"]["rcc"]) == \
        ("membership", "board clerk", rcc)
    moved = one_row(engine, lambda: rccs.assign_la(engine, HARTLEPOOL, rcc, by="clerk"))
    assert moved["detail"] == {"change": "moved an LA", "la": HARTLEPOOL,
                               "from": "north-east", "to": rcc}
    # Hartlepool stays: the app cannot open with an RCC that has no LA (app.py from_link)


def test_the_app_records_the_signed_in_email_not_the_name_typed(store):
    """A name typed into a form proves nothing; the signed-in account does."""
    _, engine = store
    row = one_row(engine, lambda: caps.set_cap(engine, 10, "2025-04-01", "Typed Name",
                                               viewer=SIGNED_IN))
    assert (row["who"], row["role"]) == ("analyst@example.org", "analyst")
    assert row["detail"]["set_by"] == "Typed Name"


def test_a_download_is_recorded_when_the_file_is_made(store, monkeypatch):
    """frame.table's download button makes its CSV on the click (a lazy ``data``) and
    records the download then, without rerunning the page (on_click="ignore")."""
    import cached
    from views import frame

    _, engine = store
    buttons = []
    monkeypatch.setattr(cached, "engine", lambda: engine)
    monkeypatch.setattr(cached, "viewer", lambda: SIGNED_IN)
    monkeypatch.setattr(frame.st, "dataframe", lambda *args, **kwargs: None)
    monkeypatch.setattr(frame.st, "download_button",
                        lambda *args, **kwargs: buttons.append((args, kwargs)))
    table = pd.DataFrame({"la_name": ["Hartlepool"], "children": [120]})
    assert added(engine, lambda: frame.table(table, "la-rates", "LA rates", year=2025)) == []
    (label, data), kwargs = buttons[0]
    assert kwargs["on_click"] == "ignore" and callable(data)
    made = {}
    row = one_row(engine, lambda: made.update(csv=data()))
    assert (row["action"], row["who"]) == ("download", "analyst@example.org")
    assert row["detail"] == {"table": "la-rates", "file": "la-rates-2025.csv"}
    assert pd.read_csv(io.BytesIO(made["csv"]))["children"].tolist() == [120]


# --- append only -------------------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    update(s.AuditEvent).values(who="someone else"), delete(s.AuditEvent)],
    ids=["update", "delete"])
def test_the_store_refuses_to_change_or_delete_a_row(store, statement):
    _, engine = store
    audit.record(engine, None, "cap", {"planted": True}, who="planted")
    before = audit.events(engine)
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(statement)
    pd.testing.assert_frame_equal(audit.events(engine), before)


# --- the export --------------------------------------------------------------------------

@pytest.fixture
def exported(store, monkeypatch, tmp_path):
    """``python -m data export audit ARGS`` on the module's store: (exit code, frame)."""
    monkeypatch.setenv("DATABASE_URL", store[0])

    def export(*args: str):
        path = tmp_path / "audit.csv"
        path.unlink(missing_ok=True)
        code = cli.main(["export", "audit", "--output", str(path), *args])
        frame = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None
        return code, frame

    return export


def as_text(events: pd.DataFrame) -> pd.DataFrame:
    """The trail as CSV text reads back: every cell text, missing as blank."""
    return events.astype(object).where(events.notna(), "").astype(str).reset_index(drop=True)


def test_the_export_is_the_trail_and_filters_as_asked(store, exported):
    _, engine = store
    caps.set_cap(engine, 11, "2025-04-01", "Chair")
    audit.record(engine, None, "sign-in-failed", {"email": "x@example.org"},
                 who="x@example.org", role="none")
    code, whole = exported()
    assert code == 0
    trail = audit.events(engine)  # newest first: the export's own row, added once written
    assert json.loads(trail.iloc[0]["detail"])["table"] == "audit"
    pd.testing.assert_frame_equal(whole, as_text(trail.iloc[1:]))
    assert len(whole) >= 2
    code, cap_rows = exported("--action", "cap", "--who", "chair", "--since", "2020-01-01")
    assert code == 0 and len(cap_rows) >= 1
    pd.testing.assert_frame_equal(
        cap_rows, as_text(audit.events(engine, action="cap", who="chair",
                                       since=datetime(2020, 1, 1))))
    assert set(cap_rows["who"]) == {"Chair"}
    code, future = exported("--since", f"{date.today() + timedelta(days=1)}")
    assert code == 0 and future.empty


def test_a_trustee_is_refused_the_export_and_the_refusal_recorded(store, exported, capsys):
    _, engine = store
    accounts.add_user(engine, TRUSTEE, "trustee", rccs=["greater-manchester"])
    rows = added(engine, lambda: exported("--as", TRUSTEE))
    assert "analysts" in capsys.readouterr().err
    assert [(row["who"], row["action"]) for row in rows] == [(TRUSTEE, "refused")]


# --- the page ----------------------------------------------------------------------------

@pytest.fixture
def page_as(store, monkeypatch):
    """Open the Audit trail page on the module's store as ``viewer``; returns the AppTest."""
    import cached
    from tests.app_pages import opened
    from views import signin

    monkeypatch.setenv("DATABASE_URL", store[0])
    cached.clear()

    def open_as(viewer: Viewer):
        monkeypatch.setattr(signin, "current_viewer", lambda _engine: viewer)
        return opened("views/audit_page.py", {})

    yield open_as
    cached.clear()


PLANTED = [(datetime(2020, 1, 5, 9, 30), "planted-alice@example.org", "cap"),
           (datetime(2020, 1, 10, 14, 0), "planted-bob@example.org", "download"),
           (datetime(2020, 2, 1, 8, 0), "planted-alice@example.org", "download")]


def test_the_page_filters_by_who_action_and_days(store, page_as):
    _, engine = store
    with engine.begin() as connection:  # inserting is allowed: only changes are refused
        connection.execute(insert(s.AuditEvent), [
            {"at": at, "who": who, "role": "analyst", "action": action, "detail": "{}"}
            for at, who, action in PLANTED])
    at = page_as(SIGNED_IN)
    at.text_input(key="audit_who").set_value("planted").run()
    at.date_input(key="audit_days").set_value((date(2020, 1, 1), date(2020, 12, 31))).run()

    def shown():
        assert not at.exception, [e.value for e in at.exception]
        table = at.dataframe[0].value
        return list(zip(table["who"].str.split("@").str[0], table["action"]))

    assert shown() == [("planted-alice", "download"), ("planted-bob", "download"),
                       ("planted-alice", "cap")]  # newest first
    at.selectbox(key="audit_action").set_value("download").run()
    assert shown() == [("planted-alice", "download"), ("planted-bob", "download")]
    at.date_input(key="audit_days").set_value((date(2020, 1, 6), date(2020, 1, 31))).run()
    assert shown() == [("planted-bob", "download")]
    at.text_input(key="audit_who").set_value("ALICE").run()
    assert not at.dataframe and "Nothing was recorded" in " ".join(m.value for m in at.markdown)


def test_the_page_is_not_in_a_trustees_app(store, monkeypatch):
    """The navigation has no Audit trail page for a trustee (its address opens a refusal,
    views/refused_page.py), and the page run on its own shows nothing: its reader refuses."""
    import cached
    from streamlit.testing.v1 import AppTest

    from tests.app_pages import APP
    from views import signin

    trustee = Viewer("trustee", email=TRUSTEE, rccs=frozenset({"greater-manchester"}),
                     how="local")
    monkeypatch.setenv("DATABASE_URL", store[0])
    monkeypatch.setattr(signin, "current_viewer", lambda _engine: trustee)
    cached.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/audit_page.py")
    alone = AppTest.from_file(str(ROOT / "views" / "audit_page.py"), default_timeout=120)
    alone.session_state["viewer"] = trustee
    alone.run()
    assert not alone.dataframe and "for analysts" in str(alone.exception[0].value)
    cached.clear()


def test_the_reader_refuses_anyone_but_an_analyst(store, monkeypatch):
    """Behind the hidden page, the reader itself checks (a page reached some other way
    still shows nothing)."""
    import cached_audit
    from analysis.access import AccessDenied

    monkeypatch.setattr(cached_audit, "engine", lambda: store[1])
    for role in ("nsg", "trustee", "provider", "anonymous"):
        monkeypatch.setattr(cached_audit, "viewer", lambda role=role: Viewer(role))
        with pytest.raises(AccessDenied, match="for analysts|Sign in"):
            cached_audit.events()
    monkeypatch.setattr(cached_audit, "viewer", lambda: SIGNED_IN)
    assert not cached_audit.events().empty
