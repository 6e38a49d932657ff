"""Costs, *Your homes*: a provider's own current paid placements, each with its weekly fee,
the fee's parts and the surplus in it. Offered to providers (their own homes) and analysts
(any provider, chosen here); nobody else sees the choice (``costs_page.views_for``)."""

from __future__ import annotations

import streamlit as st

import cached
import cached_own
from views import frame

COLUMNS = {"la_code": "Placed by (LA code)", "rcc_name": "Placing LA's RCC",
           "placement_la": "Home's LA", "placement_type": "Placement type (SSDA903)",
           "placement": "Placement", "start_date": "Started", "age_band": "Child's age",
           "cohort": "Needs cohort", "weekly_fee": "Weekly fee (£)", "core": "Core care (£)",
           "extra_staffing": "Extra staffing (£)", "education": "Education (£)",
           "therapy": "Therapy (£)", "surplus_pct": "Surplus, % of operating cost",
           "surplus_per_week": "Surplus a week (£)", "is_synthetic": None}


def render(filters: frame.Filters) -> None:
    """The provider's placements: a sentence with the totals, then the table."""
    st.subheader("Your homes: placements and fees", anchor=False)
    provider = chosen_provider()
    if provider is None:
        return
    rows = cached_own.own_placements(provider)
    if rows.empty:
        st.markdown(f"No current paid placements with {provider} in the records held.")
        return
    st.markdown(summary(rows, provider, cached.viewer().role == "provider"))
    frame.table(rows, "own-placements", "your placements", part=provider,
                column_config=COLUMNS)
    st.caption("Placements open at the records' last day with a weekly fee, cash terms. "
               "Only you (and the analysts) see this table: it is your own homes' fees, "
               "placement by placement.")


def chosen_provider() -> str | None:
    """A provider's own id; an analyst chooses any provider."""
    viewer = cached.viewer()
    if viewer.role == "provider":
        return viewer.provider
    ids = cached_own.provider_ids()
    if not ids:
        st.markdown("No placements with a weekly fee are held.")
        return None
    return st.selectbox("Provider", ids, key="own_provider")


def summary(rows, provider: str, own: bool) -> str:
    """One sentence: how many placements, the weekly total and the typical surplus (to a
    provider, of "your homes")."""
    count = len(rows)
    total = rows["weekly_fee"].sum()
    surplus = rows["surplus_pct"].median()
    declared = "" if surplus != surplus else (  # NaN: no surplus declared
        f"; the median surplus declared is {surplus:.1f}% of operating cost")
    who = "Your homes have" if own else f"**{provider}** has"
    return (f"{who} {count:,} current paid placement{'s' if count != 1 else ''}, "
            f"charged £{total:,.0f} a week in all{declared}.")
