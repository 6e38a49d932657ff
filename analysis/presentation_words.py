"""Presentation mode's takeaways: one plain sentence per slide, said from the same tables
the slide's chart draws, so a trustee at the back of the room hears the answer the chart
shows. Pure: the slides (views/slides.py) pass the tables in.

Each sentence says only figures the page's own tables already show (published rates,
protected needs shares, stored forecasts); where DfE publishes a symbol or a count is
hidden, the sentence says there is no figure instead of working one out.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.forecast_words import DOING, about, count, period_name
from analysis.needs_words import most_common, shown
from analysis.suppression import SYMBOL_MEANINGS

#: How many years back the rate's change is measured over (the accountability rule's
#: five published years: four steps).
TREND_STEPS = 4
#: A ratio to England's rate within this of 1 reads as "about the same".
SAME = 0.05
#: A change smaller than this (% a year) reads as "about level".
LEVEL = 0.5
#: How many flagged LAs a sentence names before it only counts them.
NAMED_LAS = 3


#: Sentence-opening words that are not names, lowercased when a sentence is joined on.
OPENERS = ("No", "The", "There", "It", "Its", "This")


def one_sentence(text: str) -> str:
    """A page's answer of several sentences as the one a slide says: each later sentence
    joined on with a semicolon (an opening word that is not a name lowercased)."""
    return re.sub(rf"\. ({'|'.join(OPENERS)})\b", lambda m: f"; {m[1].lower()}",
                  text).replace(". ", "; ")


def possessive(name: str) -> str:
    """'Bolton's', 'Greater Manchester RCC's'; a name ending in s keeps one apostrophe."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def listed(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def ordinal(rank: int) -> str:
    """1 -> '', 2 -> '2nd ', 3 -> '3rd ', 11 -> '11th ' (for '... highest')."""
    if rank == 1:
        return ""
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix} "


def is_number(value) -> bool:
    """A figure that can be said (not missing)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def against_england(rate: float, england: float) -> str:
    """'1.4 times England's 70', '20% below England's 70' or 'about the same as England's
    70', from the whole rates a reader sees."""
    ratio = round(rate) / round(england)
    if abs(ratio - 1) < SAME:
        return f"about the same as England's {round(england):,}"
    if ratio > 1:
        return f"{ratio:.1f} times England's {round(england):,}"
    return f"{(1 - ratio) * 100:.0f}% below England's {round(england):,}"


def yearly_change(rates: pd.Series, year: int) -> str:
    """How the rate moved over the TREND_STEPS years to ``year`` (``rates`` by year), as an
    average % a year compounded: ', rising about 3% a year since 2021'; '' when there is
    no earlier year to measure from."""
    earlier = rates[(rates.index < year) & (rates.index >= year - TREND_STEPS)].dropna()
    if earlier.empty or not is_number(rates.get(year)):
        return ""
    start = int(earlier.index.min())
    if earlier[start] <= 0:
        return ""
    pct = ((rates[year] / earlier[start]) ** (1 / (year - start)) - 1) * 100
    if abs(pct) < LEVEL:
        return f", about level since {start}"
    return f", {'rising' if pct > 0 else 'falling'} about {abs(pct):.0f}% a year since {start}"


def rate_takeaway(trend: pd.DataFrame, title: str, year: int) -> str:
    """The rate-over-time slide: the scope's rate at 31 March ``year`` against England's,
    and how it moved since (``trend``: series, year, rate_per_10k; the scope's series is
    named ``title``, England's 'England')."""
    rates = {name: rows.drop_duplicates("year").set_index("year")["rate_per_10k"].astype(float)
             for name, rows in trend.groupby("series")}
    own = rates.get(title, pd.Series(dtype=float))
    england = rates.get("England", pd.Series(dtype=float)).get(year)
    rate = own.get(year)
    if not is_number(rate):
        tail = (f"; England's was {round(england):,} per 10,000 children"
                if is_number(england) else "")
        return f"DfE publishes no rate for {title} at 31 March {year}{tail}."
    change = yearly_change(own, year)
    if title == "England" or not is_number(england):
        return (f"{possessive(title)} rate was {round(rate):,} per 10,000 children at "
                f"31 March {year}{change}.")
    return (f"{possessive(title)} rate, {round(rate):,} per 10,000 children at 31 March "
            f"{year}, was {against_england(rate, england)}{change}.")


