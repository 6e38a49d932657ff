"""The provider offer register: CSV import (all or nothing), the form, the synthetic default.

Every malformed file below must be refused with its rule code and column while the store
stays byte-for-byte the same (row counts of every table, and the register's rows). The
expected values are written out by hand from the template and Ofsted's list of homes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, func, select

from analysis import disclosure
from data import cli, offer_register, queries
from data import schema as s
from data.importers import provider_offers
from data.importers.common import ImportRefused
from tests.conftest import module_store

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "data" / "templates" / "provider_offers.csv"
HEADER = "urn,needs,max_intensity,age_from,age_to,sex,places\n"
HOME = "2611447"  # an Ofsted children's home in Buckinghamshire with 5 registered places
OTHER = "2612008"  # one in Kirklees with 4
GOOD_ROW = f"{HOME},mental_health;self_harm,high,10,17,any,5\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One built store for the module: (url, engine); ``TEST_DATABASE_URL_OWN`` emptied,
    if set (scripts/pg-parity), else a SQLite file. Tests empty the register first."""
    yield from module_store(tmp_path_factory, "offers")


@pytest.fixture
def engine(store):
    """The module's store with an empty register."""
    _, engine = store
    with engine.begin() as connection:
        connection.execute(delete(s.ProviderOffer))
    return engine


def offers(engine) -> pd.DataFrame:
    return queries.frame(engine, select(s.ProviderOffer).order_by(s.ProviderOffer.urn))


def fingerprint(engine) -> tuple:
    """Row counts of every table but the audit trail (which records refusals too:
    tests/test_audit.py) and a hash of the register's rows."""
    with engine.connect() as connection:
        counts = {name: connection.execute(select(func.count()).select_from(table)).scalar()
                  for name, table in s.Base.metadata.tables.items() if name != "audit_event"}
    digest = hashlib.sha256(offers(engine).to_csv(index=False).encode()).hexdigest()
    return counts, digest


def import_text(engine, text: str | bytes, name: str = "offers.csv"):
    raw = text.encode() if isinstance(text, str) else text
    return provider_offers.import_file(engine, name, raw, imported_by="tester")


# --- a good file -------------------------------------------------------------------------

def test_template_imports_as_written(engine):
    result = import_text(engine, TEMPLATE.read_bytes(), "provider_offers.csv")
    assert (result.written, result.replaced) == (2, 0)
    got = offers(engine).set_index("urn")
    assert got.loc[HOME, "needs"] == "mental_health;placement_breakdown;risk_to_others;self_harm"
    assert got.loc[OTHER, ["max_intensity", "age_from", "age_to", "sex", "places"]].tolist() \
        == ["medium", 13, 17, "male", 4]
    assert set(got["source"]) == {"import"} and set(got["updated_by"]) == {"tester"}
    assert not got["is_synthetic"].any()


def test_words_in_any_case_are_stored_in_lower_case(engine):
    import_text(engine, HEADER + f"{HOME}, Self_Harm ; MENTAL_HEALTH ;,High,10,17,ANY,3\n")
    row = offers(engine).iloc[0]
    assert (row["needs"], row["max_intensity"], row["sex"]) == \
        ("mental_health;self_harm", "high", "any")


def test_a_good_file_replaces_the_homes_it_lists_and_keeps_the_others(engine):
    written = offer_register.write_synthetic(engine, seed=7)
    result = import_text(engine, HEADER + GOOD_ROW)
    assert (result.written, result.replaced) == (1, 1)
    got = offers(engine)
    assert len(got) == written
    assert got.set_index("urn").at[HOME, "source"] == "import"
    assert (got["source"] == "synthetic").sum() == written - 1


# --- bad files: refused, nothing written -------------------------------------------------

