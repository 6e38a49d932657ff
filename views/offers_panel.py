"""The provider offer register on the Needs page: what each children's home takes (needs,
intensity, ages, sex, places), which Ofsted does not publish. A table of the scope's
offers, a form to record one home's offer and an upload for a whole register; the checks
and writes are all in data/ (through cached.py and live.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

import cached
from analysis import access
import live
from analysis.specificity import INTENSITIES
from data.importers.common import ImportRefused
from views import frame
from views.import_panel import report_table

TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "templates" / "provider_offers.csv"
SEXES = {"any": "Any", "female": "Girls only", "male": "Boys only"}
COLUMNS = {"urn": "Ofsted URN", "la_name": "LA", "rcc_name": "RCC",
           "provision_type": "Ofsted type", "sector": "Sector",
           "registered_places": "Registered places", "needs": "Needs accepted",
           "max_intensity": "Highest intensity", "age_from": "Age from", "age_to": "Age to",
           "sex": "Sex", "places": "Places offered", "source": "Recorded by",
           "updated_at": st.column_config.DatetimeColumn("Saved (UTC)"),
           "updated_by": "Saved by", "la_code": None, "rcc_id": None, "is_synthetic": None}


def render(filters: frame.Filters, labels: dict[str, str]) -> None:
    """The section: what it is, the scope's offers, the form and the upload."""
    st.header("What each home offers", anchor=False)
    st.markdown("Ofsted does not publish which needs a children's home caters for, so "
                "providers and commissioners record it here: the needs a home accepts, the "
                "highest intensity, ages, sex and places. The specificity gap above matches "
                "children against these offers.")
    offers = in_scope(live.provider_offers(), filters)
    if offers.empty:
        st.markdown(f"No offers are recorded for homes in {filters.title} yet.")
    else:
        shown = offers.assign(needs=offers["needs"].map(lambda text: need_words(text, labels)))
        frame.table(shown, "provider-offers", "provider offers", scope=filters.scope,
                    column_config=COLUMNS)
    if not access.may_act(cached.viewer(), access.ADMINISTER):
        st.caption("Analysts record and change offers.")
        return
    left, right = st.columns(2)
    with left.expander("Record or change one home's offer", icon=":material/edit:"):
        offer_form(offers, labels)
    with right.expander("Upload a whole register (CSV)", icon=":material/upload:"):
        upload()
    show_outcome()


def in_scope(offers: pd.DataFrame, filters: frame.Filters) -> pd.DataFrame:
    """The offers of homes in the scope's LAs (every offer for England)."""
    if filters.scope.kind == "england":
        return offers
    return offers[offers["la_code"].isin(cached.scope_codes(filters.scope))]


def need_words(text: str, labels: dict[str, str]) -> str:
    """';'-separated need codes as their labels, comma-separated."""
    return ", ".join(labels.get(code, code) for code in str(text).split(";") if code)


def offer_form(offers: pd.DataFrame, labels: dict[str, str]) -> None:
    """One home's offer: pre-filled from its current offer when it has one."""
    urn = st.text_input("Ofsted URN of the home", key="offer_urn",
                        help="The home's unique reference number on Ofsted's register.")
    current = offers.set_index("urn").loc[urn] if urn in set(offers["urn"]) else None
    with st.form("offer_form", border=False):
        needs = st.multiselect("Needs the home accepts", list(labels), format_func=labels.get,
                               key="offer_needs",
                               default=[] if current is None else
                               [code for code in str(current["needs"]).split(";") if code])
        left, middle, right = st.columns(3)
        intensity = left.selectbox("Highest intensity", INTENSITIES, index=INTENSITIES.index(
            current["max_intensity"]) if current is not None else 1)
        age_from = middle.number_input("Age from", 0, 18, int(current["age_from"])
                                       if current is not None else 8)
        age_to = right.number_input("Age to", 0, 18, int(current["age_to"])
                                    if current is not None else 17)
        sex = left.selectbox("Sex", list(SEXES), format_func=SEXES.get,
                             index=list(SEXES).index(current["sex"]) if current is not None
                             else 0)
        places = middle.number_input("Places offered", 1, 100, int(current["places"])
                                     if current is not None else 1, key="offer_places")
        who = st.text_input("Saved by", placeholder="Your name and role", key="offer_by")
        if st.form_submit_button("Save offer", type="primary", key="offer_save"):
            outcome(save({"urn": urn.strip(), "needs": needs, "max_intensity": intensity,
                          "age_from": age_from, "age_to": age_to, "sex": sex,
                          "places": places}, who))


def save(offer: dict, who: str):
    """Save through the register's checks; the outcome is shown after the rerun."""
    if not who.strip():
        return "Say who is saving (your name and role): the register records it."
    try:
        live.save_offer(offer, who.strip())
    except ImportRefused as refused:
        return refused
    return f"Offer saved for the home with URN {offer['urn']}."


def upload() -> None:
    """A whole register from a CSV file (the template's columns), all or nothing."""
    st.markdown("Columns: URN, needs (codes separated by `;`), highest intensity (low, "
                "medium, high), ages from and to, sex (any, female, male), places. **Any "
                "error refuses the whole file: nothing is written.**")
    st.download_button("Download the template (CSV)", TEMPLATE.read_bytes(),
                       file_name="provider-offers-template.csv", mime="text/csv",
                       icon=":material/download:")
    with st.form("offer_upload", border=False):
        file = st.file_uploader("Register file", type=["csv"])
        who = st.text_input("Imported by", placeholder="Your name and role")
        if st.form_submit_button("Import offers", type="primary"):
            outcome(import_file(file, who))


def import_file(file, who: str):
    """Call the importer; returns its result, an ImportRefused or a message."""
    if file is None:
        return "Choose the register file to import."
    if not who.strip():
        return "Say who is importing (your name and role)."
    try:
        return live.import_provider_offers(file.name, file.getvalue(), who.strip())
    except ImportRefused as refused:
        return refused


def outcome(result) -> None:
    """Keep a save's or import's outcome and run the page again, so the table above
    already shows what was saved when the outcome is read."""
    st.session_state.offer_outcome = result
    st.rerun()


def show_outcome() -> None:
    """The last save or import: done, refused with its problems, or what is missing."""
    outcome = st.session_state.pop("offer_outcome", None)
    if outcome is None:
        return
    if isinstance(outcome, ImportRefused):
        st.error("Not saved: the offer has problems. Nothing was written.",
                 icon=":material/block:")
        report_table(outcome.report, "errors")
    elif isinstance(outcome, str) and not outcome.startswith("Offer saved"):
        st.warning(outcome)
    else:
        st.success(outcome if isinstance(outcome, str) else outcome.summary(),
                   icon=":material/check_circle:")