def comparison_takeaway(rates: pd.DataFrame, england_rate: float, year: int, compared: str,
                        highlight: str | None = None) -> str:
    """The comparison slide: one LA's place among ``compared`` (``highlight`` is its code),
    or how many of the areas were above England's rate and which was highest
    (``rates``: name, code, rate_per_10k)."""
    known = rates.dropna(subset=["rate_per_10k"]).sort_values("rate_per_10k",
                                                              ascending=False)
    when = f"at 31 March {year}"
    if known.empty:
        return f"DfE publishes no rates for {compared} {when}."
    if highlight is not None:
        return _one_among(known, rates, highlight, compared, when)
    above = int((known["rate_per_10k"].round() > round(england_rate)).sum())
    top = known.iloc[0]
    return (f"{above} of {counted(known, rates, compared)} were above England's "
            f"{round(england_rate):,} per 10,000 children {when}; the highest was "
            f"{top['name']}, {round(top['rate_per_10k']):,}.")


def counted(known: pd.DataFrame, rates: pd.DataFrame, compared: str) -> str:
    """'the 10 LAs of X RCC' ('the RCCs' -> 'the 10 RCCs'), saying how many have a rate
    where some have none: 'the 19 LAs of X RCC with a rate (of 20)'."""
    words = f"the {len(known)} {compared.removeprefix('the ')}"
    return words if len(known) == len(rates) else f"{words} with a rate (of {len(rates)})"


def _one_among(known: pd.DataFrame, rates: pd.DataFrame, code: str, compared: str,
               when: str) -> str:
    """'Bolton's rate, 95 per 10,000, was the 3rd highest of the LAs of ... at ...'."""
    row = rates[rates["code"] == code]
    if row.empty or not is_number(row["rate_per_10k"].iloc[0]):
        name = row["name"].iloc[0] if len(row) else "This LA"
        return (f"DfE publishes no rate for {name} {when}; {compared} ranged from "
                f"{round(known['rate_per_10k'].min()):,} to "
                f"{round(known['rate_per_10k'].max()):,} per 10,000 children.")
    rate = row["rate_per_10k"].iloc[0]
    rank = int((known["rate_per_10k"].round() > round(rate)).sum()) + 1
    return (f"{possessive(row['name'].iloc[0])} rate, {round(rate):,} per 10,000 children, "
            f"was the {ordinal(rank)}highest of {counted(known, rates, compared)} {when}.")


def accountability_takeaway(in_scope: pd.DataFrame, title: str, kind: str, year: int) -> str:
    """The accountability slide: which of the scope's LAs owe the board an explanation
    (``in_scope``: la_name, flag, flag_reason, rate_per_10k, z_score_adjusted)."""
    when = f"at 31 March {year}"
    if kind == "la":
        row = in_scope.iloc[0] if len(in_scope) else None
        if row is None or not is_number(row["rate_per_10k"]):
            return (f"Whether {title} owes the board an explanation cannot be assessed "
                    f"{when}: DfE publishes no rate for it.")
        if row["flag"]:
            return (f"{title} owes the board an explanation {when}: "
                    f"{row['flag_reason'].rstrip('.')}.")
        return (f"{title} owes the board no explanation {when}: its rate is not unusually "
                "high, or rising, against the target.")
    flagged = in_scope[in_scope["flag"].fillna(False).astype(bool)].sort_values(
        "z_score_adjusted", ascending=False)
    count_words = (f"of England's {len(in_scope)} LAs" if kind == "england"
                   else f"of the {len(in_scope)} LAs of {title}")
    if flagged.empty:
        return (f"None {count_words} owes the board an explanation {when}: no rate is "
                "unusually high, or rising, against the target.")
    names = flagged["la_name"].tolist()
    verb = "owes" if len(names) == 1 else "owe"
    if len(names) <= NAMED_LAS:
        return (f"{len(names)} {count_words} {verb} the board an explanation {when}: "
                f"{listed(names)}.")
    return (f"{len(names)} {count_words} owe the board an explanation {when}; furthest "
            f"above the target: {listed(names[:NAMED_LAS])}.")


