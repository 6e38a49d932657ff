"""What-ifs on one RCC (the "Homes needed" page): fewer children entering care, children in
residential care outside the RCC brought back, a new home for one cohort. The figures are
the stock-and-flow projection run again with the change, beside the baseline; a scenario
is saved by name and carried in the page's link, so it can be shared."""

from __future__ import annotations

import dataclasses

import streamlit as st

import cached_forecasts
import live
from forecasting import scenarios as what_if
from views import frame

INTRO = ("Change one thing and see the next five years move. Figures come from the "
         "stock-and-flow model (children entering, moving and leaving care, by age and "
         "placement), run again with the change; each is a what-if, not a forecast.")
#: The scenario's fields, each with its widget's key on this page.
WIDGETS = {name: f"scenario_{name}" for name in what_if.KEYS}
RESULT_COLUMNS = {"rcc": None, "label": None, "year": "Year", "measure": "What",
                  "cohort": "Children", "baseline": "Without the scenario",
                  "scenario": "With the scenario"}


def seed_from_link(rcc: str, cohorts: list[str]) -> None:
    """Fill the widgets from the page's link once per RCC (a shared link opens the
    scenario it names), else with no change."""
    if st.session_state.get("scenario_seeded") == rcc:
        return
    start = what_if.Scenario("My scenario", rcc)
    if st.query_params.get(what_if.KEYS["rcc"]) == rcc:
        try:
            start = what_if.from_query(st.query_params.to_dict())
        except ValueError as problem:
            st.warning(f"The link's scenario could not be read: {problem}",
                       icon=":material/link_off:")
    seed(start, cohorts)
    st.session_state["scenario_seeded"] = rcc


def seed(scenario: what_if.Scenario, cohorts: list[str]) -> None:
    """Set every widget to ``scenario``'s values."""
    for name, key in WIDGETS.items():
        st.session_state[key] = getattr(scenario, name)
    if scenario.new_home_cohort not in cohorts and cohorts:
        st.session_state[WIDGETS["new_home_cohort"]] = cohorts[0]


def open_saved(rcc: str, cohorts: list[str]) -> None:
    """Callback: the saved scenario chosen, into the widgets."""
    name = st.session_state.get("scenario_saved")
    scenario = live.load_scenario(rcc, name) if name else None
    if scenario is not None:
        seed(scenario, cohorts)


def inputs(rcc: str, cohorts: list[str]) -> what_if.Scenario:
    """The widgets, read as a scenario (ValueError naming a bad value)."""
    saved = live.saved_scenarios(rcc)
    if saved:
        st.selectbox("Open a saved scenario", [None, *saved], key="scenario_saved",
                     format_func=lambda name: name or "—", on_change=open_saved,
                     args=(rcc, cohorts))
    left, middle, right = st.columns(3)
    left.slider("Change in children entering care (%)", -50.0, 50.0, step=5.0,
                key=WIDGETS["entries_change_pct"], format="%+.0f%%")
    middle.slider("Children in residential care outside the RCC brought back (%)", 0.0,
                  100.0, step=10.0, key=WIDGETS["bring_back_pct"], format="%.0f%%")
    middle.slider("… by year", 1, 5, key=WIDGETS["bring_back_year"])
    right.number_input("New home: places", 0, what_if.MAX_PLACES,
                       key=WIDGETS["new_home_places"])
    right.selectbox("… for children in", cohorts, key=WIDGETS["new_home_cohort"])
    right.slider("… opening in year", 1, 5, key=WIDGETS["new_home_year"])
    values = {name: st.session_state[key] for name, key in WIDGETS.items()
              if name not in ("name", "rcc")}
    return what_if.Scenario(st.session_state.get(WIDGETS["name"]) or "My scenario", rcc,
                            **values)


def share_in_link(scenario: what_if.Scenario) -> None:
    """Put the scenario in the page's link (replacing any other), so copying the address
    shares it."""
    for key in what_if.KEYS.values():
        st.query_params.pop(key, None)
    st.query_params.update(what_if.to_query(scenario))


def save_form(scenario: what_if.Scenario) -> None:
    """Save the scenario by name (the same name replaces it)."""
    with st.form("scenario_save", border=False):
        left, right = st.columns(2)
        left.text_input("Name", key=WIDGETS["name"], max_chars=what_if.NAME_LENGTH)
        who = right.text_input("Saved by", placeholder="Your name and role", key="scenario_by")
        if st.form_submit_button("Save scenario", key="scenario_save_button"):
            if not who.strip():
                st.error("Say who is saving (your name and role).")
                return
            named = dataclasses.replace(scenario, name=st.session_state[WIDGETS["name"]])
            live.save_scenario(named, who.strip())
            st.success(f"Saved “{named.name}” for {named.rcc}.")


def render(rcc: str, year: int, offers: tuple, run, version: int) -> None:
    """The section for one RCC."""
    st.header(f"What if… ({rcc})", anchor=False)
    st.markdown(INTRO)
    base = cached_forecasts.scenario_baseline(rcc, year, offers, run.id, version)
    if base is None:
        st.markdown(f"{rcc} has no case-level forecast of its children in children's homes "
                    "to change (too few children, or none held).")
        return
    cohorts = base.cohorts["cohort"].tolist()
    seed_from_link(rcc, cohorts)
    try:
        scenario = inputs(rcc, cohorts)
    except ValueError as problem:
        st.error(str(problem))
        return
    share_in_link(scenario)
    result = cached_forecasts.scenario_result(scenario, year, offers, run.id, version)
    st.markdown(f"**{what_if.describe(scenario)}** {what_if.summary(result)}")
    frame.vega_chart(cached_forecasts.scenario_figure(scenario, year, offers, run.id, version),
                     f"Line chart of children looked after in {rcc} for five years, with and "
                     "without the scenario")
    with st.expander("The scenario's figures, year by year"):
        frame.table(result, "scenario", "scenario figures", part=scenario.name,
                    column_config=RESULT_COLUMNS)
    save_form(scenario)
