"""The provider view: where homes for which children will be needed.

For each RCC and needs cohort: the children in residential care now (at 31 March of the
latest year), the children forecast to need it in 1, 3 and 5 years, the places in the
RCC's homes that match them (the provider offer register), and the shortfall in five
years, ranked, so a provider deciding where to open a home three to five years ahead
sees where the need is largest and for whom.

How a cohort's future is forecast (an assumption, in plain words)
-----------------------------------------------------------------
We forecast the RCC's children in children's homes as one series (case-level, monthly)
and assume **each cohort keeps its share of today's children**: a cohort's children in
residential care grow or shrink at the rate forecast for all the RCC's children in
children's homes. So a cohort with 20 children now, in an RCC whose children's homes go
from 100 now to 110 in five years, is forecast at 22 (and its 80% range likewise from
the series' range). We chose fixed shares over the RCC's cohort series, which would let
the shares move: those series count children in every kind of placement, not children's
homes, and every month of them takes each child's cohort from the latest year's fit, so
their past is the past of today's children (children who left care earlier are in no
cohort) and their trend would be an artefact of that, not a change in need.

Matching places are the Needs page's figure (``analysis.specificity``): the most of the
cohort's children now that the RCC's homes could take at once. It cannot exceed today's
children, so for a cohort forecast to grow, growth counts as unmet unless the register
says more: the shortfall is an upper bound where a cohort grows.

Disclosure
----------
Children now are case-level counts: ``now`` and ``places`` must be the protected tables
(``data.gap_tables.gap_table``: "c" for a hidden count); a table showing a count of 1-4
is refused. A cohort whose children now are hidden gets no forecast (the forecast over
the series' growth would give the count back), and a forecast is shown only for a series
that disclosure control shows (the history's ``shown`` flag; a series absent from the
history is taken as not shown). Everything here is arithmetic on shown figures, so it
tells a reader nothing the shown tables do not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import disclosure
from analysis.forecast_words import about
from analysis.specificity import ALL

LOOKED_AFTER = "children looked after"
HOMES = "children's homes"
#: Output column -> months ahead of the latest count.
HORIZONS = {"in_1_year": 12, "in_3_years": 36, "in_5_years": 60}
RANGE = ("lower_80", "upper_80")
HIDDEN = "hidden to protect children"
NO_SERIES = "no forecast: the RCC's children's-home series is not shown"
NO_FORECAST = "no forecast stored for the RCC's children's homes"
NO_PLACES = "matching places hidden to protect children"
COLUMNS = ["rcc", "cohort", "children_now",
           *(f"{name}{suffix}" for name in HORIZONS for suffix in ("", "_lower_80",
                                                                   "_upper_80")),
           "matching_places", "shortfall_5_years", "rank", "note"]


# --- reading the series ------------------------------------------------------------------

def select(frame: pd.DataFrame, rcc: str, breakdown: str,
           series: str = LOOKED_AFTER) -> pd.DataFrame:
    """One RCC's rows of a long series or forecast frame, by the columns the frame has (a
    refit for one RCC may carry only breakdown and month)."""
    wanted = {"level": "rcc", "area_code": rcc, "series": series, "breakdown": breakdown}
    keep = np.ones(len(frame), dtype=bool)
    for column, value in wanted.items():
        if column in frame.columns:
            keep &= (frame[column] == value).to_numpy()
    return frame[keep]


def latest(history: pd.DataFrame, rcc: str, breakdown: str) -> tuple[pd.Timestamp, float] | None:
    """The series' latest month and count, or None if disclosure control does not show it
    (its ``shown`` flag is false, or it is not in the history at all)."""
    rows = select(history, rcc, breakdown)
    if rows.empty or ("shown" in rows.columns and not rows["shown"].all()):
        return None
    months = month_ends(rows)
    last = months.idxmax()
    return months[last], float(rows.at[last, "value"])


def month_ends(frame: pd.DataFrame) -> pd.Series:
    """A frame's month ends: its ``month`` column (the shared format) or, as the stored
    forecasts name it, ``period``."""
    return pd.to_datetime(frame["month" if "month" in frame.columns else "period"])


def ahead(forecasts: pd.DataFrame, origin: pd.Timestamp, months: list[int]) -> pd.DataFrame:
    """forecast, lower_80, upper_80 at ``months`` after ``origin`` (month ends), indexed by
    the months ahead; NaN where the frame has no row for that month. One forecast per
    month: a frame of several models' forecasts (the store's) must be cut to one first,
    never one picked at random."""
    at = pd.Series({m: origin + pd.offsets.MonthEnd(m) for m in months})
    rows = forecasts.assign(month=month_ends(forecasts)).set_index("month")
    if rows.index.duplicated().any():
        raise ValueError("forecasts: more than one forecast of a series for a month; pass "
                         "one model's (e.g. the default's)")
    return rows.reindex(at.to_numpy())[["forecast", *RANGE]].set_axis(at.index)


def growth(history: pd.DataFrame, forecasts: pd.DataFrame, rcc: str,
           months: list[int]) -> tuple[pd.DataFrame | None, str]:
    """The RCC's children in children's homes ``months`` ahead as multiples of today's
    (forecast and 80% range), or None and why not."""
    now = latest(history, rcc, HOMES)
    if now is None:
        return None, NO_SERIES
    origin, count = now
    future = ahead(select(forecasts, rcc, HOMES), origin, months)
    if future["forecast"].isna().all() or count <= 0:
        return None, NO_FORECAST
    return future / count, ""


# --- the provider view -------------------------------------------------------------------

def shown_count(value) -> float:
    """A protected table's cell as a number: NaN for a hidden ("c") or missing one."""
    return pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]


