"""The Data & methods page: a plain-words guide for trustees, with its tables downloadable
and the technical detail folded into expanders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "views/data_methods_page.py"


@pytest.fixture(scope="module")
def page(built_url) -> AppTest:
    """The page, run once at England against the session's store."""
    import cached

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", built_url)
        cached.clear()
        at = AppTest.from_file(APP, default_timeout=180).run()
        at.switch_page(PAGE).run()
        yield at
        cached.clear()


def shown_text(at: AppTest, inside_expanders: bool) -> str:
    """The page's markdown, either in its expanders only or outside them only."""
    folded = {id(m) for e in at.expander for m in e.markdown}
    return "\n".join(m.value for m in at.markdown if (id(m) in folded) == inside_expanders)


def test_page_runs_with_every_table_downloadable(page):
    assert not page.exception, [e.value for e in page.exception]
    assert page.title[0].value == "Data & methods"
    assert len(page.get("download_button")) == len(page.dataframe) >= 4


def test_plain_words_say_what_trustees_need(page):
    """The symbols, disclosure control, synthetic data and the funnel and trend rule are
    explained in the page's open text, without formulas or code."""
    text = shown_text(page, inside_expanders=False)
    for words in ("**c**: hidden", "**z**:", "**x**:", "**low**:", "1 to 4", "worked back",
                  "protected together", "No synthetic row describes a real child",
                  "England's rate", "chi-square test at the 5% level", "widened",
                  "Poisson regression", "last 5 years", "t test"):
        assert words in text, words
    for technical in ("tau^2", "τ²", "phi", "python -m data", "sqrt", "√"):
        assert technical not in text, technical


def test_technical_detail_is_folded_away(page):
    folded = shown_text(page, inside_expanders=True)
    assert "τ²" in folded and "DerSimonian-Laird" in folded
    assert "python -m data export" in folded


def test_no_code_docstring_on_the_page(page):
    """The page is written for trustees: no module's docstring appears on it."""
    text = "\n".join(m.value for m in page.markdown)
    for path in (ROOT / "analysis").glob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if doc:
            first = doc.split("\n\n")[1] if "\n\n" in doc else doc
            assert first.splitlines()[0] not in text, path.name
