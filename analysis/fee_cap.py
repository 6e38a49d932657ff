"""The board's cap on providers' surplus, applied to placement fees: which placements are
above it, by how much a week and a year, and what a typical fee is made of.

The definition (the fee frame's, ``data.fee_frame``): a provider declares its surplus /
reinvestment as a % of its operating cost, so a weekly fee is operating cost x
(1 + surplus/100). A cap of c% allows operating cost x (1 + c/100); what a placement is
charged beyond that is its amount above the cap. Placements whose provider declared no
surplus (Placements v2 imports give only the fee) are "not declared": neither above nor
within, and never counted as within.

The amount above per year assumes each placement's fee was the same for the whole
placement (the records hold today's fee only): its weekly amount above the cap times the
weeks it was open in each financial year (to 31 March), from its start to the records'
last day.

Pure: pandas and numpy only. Statistics are gated by a predicate the caller passes (the
fee disclosure family's ``may_describe``), so nothing here decides disclosure.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

ABOVE, WITHIN, NOT_DECLARED = "above", "within", "not declared"
STATUSES = (ABOVE, WITHIN, NOT_DECLARED)
PARTS = ("core", "extra_staffing", "education", "therapy")
PART_LABELS = {"core": "Core care", "extra_staffing": "Extra staffing",
               "education": "Education", "therapy": "Therapy",
               "surplus": "Surplus / reinvestment"}
MINIMUM = 5  # no statistic on fewer placements than this
#: The cap the figures use until the board sets one: one fixed reference, never a figure a
#: viewer picks. Counts above and within a cap are protected for one cap at a time; two
#: caps' counts side by side would give away, by subtraction, the placements between them.
REFERENCE_CAP = 10.0


def operating_cost(frame: pd.DataFrame) -> pd.Series:
    """Each placement's weekly operating cost: the fee less the declared surplus (NaN
    where no surplus is declared)."""
    return frame["weekly_fee"] / (1 + frame["surplus_pct"] / 100)


def cap_status(frame: pd.DataFrame, cap_percent: float) -> pd.Series:
    """"above", "within" or "not declared" for each placement against a cap of
    ``cap_percent``% above operating cost."""
    above = weekly_above(frame, cap_percent)
    status = np.where(above.isna(), NOT_DECLARED, np.where(above > 0, ABOVE, WITHIN))
    return pd.Series(status, index=frame.index, name="cap_status")


def weekly_above(frame: pd.DataFrame, cap_percent: float) -> pd.Series:
    """Each placement's weekly amount above the cap: the fee less the fee at the cap, never
    below 0; NaN where no surplus is declared. Compared in pennies, so a surplus equal to
    the cap is within it whatever the float rounding."""
    at_cap = operating_cost(frame) * (1 + cap_percent / 100)
    above = (frame["weekly_fee"] - at_cap).round(2).clip(lower=0)
    return above.where(frame["surplus_pct"].notna() & frame["weekly_fee"].notna())


def with_cap(frame: pd.DataFrame, cap_percent: float) -> pd.DataFrame:
    """The fee frame with operating cost, fee at the cap, weekly amount above and status."""
    operating = operating_cost(frame)
    return frame.assign(operating=operating, fee_at_cap=operating * (1 + cap_percent / 100),
                        weekly_above=weekly_above(frame, cap_percent),
                        cap_status=cap_status(frame, cap_percent))


# --- the make-up of a fee ----------------------------------------------------------------------

def make_up(frame: pd.DataFrame, by: str = "placement",
            allowed: Callable[[object], bool] | None = None) -> pd.DataFrame:
    """The typical (mean) weekly fee of each ``by`` group split into its operating parts and
    the surplus inside it, over placements with every part and a surplus declared: one
    row per group (group, placements described, each part, surplus, fee). The surplus
    is taken out of the parts in proportion (the records do not say which part carries
    it), so the parts add up to operating cost and parts plus surplus to the fee.
    A group is described only when ``allowed(group)`` and at least MINIMUM placements
    lie behind the means; other groups are left out."""
    columns = ["group", "placements", *PARTS, "surplus", "fee"]
    known = frame.dropna(subset=["weekly_fee", "surplus_pct", *PARTS])
    known = known[known["weekly_fee"] > 0]
    if known.empty:
        return pd.DataFrame(columns=columns)
    share = operating_cost(known) / known["weekly_fee"]
    split = pd.DataFrame({part: known[part] * share for part in PARTS})
    split["surplus"] = known["weekly_fee"] - operating_cost(known)
    split["fee"] = known["weekly_fee"]
    grouped = split.groupby(known[by].to_numpy())
    table = grouped.mean().assign(placements=grouped.size())
    table = table.rename_axis("group").reset_index()
    keep = table["placements"] >= MINIMUM
    if allowed is not None:
        keep &= table["group"].map(allowed).astype(bool)
    return table.loc[keep, columns].reset_index(drop=True)


# --- the amount above the cap per year ---------------------------------------------------------

def financial_year(fy_end: int) -> str:
    """A financial year as people write it: 2025 -> "2024-25"."""
    return f"{fy_end - 1}-{fy_end % 100:02d}"


def weeks_by_year(start: pd.Series, as_at: pd.Timestamp) -> pd.DataFrame:
    """Weeks each placement was open in each financial year (1 April to 31 March), from
    its start date to ``as_at``, both days counted: one column per year's end (int),
    one row per placement."""
    start = pd.to_datetime(start).dt.normalize()
    as_at = pd.Timestamp(as_at).normalize()
    if start.empty:
        return pd.DataFrame(index=start.index)
    first = int(start.min().year + (start.min().month > 3))
    last = int(as_at.year + (as_at.month > 3))
    weeks = {}
    for fy_end in range(first, last + 1):
        begin = start.clip(lower=pd.Timestamp(fy_end - 1, 4, 1))
        end = min(as_at, pd.Timestamp(fy_end, 3, 31))
        weeks[fy_end] = ((end - begin).dt.days + 1).clip(lower=0) / 7
    return pd.DataFrame(weeks, index=start.index)


def above_by_year(frame: pd.DataFrame, cap_percent: float, as_at) -> pd.DataFrame:
    """The amount above the cap in each financial year for the placements in ``frame``:
    year (its 31 March), financial_year ("2024-25"), amount (£, cash terms). Each
    placement's weekly amount above times its weeks open in the year (fee assumed the
    same for the whole placement). Empty when nothing is above the cap."""
    columns = ["year", "financial_year", "amount"]
    above = weekly_above(frame, cap_percent)
    rows = frame[above > 0]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    weeks = weeks_by_year(rows["start_date"], as_at)
    amount = weeks.mul(above[rows.index], axis=0).sum()
    table = pd.DataFrame({"year": amount.index.astype(int), "amount": amount.to_numpy()})
    table = table[table["amount"] > 0]
    table.insert(1, "financial_year", table["year"].map(financial_year))
    return table[columns].reset_index(drop=True)


def above_by_provider(frame: pd.DataFrame, cap_percent: float, as_at) -> pd.DataFrame:
    """Placements above the cap by provider: provider_id, sector, placements, weekly
    amount above (sum, £) and the amount above in the records' last financial year."""
    columns = ["provider_id", "sector", "placements", "weekly_above", "year_above"]
    above = weekly_above(frame, cap_percent)
    rows = frame[(above > 0) & frame["provider_id"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    last = int(pd.Timestamp(as_at).year + (pd.Timestamp(as_at).month > 3))
    weeks = weeks_by_year(rows["start_date"], as_at).get(last, 0)
    parts = pd.DataFrame({"provider_id": rows["provider_id"], "sector": rows["sector"],
                          "weekly_above": above[rows.index],
                          "year_above": above[rows.index] * weeks})
    table = parts.groupby("provider_id").agg(
        sector=("sector", "first"), placements=("sector", "size"),
        weekly_above=("weekly_above", "sum"), year_above=("year_above", "sum"))
    return table.reset_index().sort_values(["weekly_above", "provider_id"],
                                           ascending=[False, True])[columns] \
        .reset_index(drop=True)


def summary(frame: pd.DataFrame, cap_percent: float) -> dict:
    """Counts for the words: placements by status, providers above, weekly amount above."""
    status = cap_status(frame, cap_percent)
    above = frame[status == ABOVE]
    return {"placements": len(frame), **{s: int((status == s).sum()) for s in STATUSES},
            "providers_above": int(above["provider_id"].dropna().nunique()),
            "weekly_above": float(weekly_above(above, cap_percent).sum())}
