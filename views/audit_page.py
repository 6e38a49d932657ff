"""Audit trail: who did what and when (sign-ins, imports, exports and downloads, board
packs, caps, register, RCC membership and provider offers), for analysts. The trail is
read live on every run (``cached_audit``), filtered by who, action and days, and is the
table ``python -m data export audit`` writes."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

import cached_audit
from data.audit import ACTIONS
from views import frame

#: The filter's choices: every action, or one (shown in words).
ANY = ""
ACTION_WORDS = {ANY: "Any action", **ACTIONS}
#: The days shown when the page opens: the last four weeks.
DEFAULT_DAYS = 28
HEADINGS = {"at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss"),
            "who": st.column_config.TextColumn("Who", width="medium"),
            "role": st.column_config.TextColumn("Role", width="small"),
            "action": st.column_config.TextColumn("Action", width="small"),
            "detail": st.column_config.TextColumn("What was done", width="large")}


def chosen_days(days) -> tuple[date | None, date | None]:
    """The first and last day chosen (the last is missing while the reader is still
    picking it, and both when the field is cleared)."""
    days = tuple(days or ())
    return (days + (None, None))[:2]


def days_words(since: date | None, until: date | None) -> str:
    """'from 4 November 2026 to 2 December 2026' (either end may be missing)."""
    ends = [f"{word} {day.day} {day:%B %Y}" for word, day in (("from", since), ("to", until))
            if day]
    return " ".join(ends) or "on every day"


st.title("Audit trail")
st.markdown(
    "Every sign-in (and refused sign-in), import, export and download of a table, board "
    "pack, cap, change to the explanations register, to RCC membership or to provider "
    "offers adds one row here: when, who, their role and what was done. **Rows are only "
    "ever added**: the store itself (a trigger on the table) refuses to change or delete "
    "a row, whether this app or SQL run on the database asks it to.")

who_column, action_column, days_column = st.columns([2.5, 3, 4.5])
who = who_column.text_input("Who", placeholder="Part of a name or email",
                            key="audit_who").strip()
action = action_column.selectbox("Action", list(ACTION_WORDS), format_func=ACTION_WORDS.get,
                                 key="audit_action")
today = date.today()
since, until = chosen_days(days_column.date_input(
    "Days", (today - timedelta(days=DEFAULT_DAYS), today), max_value=today, key="audit_days",
    format="DD/MM/YYYY", help="The first and the last day to show (both included)."))

events = cached_audit.events(who, action, since, until)
st.caption(f"{len(events):,} event{'s' if len(events) != 1 else ''} {days_words(since, until)}"
           ", newest first (times by the server's clock).")
if events.empty:
    st.markdown("Nothing was recorded with these filters.")
else:
    frame.table(events, "audit", "audit trail", part=action or None, column_config=HEADINGS)
st.caption("The same table from the command line: `python -m data export audit` with "
           "`--who NAME`, `--action ACTION` and `--since YYYY-MM-DD` to filter it.")