def out_of_area_takeaway(rows: pd.DataFrame, title: str, kind: str, year: int) -> str:
    """The where-children-live slide: the share placed outside their own LA, for one LA
    against England's, or the range across the scope's LAs (``rows``: one year's
    out-of-area table: area_name, level, pct_outside_la, pct_outside_la_symbol,
    pct_over_20_miles)."""
    when = f"at 31 March {year}"
    england = rows[rows["level"] == "england"]
    share = england["pct_outside_la"].iloc[0] if len(england) else None
    tail = f"England's share was {share:.0f}%" if is_number(share) else ""
    if kind == "england":
        far = england["pct_over_20_miles"].iloc[0] if len(england) else None
        if not is_number(share):
            return f"DfE publishes no share placed outside their LA for England {when}."
        far_words = f" and {far:.0f}% more than 20 miles from home" if is_number(far) else ""
        return (f"Across England, {share:.0f}% of children looked after were placed outside "
                f"their own LA {when}{far_words}.")
    las = rows[rows["level"] == "la"]
    known = las.dropna(subset=["pct_outside_la"]).sort_values("pct_outside_la")
    if kind == "la":
        value = las["pct_outside_la"].iloc[0] if len(las) else None
        if not is_number(value):
            symbol = las["pct_outside_la_symbol"].iloc[0] if len(las) else None
            meaning = (f" ({symbol}: {SYMBOL_MEANINGS[symbol].split(' (')[0]})"
                       if symbol in SYMBOL_MEANINGS else "")
            return (f"DfE publishes no share of {possessive(title)} children placed outside "
                    f"the LA {when}{meaning}" + (f"; {tail}." if tail else "."))
        return (f"{value:.0f}% of {possessive(title)} children looked after were placed "
                f"outside the LA {when}" + (f"; {tail}." if tail else "."))
    if known.empty:
        return f"DfE publishes no share placed outside their LA for {title}'s LAs {when}."
    low, high = known.iloc[0], known.iloc[-1]
    return (f"Across {title}, between {low['pct_outside_la']:.0f}% ({low['area_name']}) and "
            f"{high['pct_outside_la']:.0f}% ({high['area_name']}) of each LA's children looked "
            f"after were placed outside their own LA {when}" + (f"; {tail}." if tail else "."))


def needs_takeaway(tables: dict[str, pd.DataFrame], labels: dict[str, str], population: str,
                   title: str, year: int) -> str:
    """The needs slide: how many of the children had 4 or more needs and the most common
    needs, from the protected tables (a hidden figure stays unsaid)."""
    summary = tables["summary"].iloc[0]
    children = summary["children"]
    if shown(children) and children == 0:
        return f"No {population} in {title} at 31 March {year} have records here."
    who = f"{int(children):,} {population}" if shown(children) else f"the {population}"
    share = summary["share_4_plus_pct"]
    had = (f"{share:.0f}% had 4 or more needs" if shown(share)
           else "how many had 4 or more needs is not shown (too few to say safely)")
    common = most_common(tables["prevalence"], labels)
    tail = f"; the most common: {common}" if common else ""
    return f"Of {who} in {title} at 31 March {year}, {had}{tail}."


def forecast_takeaway(view: dict, model: str, area: str, years_ahead: int = 3) -> str:
    """The forecast slide: the forecast ``years_ahead`` on with its 80% range, from the
    latest count, and how far out past forecasts were (``view``: the stored history,
    forecasts and scores of one series)."""
    history, ahead, scores = view["history"], view["forecasts"], view["scores"]
    if history.empty:
        return f"There are no figures for {area} to forecast from."
    last = history.iloc[-1]
    rows = ahead[ahead["model"] == model] if len(ahead) else ahead
    if rows.empty:
        return f"There is no forecast for {area}: its history is too short."
    target = rows[rows["period"].dt.year == last["period"].year + years_ahead]
    row = (target if len(target) else rows).iloc[-1]
    tested = scores[scores["model"] == model] if len(scores) else scores
    mape = tested["mape"].iloc[0] if len(tested) else None
    accuracy = (f"; past forecasts were out by {mape:.0f}% on average"
                if is_number(mape) else "")
    return (f"{DOING[model]} gives about {about(row['forecast'])} children looked after in "
            f"{area} for {period_name(row['period'], False)} (80% range "
            f"{about(row['lower_80'])} to {about(row['upper_80'])}), from "
            f"{count(last['value'])} at 31 March {last['period']:%Y}{accuracy}.")
