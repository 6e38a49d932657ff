"""How weekly fees vary: distributions by sector, provider size, placement group and needs
cohort, and whether placements outside the LA or the RCC cost more than those inside it
for children of the same needs cohort.

Everything here works on a *fee frame* (``data.fee_frame``: one row per current paid
placement with its weekly fee, in GBP a week, cash terms) already cut to one area, and is
gated by that area's fee disclosure family (``analysis.fee_family``; anything with
``shown_count(area, breakdown, value)`` and ``may_describe(area, breakdown, value)``):
a count is shown as the family shows it ("c" where protected), and no statistic is given
for a cell the family does not let us describe (fewer than 5 placements, or hidden so it
cannot be recovered). The gate is an argument, never built here: suppression is decided
once, jointly, for every table the product shows.

"Out of area costs more" is tested, not asserted: within each cohort the typical fee
outside is compared with the typical fee inside by Welch's t on log fees (so the
difference is a percentage, and skewed fees do not let a few very dear placements decide
it), with a 95% interval; then one regression over the cohorts (log fee on outside,
cohort and placement group, heteroscedasticity-robust HC3 errors) gives a single
cohort-adjusted answer with its interval.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from analysis.scope import Scope

#: The fee frame's breakdowns the distribution table covers, in the page's order.
BREAKDOWNS = ("all", "sector", "provider_size", "placement", "cohort")
#: Each breakdown's values in reading order (values not listed follow, sorted).
ORDER = {
    "sector": ["Private", "Voluntary", "Local authority", "Health authority", "Not recorded"],
    "provider_size": ["1-9 placements", "10-49 placements", "50 or more placements",
                      "Not recorded"],
    "placement": ["fostering", "children's homes", "supported accommodation",
                  "other placements"],
}
#: The boundaries an inside/outside comparison can be made against: the fee frame's column
#: and the family's breakdown.
BOUNDARIES = {"la": ("inside_la", "cohort_inside_la"), "rcc": ("inside_rcc", "cohort_inside_rcc")}
BOUNDARY_WORDS = {"la": "their LA", "rcc": "their RCC"}
#: Fewest known distances an average distance is given for (as for any statistic).
MIN_ROWS = 5
LEVEL = 0.95


class Gate(Protocol):
    """What the fee disclosure family answers (``analysis.fee_family``)."""

    def shown_count(self, area: Scope, breakdown: str, value) -> int | str: ...

    def may_describe(self, area: Scope, breakdown: str, value) -> bool: ...


# --- distributions -------------------------------------------------------------------------

def fee_distribution(frame: pd.DataFrame, area: Scope, gate: Gate,
                     breakdowns: tuple[str, ...] = BREAKDOWNS) -> pd.DataFrame:
    """One row per breakdown value present in ``frame``: breakdown, value, placements (as
    the family shows it), median, lower and upper quartile and mean weekly fee (GBP, cash
    terms), the four figures blank where the family does not let the cell be described."""
    rows = [distribution_row(fees, area, gate, breakdown, value)
            for breakdown in breakdowns for value, fees in groups(frame, breakdown)]
    return pd.DataFrame(rows, columns=["breakdown", "value", "placements", "median",
                                       "lower_quartile", "upper_quartile", "mean"])


def groups(frame: pd.DataFrame, breakdown: str) -> list[tuple[str, pd.Series]]:
    """Each value of a breakdown with its placements' weekly fees, in reading order."""
    if breakdown == "all":
        return [("all", frame["weekly_fee"])] if len(frame) else []
    by = dict(list(frame.groupby(breakdown, sort=False)["weekly_fee"]))
    return [(value, by[value]) for value in ordered(breakdown, by)]


def ordered(breakdown: str, values) -> list:
    """``values`` in the breakdown's reading order."""
    known = [value for value in ORDER.get(breakdown, []) if value in values]
    return known + sorted(set(values) - set(known), key=str)


def distribution_row(fees: pd.Series, area: Scope, gate: Gate, breakdown: str,
                     value) -> dict:
    """One value's row: the shown count and, if it may be described, the fee statistics."""
    row = {"breakdown": breakdown, "value": value,
           "placements": gate.shown_count(area, breakdown, value)}
    if gate.may_describe(area, breakdown, value):
        quartiles = fees.quantile([0.5, 0.25, 0.75]).to_numpy()
        row.update(median=quartiles[0], lower_quartile=quartiles[1],
                   upper_quartile=quartiles[2], mean=fees.mean())
    return row


