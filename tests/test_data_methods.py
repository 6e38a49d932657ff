"""The Data & methods page: a short plain-words guide for trustees first, with its tables
downloadable and the technical detail, the export commands and the import form's small
print folded into expanders; the import form starts from the sidebar."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import cli
from tests.app_pages import app_on

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "views/data_methods_page.py"
#: What a trustee reads before the first table, form or folded section: a short guide.
MOST_WORDS_OPEN = 480
#: The guide's headings, in order, before anything for analysts.
GUIDE = ["What each page answers", "Where the numbers come from", "Letters in place of numbers",
         "Synthetic data", "How LAs are flagged"]
#: Formulas and commands: none of these may be on the page outside an expander.
TECHNICAL = ("τ", "φ", "√", "×", "÷", "Σ", " = ", "p < ", "python -m", "tau", "DerSimonian")


def open_data_methods(params: dict) -> AppTest:
    """The page, opened from a link with these query parameters."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    at.run()
    return at.switch_page(PAGE).run()


@pytest.fixture(scope="module")
def page(built_url) -> AppTest:
    """The page, run once at England against the session's store."""
    with app_on(built_url):
        yield open_data_methods({})


def folded_ids(at: AppTest) -> set[int]:
    """The ids of every markdown element inside an expander."""
    return {id(m) for e in at.expander for m in e.markdown}


def shown_text(at: AppTest, inside_expanders: bool) -> str:
    """The page's markdown, either in its expanders only or outside them only."""
    folded = folded_ids(at)
    return "\n".join(m.value for m in at.markdown if (id(m) in folded) == inside_expanders)


def expander(at: AppTest, label: str):
    """The one expander with this label."""
    return next(e for e in at.expander if e.label == label)


def test_page_runs_with_every_table_downloadable(page):
    assert not page.exception, [e.value for e in page.exception]
    assert page.title[0].value == "Data & methods"
    assert len(page.get("download_button")) == len(page.dataframe) >= 4


def test_guide_comes_first_and_is_short(page):
    """The five plain sections open the page, in order; the open text is short."""
    headings = [h.value for h in page.subheader]
    assert headings[:len(GUIDE)] == GUIDE, headings
    words = len(shown_text(page, inside_expanders=False).split())
    assert words <= MOST_WORDS_OPEN, words


def test_no_formulas_or_commands_outside_expanders(page):
    text = shown_text(page, inside_expanders=False)
    for technical in TECHNICAL:
        assert technical not in text, technical
    assert not re.search(r"`[^`]+`", text), "no code outside the folded sections"


def test_plain_words_say_what_trustees_need(page):
    """The symbols, synthetic data and how LAs are flagged, in the page's open text."""
    text = shown_text(page, inside_expanders=False)
    for words in ("**c**: hidden", "**z**:", "**x**:", "**low**:",
                  "No synthetic row describes a real child", "England's rate",
                  "not that something is wrong"):
        assert words in text, words


def test_flag_rule_in_five_or_six_plain_sentences(page):
    """The flag rule, open on the page, is a paragraph of five or six sentences."""
    paragraph = next(m.value for m in page.markdown if m.value.startswith("Each LA's rate"))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", paragraph.strip()) if s]
    assert 5 <= len(sentences) <= 6, sentences


def test_technical_detail_is_folded_away(page):
    folded = shown_text(page, inside_expanders=True)
    for words in ("τ²", "DerSimonian-Laird", "chi-square test at the 5% level", "widened",
                  "Poisson regression", "last 5 years", "t test", "÷", "1 to 4",
                  "worked back", "protected together"):
        assert words in folded, words


def test_disclosure_steps_are_folded_in_order(page):
    """The five numbered steps of hiding small counts sit in one expander, in order."""
    steps = "\n".join(m.value for m in
                      expander(page, "Case-level records, and how small counts are hidden")
                      .markdown)
    found = re.findall(r"^(\d)\. \*\*([^*]+)\*\*", steps, re.MULTILINE)
    assert [number for number, _ in found] == ["1", "2", "3", "4", "5"], found
    assert found[-1][1] == "Every table at once"


def export_choices() -> set[str]:
    """The tables ``python -m data export`` accepts, from its own parser."""
    root = cli.parser()
    commands = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction))
    export = commands.choices["export"]
    return set(next(a for a in export._actions if a.dest == "table").choices)


def test_every_export_table_is_listed_with_its_options(page):
    """The folded command list names exactly the tables the command line accepts."""
    text = "\n".join(m.value for m in expander(page, "Every table from the command line")
                     .markdown)
    listed = set(re.findall(r"`python -m data export ([a-z0-9-]+)`", text))
    assert listed == export_choices()
    for option in ("--year", "--scope", "--code", "--model", "--level", "--placement",
                   "--need", "--output"):
        assert f"`{option} " in text, option


def test_import_form_follows_the_sidebars_la_and_year(app_store):
    """At LA scope the form starts at the sidebar's LA and year; the years offered are
    exactly the sidebar's (the years with data), newest first."""
    at = open_data_methods({"scope": "la", "la": "E06000063", "year": "2024"})
    assert not at.exception, [e.value for e in at.exception]
    la = next(s for s in at.selectbox if s.label == "Local authority")
    year = next(s for s in at.selectbox if s.label == "Collection year (ending 31 March)")
    assert la.value == "E06000063"
    assert year.value == 2024
    assert year.options == at.sidebar.selectbox(key="f_year").options


def test_import_form_asks_for_the_la_above_la_scope(app_store):
    """At RCC scope the form does not guess an LA: importing without one is refused."""
    at = open_data_methods({"scope": "rcc", "rcc": "greater-manchester"})
    la = next(s for s in at.selectbox if s.label == "Local authority")
    assert la.value is None
    next(t for t in at.text_input if t.label == "Imported by").set_value("A. Analyst")
    next(b for b in at.button if b.label == "Import").click().run()
    assert any("Choose the local authority" in w.value for w in at.warning), \
        [w.value for w in at.warning]


def test_no_code_docstring_on_the_page(page):
    """The page is written for trustees: no module's docstring appears on it."""
    text = "\n".join(m.value for m in page.markdown)
    for path in (ROOT / "analysis").glob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if doc:
            first = doc.split("\n\n")[1] if "\n\n" in doc else doc
            assert first.splitlines()[0] not in text, path.name
