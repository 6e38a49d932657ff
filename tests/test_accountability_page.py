"""The Accountability page runs for every year the filter offers, at every kind of scope
(the tiny LAs included), and says what its numbers mean."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "views/accountability_page.py"
YEARS = [2021, 2022, 2023, 2024, 2025]
SCOPES = {
    "england": {"scope": "england"},
    "region": {"scope": "region", "region": "E12000001"},
    "rcc": {"scope": "rcc", "rcc": "greater-manchester"},
    "la": {"scope": "la", "la": "E08000003"},
    "isles-of-scilly": {"scope": "la", "la": "E06000053"},
    "city-of-london": {"scope": "la", "la": "E09000001"},
}
#: Generous: two cores shared with other work, and the first run fills five years' caches.
TIMEOUT = 300


@pytest.fixture(scope="module")
def store(built_url):
    """The app pointed at the session's store, caches kept across this module's tests (as a
    running server keeps them) and emptied before and after."""
    import cached

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", built_url)
        cached.clear()
        yield built_url
        cached.clear()


def accountability_page(params: dict) -> AppTest:
    """The Accountability page as a link with these query parameters opens it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    return at.switch_page(PAGE).run()


def page_text(at: AppTest) -> str:
    """Everything the page wrote as markdown, info boxes and captions."""
    return "\n".join(e.value for e in [*at.markdown, *at.info, *at.caption])


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("scope", SCOPES)
def test_accountability_runs_for_every_year_and_scope(store, scope, year):
    """No crash or error at any year the filter offers, at any scope."""
    at = accountability_page({**SCOPES[scope], "year": str(year)})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.startswith("Accountability")
    assert at.session_state.f_year == year


def test_rcc_target_runs_and_keeps_the_yardstick(store):
    """Switching the target line to the RCC's rate reruns cleanly; the stated spread (from
    the national yardstick) does not change."""
    at = accountability_page({**SCOPES["rcc"], "year": "2025"})
    before = at.info[0].value
    at.radio(key="rule_target").set_value("rcc").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.info[0].value.split(".")[0] == before.split(".")[0]


def test_page_words_do_not_misstate_the_numbers(store):
    """No 'times more than chance', no raw tau^2 up front, no code docstrings; the branch
    counts table is there."""
    at = accountability_page({**SCOPES["england"], "year": "2025"})
    text = page_text(at)
    assert "times more than chance" not in text
    assert "times as widely" in at.info[0].value and "tau" not in at.info[0].value
    assert "The rule, with defaults the board can change" not in text
    assert "rule-variants" in text


@pytest.mark.parametrize("branch", ["rule_998", "rule_95"])
def test_switching_a_branch_off_reruns_cleanly(store, branch):
    """The board can switch branches off in the meeting without breaking the page."""
    at = accountability_page({**SCOPES["england"], "year": "2024"})
    at.checkbox(key=branch).uncheck().run()
    at.number_input(key="rule_row").set_value(0).run()
    assert not at.exception, [e.value for e in at.exception]