def distribution_sentences(table: pd.DataFrame) -> list[str]:
    """Plain words, short enough to read first: the typical fee overall and the dearest and
    cheapest described placement type and provider sector (the chart gives the rest)."""
    lines = []
    overall = table[(table["breakdown"] == "all") & table["median"].notna()]
    if not overall.empty:
        row = overall.iloc[0]
        lines.append(f"Half of placements cost more than {money(row['median'])} a week and "
                     f"half less; the middle half cost between {money(row['lower_quartile'])} "
                     f"and {money(row['upper_quartile'])}.")
    for breakdown, words in (("placement", "placement type"), ("sector", "provider sector")):
        described = table[(table["breakdown"] == breakdown) & table["median"].notna()]
        if len(described) >= 2:
            dear, cheap = described.loc[described["median"].idxmax()], \
                described.loc[described["median"].idxmin()]
            lines.append(f"By {words}, the typical fee is highest for "
                         f"{value_words(breakdown, dear['value'])} ({money(dear['median'])}) "
                         f"and lowest for {value_words(breakdown, cheap['value'])} "
                         f"({money(cheap['median'])}).")
    return lines


def value_words(breakdown: str, value) -> str:
    """A breakdown value as a sentence names it: 'providers with 1-9 placements',
    'private providers', 'the Complex needs cohort'."""
    if breakdown == "provider_size" and str(value)[0].isdigit():
        return f"providers with {value}"
    if breakdown == "sector" and value != "Not recorded":
        return f"{str(value).lower()} providers"
    if breakdown == "cohort":
        return f"the {value} cohort" if value != "Not assessed" else "children not assessed"
    return str(value)


def money(amount: float) -> str:
    """GBP to the pound: '£4,120'."""
    return f"£{amount:,.0f}"


# --- inside or outside ---------------------------------------------------------------------

def inside_outside(frame: pd.DataFrame, area: Scope, gate: Gate, boundary: str) -> pd.DataFrame:
    """Within each needs cohort, placements inside versus outside the placing LA's
    ``boundary`` ("la" or "rcc"): the shown counts, average weekly fee and distance
    (miles) of each, and how much more (%) the typical fee outside is, with its 95%
    interval (Welch's t on log fee). Figures only for cohorts where the family lets both
    the inside and the outside cell be described; placements whose side is unknown are
    left out."""
    column, breakdown = BOUNDARIES[boundary]
    known = frame[frame[column].notna()]
    rows = []
    for cohort in ordered("cohort", set(known["cohort"])):
        rows.append(cohort_comparison(known[known["cohort"] == cohort], column, cohort,
                                      area, gate, breakdown))
    return pd.DataFrame(rows, columns=["cohort", "inside_placements", "outside_placements",
                                       "inside_mean_fee", "outside_mean_fee",
                                       "outside_more_pct", "outside_more_lower_pct",
                                       "outside_more_upper_pct", "inside_mean_miles",
                                       "outside_mean_miles", "miles_difference",
                                       "miles_difference_lower", "miles_difference_upper"])


def cohort_comparison(rows: pd.DataFrame, column: str, cohort: str, area: Scope, gate: Gate,
                      breakdown: str) -> dict:
    """One cohort's comparison row (see ``inside_outside``)."""
    inside = rows[rows[column].astype(bool)]
    outside = rows[~rows[column].astype(bool)]
    row = {"cohort": cohort,
           "inside_placements": gate.shown_count(area, breakdown, (cohort, "inside")),
           "outside_placements": gate.shown_count(area, breakdown, (cohort, "outside"))}
    if not (gate.may_describe(area, breakdown, (cohort, "inside"))
            and gate.may_describe(area, breakdown, (cohort, "outside"))):
        return row
    pct, low, high = log_ratio(outside["weekly_fee"], inside["weekly_fee"])
    row.update(inside_mean_fee=inside["weekly_fee"].mean(),
               outside_mean_fee=outside["weekly_fee"].mean(), outside_more_pct=pct,
               outside_more_lower_pct=low, outside_more_upper_pct=high)
    near, far = inside["distance_miles"].dropna(), outside["distance_miles"].dropna()
    if len(near) >= MIN_ROWS and len(far) >= MIN_ROWS:
        row.update(inside_mean_miles=near.mean(), outside_mean_miles=far.mean())
        row.update(zip(("miles_difference", "miles_difference_lower", "miles_difference_upper"),
                       welch(far, near)))
    return row


