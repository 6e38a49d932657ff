"""The Accountability page runs for every year the filter offers, at every kind of scope
(the tiny LAs included), and says what its numbers mean."""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.funnel import curve as funnel_curve
from analysis.scope import Scope
from components import charts
from data import register, tables
from tests.app_pages import app_on

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
    with app_on(built_url) as url:
        yield url


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
    assert any("any_branch" in table.value.columns for table in at.dataframe)


@pytest.mark.parametrize("branch", ["rule_998", "rule_95"])
def test_switching_a_branch_off_reruns_cleanly(store, branch):
    """The board can switch branches off in the meeting without breaking the page."""
    at = accountability_page({**SCOPES["england"], "year": "2024"})
    at.checkbox(key=branch).uncheck().run()
    at.number_input(key="rule_row").set_value(0).run()
    assert not at.exception, [e.value for e in at.exception]


# --- answer first, method behind (issue 12) -------------------------------------------------

def main_nodes(at: AppTest) -> list:
    """The page's top-level elements and blocks, in the order they are drawn."""
    return list(at.main.children.values())


def in_order(node) -> list:
    """Every element under ``node``, depth first, in drawing order."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [leaf for child in children.values() for leaf in in_order(child)]


def assessable_las(engine, year: int) -> pd.DataFrame:
    """Current LAs with a published count and a population: the LAs the rule can judge,
    read from the published-rates table, not from the page's own table."""
    rates = tables.la_rates(engine, year)
    rates = rates[rates["current_la"]]
    return rates[rates["children_looked_after"].notna() & rates["population_0_17"].notna()]


def flagged_names(engine, year: int, scope: Scope) -> set[str]:
    """The names of the scope's LAs the rule flags (default settings)."""
    table = tables.accountability(engine, year, scope=scope)
    members = tables.scope_codes(engine, scope)
    return set(table.loc[table["flag"] & table["la_code"].isin(members), "la_name"])


def test_the_answer_comes_before_the_method(store, engine):
    """Under the title, first thing: 'N of M LAs owe the board an explanation', M counting
    only LAs with a rate; the statistics and the settings sit in expanders below it."""
    at = accountability_page({**SCOPES["england"], "year": "2025"})
    nodes = main_nodes(at)
    assert nodes[0].type == "title"
    answer = in_order(nodes[1])[0]
    flagged = flagged_names(engine, 2025, Scope())
    judged = assessable_las(engine, 2025)
    assert answer.type == "subheader"
    assert answer.value == (f"{len(flagged)} of {len(judged)} LAs owe the board an "
                            "explanation at 31 March 2025")
    names = in_order(nodes[1])[1].value
    more = re.search(r"and (\d+) more", names)
    named = [name for name in flagged if name in names]
    assert len(named) + (int(more.group(1)) if more else 0) == len(flagged), names
    later = [node for node in nodes[2:] if node.type == "expander"]
    stats = next(node for node in later if node.label.startswith("How the limits"))
    assert any("times as widely" in leaf.value for leaf in in_order(stats)
               if leaf.type == "info"), "the spread statement is inside the expander"
    assert any(node.label == "The rule and its settings" for node in later)


def test_an_la_without_a_rate_cannot_be_assessed(store, engine):
    """Isles of Scilly has no rate: the page says it cannot be assessed and why, never a
    green all-clear or '0 of 1'. At England scope the LAs without a rate are named."""
    at = accountability_page({**SCOPES["isles-of-scilly"], "year": "2025"})
    assert not at.success
    assert at.subheader[0].value == "Isles of Scilly cannot be assessed at 31 March 2025"
    assert "0 of 1" not in page_text(at)
    england = accountability_page({**SCOPES["england"], "year": "2025"})
    rates = tables.la_rates(engine, 2025)
    missing = rates[rates["current_la"] & rates["children_looked_after"].isna()]
    sentence = in_order(main_nodes(england)[1])[1].value
    assert f"{len(missing)} LAs have no rate and could not be assessed" in sentence
    assert all(name in sentence for name in missing["la_name"])


