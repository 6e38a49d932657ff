"""The scope a page is filtered to: England, one RCC, one region or one LA.

A scope is chosen in the sidebar and carried in the URL, so every view can be shared.
This module only resolves a scope to its member LAs and a title; it never reads data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

KINDS = ("england", "rcc", "region", "la")
KIND_LABELS = {"england": "England", "rcc": "RCC", "region": "Region", "la": "Local authority"}


@dataclass(frozen=True)
class Scope:
    """A kind (england, rcc, region, la) and, except for England, the code or id chosen."""

    kind: str = "england"
    code: str | None = None

    def members(self, las: pd.DataFrame) -> pd.DataFrame:
        """The current LAs in this scope (``las`` has code, region_code and rcc_id)."""
        column = {"rcc": "rcc_id", "region": "region_code", "la": "code"}.get(self.kind)
        return las if column is None else las[las[column] == self.code]

    def title(self, las: pd.DataFrame, rccs: pd.DataFrame, regions: pd.DataFrame) -> str:
        """A plain-English name for the scope, e.g. 'Greater Manchester RCC'."""
        if self.kind == "england":
            return "England"
        table, suffix = {"rcc": (rccs.set_index("id")["name"], " RCC"),
                         "region": (regions.set_index("code")["name"], " region"),
                         "la": (las.set_index("code")["name"], "")}[self.kind]
        return f"{table.get(self.code, self.code)}{suffix}"