def welch(a: pd.Series, b: pd.Series) -> tuple[float, float, float]:
    """Mean of ``a`` less mean of ``b`` with its 95% interval (Welch's t: the two groups'
    spreads need not be equal). Identical constant groups give a zero-width interval."""
    difference = float(a.mean() - b.mean())
    if a.var() == 0 and b.var() == 0:
        return difference, difference, difference
    interval = stats.ttest_ind(a, b, equal_var=False).confidence_interval(LEVEL)
    return difference, float(interval.low), float(interval.high)


def log_ratio(a: pd.Series, b: pd.Series) -> tuple[float, float, float]:
    """How much higher (%) the typical (geometric mean) of ``a`` is than of ``b``, with
    its 95% interval: Welch's t on the logs, turned back into a percentage."""
    return tuple(100 * np.expm1(x) for x in welch(np.log(a), np.log(b)))


def adjusted_inside_outside(frame: pd.DataFrame, comparison: pd.DataFrame,
                            boundary: str) -> dict | None:
    """One answer over the cohorts: how much more (%) a placement outside the boundary
    costs than one inside for a child of the same cohort and placement group, with its
    95% interval and p-value (OLS of log fee on outside, cohort and placement group, HC3
    errors). Only the cohorts ``comparison`` (``inside_outside``) describes are used, so
    nothing rests on a cell the family hides; None if there are none."""
    column = BOUNDARIES[boundary][0]
    cohorts = comparison.loc[comparison["outside_more_pct"].notna(), "cohort"]
    rows = frame[frame[column].notna() & frame["cohort"].isin(cohorts)]
    if rows.empty:
        return None
    data = pd.DataFrame({"log_fee": np.log(rows["weekly_fee"].to_numpy()),
                         "outside": (~rows[column].astype(bool)).astype(float).to_numpy(),
                         "cohort": rows["cohort"].to_numpy(),
                         "placement": rows["placement"].to_numpy()})
    terms = ["outside"] + [f"C({name})" for name in ("cohort", "placement")
                           if data[name].nunique() > 1]
    fit = smf.ols("log_fee ~ " + " + ".join(terms), data).fit(cov_type="HC3")
    low, high = fit.conf_int(1 - LEVEL).loc["outside"]
    return {"boundary": boundary, "outside_more_pct": 100 * np.expm1(fit.params["outside"]),
            "lower_pct": 100 * np.expm1(low), "upper_pct": 100 * np.expm1(high),
            "p_value": float(fit.pvalues["outside"]), "cohorts": int(len(cohorts)),
            "placements": int(len(rows))}


def inside_outside_sentences(comparison: pd.DataFrame, adjusted: dict | None,
                             boundary: str) -> list[str]:
    """Plain words: the cohort-adjusted answer first, then how many cohorts show a
    difference the data can tell apart from none (an interval that leaves out zero)."""
    where = BOUNDARY_WORDS[boundary]
    if adjusted is None:
        return [f"Too few placements inside and outside {where} in any one needs cohort to "
                f"compare fees here."]
    described = comparison[comparison["outside_more_pct"].notna()]
    higher = int((described["outside_more_lower_pct"] > 0).sum())
    lower = int((described["outside_more_upper_pct"] < 0).sum())
    return [adjusted_sentence(adjusted, where),
            f"Cohort by cohort (any placement type), the typical fee outside {where} is "
            f"clearly higher in {higher} of the {len(described)} cohorts described and "
            f"clearly lower in {lower}; the table gives each."]


def adjusted_sentence(adjusted: dict, where: str) -> str:
    """The cohort-adjusted answer in words, saying whether the data can tell it from none."""
    pct, low, high = adjusted["outside_more_pct"], adjusted["lower_pct"], adjusted["upper_pct"]
    interval = interval_words(low, high)
    if low <= 0 <= high:
        return (f"For children in the same needs cohort and placement type, placements outside "
                f"{where} cost about the same as those inside: the data cannot tell a "
                f"difference from none ({signed(pct)}, {interval}).")
    return (f"For children in the same needs cohort and placement type, placements outside "
            f"{where} cost {change_words(pct)} than those inside ({interval}).")


def signed(pct: float) -> str:
    """A % to the whole number with its sign, never '-0%': '+4%', '-2%', '+0%'."""
    return f"{int(round(pct)) + 0:+d}%"


def interval_words(low: float, high: float) -> str:
    """'95% interval -1% to +4%'."""
    return f"95% interval {signed(low)} to {signed(high)}"


def change_words(pct: float) -> str:
    """'about 12% more' or 'about 8% less'."""
    return f"about {abs(pct):.0f}% {'more' if pct >= 0 else 'less'}"