def refuse_unprotected(table: pd.DataFrame, column: str) -> None:
    """A table showing a case-level count of 1-4 has not been through disclosure control."""
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
    if disclosure.is_primary(values).any():
        raise ValueError(f"{column}: counts of 1-4 are shown; pass the protected table "
                         "(data.gap_tables.gap_table)")


def provider_outlook(now: pd.DataFrame, history: pd.DataFrame, forecasts: pd.DataFrame,
                     places: pd.DataFrame) -> pd.DataFrame:
    """Per RCC and cohort: children in residential care now, forecast in 1, 3 and 5 years
    (with 80% ranges), matching places, the shortfall in 5 years (forecast minus matching
    places; negative: more matching places than children) and its rank (1: the largest
    shortfall; none where it cannot be shown), ``note`` saying why a figure is missing.

    now: protected rcc, cohort, children ("All children" rows are left out: cohorts only);
    history: long case-level series (level, area_code, series, breakdown, month, value,
    shown); forecasts: the shared forecast format with level, area_code, series, breakdown,
    month (either frame may call it ``period``, as the store does); places: protected rcc,
    cohort, matching_places.
    """
    refuse_unprotected(now, "children")
    refuse_unprotected(places, "matching_places")
    cohorts = now[now["cohort"] != ALL]
    matched = places.set_index(["rcc", "cohort"])["matching_places"]
    rows = []
    for rcc, group in cohorts.groupby("rcc", sort=True):
        factors, why = growth(history, forecasts, rcc, list(HORIZONS.values()))
        for row in group.itertuples(index=False):
            rows.append(cohort_row(rcc, row.cohort, row.children,
                                   matched.get((rcc, row.cohort), np.nan), factors, why))
    table = ranked(pd.DataFrame(rows, columns=COLUMNS[:-2] + ["note"]))
    return disclosure.label_if_synthetic(table, disclosure.uses_synthetic(now))


def cohort_row(rcc: str, cohort: str, children, matching, factors: pd.DataFrame | None,
               why: str) -> dict:
    """One row of the outlook: today's children scaled by the series' growth."""
    count, places = shown_count(children), shown_count(matching)
    note = HIDDEN if np.isnan(count) else why
    row = {"rcc": rcc, "cohort": cohort, "children_now": children,
           "matching_places": matching}
    for name, months in HORIZONS.items():
        scaled = count * factors.loc[months] if factors is not None and not np.isnan(count) \
            else pd.Series(np.nan, index=["forecast", *RANGE])
        row.update({name: scaled["forecast"], f"{name}_lower_80": scaled["lower_80"],
                    f"{name}_upper_80": scaled["upper_80"]})
    row["shortfall_5_years"] = row["in_5_years"] - places
    if not note and np.isnan(places):
        note = NO_PLACES
    return {**row, "note": note}


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    """Largest shortfall first (ties by RCC and cohort), ranked 1, 2, ...; rows whose
    shortfall cannot be shown last, unranked."""
    table = table.sort_values(["shortfall_5_years", "rcc", "cohort"],
                              ascending=[False, True, True], na_position="last",
                              kind="stable").reset_index(drop=True)
    known = table["shortfall_5_years"].notna()
    rank = pd.Series(pd.NA, index=table.index, dtype="Int64")
    rank[known] = np.arange(1, known.sum() + 1)
    return table.assign(rank=rank)[COLUMNS]


# --- in words ----------------------------------------------------------------------------

def outlook_sentences(outlook: pd.DataFrame, top: int = 3) -> list[str]:
    """The top ``top`` rows of ``provider_outlook`` as sentences a provider reads: where,
    for whom, how many in five years against how many matching places."""
    short = outlook[outlook["rank"].notna() & (outlook["shortfall_5_years"] > 0)]
    if short.empty:
        if outlook["rank"].notna().any():
            return ["In every RCC and cohort shown, the matching places cover the children "
                    "forecast to need residential care in five years."]
        return ["No shortfall can be shown: the forecasts or matching places are missing or "
                "hidden to protect children."]
    return [shortfall_sentence(row) for row in short.head(top).to_dict("records")]


def shortfall_sentence(row: dict) -> str:
    """One ranked row in words (its rank is its place in the list)."""
    return (f"{row['rcc']}, cohort {row['cohort']}: {row['children_now']} children "
            f"in residential care now, about {about(row['in_5_years'])} in five years (80% "
            f"range {about(row['in_5_years_lower_80'])} to "
            f"{about(row['in_5_years_upper_80'])}) against {row['matching_places']} matching "
            f"places, about {about(row['shortfall_5_years'])} short.")
