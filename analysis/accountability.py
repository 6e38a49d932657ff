"""Which LAs owe the board an explanation, and why, in one plain-English sentence.

The rule, with defaults the board can change (the settings are stored with each
request in the register):

1. the rate is above the upper 99.8% control limit; or
2. the rate is above the upper 95% limit and the trend over the last N years (default
   5) is a significant rise; or
3. the rate rose in each of the last M years (default 3) and the N-year trend is a
   significant rise. Counts at 31 March are mostly the same children a year apart, so a
   run of year-on-year rises is not tested as if each were a fresh chance; the run says
   the rise is steady, the trend test that it is more than noise. This branch catches a
   steady climb while the rate is still inside the limits.

CLA rates are overdispersed: against exact Poisson limits dozens of LAs fall outside,
which tells a board nothing. So by default ('auto') the overdispersion-adjusted limits
are used when the chi-square test of overdispersion is significant at 5%, and the exact
limits otherwise. The page and the ``rule-variants`` export show how many LAs each branch
of the rule flags, with either kind of limit, in every year, so a branch that never fires
is visible.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.funnel import OVERDISPERSION_ALPHA
from analysis.trend import RISING

LIMITS = ("auto", "adjusted", "exact")
TARGETS = ("england", "rcc")
BRANCHES = ("above_998", "above_95_and_rising", "rising_in_a_row")


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
    """Branch 3: the rate rose in each of this many years (0 switches the branch off)."""

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
    rising = table["trend_direction"] == RISING
    return pd.DataFrame({
        "above_998": settings.above_998 & (rate > table[upper_998]),
        "above_95_and_rising": settings.above_95_and_rising & (rate > table[upper_95]) & rising,
        "rising_in_a_row": (settings.rising_years > 0) & rising
        & (table["years_rising"] >= settings.rising_years),
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
    trend_words = f"rising significantly ({row.trend_pct_per_year:+.1f}% a year)"
    if row.above_998:
        parts.append("above the 99.8% limit")
    elif row.above_95_and_rising:
        parts.append(f"above the 95% limit, {trend_words}")
    if row.rising_in_a_row:
        parts.append(f"up in each of the last {int(row.years_rising)} years"
                     + ("" if row.above_95_and_rising and not row.above_998
                        else f", {trend_words}"))
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
    """How many LAs each branch of the rule flags in one year's table, with exact and with
    adjusted limits; every branch is counted whether or not it is switched on (a branch
    switched off is counted at 3 years in a row)."""
    everything = RuleSettings(**{**asdict(settings), "above_998": True,
                                 "above_95_and_rising": True,
                                 "rising_years": settings.rising_years or 3})
    rows = []
    for kind in ("exact", "adjusted"):
        met = branches(table, everything, kind)
        rows.append({"year": int(table["year"].iloc[0]), "limits": kind,
                     **{branch: int(met[branch].sum()) for branch in BRANCHES},
                     "any_branch": int(met.any(axis=1).sum())})
    return pd.DataFrame(rows)


def variant_counts_by_year(tables: Iterable[pd.DataFrame],
                           settings: RuleSettings) -> pd.DataFrame:
    """``variant_counts`` for each year's table, stacked: a branch that flags no LA in any
    year is a dead setting, and shows as a column of zeros."""
    return pd.concat([variant_counts(table, settings) for table in tables],
                     ignore_index=True)


def in_words(settings: RuleSettings) -> str:
    """The rule as it stands with these settings, as a trustee would read it out."""
    branches_on = []
    if settings.above_998:
        branches_on.append("its rate is above the upper **99.8%** control limit")
    if settings.above_95_and_rising:
        branches_on.append("its rate is above the upper **95%** limit and has risen "
                           f"significantly over the last **{settings.trend_years} years**")
    if settings.rising_years:
        branches_on.append(f"its rate has gone up in **each of the last "
                           f"{settings.rising_years} years** and has risen significantly "
                           f"over the last {settings.trend_years} years")
    if not branches_on:
        return "Every part of the rule is switched off, so no LA is asked to explain itself."
    listed = "\n".join(f"- {branch}{'; or' if i < len(branches_on) - 1 else '.'}"
                        for i, branch in enumerate(branches_on))
    return ("An LA is asked to explain itself to the board if\n\n" + listed + "\n\n"
            "The control limits mark how far from the target line an LA's rate can be "
            "before it is unusual, allowing for chance and for its size. \"Risen "
            "significantly\" means the rise is larger than the usual ups and downs of that "
            f"LA's figures would explain (a {settings.alpha:.0%} test). The board can change "
            "these settings; they are stored with every request for an explanation.")


def spread_in_words(table: pd.DataFrame) -> str:
    """Why the rule uses the limits it does, in words that state phi correctly: phi is a
    ratio of variances, so the spread is sqrt(phi) times chance, not phi times."""
    phi = float(table["overdispersion_phi"].iloc[0])
    kind = table["limits_used"].iloc[0]
    exact_breaches = int((table["rate_per_10k_exact"] > table["funnel_upper_998"]).sum())
    if not table["overdispersion_p_value"].iloc[0] < OVERDISPERSION_ALPHA:
        return ("LAs' rates are no more spread out than chance alone would give, so limits "
                f"that allow for chance alone are enough. The rule uses the **{kind}** limits.")
    used = ("The rule therefore uses limits **widened to allow for the usual differences "
            "between LAs**." if kind == "adjusted" else
            "The rule is set to use the **exact** limits all the same.")
    return (f"LAs' rates are spread about **{math.sqrt(phi):.0f} times as widely** as chance "
            "alone would give: LAs genuinely differ (need, deprivation, practice). Against "
            f"limits that allow for chance alone, {exact_breaches} LAs would sit above the "
            f"99.8% limit, which tells the board little. {used}")


def method_in_words(table: pd.DataFrame) -> str:
    """How the limits are worked out, for trustees, with the statistics last."""
    phi = float(table["overdispersion_phi"].iloc[0])
    tau2 = float(table["tau_squared"].iloc[0])
    p_value = float(table["overdispersion_p_value"].iloc[0])
    las = int(table[["children", "population_0_17"]].notna().all(axis=1).sum())
    chance = "below 1 in 1,000" if p_value < 0.001 else f"{p_value:.0%}"
    shown_p = "< 0.001" if p_value < 0.001 else f"= {p_value:.3f}"
    return (
        "- **Chance.** Even if every LA had exactly the target rate, a small LA's rate would "
        "bounce around more than a large LA's. The *exact* limits mark how far chance alone "
        "could take the rate of an LA of each size.\n"
        "- **Real differences.** LAs also differ for lasting reasons. Comparing every English "
        f"LA with England's rate, their rates are spread about {math.sqrt(phi):.1f} times as "
        "widely as chance alone would give. A standard test asks whether that extra spread "
        "could itself be chance: the chance of this much if LAs did not really differ is "
        f"{chance}.\n"
        "- **Widened limits.** The *adjusted* limits add the usual difference between LAs to "
        "chance, so an LA outside them is unusual even among LAs that genuinely differ. The "
        "extra spread is measured once, against England, whatever target line is chosen: "
        "moving the line to an RCC's rate moves the funnel, not its width.\n"
        "- **Trends.** A trend is the average % change a year over the years chosen, and is "
        "called significant when it is larger than that LA's own ups and downs around it "
        "would explain. No trend is given for an LA without figures for at least 3 years in "
        "a row up to the year shown, or with children in care in fewer than 2 of them.\n\n"
        f"For statisticians: Spiegelhalter (2005) on {las} LAs, square-root-scale z-scores "
        f"winsorised at 10%; variance ratio phi = {phi:.1f}, chi-square test of k·phi on "
        f"k - 1 degrees of freedom p {shown_p}; DerSimonian-Laird between-LA variance "
        f"tau² = {tau2:.3g}. Trends: quasi-Poisson log-linear regression with a population "
        "offset, Pearson scale, t test on years - 2 degrees of freedom.")


#: What each kind of limit allows for, in the funnel's source line.
LIMIT_WORDS = {"adjusted": "widened for the usual differences between LAs",
               "exact": "for chance alone"}


def limits_caption(kind: str) -> str:
    """What the funnel's lines mean for the limits in use (the adjusted limits include the
    differences between LAs, so they are not 'what chance alone would produce')."""
    allowing = ("chance and the usual differences between LAs" if kind == "adjusted"
                else "chance alone")
    return ("Each dot is an LA. The dashed lines mark where 19 LAs in 20 would fall, and the "
            "solid lines where 998 in 1,000 would, if their rates differed from the target "
            f"line only by {allowing}. Diamonds meet the rule; those in the area chosen are "
            "named. Larger LAs have narrower limits because their rates are less noisy.")


def quartile_and_rank(rates: pd.Series) -> pd.DataFrame:
    """Quartile band (1 lowest to 4 highest) and rank (1 = highest rate) among LAs."""
    rank = rates.rank(ascending=False, method="min")
    band = pd.qcut(rates.rank(method="first"), 4, labels=[1, 2, 3, 4])
    return pd.DataFrame({"quartile": band.astype("Int64"), "rank": rank.astype("Int64")},
                        index=rates.index)


# --- the page's answer, in words a trustee reads out -------------------------------------

#: How many flagged LAs the answer names before "and N more" (all are listed below it).
NAMED_IN_ANSWER = 8


def assessable(table: pd.DataFrame) -> pd.Series:
    """Which LAs the rule can judge: those with a rate (a count and a population). An LA
    without one is neither flagged nor cleared, so it must never count as an all-clear."""
    return table["rate_per_10k_exact"].notna()


def verdicts(table: pd.DataFrame) -> pd.Series:
    """Each LA's answer for a table: 'Yes', 'No' or 'Cannot be assessed' (no rate), so an
    LA without a rate never reads as cleared."""
    answer = np.where(table["flag"].eq(True), "Yes", "No")
    return pd.Series(np.where(assessable(table), answer, "Cannot be assessed"),
                     index=table.index)


def why_not_assessed(population, symbol, year: int) -> str:
    """Why an LA has no rate: no population (it did not exist yet), or DfE's symbol for
    its count ('c', 'z', ...)."""
    if pd.isna(population):
        return f"it did not exist at 31 March {year}"
    if symbol == "c":
        return "DfE withholds its count to protect children's identities"
    return "DfE publishes no count of its children in care"


def answer_in_words(in_scope: pd.DataFrame, place: str, year: int,
                    settings: RuleSettings) -> tuple[str, list[str]]:
    """The page's answer: a short headline, then sentences naming the flagged LAs and
    saying which LAs have no rate and why. Counts are of the LAs the rule could judge."""
    judged = in_scope[assessable(in_scope)]
    flagged = judged[judged["flag"]].sort_values("z_score_adjusted", ascending=False)
    when = f"at 31 March {year}"
    if len(in_scope) == 1:
        return single_answer(in_scope.iloc[0], when, year, settings)
    missing = not_assessed_in_words(in_scope[~assessable(in_scope)], year)
    of_place = "" if place == "England" else f" in {place}"
    if judged.empty:
        return f"None of the {len(in_scope)} LAs{of_place} can be assessed {when}", [missing]
    if not any_branch_on(settings):
        headline = (f"Every part of the rule is switched off in its settings, so none of the "
                    f"{len(judged)} LAs{of_place} is asked for an explanation {when}")
    elif flagged.empty:
        headline = f"None of the {len(judged)} LAs{of_place} owes the board an explanation {when}"
    else:
        verb = "owes" if len(flagged) == 1 else "owe"
        headline = (f"{len(flagged)} of {len(judged)} LAs{of_place} {verb} the board an "
                    f"explanation {when}")
    names = [f"{name_list(flagged['la_name'].tolist())}."] if len(flagged) else []
    return headline, names + ([missing] if missing else [])


def single_answer(row: pd.Series, when: str, year: int,
                  settings: RuleSettings) -> tuple[str, list[str]]:
    """The answer for one LA: flagged, not flagged, or cannot be assessed (and why)."""
    name = row["la_name"]
    if pd.isna(row["rate_per_10k_exact"]):
        why = why_not_assessed(row["population_0_17"], row["children_symbol"], year)
        return f"{name} cannot be assessed {when}", [f"It has no rate: {why}."]
    if row["flag"]:
        return f"{name} owes the board an explanation {when}", []
    if not any_branch_on(settings):
        return (f"{name} is not asked for an explanation {when}",
                ["Every part of the rule is switched off in its settings."])
    return (f"{name} does not owe the board an explanation {when}",
            [f"Its rate, {row['rate_per_10k']:.0f} per 10,000, meets none of the rule's tests."])


def any_branch_on(settings: RuleSettings) -> bool:
    """Whether any part of the rule is switched on (else nothing can be flagged)."""
    return settings.above_998 or settings.above_95_and_rising or settings.rising_years > 0


def name_list(names: list[str]) -> str:
    """'A, B and C', or the first NAMED_IN_ANSWER names 'and N more, all listed below'."""
    if len(names) > NAMED_IN_ANSWER:
        rest = len(names) - NAMED_IN_ANSWER
        return f"{', '.join(names[:NAMED_IN_ANSWER])} and {rest} more, all listed below"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def not_assessed_in_words(missing: pd.DataFrame, year: int) -> str | None:
    """'1 LA has no rate and could not be assessed: Isles of Scilly, because ...' or None."""
    if missing.empty:
        return None
    las = "1 LA has" if len(missing) == 1 else f"{len(missing)} LAs have"
    named = "; ".join(f"{row.la_name}, because "
                      f"{why_not_assessed(row.population_0_17, row.children_symbol, year)}"
                      for row in missing.itertuples())
    return f"{las} no rate and could not be assessed: {named}."


#: A request's status in the register, as the flagged list says it.
STATUS_WORDS = {
    "requested": "asked, awaiting the LA's reply",
    "received": "reply received, not yet discussed",
    "discussed": "reply discussed, no decision yet",
    "accepted": "explanation accepted",
    "action agreed": "action agreed",
    "closed": "closed",
}


#: What the flagged list says of an LA the board has not asked yet.
NOT_ASKED = "No explanation requested yet"


def register_statuses(requests: pd.DataFrame, year: int) -> dict[str, str]:
    """Where the board stands with each LA it has asked: its newest request and that
    request's status (LAs never asked are absent: ``NOT_ASKED``). A request about another
    year says which. One pass over the register, not one per LA listed."""
    newest = requests.sort_values(["requested_on", "id"]).drop_duplicates("la_code", keep="last")
    return {row.la_code: status_words(row, year) for row in newest.itertuples()}


def status_words(request, year: int) -> str:
    """One request as the flagged list says it: number, year if not ``year``, date, status."""
    about = "" if int(request.year) == year else f" (about 31 March {int(request.year)})"
    asked = pd.Timestamp(request.requested_on).strftime("%-d %b %Y")
    return (f"Request #{int(request.id)}{about}, {asked}: "
            f"{STATUS_WORDS.get(request.status, request.status)}")


def target_name(table: pd.DataFrame, settings: RuleSettings, scope_kind: str,
                codes: list[str]) -> str:
    """'England' or '<RCC> RCC': the name of the funnel's target line (``codes``: the
    scope's LAs)."""
    if settings.target == "england" or scope_kind not in ("rcc", "la"):
        return "England"
    rows = table[table["la_code"].isin(codes)]
    return f"{rows['rcc'].iloc[0]} RCC"
