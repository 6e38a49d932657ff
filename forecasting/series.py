"""The published annual series to forecast: children looked after at 31 March, children
starting and children ceasing to be looked after in the year to 31 March, 2016 onwards
(DfE's LAIT), for every LA, RCC, region and England.

- LAs, regions and England are DfE's published figures. An RCC's are the sums of its LAs'
  (with any abolished council that lay wholly inside it), in years where every one of them
  that existed then has a published count: a year with a suppressed or missing LA count is
  left out rather than summed short.
- A series must run year after year with no gap: only its latest unbroken run is kept.
- An LA made by a reorganisation (a split or merger) starts at the break: its first year is
  the first count of the new council, never figures on the old boundaries.
"""

from __future__ import annotations

import pandas as pd

#: LAIT measure code -> the series' name.
SERIES = {"LACnum": "children looked after", "LACnum_Start": "started to be looked after",
          "LACceased": "ceased to be looked after"}
LEVELS = ("la", "rcc", "region", "england")


def latest_run(years: pd.Series) -> pd.Series:
    """True for the years of the latest unbroken run of consecutive years."""
    ordered = years.sort_values()
    run_start = ordered[ordered.diff().ne(1)].iloc[-1] if len(ordered) else None
    return years >= run_start if run_start is not None else years.astype(bool)


def published(lait: pd.DataFrame, names: dict[str, str], breaks: dict[str, int]) -> pd.DataFrame:
    """The LA, region and England series (``lait``: measure_code, area_code, year, level,
    value) with each LA's years up to its reorganisation ``breaks`` (code -> year of the
    last count on the old boundaries) left out."""
    rows = lait[lait["measure_code"].isin(SERIES) & lait["level"].isin(LEVELS)
                & lait["value"].notna()]
    rows = rows[rows["year"] > rows["area_code"].map(breaks).fillna(0)]
    return rows.assign(series=rows["measure_code"].map(SERIES),
                       area_name=rows["area_code"].map(names).fillna(rows["area_code"]))[
        ["level", "area_code", "area_name", "series", "year", "value"]]


def rcc_sums(la_rows: pd.DataFrame, members: dict[str, set[str]],
             breaks: dict[str, int]) -> pd.DataFrame:
    """Each RCC's series: its member LAs' counts summed (``la_rows``: LAIT LA rows,
    measure_code, area_code, year, value; ``members``: RCC name -> the LA codes whose
    figures make it up, abolished councils wholly inside it included). A year counts only
    if every member that had figures around then (between its first and last published
    count) has one; years up to the RCC's break (a reorganisation whose old council lay
    partly outside it: ``breaks``, RCC -> year) are left out."""
    out = []
    for rcc, codes in members.items():
        mine = la_rows[la_rows["area_code"].isin(codes)]
        for code, rows in mine.groupby("measure_code"):
            table = rows.pivot_table(index="year", columns="area_code", values="value",
                                     aggfunc="first", dropna=False)
            years = table.index.to_series()
            known = table.notna()
            first = known.idxmax()  # each member's first and last year with a count
            last = known[::-1].idxmax()
            expected = pd.DataFrame({c: years.between(first[c], last[c]) for c in table},
                                    index=table.index)
            complete = (known | ~expected).all(axis=1) & (years > breaks.get(rcc, 0))
            sums = table[complete].sum(axis=1)
            out.append(pd.DataFrame({"level": "rcc", "area_code": rcc, "area_name": rcc,
                                     "series": SERIES[code], "year": sums.index,
                                     "value": sums.to_numpy()}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["level", "area_code", "area_name", "series", "year", "value"])


def annual_series(lait: pd.DataFrame, names: dict[str, str], breaks: dict[str, int],
                  members: dict[str, set[str]]) -> pd.DataFrame:
    """Every series at every level: level, area_code, area_name, series, year, value,
    each its latest unbroken run of years. ``breaks``: LA code or RCC name -> the year of
    the last count on boundaries before a reorganisation."""
    known = lait[lait["measure_code"].isin(SERIES)]
    frames = [published(known, names, breaks),
              rcc_sums(known[known["level"] == "la"], members, breaks)]
    out = pd.concat([part for part in frames if len(part)] or frames, ignore_index=True)
    keep = out.groupby(["level", "area_code", "series"], group_keys=False)["year"].apply(
        latest_run)
    out = out[keep.reindex(out.index).astype(bool)]
    return out.sort_values(["level", "area_code", "series", "year"]).reset_index(drop=True)
