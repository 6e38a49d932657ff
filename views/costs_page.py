"""Costs: what councils spend on children in care, what a week of care costs, what
placements are charged and how much of a fee is the provider's surplus, whether a high
fee reflects a child's needs, and what placements will cost in the years ahead.

Published figures (MHCLG RO3, DfE S251 via LAIT, the published benchmarks) come first;
case-level fees follow, every count and statistic through the fee disclosure family
(``analysis/fee_family.py``). Each part is a panel module; this page lays them out, one
part at a time (``?view=``), so a link opens the part it names and only that part is
worked out and sent to the browser."""

from __future__ import annotations

import streamlit as st

import cached
from analysis import access
from views import (cap_panel, fee_model_panel, fee_spread_panel, frame, links,
                   own_homes_panel, projected_spend_panel, spend_panel)

#: The page's parts in the order a board reads them: the link's ``view`` value -> the name
#: the page shows.
VIEWS = {"spend": "What councils spend", "unit-costs": "A week of care",
         "cap": "Fees and the cap", "spread": "How fees vary",
         "need": "Price that is not need", "ahead": "Spend ahead"}
PANELS = {"spend": spend_panel.render, "unit-costs": spend_panel.render_unit_costs,
          "cap": cap_panel.render, "spread": fee_spread_panel.render,
          "need": fee_model_panel.render, "ahead": projected_spend_panel.render,
          "own": own_homes_panel.render}
#: The part only a provider (its own homes) and analysts (any provider's) are offered.
OWN_VIEW = {"own": "Your homes"}
DEFAULT_VIEW = "spend"


def views_for(viewer: access.Viewer) -> dict[str, str]:
    """The parts offered to ``viewer``: *Your homes* only to those who may see a
    provider's own placements."""
    return {**VIEWS, **OWN_VIEW} if access.may(viewer, access.OWN) else VIEWS


filters = frame.current()

st.title(f"Costs: {filters.title}")
st.markdown("What councils spend on children in care and what a week of care costs "
            "(published figures), then what placements are charged: how much of each fee "
            "is the provider's surplus, which fees are above the board's cap, whether high "
            "fees reflect children's needs, and spending in the years ahead. Money is in "
            "cash terms unless a chart says otherwise.")
PANELS[links.chosen_view(views_for(cached.viewer()), DEFAULT_VIEW, "costs_view")](filters)
