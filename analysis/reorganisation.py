"""Local-government reorganisation: how series cross a change of LA code.

The rule:
- A *rename* (same area, new code: North Yorkshire, Somerset, Buckinghamshire) carries
  the history over: loaders map the old code to the new one.
- A *split* or *merger* (Northamptonshire, Cumbria; Bournemouth, Poole and Dorset) keeps
  the old LA as a historic entity with its own series. A successor's series starts in
  the year of the change, and charts mark the break. Nothing is apportioned.
- An aggregate (region, RCC, England) includes a historic LA only when all of its
  successors are in the aggregate, so the area covered is the same either side of the
  change; otherwise its series starts after the change.
"""

from __future__ import annotations

import pandas as pd

BREAKING = ("split", "merger")


def predecessors(changes: pd.DataFrame, code: str) -> pd.DataFrame:
    """The splits and mergers that created LA ``code`` (empty for a rename or no change)."""
    return changes[(changes["new_code"] == code) & changes["change"].isin(BREAKING)]


def contained_predecessors(changes: pd.DataFrame, members: set[str]) -> set[str]:
    """Historic LAs whose successors all lie inside ``members``, so they belong to its series."""
    breaking = changes[changes["change"].isin(BREAKING)]
    successors = breaking.groupby("old_code")["new_code"].agg(set)
    return {old for old, new in successors.items() if new <= members}


def break_years(changes: pd.DataFrame, codes: set[str]) -> dict[int, str]:
    """Years where any LA in ``codes`` was created by a split or merger, with a short reason."""
    breaking = changes[changes["new_code"].isin(codes) & changes["change"].isin(BREAKING)]
    return {int(year): f"{', '.join(sorted(set(rows['old_name'])))} reorganised"
            for year, rows in breaking.groupby("effective_year")}
