"""The Overview's answer in words: what a trustee would say first about a scope and year.

A page opens with its answer in one or two plain sentences (the figures and charts
follow), so these read the same tables the headline cards show and never compute a figure
of their own. Where DfE publishes a symbol instead of a number, the sentence says so.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.accountability import assessable
from analysis.suppression import SYMBOL_MEANINGS, show

CHILDREN = "Children looked after"
RATE = "Rate per 10,000 children"
HOMES = "Children's homes"
PLACES = "Children's home places"
FAR = "% placed outside the LA and more than 20 miles from home"


def answer(summary: pd.DataFrame, title: str, kind: str, year: int) -> str:
    """One or two sentences: how many children the scope's LAs looked after at 31 March,
    the rate per 10,000 children and how it compares with England's (``summary`` is the
    scope summary: measure, scope_value, scope_symbol, england_value)."""
    rows = summary.set_index("measure")
    count, rate = rows.loc[CHILDREN], rows.loc[RATE]
    who = {"england": "England's local authorities", "la": title}.get(
        kind, f"the local authorities of {title}")
    england_rate = show(rate["england_value"])
    if missing(count["scope_value"], count["scope_symbol"]):
        symbol = count["scope_symbol"] or "x"
        return (f"DfE publishes no count of children looked after by {who} at 31 March {year}; "
                f"it shows {symbol}: {SYMBOL_MEANINGS.get(symbol, 'not available')}. So no rate "
                f"can be worked out; England's was {england_rate} in every 10,000 children.")
    sentence = (f"At 31 March {year}, {show(count['scope_value'])} children were looked after "
                f"by {who}")
    if missing(rate["scope_value"], rate["scope_symbol"]):
        return f"{sentence}. DfE publishes no rate for {title} that year."
    sentence += f": {show(rate['scope_value'])} in every 10,000 children"
    if kind == "england":
        return sentence + "."
    return f"{sentence}, {compared(rate['scope_value'], rate['england_value'])}."


def maps_answer(summary: pd.DataFrame, title: str, kind: str) -> str:
    """The Maps page's answer: how many children's homes and places the scope has, and the
    share of its children placed outside their LA and far from home, beside England's (the
    same scope summary and names as the Overview's cards, so the two pages agree)."""
    rows = summary.set_index("measure")
    homes, places, far = rows.loc[HOMES], rows.loc[PLACES], rows.loc[FAR]
    where = "England" if kind == "england" else title
    stock = ("no children's homes" if homes["scope_value"] == 0 and not homes["scope_symbol"]
             else f"{figure(homes)} children's homes with {figure(places)} places")
    sentence = f"{where} had {stock} (Ofsted, {homes['date']})."
    if missing(far["scope_value"], far["scope_symbol"]):
        return sentence
    share = f"{figure(far)}%"
    if kind != "england":
        share += f" (England {show(far['england_value'])}%)"
    return (f"{sentence} At {far['date']}, {share} of its children in care were placed "
            "outside their LA and more than 20 miles from home.")


def figure(row: pd.Series) -> str:
    """A summary row's figure for the scope, or DfE's symbol."""
    return show(row["scope_value"], row["scope_symbol"])


def compared(value: float, england: float) -> str:
    """'above England's 67', 'below England's 67' or 'the same as England's 67', as the
    rounded figures a reader sees compare (79 against 67; 67 against 67 is the same)."""
    shown, reference = round(value), round(england)
    word = ("the same as" if shown == reference else
            "above" if shown > reference else "below")
    return f"{word} England's {reference:,}"


def missing(value, symbol: str | None) -> bool:
    """Whether a published figure is absent (a DfE symbol, or no value at all)."""
    return bool(symbol) or value is None or (isinstance(value, float) and math.isnan(value))


def accountability_status(row: pd.Series | None, title: str, year: int) -> tuple[str, str]:
    """Whether an LA meets the accountability rule this year (``row`` is its row of the
    accountability table, with the default settings), as (state, sentence): state is
    'flagged', 'clear' or 'unknown' (no rate, so it cannot be assessed)."""
    if row is None or not assessable(pd.DataFrame([row])).iloc[0]:
        return "unknown", (f"Whether {title} meets the accountability rule at 31 March {year} "
                           "cannot be assessed: DfE publishes no rate for it.")
    if row["flag"]:
        return "flagged", (f"{title} meets the accountability rule at 31 March {year}, so it "
                           f"is asked to explain itself to the board. {row['flag_reason']}")
    return "clear", (f"{title} does not meet the accountability rule at 31 March {year} "
                     "(its rate is not unusually high, or rising, against England's).")
