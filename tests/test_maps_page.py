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
PAGE = "views/maps_page.py"
CASE_LEVEL = "Where children are placed (case level)"
HOMES = "Children's homes (incl. secure)"
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


def maps_page(params: dict, view: str | None = None) -> AppTest:
    """The Maps page as a link with these parameters opens it, on one of its views."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params)
    at.run()
    at.switch_page(PAGE).run()
    return at.radio(key="map_view").set_value(view).run() if view else at


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


@pytest.mark.parametrize("view", [None, CASE_LEVEL])
def test_maps_need_no_internet(cohort_store, view):
    """Boundaries are inline and Leaflet is served by the app: no link leaves the server."""
    (args,) = map_args(maps_page(SCOPES["rcc"], view))
    assert all(not link.startswith("http") for link in args["js_links"] + args["css_links"])
    assert args["js_links"] and args["css_links"]


@pytest.mark.parametrize("view", ["Children's homes", "Placed out of area (published)"])
def test_published_views_name_source_and_year(cohort_store, view):
    """The homes and out-of-area views show their table and say whose figures, when."""
    at = maps_page(SCOPES["region"], view)
    assert not at.exception
    year = "2023" if view == "Children's homes" else "2025"
    sources = [c.value for c in at.caption] + [chart.proto.spec for chart in
                                               at.get("plotly_chart")]
    assert any(f"31 March {year}" in text and "Open Government Licence" in text
               for text in sources)
    assert len(at.dataframe) == len(at.get("download_button")) == 1


def test_case_level_panels_are_labelled_synthetic(cohort_store):
    """The case-level panels say they are synthetic: above them, on the flow map itself, and
    above each of their two tables (whose CSVs ``disclosure.to_csv`` labels)."""
    at = maps_page(SCOPES["rcc"], CASE_LEVEL)
    assert sum(w.value == SYNTHETIC_LABEL for w in at.warning) == 3
    flow_map = map_args(at)[0]
    assert SYNTHETIC_LABEL.split(" —")[0] in flow_map["script"]  # the dash is escaped there
    downloads = {button.proto.label: button for button in at.get("download_button")}
    case_level = [label for label in downloads if "flows" in label or "matrix" in label]
    assert len(case_level) == 2, list(downloads)


def test_which_children_narrows_the_matrix_not_the_flows(cohort_store):
    """The one "Which children" choice narrows the RCC matrix to a placement type or to
    children with a need; the LA-to-LA flows and their map stay all children."""
    at = maps_page(SCOPES["rcc"], CASE_LEVEL)
    assert [box.key for box in at.selectbox if box.key.startswith("flow_")] == ["flow_children"]
    flows, everyone = flow_table(at), matrix_table(at)
    assert not {"placement_type", "need"} & set(flows.columns)
    assert set(everyone["placement_type"]) == set(everyone["need"]) == {"All"}
    at.selectbox(key="flow_children").set_value(("placement", HOMES)).run()
    assert not at.exception
    homes = matrix_table(at)
    assert set(homes["placement_type"]) == {HOMES} and set(homes["need"]) == {"All"}
    assert held_totals(homes) < held_totals(everyone)
    at.selectbox(key="flow_children").set_value(("need", "going_missing")).run()
    assert not at.exception
    missing = matrix_table(at)
    assert set(missing["placement_type"]) == {"All"} and set(missing["need"]) == {"Going missing"}
    assert flow_table(at).equals(flows)


def flow_table(at: AppTest):
    """The LA-to-LA flows table as shown."""
    return next(frame.value for frame in at.dataframe if "from_code" in frame.value.columns)


def matrix_table(at: AppTest):
    """The RCC matrix with self-sufficiency as shown."""
    return next(frame.value for frame in at.dataframe if "placing_rcc" in frame.value.columns)


def held_totals(table) -> int:
    """The matrix's shown Totals (rows with data and not hidden) added up."""
    totals = table["Total"].astype(str).str.replace(",", "")
    return sum(int(float(total)) for total in totals if total not in ("c", "x"))


@pytest.mark.parametrize("children", ["All", ("placement", HOMES), ("need", "self_harm")],
                         ids=["all", "homes", "need"])
def test_no_flow_under_5_is_shown(cohort_store, children):
    """Every count in the page's flow and matrix tables is 'c', 0 or at least 5, for all
    children, one placement type or children with one need."""
    at = maps_page(SCOPES["england"], CASE_LEVEL)
    at.selectbox(key="flow_children").set_value(children).run()
    assert not at.exception
    for frame in at.dataframe:
        counts = [c for c in frame.value.columns if c == "children" or c in RCC_COLUMNS]
        for value in frame.value[counts].to_numpy().ravel():
            text = str(value).replace(",", "")
            assert text in ("c", "x", "0", "") or int(float(text)) >= 5, (counts, value)


