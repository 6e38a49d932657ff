"""The Needs page's answer in plain words, from the protected tables only (a hidden count
stays unsaid: the sentence never gives back what a table shows as "c")."""

from __future__ import annotations

import pandas as pd

from analysis import needs_audit as rules

#: How many of the most common needs the answer names.
NAMED = 3


def answer(tables: dict[str, pd.DataFrame], labels: dict[str, str], population: str,
           title: str, year: int) -> str:
    """'At 31 March 2025, of 1,234 children in residential care in X, 62% had 4 or more
    needs (4.1 on average, of 11 recorded). The most common: ...'; a hidden figure is left
    unsaid."""
    summary = tables["summary"].iloc[0]
    count = summary["children"]
    if count == 0:
        return f"No {population} in {title} at 31 March {year} have records here."
    who = f"{int(count):,} {population}" if shown(count) else f"the {population}"
    sentence = f"At 31 March {year}, of {who} in {title}, "
    if shown(summary["share_4_plus_pct"]):
        sentence += f"**{summary['share_4_plus_pct']:.0f}% had 4 or more needs**"
        if shown(summary["mean_needs"]):
            sentence += f" ({summary['mean_needs']:.1f} on average, of {len(labels)} recorded)"
    elif shown(summary["mean_needs"]):
        sentence += (f"the average was **{summary['mean_needs']:.1f} needs** "
                     f"(of {len(labels)} recorded)")
    else:
        sentence += "how many have each need follows"
    common = most_common(tables["prevalence"], labels)
    return sentence + "." + (f" The most common: {common}." if common else "")


def most_common(prevalence: pd.DataFrame, labels: dict[str, str]) -> str:
    """The NAMED most common needs with their shares ('mental health (62%), ...')."""
    overall = prevalence[(prevalence["grouping"] == "all")
                         & prevalence["share_pct"].map(shown)]
    top = overall.assign(share=overall["share_pct"].astype(float)).nlargest(NAMED, "share")
    return ", ".join(f"{labels.get(row.need, row.need).lower()} ({row.share:.0f}%)"
                     for row in top.itertuples())


def shown(value) -> bool:
    """Whether a value can be said: not hidden ("c") and not missing."""
    return not rules.hidden(value) and not pd.isna(value)
