"""A provider's own homes: its current paid placements, each with the weekly fee, the
fee's parts and the surplus inside it. A provider sees these for its own homes only (kind
``access.OWN``): they are its own invoices, so no disclosure control applies, and no other
provider's row is ever in the table.

Rows come from the fee frame (``data.fee_frame``: placements open at the records' last day
with a fee), so the fees are the ones every Costs page table counts.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from analysis.disclosure import label_if_synthetic
from data import fee_frame as fee_rows
from data.errors import UserInputError

#: The columns, in the order shown: who placed the child and where, the placement, the
#: child's age band and needs cohort, then the money (GBP a week, cash terms).
COLUMNS = ["la_code", "rcc_name", "placement_la", "placement_type", "placement",
           "start_date", "age_band", "cohort", "weekly_fee", *fee_rows.FEE_PARTS,
           "surplus_pct", "surplus_per_week", "is_synthetic"]


def own_placements(engine: Engine, provider_id: str | None,
                   frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The provider's current paid placements (``COLUMNS``), newest first: from ``frame``
    (the fee frame, when the caller already holds it) or the store. ``surplus_per_week``
    is the part of the fee above the operating cost (``fee_frame``'s definition)."""
    if not provider_id:
        raise UserInputError("Say which provider: --provider ID (a provider's own account "
                             "needs none).")
    frame = fee_rows.fee_frame(engine) if frame is None else frame
    rows = frame[frame["provider_id"] == provider_id]
    surplus = rows["weekly_fee"] - rows["weekly_fee"] / (1 + rows["surplus_pct"] / 100)
    out = rows.assign(surplus_per_week=surplus.round(2)).sort_values(
        ["start_date", "weekly_fee"], ascending=False)[COLUMNS].reset_index(drop=True)
    out.attrs = {}  # not the fee frame's (its day is a Timestamp, which Streamlit cannot send)
    return label_if_synthetic(out, bool(out["is_synthetic"].any()))


def providers(frame: pd.DataFrame) -> list[str]:
    """Every provider with a current paid placement, for an analyst to choose one."""
    return sorted(frame["provider_id"].dropna().unique())