RCC_COLUMNS = {"Greater Manchester", "North East", "London", "Total",
               "own_children_in_homes_here"}


def test_no_case_data_says_how_to_get_some(built_url, monkeypatch):
    """Without case-level data the panel says where an analyst imports some."""
    import cached

    monkeypatch.setenv("DATABASE_URL", built_url)
    cached.clear()
    at = maps_page(SCOPES["england"], CASE_LEVEL)
    cached.clear()
    assert not at.exception
    assert any("import an LA's SSDA903 or Placements v2 files on *Data & methods*"
               in info.value for info in at.info)
    assert not map_args(at), "no flow map without case data"


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


def test_home_circles_give_sector_and_judgement_per_la(cohort_store):
    """With circles on, each LA in scope gets one circle whose tooltip breaks its homes
    down by sector and latest Ofsted judgement (Ofsted gives nothing finer than the LA)."""
    at = maps_page(SCOPES["rcc"])
    at.toggle(key="map_homes").set_value(True).run()
    script = map_args(at)[0]["script"]
    labels = re.findall(r'"label": "([^"]*)"', script)
    assert len(labels) == DRAWN["rcc"]
    stockport = next(label for label in labels if label.startswith("Stockport"))
    assert "36 homes, 166 places" in stockport and "private 22 / 89" in stockport
    assert "outstanding 3, good 24" in stockport


@pytest.mark.parametrize("params, homes, places, cumbria", [
    (SCOPES["rcc"], 245, 880, False),  # Greater Manchester: Cumbria is not its council
    ({"scope": "la", "la": "E06000063"}, None, None, True),  # Cumberland: its RCC's LAs
])
def test_homes_view_lists_cumbria_only_beside_its_successors(cohort_store, params, homes,
                                                              places, cumbria):
    """Ofsted files Cumbria's homes under Cumbria: they are listed (not apportioned) only
    where a successor council is shown, and never counted into another RCC."""
    at = maps_page(params, "Children's homes")
    table = at.dataframe[0].value
    assert ("E10000006" in set(table["la_code"])) is cumbria
    if homes is not None:
        assert any(f"**{homes} homes** with **{places} places**" in text.value
                   for text in at.markdown)


# --- the view in the link, names on the maps, plain words ------------------------------------

VIEW_NAMES = {"map": "LA map", "homes": "Children's homes",
              "out-of-area": "Placed out of area (published)", "flows": CASE_LEVEL}


def test_each_view_is_in_the_link(cohort_store):
    """Choosing a view writes it into the link as a short word, run after run (the filters
    are rewritten into the link on every run too)."""
    at = maps_page(SCOPES["rcc"])
    assert dict(at.query_params)["view"] == "map"
    for value, name in VIEW_NAMES.items():
        at.radio(key="map_view").set_value(name).run()
        assert not at.exception
        link = dict(at.query_params)
        assert link["view"] == value and link["rcc"] == "greater-manchester"
        at.run()
        assert dict(at.query_params)["view"] == value, "kept on a rerun"


@pytest.mark.parametrize("value", ["homes", "out-of-area", "flows"])
def test_a_link_with_a_view_opens_it(cohort_store, value):
    """A shared link (?view=homes) opens that view, and the link keeps it."""
    at = maps_page({**SCOPES["rcc"], "view": value})
    assert not at.exception
    assert not [w for w in at.warning if w.icon == ":material/link_off:"]
    assert at.radio(key="map_view").value == VIEW_NAMES[value]
    assert dict(at.query_params)["view"] == value


def test_a_link_with_an_unknown_view_says_so_in_one_line(cohort_store):
    """An unknown view opens the LA map under one warning line naming the value, shortened."""
    at = maps_page({**SCOPES["rcc"], "view": "forecasts" * 20})
    assert not at.exception
    assert at.radio(key="map_view").value == "LA map"
    [warning] = at.warning
    assert "view `forecasts" in warning.value and len(warning.value) < 160
    assert "\n" not in warning.value and dict(at.query_params)["view"] == "map"


def label_names(script: str) -> list[str]:
    """The LA names written on a map (its la-label markers), in the order drawn."""
    return re.findall(r'"html": "\\u003cspan\\u003e([^"]*)\\u003c/span\\u003e"', script)


