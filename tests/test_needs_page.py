"""The Needs page under AppTest: every scope and every year the filter offers on a store
with a synthetic cohort (including LAs without children's records), no shown count of 1 to
4 in any of its tables, the synthetic label, and the provider offer form (good offers
saved, bad ones refused with nothing written)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from analysis.disclosure import SYNTHETIC_LABEL
from data import schema as s

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "views/needs_page.py"
SCOPES = {
    "england": {"scope": "england"},
    "rcc": {"scope": "rcc", "rcc": "greater-manchester"},
    "la": {"scope": "la", "la": "E08000003"},
    "scilly": {"scope": "la", "la": "E06000053"},
    "city": {"scope": "la", "la": "E09000001"},
}
#: Each population's breakdowns (residential care is not broken down by placement type:
#: it is two of them).
BREAKDOWNS = {"residential": ["age_band", "sex", "cohort"], "all": ["age_band", "sex",
                                                                     "placement"]}
#: Columns of the page's tables that hold counts of children.
COUNT_COLUMNS = {"children", "with_need", "both", "with_a", "with_b", "denominator"}


def needs_page(params: dict) -> AppTest:
    """The Needs page as a link with these parameters opens it."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    at.run()
    return at.switch_page(PAGE).run()


def texts(at: AppTest) -> str:
    """Every markdown, caption, info and warning on the page, joined."""
    return "\n".join(str(element.value) for kind in ("markdown", "caption", "info", "warning")
                     for element in getattr(at, kind))


def shown_tables(at: AppTest) -> list[pd.DataFrame]:
    """Every table the page shows."""
    return [element.value for element in at.dataframe]


@pytest.mark.parametrize("scope", ["england", "rcc", "la"])
def test_each_scope_answers_first_and_labels_synthetic_data(cohort_app, scope):
    """With children's records: the answer sentence, the synthetic label, charts and tables,
    and every table downloadable."""
    at = needs_page(SCOPES[scope])
    assert not at.exception, [e.value for e in at.exception]
    words = texts(at)
    assert "At 31 March 2025, of" in words and "The most common" in words
    assert SYNTHETIC_LABEL in words
    assert len(at.get("plotly_chart")) >= 5
    assert len(at.get("download_button")) >= len(at.dataframe)


@pytest.mark.parametrize("scope", ["scilly", "city"])
def test_the_smallest_las_without_records_say_so(cohort_app, scope):
    """An LA with no children's records in the store gets a plain note, not an error; its
    provider offers still show."""
    at = needs_page(SCOPES[scope])
    assert not at.exception, [e.value for e in at.exception]
    assert "No case-level data" in texts(at)
    assert any("offers" in header.value for header in at.header)


def test_a_region_is_pointed_to_rccs(cohort_app):
    at = needs_page({"scope": "region", "region": "E12000001"})
    assert not at.exception
    assert "by RCC and LA" in texts(at)


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_every_year_the_filter_offers(cohort_app, year):
    """Years without records show the latest year held, saying so."""
    at = needs_page({**SCOPES["rcc"], "year": str(year)})
    assert not at.exception, [e.value for e in at.exception]
    if year != 2025:
        assert "showing 31 March 2025" in texts(at)


def test_no_table_shows_a_count_of_one_to_four(cohort_app):
    """Primary suppression holds in every table the page shows, at LA scope (the smallest
    counts), for both populations under each of their breakdowns."""
    at = needs_page(SCOPES["la"])
    for population, groupings in BREAKDOWNS.items():
        at.radio(key="needs_population").set_value(population).run()
        for grouping in groupings:
            at.radio(key="needs_grouping").set_value(grouping).run()
            assert not at.exception, [e.value for e in at.exception]
            for table in shown_tables(at):
                for column in COUNT_COLUMNS & set(table.columns):
                    numbers = pd.to_numeric(table[column].astype(str).str.replace(",", ""),
                                            errors="coerce")
                    assert not numbers.between(1, 4).any(), (population, grouping, column)


def offers_form(at: AppTest, urn: str, places: int, who: str = "Commissioner") -> AppTest:
    """Fill in and submit the provider offer form."""
    at.text_input(key="offer_urn").set_value(urn).run()
    at.multiselect(key="offer_needs").set_value(["going_missing", "criminal_exploitation"])
    at.number_input(key="offer_places").set_value(places)
    at.text_input(key="offer_by").set_value(who)
    return at.button(key="offer_save").click().run()


def test_an_offer_is_saved_and_a_bad_one_refused_with_nothing_written(own_store, monkeypatch):
    """A good offer appears in the register; places beyond the home's registered places
    are refused and the register is unchanged."""
    import cached

    url, engine = own_store
    monkeypatch.setenv("DATABASE_URL", url)
    cached.clear()
    home = pd.read_sql(select(s.ChildrensHome.urn, s.ChildrensHome.places)
                       .where(s.ChildrensHome.places > 1).limit(1), engine).iloc[0]
    at = needs_page({"scope": "england"})
    at = offers_form(at, str(home.urn), int(home.places))
    assert not at.exception, [e.value for e in at.exception]
    assert any("Offer saved" in str(element.value) for element in at.success)
    count = select(func.count()).select_from(s.ProviderOffer)
    with engine.connect() as connection:
        before = connection.execute(count).scalar()
    at = offers_form(at, str(home.urn), int(home.places) + 1)
    assert any("Nothing was written" in str(element.value) for element in at.error)
    with engine.connect() as connection:
        assert connection.execute(count).scalar() == before == 1
    cached.clear()


def test_a_cohorts_grid_is_drawn_at_rcc_scope(cohort_app):
    """Choosing a cohort beside the need draws that cohort's grid and its table."""
    at = needs_page(SCOPES["rcc"])
    options = at.selectbox(key="needs_grid_cohort").options
    assert len(options) >= 2 and options[0] == "All of them"
    cohort = at.selectbox(key="needs_grid_cohort")
    at = cohort.select_index(1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Grid of children" in str(chart.proto.alt) for chart in at.get("plotly_chart"))
