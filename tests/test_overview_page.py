"""The Overview answers first: a plain sentence, then (for one LA) whether the LA meets the
accountability rule and how it compares with its statistical neighbours.

The figures the sentence must give are DfE's own (England, 31 March 2025: 81,770
children, 67 per 10,000); whether an LA meets the rule is the rule's own table with its
default settings, as the Accountability page applies it.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from analysis.accountability import RuleSettings
from analysis.scope import Scope

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 60
BLACKPOOL, SCILLY, BIRMINGHAM = "E06000009", "E06000053", "E08000025"


def overview(params: dict) -> AppTest:
    """The Overview as a link with these query parameters opens it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def answer(at: AppTest) -> str:
    """The page's first paragraph under its title: its answer."""
    return at.markdown[0].value


def test_england_opens_with_the_published_figures_in_a_sentence(app_store):
    """England at 31 March 2025: DfE's 81,770 children and 67 per 10,000, in words."""
    at = overview({"scope": "england", "year": "2025"})
    assert answer(at) == ("At 31 March 2025, 81,770 children were looked after by England's "
                          "local authorities: 67 in every 10,000 children.")


def test_an_rcc_is_compared_with_england(app_store):
    """An RCC's sentence says whether its rate is above or below England's, with both."""
    at = overview({"scope": "rcc", "rcc": "london", "year": "2025"})
    text = answer(at)
    assert text.startswith("At 31 March 2025, ") and "local authorities of London RCC" in text
    rate = at.metric[1].value  # the rate card shows the same rate as the sentence
    assert f": {rate} in every 10,000 children, below England's 67." in text


def rule_flag(url: str, code: str) -> bool:
    """Whether the LA meets the accountability rule at 31 March 2025 (default settings)."""
    from data import tables
    from data.store import make_engine

    engine = make_engine(url)
    try:
        table = tables.accountability(engine, 2025, RuleSettings(), Scope("la", code))
    finally:
        engine.dispose()
    return bool(table.set_index("la_code").at[code, "flag"])


def test_a_flagged_la_is_told_so_with_a_link_to_accountability(app_store):
    """Blackpool meets the rule in 2025: the Overview says so and links to the page."""
    assert rule_flag(app_store, BLACKPOOL)
    at = overview({"scope": "la", "la": BLACKPOOL, "year": "2025"})
    assert any("Blackpool meets the accountability rule at 31 March 2025" in w.value
               for w in at.warning), [w.value for w in at.warning]
    links = at.get("page_link")
    assert any("accountability" in link.proto.page for link in links)


def test_an_la_without_a_rate_cannot_be_assessed(app_store):
    """Isles of Scilly has no published count: never a green all-clear."""
    at = overview({"scope": "la", "la": SCILLY, "year": "2025"})
    assert not at.success
    assert any("cannot be assessed" in i.value for i in at.info)
    assert answer(at).startswith("DfE publishes no count of children looked after by "
                                 "Isles of Scilly at 31 March 2025")


def test_an_la_that_does_not_meet_the_rule_is_cleared(app_store):
    """Birmingham does not meet the rule in 2025: a plain 'does not meet'."""
    assert not rule_flag(app_store, BIRMINGHAM)
    at = overview({"scope": "la", "la": BIRMINGHAM, "year": "2025"})
    assert any("Birmingham does not meet the accountability rule" in s.value
               for s in at.success)


def neighbours_download(at: AppTest):
    """The statistical neighbours' download button."""
    return next(d for d in at.get("download_button") if "statistical neighbours" in d.label)


def test_neighbours_are_on_the_overview_formatted_and_downloaded_per_model(app_store):
    """At LA scope the Overview shows the neighbours' table with formatted counts and no
    'None'; the 2021 and 2025 models download under different names."""
    at = overview({"scope": "la", "la": SCILLY, "year": "2025"})
    table = next(t.value for t in at.dataframe if "comparator" in t.value.columns)
    england = table.set_index("comparator").loc["England"]
    assert england["children_looked_after"] == "81,766"
    assert not table.isin(["None", "nan", "<NA>"]).any().any()
    assert table.notna().all().all(), "gaps are blank text, which Streamlit shows as blank"
    first = neighbours_download(at).proto.id
    at.radio(key="sn_model").set_value("2021").run()
    second = neighbours_download(at).proto.id
    assert first.endswith("benchmarks-la-E06000053-2025-model-2025.csv")
    assert second.endswith("benchmarks-la-E06000053-2025-model-2021.csv")


def test_neighbours_only_at_la_scope(app_store):
    """An RCC has no statistical neighbours: no model choice on its Overview."""
    at = overview({"scope": "rcc", "rcc": "london", "year": "2025"})
    assert not [r for r in at.radio if r.key == "sn_model"]