@pytest.mark.parametrize("scope, expected", [("england", 0), ("rcc", 10), ("region", 12)])
def test_la_names_are_written_on_the_maps_except_for_england(cohort_store, scope, expected):
    """Each LA drawn is named on the map, except at England scope, where 150 names would
    hide the map; the flow map too."""
    at = maps_page(SCOPES[scope])
    script = map_args(at)[0]["script"]
    names = set(label_names(script))
    assert len(names) == expected and script.count("la-label") >= expected
    if scope == "rcc":
        assert names == GREATER_MANCHESTER
        flow_script = map_args(maps_page(SCOPES[scope], CASE_LEVEL))[0]["script"]
        assert set(label_names(flow_script)) == names


GREATER_MANCHESTER = {"Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford",
                      "Stockport", "Tameside", "Trafford", "Wigan"}


def test_around_one_la_its_neighbours_in_view_are_named(cohort_store):
    """At LA scope (Manchester) the LA and its RCC's LAs in view are named (each inside the
    part of it in view: see test_maps_components), no LA of another RCC."""
    names = set(label_names(map_args(maps_page(SCOPES["la"]))[0]["script"]))
    assert {"Manchester", "Salford", "Trafford", "Stockport", "Tameside"} <= names
    assert names <= GREATER_MANCHESTER


def test_homes_and_out_of_area_views_are_maps(cohort_store):
    """The homes view draws the homes on a map (a circle per LA with homes) above its
    table; the out-of-area view colours LAs by DfE's % placed outside their LA, or by %
    placed more than 20 miles from home, above its chart and table."""
    homes = maps_page(SCOPES["rcc"], "Children's homes")
    (choropleth,) = map_args(homes)
    assert "home-symbol" in choropleth["script"]
    assert choropleth["script"].count("Ofsted, 31 March 2023") == DRAWN["rcc"]
    assert "places per 10,000 children aged 0-17" in choropleth["script"]
    out = maps_page(SCOPES["rcc"], "Placed out of area (published)")
    (choropleth,) = map_args(out)
    assert "% placed outside their LA" in choropleth["script"]
    assert len(out.get("plotly_chart")) == 1 and len(out.dataframe) == 1
    out.radio(key="map_out_of_area").set_value("over_20_miles").run()
    (choropleth,) = map_args(out)
    assert "% placed more than 20 miles from home (in or outside the LA)" in choropleth["script"]


def test_case_level_tables_are_in_words(cohort_store):
    """The case-level tables name needs as people read them, give LAs by name with their
    codes last, and never say '1 flows'."""
    at = maps_page(SCOPES["rcc"], CASE_LEVEL)
    flows = flow_table(at)
    assert list(flows.columns) == ["year", "from_name", "to_name", "children", "from_code",
                                   "to_code"]
    at.selectbox(key="flow_children").set_value(("need", "criminal_exploitation")).run()
    assert not at.exception
    assert set(matrix_table(at)["need"]) == {"Criminal exploitation"}
    assert not any(re.search(r"\b1 flows\b", caption.value) for caption in at.caption)


@pytest.mark.parametrize("view", [None, "Children's homes", "Placed out of area (published)",
                                  CASE_LEVEL])
def test_every_heading_of_every_table_is_in_words(cohort_store, view):
    """No heading of a table on the page is a raw field name (placement_type, a snake_case
    word) or an area name in the wrong case: each shown column is named by the page."""
    at = maps_page(SCOPES["rcc"], view)
    assert at.dataframe
    for table in at.dataframe:
        headings = json.loads(table.proto.columns)
        for name in table.value.columns:
            setting = headings.get(name, {})
            if setting.get("hidden"):
                continue
            label = setting.get("label") or name
            assert "_" not in label and not label[:1].islower(), (name, label)
            if name in RCC_COLUMNS - {"Total", "own_children_in_homes_here"}:
                assert label == name, (name, label)


@pytest.mark.parametrize("params, words", [
    # Ofsted's England totals at 31 March 2023 and DfE's 18% for 2025, as published.
    ({"scope": "england"}, ["England had 3,119 children's homes with 13,528 places",
                            "18% of its children in care"]),
    ({"scope": "la", "la": "E06000053"}, ["Isles of Scilly had no children's homes"]),
    ({"scope": "la", "la": "E09000001"}, ["City of London had no children's homes"]),
])
def test_the_page_opens_with_its_answer(cohort_store, params, words):
    """The first paragraph answers "where are the homes, how many children live far away"
    in words, with the published figures, before any control."""
    at = maps_page(params)
    first = at.markdown[0].value
    for phrase in words:
        assert phrase in first, first