@pytest.fixture
def own_app(own_store):
    """The app on a store of this test's own (the test writes to the register)."""
    url, engine = own_store
    with app_on(url):
        yield engine


def test_flagged_las_show_their_register_status_and_the_form_follows(own_app):
    """A request to Blackpool shows beside Blackpool in the flagged list; another flagged
    LA says none was requested; the request form follows the list, before the funnel."""
    number = register.create_request(
        own_app, la_code="E06000009", year=2025, requested_on=date(2026, 3, 12),
        meeting="Board", reason="High rate", asked_by="Chair", rule_settings={})
    at = accountability_page({**SCOPES["england"], "year": "2025"})
    items = [entry for leaf in in_order(main_nodes(at)[1]) if leaf.type == "markdown"
             and "-badge[" in leaf.value for entry in leaf.value.split("\n\n")]
    by_name = {item.split("**")[1]: item for item in items}
    assert set(by_name) == flagged_names(own_app, 2025, Scope())
    assert f"Request #{number}, 12 Mar 2026: asked, awaiting the LA's reply" in \
        by_name["Blackpool"]
    assert "No explanation requested yet" in by_name["Stoke-on-Trent"]
    order = [leaf.type for leaf in in_order(at.main)]
    assert order.index("button") < order.index("plotly_chart"), "form before the funnel"


def column_headings(frame_element) -> dict[str, str]:
    """The heading each shown column of a table gets (hidden columns left out)."""
    config = json.loads(frame_element.proto.columns)
    return {column: setting.get("label", column) for column, setting in config.items()
            if not setting.get("hidden")}


#: Pieces of field names that are not words: 'id', 'la' (the word is 'LA'), 'pct', '10k'.
FIELD_FRAGMENTS = {"id", "Id", "la", "La", "pct", "Pct", "10k"}


def test_every_table_has_human_column_names(own_app):
    """No raw field name (request_id, la_code, updated_at...) as a heading in any table on
    the page, spaced out or not, the register and a request's history included."""
    register.create_request(
        own_app, la_code="E06000009", year=2025, requested_on=date(2026, 3, 12),
        meeting="Board", reason="High rate", asked_by="Chair", rule_settings={})
    at = accountability_page({**SCOPES["la"], "la": "E06000009", "year": "2025"})
    assert len(at.dataframe) >= 4  # flagged, branch counts, rates, register, history
    for table in at.dataframe:
        shown = set(table.value.columns) - {c for c, s in json.loads(
            table.proto.columns).items() if s.get("hidden")}
        headings = column_headings(table)
        for column in shown:
            heading = headings.get(column, column)
            assert "_" not in heading and heading != column, (column, heading)
            # nor a field name merely spaced out ('La code', 'Request id', 'Rate per 10k')
            assert not FIELD_FRAGMENTS & set(heading.split()), (column, heading)
    history = at.dataframe[-1].value
    assert "Reason" in set(history["field"]) and "reason" not in set(history["field"])