BAD = {  # id: (file text, rule, column)
    "unknown-urn": (HEADER + GOOD_ROW.replace(HOME, "9999999"), "RCC-CODE", "urn"),
    "formula-urn": (HEADER + GOOD_ROW.replace(HOME, "=1+2"), "RCC-CODE", "urn"),
    "duplicate-urn": (HEADER + GOOD_ROW + GOOD_ROW, "RCC-DUPLICATE", "urn"),
    "unknown-need": (HEADER + GOOD_ROW.replace("self_harm", "flying"), "RCC-CODE", "needs"),
    "needs-only-separators": (HEADER + GOOD_ROW.replace("mental_health;self_harm", ";;"),
                              "RCC-REQUIRED", "needs"),
    "blank-needs": (HEADER + GOOD_ROW.replace("mental_health;self_harm", ""),
                    "RCC-REQUIRED", "needs"),
    "intensity-word": (HEADER + GOOD_ROW.replace("high", "extreme"), "RCC-CODE",
                       "max_intensity"),
    "sex-word": (HEADER + GOOD_ROW.replace("any", "both"), "RCC-CODE", "sex"),
    "age-not-a-number": (HEADER + GOOD_ROW.replace(",10,", ",ten,"), "RCC-NUMBER", "age_from"),
    "age-negative": (HEADER + GOOD_ROW.replace(",10,", ",-1,"), "RCC-NUMBER", "age_from"),
    "age-over-18": (HEADER + GOOD_ROW.replace(",17,", ",19,"), "RCC-NUMBER", "age_to"),
    "ages-backwards": (HEADER + GOOD_ROW.replace(",10,17,", ",15,12,"), "RCC-NUMBER",
                       "age_from"),
    "places-zero": (HEADER + GOOD_ROW.replace(",5\n", ",0\n"), "RCC-NUMBER", "places"),
    "places-over-registered": (HEADER + GOOD_ROW.replace(",5\n", ",6\n"), "RCC-NUMBER",
                               "places"),
    "places-fraction": (HEADER + GOOD_ROW.replace(",5\n", ",2.5\n"), "RCC-NUMBER", "places"),
    "blank-places": (HEADER + GOOD_ROW.replace(",5\n", ",\n"), "RCC-REQUIRED", "places"),
    "missing-column": (HEADER.replace(",sex", "") + GOOD_ROW.replace(",any", ""),
                       "RCC-MISSING-COLUMN", "sex"),
    "extra-column": (HEADER.replace("\n", ",notes\n") + GOOD_ROW.replace("\n", ",hi\n"),
                     "RCC-EXTRA-COLUMN", "notes"),
    "header-only": (HEADER, "RCC-HEADER-ONLY", None),
    "empty": ("", "RCC-EMPTY", None),
    "wrong-field-count": (HEADER + GOOD_ROW.replace(",any", ""), "RCC-SHAPE", None),
    "truncated": (HEADER + GOOD_ROW.rstrip("\n"), "RCC-TRUNCATED", None),
    "not-utf8": ((HEADER + GOOD_ROW).encode("utf-16"), "RCC-ENCODING", None),
    "one-bad-row-of-two": (HEADER + GOOD_ROW + GOOD_ROW.replace(HOME, OTHER), "RCC-NUMBER",
                           "places"),  # OTHER has 4 places
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_file_is_refused_and_nothing_is_written(engine, case):
    import_text(engine, TEMPLATE.read_bytes())  # offers that must survive
    before = fingerprint(engine)
    text, rule, column = BAD[case]
    with pytest.raises(ImportRefused) as refused:
        import_text(engine, text)
    errors = refused.value.report.errors
    assert any(e.code == rule and e.column == column for e in errors), \
        [e.line() for e in errors]
    assert "nothing was imported" in str(refused.value)
    assert fingerprint(engine) == before


def test_errors_name_the_row_and_column_in_plain_words(engine):
    text = HEADER + GOOD_ROW + GOOD_ROW.replace(HOME, OTHER)
    with pytest.raises(ImportRefused) as refused:
        import_text(engine, text)
    report = refused.value.report.format()
    assert ("offers.csv, row 3, column places, value '5': The value is not a number of the "
            "right kind. Places must be a whole number from 1 to the home's 4 registered "
            "places. [RCC-NUMBER]") in report
    duplicate = HEADER + GOOD_ROW + GOOD_ROW
    with pytest.raises(ImportRefused) as refused:
        import_text(engine, duplicate)
    assert "row 2, column urn, value '2611447'" in str(refused.value)
    assert "The URN is also on row 3." in str(refused.value)


# --- command line ------------------------------------------------------------------------

@pytest.fixture
def cli_engine(store, engine, monkeypatch):
    url, _ = store
    monkeypatch.setenv("DATABASE_URL", url)
    return engine


def test_cli_refuses_with_report_and_exit_2(cli_engine, tmp_path, capsys):
    path = tmp_path / "offers.csv"
    path.write_text(HEADER + GOOD_ROW.replace("high", "extreme"))
    before = fingerprint(cli_engine)
    code = cli.main(["import", "--format", "provider-offers", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Import refused, database unchanged." in err
    assert "row 2, column max_intensity, value 'extreme'" in err and "low, medium or high" in err
    assert "Total: 1 blocking error; nothing was imported." in err
    assert fingerprint(cli_engine) == before


def test_cli_shows_the_first_fifty_errors_and_the_total(cli_engine, tmp_path, capsys):
    rows = "".join(GOOD_ROW.replace(HOME, str(9_000_000 + i)) for i in range(60))
    path = tmp_path / "offers.csv"
    path.write_text(HEADER + rows)
    assert cli.main(["import", "--format", "provider-offers", str(path)]) == 2
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if "offers.csv, row" in line]) == 50
    assert "(the first 50 shown)" in err and "Total: 60 blocking errors" in err


def test_cli_imports_and_exports_the_register(cli_engine, tmp_path, capsys):
    assert cli.main(["import", "--format", "provider-offers", "--by", "Provider",
                     str(TEMPLATE)]) == 0
    assert "Imported 2 provider offer(s)" in capsys.readouterr().err
    out = tmp_path / "register.csv"
    assert cli.main(["export", "provider-offers", "--output", str(out)]) == 0
    table = pd.read_csv(out, dtype={"urn": str})
    assert list(table["urn"]) == [HOME, OTHER]
    assert list(table["la_name"]) == ["Buckinghamshire", "Kirklees"]
    assert list(table["rcc_id"].notna()) == [True, True]
    assert not table["is_synthetic"].any() and set(table["updated_by"]) == {"Provider"}


def test_cli_export_of_synthetic_offers_carries_the_label(cli_engine, tmp_path):
    offer_register.write_synthetic(cli_engine, seed=3)
    out = tmp_path / "register.csv"
    assert cli.main(["export", "provider-offers", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == f"# {disclosure.SYNTHETIC_LABEL}"


def test_case_level_formats_still_need_an_la(cli_engine, tmp_path, capsys):
    assert cli.main(["import", "--format", "ssda903", "--year", "2025", str(TEMPLATE)]) == 2
    assert "needs --la" in capsys.readouterr().err


# --- the synthetic default ---------------------------------------------------------------

def synthetic(engine, seed: int) -> pd.DataFrame:
    offer_register.write_synthetic(engine, seed)
    return offers(engine).drop(columns=["updated_at"])


def test_synthetic_default_is_deterministic_labelled_and_covers_every_home(engine):
    first = synthetic(engine, 42)
    assert synthetic(engine, 42).equals(first)
    assert not synthetic(engine, 43).equals(first)
    homes = queries.homes(engine).set_index("urn")
    assert set(first["urn"]) == set(homes.index)
    assert first["is_synthetic"].all() and set(first["source"]) == {"synthetic"}
    assert first["places"].tolist() == homes["places"].reindex(first["urn"]).tolist()
    table = offer_register.register(engine)
    assert disclosure.uses_synthetic(table)


def test_synthetic_offers_are_plausible(engine):
    offers_ = synthetic(engine, 42)
    vocabulary = set(queries.frame(engine, select(s.NeedCategory.code))["code"])
    needs = offers_["needs"].str.split(";")
    assert needs.map(lambda codes: set(codes) <= vocabulary).all()
    counts = needs.map(len)
    assert counts.between(2, len(vocabulary)).all() and counts.between(2, 6).mean() > 0.75
    assert ((offers_["age_from"] >= 8) & (offers_["age_to"] == 17)).mean() > 0.5
    assert (offers_["age_from"] <= offers_["age_to"]).all()
    # most homes centre on one broad cohort: most of their needs come from its core
    core = [set(c) for c, _ in offer_register.COHORT_NEEDS.values()]
    centred = needs.map(lambda codes: max(len(set(codes) & c) for c in core) >= 2)
    assert centred.mean() > 0.9


def test_synthetic_default_never_overwrites_an_imported_offer(engine):
    import_text(engine, TEMPLATE.read_bytes())
    imported = offers(engine)
    written = offer_register.write_synthetic(engine, 42)
    assert written == len(queries.homes(engine)) - 2
    after = offers(engine).set_index("urn")
    for row in imported.itertuples():
        assert after.at[row.urn, "source"] == "import"
        assert after.at[row.urn, "needs"] == row.needs


# --- the form ----------------------------------------------------------------------------

def test_save_offer_from_the_form(engine):
    offer = {"urn": HOME, "needs": ["going_missing", "criminal_exploitation"],
             "max_intensity": "Medium", "age_from": 12, "age_to": 17, "sex": "male",
             "places": 5}
    result = offer_register.save_offer(engine, offer, by="Form user")
    assert (result.written, result.replaced) == (1, 0)
    row = offers(engine).iloc[0]
    assert (row["needs"], row["max_intensity"], row["source"], row["updated_by"]) == \
        ("criminal_exploitation;going_missing", "medium", "form", "Form user")
    offer_register.save_offer(engine, {**offer, "places": 2}, by="Form user")
    assert offers(engine)["places"].tolist() == [2]


@pytest.mark.parametrize("change, column", [
    ({"places": 6}, "places"), ({"urn": "123"}, "urn"), ({"needs": []}, "needs"),
    ({"age_from": 18, "age_to": 10}, "age_from"), ({"sex": "x"}, "sex"),
    ({"max_intensity": None}, "max_intensity")])
def test_save_offer_refuses_a_bad_offer_and_writes_nothing(engine, change, column):
    offer = {"urn": HOME, "needs": "self_harm", "max_intensity": "low", "age_from": 8,
             "age_to": 17, "sex": "any", "places": 1, **change}
    before = fingerprint(engine)
    with pytest.raises(ImportRefused) as refused:
        offer_register.save_offer(engine, offer, by="Form user")
    errors = refused.value.report.errors
    assert [e.column for e in errors] == [column] and errors[0].row is None
    assert "row" not in errors[0].line()
    assert fingerprint(engine) == before
