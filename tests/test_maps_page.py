"""The Maps page under AppTest: every metric at every scope, the case-level panels on a store
with a synthetic cohort, and an LA chosen on the map becoming the shared filter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis import mapping
from analysis.disclosure import SYNTHETIC_LABEL

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "views/maps.py"
SCOPES = {
    "england": {"scope": "england"},
    "rcc": {"scope": "rcc", "rcc": "greater-manchester"},
    "region": {"scope": "region", "region": "E12000001"},
    "la": {"scope": "la", "la": "E08000003"},
}
#: A feature of the clickable LA layer: the LA's code and name, then its tooltip value.
LA_FEATURE = re.compile(r'"code": "(E\d{8})"[^{}]*"value_text"')
#: LAs drawn at each scope: the scope's, or for one LA (Manchester) its RCC's.
DRAWN = {"england": 153, "rcc": 10, "region": 12, "la": 10}


@pytest.fixture
def cohort_store(cohort_url, monkeypatch):
    """The app on the store with a synthetic cohort (database URL by environment, since
    st.connection ignores AppTest secrets), with empty Streamlit caches."""
    import cached

    monkeypatch.setenv("DATABASE_URL", cohort_url)
    cached.clear()
    yield cohort_url
    cached.clear()


def maps_page(params: dict) -> AppTest:
    """The Maps page as a link with these parameters opens it."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params)
    at.run()
    return at.switch_page(PAGE).run()


def map_args(at: AppTest) -> list[dict]:
    """The arguments of each folium map the run sent to the browser."""
    return [json.loads(element.proto.json_args) for element in at.get("component_instance")]


@pytest.mark.parametrize("scope", SCOPES)
def test_every_metric_at_every_scope(cohort_store, scope):
    """Each metric draws a map of the scope's LAs with its unit, source and year."""
    at = maps_page(SCOPES[scope])
    for name, metric in mapping.METRICS.items():
        at.selectbox(key="map_metric").set_value(name).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        choropleth = map_args(at)[0]["script"]
        year = "2023" if metric.homes_date else "2025"
        assert metric.unit in choropleth and f"31 March {year} (OGL v3.0)" in choropleth, name
        assert any(f"31 March {year}" in caption.value and "Open Government Licence"
                   in caption.value for caption in at.caption), name


def test_the_map_draws_one_clickable_area_per_la_in_scope(cohort_store):
    """The choropleth's clickable layer holds exactly the scope's LAs (LA scope: its RCC's),
    and the map returns only the clicked area to the server."""
    for scope, expected in DRAWN.items():
        choropleth = map_args(maps_page(SCOPES[scope]))[0]
        assert len(set(LA_FEATURE.findall(choropleth["script"]))) == expected, scope
        assert choropleth["returned_objects"] == ["last_active_drawing"], scope


def test_maps_need_no_internet(cohort_store):
    """Boundaries are inline and Leaflet is served by the app: no link leaves the server."""
    for args in map_args(maps_page(SCOPES["rcc"])):
        assert all(not link.startswith("http") for link in args["js_links"] + args["css_links"])
        assert args["js_links"] and args["css_links"]


def test_case_level_panels_are_labelled_synthetic(cohort_store):
    """The case-level panels say they are synthetic: above them, on the flow map itself, and
    above each of their two tables (whose CSVs ``disclosure.to_csv`` labels)."""
    at = maps_page(SCOPES["rcc"])
    assert sum(w.value == SYNTHETIC_LABEL for w in at.warning) == 3
    flow_map = map_args(at)[1]
    assert SYNTHETIC_LABEL.split(" —")[0] in flow_map["script"]  # the dash is escaped there
    downloads = {button.proto.label: button for button in at.get("download_button")}
    case_level = [label for label in downloads if "flows" in label or "matrix" in label]
    assert len(case_level) == 2, list(downloads)


def test_filters_narrow_the_flows(cohort_store):
    """Choosing a placement type and a need narrows the LA-to-LA table to them."""
    at = maps_page(SCOPES["rcc"])
    everything = flow_table(at)
    at.selectbox(key="flow_placement").set_value("Children's homes (incl. secure)").run()
    homes = flow_table(at)
    assert set(homes["placement_type"]) == {"Children's homes (incl. secure)"}
    assert 0 < len(homes) < len(everything)
    at.selectbox(key="flow_need").set_value("going_missing").run()
    assert not at.exception
    assert set(flow_table(at)["need"]) == {"going_missing"}


def flow_table(at: AppTest):
    """The LA-to-LA flows table as shown."""
    return next(frame.value for frame in at.dataframe if "from_code" in frame.value.columns)


def test_no_flow_under_5_is_shown(cohort_store):
    """Every count in the page's flow and matrix tables is 'c', 0 or at least 5."""
    at = maps_page(SCOPES["england"])
    for frame in at.dataframe:
        counts = [c for c in frame.value.columns if c == "children" or c in RCC_COLUMNS]
        for value in frame.value[counts].to_numpy().ravel():
            text = str(value).replace(",", "")
            assert text in ("c", "x", "0", "") or int(float(text)) >= 5, (counts, value)


RCC_COLUMNS = {"Greater Manchester", "North East", "London", "Total"}


def test_no_case_data_says_how_to_get_some(built_url, monkeypatch):
    """Without case-level data the panel explains how to import or generate it."""
    import cached

    monkeypatch.setenv("DATABASE_URL", built_url)
    cached.clear()
    at = maps_page(SCOPES["england"])
    cached.clear()
    assert not at.exception
    assert any("python -m data synth" in info.value for info in at.info)
    assert len(map_args(at)) == 1, "only the LA map without case data"


def test_choosing_an_la_on_the_map_sets_the_filters_and_link(cohort_store):
    """A click leaves the LA in pending_la and reruns; the next run makes it the scope,
    its RCC follows, and the URL links to it."""
    at = maps_page(SCOPES["england"])
    at.session_state["pending_la"] = "E08000009"  # Trafford, as a click on the map leaves it
    at.run()
    assert not at.exception
    assert at.sidebar.radio(key="f_scope").value == "la"
    assert at.session_state.f_la == "E08000009"
    assert at.session_state.f_rcc == "greater-manchester"
    assert dict(at.query_params)["la"] == "E08000009"
    assert at.title[0].value == "Maps: Trafford"