def chart_names(at: AppTest) -> set[str]:
    """The LA names written on the page's funnel plot (its annotations with a leader
    line: the source line has none)."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {a["text"] for a in spec["layout"].get("annotations", []) if a.get("showarrow")}


@pytest.mark.parametrize("params, year, scope", [
    ({"scope": "england"}, 2021, Scope()),
    ({"scope": "rcc", "rcc": "north-west"}, 2025, Scope("rcc", "north-west")),
    ({"scope": "la", "la": "E06000009"}, 2025, Scope("la", "E06000009")),
])
def test_the_funnel_names_the_flagged_las_of_the_scope(store, engine, params, year, scope):
    """Every flagged LA of the scope is named on the plot, and no other LA."""
    at = accountability_page({**params, "year": str(year)})
    expected = flagged_names(engine, year, scope)
    assert expected, "a scope with flagged LAs"
    assert chart_names(at) == expected


def test_build_funnel_names_exactly_the_flagged_las_it_highlights(engine):
    """The figure itself: one label per flagged LA in ``highlight``, at its point."""
    table = tables.accountability(engine, 2023)
    members = tables.scope_codes(engine, Scope("rcc", "north-west"))
    figure = charts.build_funnel(table, funnel_curve(table), "adjusted", "England",
                                 members, "Title", "Source")
    labels = {a.text: (a.x, a.y) for a in figure.layout.annotations if a.showarrow}
    flagged = table[table["flag"] & table["la_code"].isin(members)]
    assert set(labels) == set(flagged["la_name"])
    for row in flagged.itertuples():
        assert labels[row.la_name] == pytest.approx(
            (math.log10(row.population_0_17), row.rate_per_10k_exact))


def test_no_statistical_neighbours_at_la_scope(store):
    """At LA scope the page shows the LA's own row and points to the Overview for its
    statistical neighbours; the neighbours' chart, table and model choice are gone."""
    at = accountability_page({**SCOPES["la"], "la": "E06000009", "year": "2025"})
    assert "Its statistical neighbours are on the **Overview** page." in page_text(at)
    assert not [r for r in at.radio if r.label == "Statistical neighbours"]
    assert len(at.get("plotly_chart")) == 1, "only the funnel plot"
    rates = next(t.value for t in at.dataframe if "quartile" in t.value.columns)
    assert list(rates["la_name"]) == ["Blackpool"]
    assert not any("benchmarks" in d.proto.label.lower() for d in at.get("download_button"))


def test_scope_rates_are_formatted_and_never_none(store):
    """The RCC's rates table: its ten LAs, numbers as numbers, no 'None' anywhere."""
    at = accountability_page({**SCOPES["rcc"], "year": "2025"})
    rates = next(t for t in at.dataframe if "quartile" in t.value.columns)
    assert len(rates.value) == 10
    headings = column_headings(rates)
    assert headings["rate_per_10k"] == "Rate" and "quartile" not in headings
    assert not rates.value.astype(str).isin(["None", "nan", "<NA>"]).any().any()


def test_funnel_labels_do_not_cover_each_other_and_ticks_fit(engine):
    """In 2025 (ten flagged LAs) no two names overlap on the narrowest plot; the x axis has
    few enough ticks to stand upright, within the data's range."""
    table = tables.accountability(engine, 2025)
    points = table.dropna(subset=["rate_per_10k_exact"]).reset_index(drop=True)
    spots = list(zip(np.log10(points["population_0_17"]) * 100, points["rate_per_10k_exact"]))
    names = {i: name for i, name in enumerate(points["la_name"]) if points["flag"].iloc[i]}
    boxes = list(charts.label_places(spots, names).values())
    assert len(boxes) == len(names) == 10
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    low, high = points["population_0_17"].min(), points["population_0_17"].max()
    ticks = charts.funnel_ticks(low, high)
    assert 3 <= len(ticks) <= 7 and low <= min(ticks) and max(ticks) <= high


def test_every_register_status_has_words():
    """Each status the register can hold reads as words in the flagged list."""
    from analysis.accountability import STATUS_WORDS

    assert set(STATUS_WORDS) == set(register.STATUSES)


def test_register_status_is_the_newest_request_and_says_its_year():
    """Two requests to one LA: the newer one is shown, with the year it was about when that
    is not the year on screen; an LA never asked says so."""
    from analysis.accountability import NOT_ASKED, register_statuses

    requests = pd.DataFrame({
        "id": [1, 2], "la_code": ["E1", "E1"], "year": [2023, 2024], "status": ["closed",
                                                                            "accepted"],
        "requested_on": [date(2024, 1, 10), date(2025, 2, 3)]})
    assert register_statuses(requests, 2025) == {
        "E1": "Request #2 (about 31 March 2024), 3 Feb 2025: explanation accepted"}
    assert register_statuses(requests, 2024) == {
        "E1": "Request #2, 3 Feb 2025: explanation accepted"}
    assert register_statuses(requests.iloc[:0], 2025) == {}
    assert NOT_ASKED == "No explanation requested yet"
