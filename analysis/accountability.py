"""Which LAs owe the board an explanation, and why, in one plain-English sentence.

The rule, with defaults the board can change (the settings are stored with each
request in the register):

1. the rate is above the upper 99.8% control limit; or
2. the rate is above the upper 95% limit and the trend over the last N years (default
   5) is a significant rise; or
3. the rate rose significantly year on year for the last 3 years in a row.

CLA rates are overdispersed: against exact Poisson limits dozens of LAs fall outside,
which tells a board nothing. So by default ('auto') the overdispersion-adjusted limits
are used whenever tau^2 > 0, and the exact limits only when the data are not
overdispersed. The page shows how many LAs each variant of the rule would flag.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

LIMITS = ("auto", "adjusted", "exact")
TARGETS = ("england", "rcc")


@dataclass(frozen=True)
class RuleSettings:
    """The flag rule's settings; validated so a bad link or form cannot produce nonsense."""

    limits: str = "auto"
    target: str = "england"
    trend_years: int = 5
    alpha: float = 0.05
    above_998: bool = True
    above_95_and_rising: bool = True
    rising_years: int = 3

    def __post_init__(self):
        if self.limits not in LIMITS:
            raise ValueError(f"limits must be one of {', '.join(LIMITS)}")
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {', '.join(TARGETS)}")
        if not 3 <= self.trend_years <= 10:
            raise ValueError("the trend needs 3 to 10 years")
        if not 0 < self.alpha < 0.5:
            raise ValueError("the significance level must be between 0 and 0.5")
        if not 0 <= self.rising_years <= 5:
            raise ValueError("years in a row must be 0 (off) to 5")

    def as_dict(self) -> dict:
        """The settings as stored with a decision in the register."""
        return asdict(self)

    def limits_used(self, overdispersed: bool) -> str:
        """'adjusted' or 'exact': what 'auto' resolves to for these data."""
        if self.limits == "auto":
            return "adjusted" if overdispersed else "exact"
        return self.limits


def limit_columns(kind: str) -> tuple[str, str]:
    """The (95%, 99.8%) upper-limit columns for exact or adjusted limits."""
    prefix = "funnel_adj_upper" if kind == "adjusted" else "funnel_upper"
    return f"{prefix}_95", f"{prefix}_998"


def branches(table: pd.DataFrame, settings: RuleSettings, kind: str) -> pd.DataFrame:
    """Which branch of the rule each LA meets (three boolean columns), for ``kind`` limits."""
    upper_95, upper_998 = limit_columns(kind)
    rate = table["rate_per_10k_exact"]
    rising = table["trend_direction"] == "rising"
    return pd.DataFrame({
        "above_998": settings.above_998 & (rate > table[upper_998]),
        "above_95_and_rising": settings.above_95_and_rising & (rate > table[upper_95]) & rising,
        "rising_in_a_row": (settings.rising_years > 0)
        & (table["rising_streak"] >= max(settings.rising_years, 1)),
    }, index=table.index)


def assess(table: pd.DataFrame, settings: RuleSettings, overdispersed: bool,
           target_name: str) -> pd.DataFrame:
    """Add flag, the branches met and the one-sentence reason to a funnel/trend table."""
    kind = settings.limits_used(overdispersed)
    met = branches(table, settings, kind)
    out = table.join(met)
    out["limits_used"] = kind
    out["flag"] = met.any(axis=1)
    out["flag_reason"] = [reason(row, settings, target_name) if row.flag else ""
                          for row in out.itertuples()]
    return out


def reason(row, settings: RuleSettings, target_name: str) -> str:
    """E.g. 'Rate 112 per 10,000 against 67 for England; above the 99.8% limit and up 18%
    since 2021.'"""
    parts = []
    if row.above_998:
        parts.append("above the 99.8% limit")
    elif row.above_95_and_rising:
        parts.append(f"above the 95% limit, rising significantly "
                     f"({row.trend_pct_per_year:+.1f}% a year)")
    if row.rising_in_a_row:
        parts.append(f"up significantly {int(row.rising_streak)} years in a row")
    change = row.change_since_pct
    since = int(row.year) - settings.trend_years + 1
    if not np.isnan(change):
        parts.append(f"{'up' if change >= 0 else 'down'} {abs(change):.0f}% since {since}")
    return (f"Rate {row.rate_per_10k:.0f} per 10,000 against {row.target_rate_per_10k:.0f} "
            f"for {target_name}; " + " and ".join(join_commas(parts)) + ".")


def join_commas(parts: list[str]) -> list[str]:
    """All but the last two parts joined by commas, so ' and ' appears once at the end."""
    if len(parts) <= 2:
        return parts
    return [", ".join(parts[:-1]), parts[-1]]


def variant_counts(table: pd.DataFrame, settings: RuleSettings) -> pd.DataFrame:
    """How many LAs each variant of the rule flags: exact vs adjusted limits, by branch."""
    rows = []
    everything = RuleSettings(**{**asdict(settings), "above_998": True,
                                 "above_95_and_rising": True,
                                 "rising_years": settings.rising_years or 3})
    for kind in ("exact", "adjusted"):
        met = branches(table, everything, kind)
        rows.append({"limits": kind, "above_998": int(met["above_998"].sum()),
                     "above_95_and_rising": int(met["above_95_and_rising"].sum()),
                     "rising_in_a_row": int(met["rising_in_a_row"].sum()),
                     "any_branch": int(met.any(axis=1).sum())})
    return pd.DataFrame(rows)


def quartile_and_rank(rates: pd.Series) -> pd.DataFrame:
    """Quartile band (1 lowest to 4 highest) and rank (1 = highest rate) among LAs."""
    rank = rates.rank(ascending=False, method="min")
    band = pd.qcut(rates.rank(method="first"), 4, labels=[1, 2, 3, 4])
    return pd.DataFrame({"quartile": band.astype("Int64"), "rank": rank.astype("Int64")},
                        index=rates.index)
