"""The explanations register on the Accountability page: record a request, update it,
and see every change. Saves are checked against the version the user opened, so two
people editing one request never silently overwrite each other."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import cached
import live
from analysis import access
from analysis.accountability import RuleSettings
from data.errors import UserInputError
from data.register import STATUSES, ConflictError
from views import frame

#: The register's columns in the order a trustee reads them, with their headings.
REQUEST_LABELS = {
    "la_name": "LA", "status": "Status", "requested_on": "Asked on",
    "year": "About 31 March", "meeting": "Meeting", "reason": "Reason", "asked_by": "Asked by",
    "response": "LA's response", "response_on": "Response received",
    "outcome": "Consensus outcome", "actions": "Actions agreed", "id": "Request number",
    "version": "Version", "updated_at": "Last changed (UTC)", "updated_by": "Last changed by",
    "la_code": "LA code",
}
#: The history's columns and headings; its "what changed" cells name fields in these words.
HISTORY_LABELS = {
    "request_id": "Request number", "version": "Version", "changed_at": "When (UTC)",
    "changed_by": "Who", "field": "What changed", "old_value": "Before", "new_value": "After",
}
FIELD_WORDS = {**REQUEST_LABELS, "rule_settings": "Rule settings"}


def render(requests: pd.DataFrame | None) -> None:
    """The register section: the scope's requests and a form to update one (None: the
    viewer may not read the register here, and is told why)."""
    st.header("Explanations register", anchor=False)
    if requests is None:
        st.info(live.register_refusal(), icon=":material/lock:")
        return
    if requests.empty:
        st.markdown("No explanations have been requested from LAs in this scope yet.")
        return
    shown = requests[list(REQUEST_LABELS)]
    frame.table(shown, "register", "register", scope=frame.current().scope,
                column_config=REQUEST_LABELS)
    if access.may_act(cached.viewer(), access.RECORD):
        update_request(requests)


def show_flash() -> None:
    """The confirmation of the last save, shown once (after the rerun that saved it)."""
    if "register_flash" in st.session_state:
        st.success(st.session_state.pop("register_flash"), icon=":material/check_circle:")


def record_request(flagged: pd.DataFrame, in_scope: pd.DataFrame, settings: RuleSettings,
                   year: int) -> None:
    """A form to record a request; the reason is pre-filled from the rule's sentence."""
    ordered = pd.concat([flagged, in_scope[~in_scope["la_code"].isin(flagged["la_code"])]])
    names = dict(zip(ordered["la_code"], ordered["la_name"]))
    la_code = st.selectbox("Local authority (flagged LAs first)", list(names),
                           format_func=names.get, key="request_la")
    reason = ordered.set_index("la_code").at[la_code, "flag_reason"] or \
        "Not flagged by the rule: requested at the board's discretion."
    with st.form("new_request", clear_on_submit=False, border=False):
        when, where = st.columns([2, 3])
        requested_on = when.date_input("Date of request", date.today(), format="DD/MM/YYYY")
        meeting = where.text_input("Meeting", placeholder="e.g. Board, 12 March 2026")
        text = st.text_area("Reason", reason, key=f"request_reason_{la_code}")
        asked_by = st.text_input("Asked by", placeholder="Your name and role")
        if st.form_submit_button("Record request", type="primary"):
            try:
                number = live.register_create(
                    la_code=la_code, year=year, requested_on=requested_on, meeting=meeting,
                    reason=text, asked_by=asked_by, rule_settings=settings.as_dict())
            except UserInputError as exc:
                st.error(str(exc))
            else:
                flash(f"Request #{number} recorded for {names[la_code]}.")


FIELDS = ("status", "response", "response_on", "outcome", "actions")


def load_into_form(request_id: int, row: pd.Series) -> None:
    """Fill the update form from the stored request and remember which version it shows,
    so a later save can tell whether someone else saved in between."""
    for field in FIELDS:
        value = row[field]
        st.session_state[f"upd_{request_id}_{field}"] = (
            value if field in ("status", "response_on") else (value or ""))
    st.session_state.setdefault("shown_version", {})[request_id] = int(row["version"])
    st.session_state.pop("register_conflict", None)


def update_request(requests: pd.DataFrame) -> None:
    """A form to record the LA's response, the status and the board's outcome."""
    st.subheader("Update a request", anchor=False)
    labels = {row.id: f"#{row.id} {row.la_name}: {row.status}" for row in
              requests.itertuples()}
    chosen = st.selectbox("Request", list(labels), format_func=labels.get, key="edit_id")
    row = requests.set_index("id").loc[chosen]
    if f"upd_{chosen}_status" not in st.session_state:
        load_into_form(chosen, row)
    key = f"upd_{chosen}_"
    with st.form(f"update_{chosen}"):
        status, received = st.columns(2)
        status.selectbox("Status", STATUSES, key=key + "status")
        received.date_input("Response received", key=key + "response_on", format="DD/MM/YYYY")
        st.text_area("LA's response", key=key + "response")
        outcome, actions = st.columns(2)
        outcome.text_area("Consensus outcome", key=key + "outcome")
        actions.text_area("Actions agreed", key=key + "actions")
        changed_by = st.text_input("Your name", placeholder="Who is making this change")
        if st.form_submit_button("Save changes", type="primary"):
            save(chosen, changed_by)
    if st.session_state.get("register_conflict") == chosen:
        st.button("Discard my edits and show the latest version", on_click=load_into_form,
                  args=(chosen, row))
    with st.expander(f"History of request #{chosen}"):
        history = live.register_history(chosen)
        history = history.assign(field=history["field"].map(lambda f: FIELD_WORDS.get(f, f)))
        frame.table(history, "register-history", "history", part=f"request-{chosen}",
                    column_config=HISTORY_LABELS)


def save(request_id: int, changed_by: str) -> None:
    """Save the form against the version it showed; a conflict keeps the user's edits."""
    shown = st.session_state["shown_version"][request_id]
    values = {field: st.session_state[f"upd_{request_id}_{field}"] for field in FIELDS}
    try:
        version = live.register_update(request_id, shown, changed_by, **values)
    except ConflictError as exc:
        st.session_state.register_conflict = request_id
        st.error(f"{exc} Your edits are still in the form.", icon=":material/sync_problem:")
    except UserInputError as exc:
        st.error(str(exc))
    else:
        st.session_state.shown_version[request_id] = version
        flash(f"Saved: request #{request_id} is now at version {version}.")


def flash(message: str) -> None:
    """Show a success message after the rerun that refreshes the register and the list."""
    st.session_state.register_flash = message
    st.rerun()
