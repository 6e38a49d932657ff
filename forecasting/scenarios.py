"""Scenarios: what-ifs a board can try on one RCC's forecast and specificity gap.

A scenario changes three things, alone or together:

* **entries into care** change by a percentage (``entries_change_pct``: -10 for 10% fewer
  children starting to be looked after each month): the stock-and-flow model projects
  again with its entry rates scaled (``refit``, the one heavy step);
* **children brought back**: a share (``bring_back_pct``) of the RCC's children in
  residential care placed outside the RCC is placed inside it instead, phased in evenly
  to ``bring_back_year`` (half of it in year 1 when the year is 2);
* **a new home** of ``new_home_places`` places for ``new_home_cohort`` opens in
  ``new_home_year`` and adds its places to that cohort's matching places from then on.

What is compared, year 0 (now, 31 March) to year 5, baseline beside scenario
------------------------------------------------------------------------------
* children looked after in the RCC (the stock-and-flow projection, 80% range);
* children's-home demand **inside** the RCC by cohort: the cohort's children in
  residential care placed inside the RCC now (children whose placement is not recorded
  shared between inside and outside as the recorded ones are), plus those brought back,
  all growing at the rate projected for the RCC's children in children's homes (the
  provider view's assumption, ``forecasting.outlook``);
* matching places by cohort (the Needs page's figure, plus the new home's);
* the specificity gap: demand inside minus matching places (negative: places to spare).
  With every child brought back it is the Needs page's gap (children minus matching
  places), since then every child of the RCC needs a home inside it.

Every figure is worked out from protected tables and shown series (as the provider view
is), so a scenario shows nothing those do not; a cohort whose counts are hidden has no
demand or gap. Results are labelled as a scenario: a what-if, not a forecast.

A scenario is a frozen value: it is saved by name (``data.scenario_store``) and put in a
link (``to_query`` / ``from_query``) so it can be shared.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from analysis.specificity import (ALL, ELSEWHERE_IN_RCC, INSIDE_LA, NOT_RECORDED, OUTSIDE_RCC,
                                  WHERE)
from analysis.forecast_words import about
from forecasting import outlook

YEARS = range(6)  # 0 (now) to 5
LAST_YEAR = 5
MAX_PLACES = 100
NAME_LENGTH, RCC_LENGTH = 80, 120  # as data/schema.py's scenario table stores them
#: Each field's key in a link: short and readable.
KEYS = {"name": "scenario", "rcc": "in", "entries_change_pct": "entries",
        "bring_back_pct": "back", "bring_back_year": "back_by",
        "new_home_places": "places", "new_home_cohort": "cohort", "new_home_year": "opens"}
LOOKED_AFTER = "children looked after"
DEMAND = "children's-home demand inside the RCC"
PLACES = "matching places"
GAP = "specificity gap"
LABEL = "Scenario “{name}”: a what-if, not a forecast"


@dataclass(frozen=True)
class Scenario:
    """One what-if for one RCC (module docstring); checked when made (ValueError naming
    the field and its key in a link)."""

    name: str
    rcc: str
    entries_change_pct: float = 0.0
    bring_back_pct: float = 0.0
    bring_back_year: int = 1
    new_home_places: int = 0
    new_home_cohort: str = ""
    new_home_year: int = 1

    def __post_init__(self) -> None:
        for name, length in (("name", NAME_LENGTH), ("rcc", RCC_LENGTH)):
            set_field(self, name, checked_text(self, name, length))
        set_field(self, "new_home_cohort", checked_text(self, "new_home_cohort", NAME_LENGTH,
                                                        required=self.new_home_places > 0))
        set_field(self, "entries_change_pct", checked_number(self, "entries_change_pct",
                                                             -100, 100))
        set_field(self, "bring_back_pct", checked_number(self, "bring_back_pct", 0, 100))
        for name, top in (("bring_back_year", LAST_YEAR), ("new_home_places", MAX_PLACES),
                          ("new_home_year", LAST_YEAR)):
            checked_whole(self, name, 0 if name == "new_home_places" else 1, top)


def set_field(scenario: Scenario, name: str, value) -> None:
    """Normalise a field of a frozen scenario while it is being made."""
    object.__setattr__(scenario, name, value)


def problem(name: str, text: str) -> ValueError:
    """The error for a bad field, naming it as code and as a link's parameter, so the
    page can say which box or which part of a shared link is wrong."""
    return ValueError(f"{name} ('{KEYS[name]}' in a link): {text}")


def checked_text(scenario: Scenario, name: str, length: int, required: bool = True) -> str:
    """Text stripped, within the length the store keeps."""
    value = getattr(scenario, name)
    if not isinstance(value, str):
        raise problem(name, f"must be text, not {value!r}")
    value = value.strip()
    if required and not value:
        raise problem(name, "must not be empty")
    if len(value) > length:
        raise problem(name, f"must be at most {length} characters")
    return value


def checked_number(scenario: Scenario, name: str, low: float, high: float) -> float:
    """A finite number in range, as a float (so -10 and -10.0 make equal scenarios)."""
    value = getattr(scenario, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise problem(name, f"must be a number, not {value!r}")
    if not low <= value <= high:
        raise problem(name, f"must be from {low} to {high}, not {value:g}")
    return float(value)


def checked_whole(scenario: Scenario, name: str, low: int, high: int) -> None:
    """A whole number in range (years, places): 2.5 places is a mistake, not a rounding."""
    value = getattr(scenario, name)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise problem(name, f"must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise problem(name, f"must be from {low} to {high}, not {value}")
    set_field(scenario, name, int(value))


# --- in a link ---------------------------------------------------------------------------

DEFAULTS = Scenario("default", "default")
WHOLE = re.compile(r"-?\d+")


def to_query(scenario: Scenario) -> dict[str, str]:
    """The scenario as link parameters: name and RCC always, other fields when not at their
    default; numbers as written ('-10', '2.5'), so ``from_query`` gives the same scenario."""
    out = {}
    for field in fields(Scenario):
        value = getattr(scenario, field.name)
        if field.name in ("name", "rcc") or value != getattr(DEFAULTS, field.name):
            out[KEYS[field.name]] = number_text(value) if isinstance(value, float) \
                else str(value)
    return out


def number_text(value: float) -> str:
    """Whole numbers without '.0'; others exactly (repr round-trips a float)."""
    return str(int(value)) if value.is_integer() else repr(value)


def from_query(params: Mapping[str, str]) -> Scenario:
    """The scenario a link describes (other parameters are ignored). A missing name or RCC,
    or a value that is not a number of the right kind, raises ValueError naming it."""
    values = {}
    for field in fields(Scenario):
        key = KEYS[field.name]
        if key not in params:
            if field.name in ("name", "rcc"):
                raise problem(field.name, "missing")
            continue
        text = str(params[key])
        if field.type == "float":
            values[field.name] = parsed_number(field.name, text)
        elif field.type == "int":
            if not WHOLE.fullmatch(text.strip()):
                raise problem(field.name, f"must be a whole number, not {text!r}")
            values[field.name] = int(text)
        else:
            values[field.name] = text
    return Scenario(**values)


def parsed_number(name: str, text: str) -> float:
    """A link's number, or the error naming its parameter."""
    try:
        return float(text)
    except ValueError:
        raise problem(name, f"must be a number, not {text!r}") from None


# --- what it changes ---------------------------------------------------------------------

@dataclass(frozen=True)
class Baseline:
    """One RCC as it stands and as projected, for scenarios to change.

    rcc: the RCC's name; origin: the latest month end (year 0); looked_after_now and
    homes_now: the RCC's children looked after and in children's homes then (shown
    series); projection: the stock-and-flow projection with entries unchanged (what
    ``refit(1.0)`` gives): breakdown ("all", "children's homes", ...), month, forecast,
    lower_80, upper_80;
    cohorts: the protected gap table's rows for the RCC (cohort, children, the ``WHERE``
    columns, matching_places; "c" where hidden).
    """

    rcc: str
    origin: pd.Timestamp
    looked_after_now: float
    homes_now: float
    projection: pd.DataFrame
    cohorts: pd.DataFrame


def baseline(rcc: str, history: pd.DataFrame, projection: pd.DataFrame,
             gap: pd.DataFrame) -> Baseline | None:
    """The RCC's baseline from the case-level series (long format with ``shown``), its
    projection and the protected gap table; None when either series is not shown."""
    outlook.refuse_unprotected(gap, "children")
    total, homes = outlook.latest(history, rcc, "all"), outlook.latest(history, rcc,
                                                                       outlook.HOMES)
    if total is None or homes is None:
        return None
    rows = gap[(gap["rcc"] == rcc) & (gap["cohort"] != ALL)]
    return Baseline(rcc, total[0], total[1], homes[1], projection, rows.reset_index(drop=True))


def yearly(base: Baseline, projection: pd.DataFrame, breakdown: str, now: float) -> np.ndarray:
    """forecast, lower_80, upper_80 of one breakdown in years 0-5 (rows; year 0: the count
    now)."""
    months = [12 * year for year in YEARS[1:]]
    rows = outlook.ahead(outlook.select(projection, base.rcc, breakdown), base.origin, months)
    return np.vstack([np.full(3, now), rows.to_numpy(float)])


def split(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Each cohort's children in residential care now placed inside and outside the RCC
    (not recorded shared as the recorded are), as numbers; NaN where the shown counts do
    not give them. Inside is the children less those outside and not recorded, so a
    cohort whose children inside their LA and elsewhere in the RCC are both hidden (their
    sum shown by difference) still has its demand."""
    counts = cohorts[["children", *WHERE]].apply(pd.to_numeric, errors="coerce")
    outside = counts[OUTSIDE_RCC]
    inside = (counts["children"] - outside - counts[NOT_RECORDED]).fillna(
        counts[[INSIDE_LA, ELSEWHERE_IN_RCC]].sum(axis=1, min_count=2))
    recorded = inside + outside
    share = (inside / recorded).where(recorded > 0, 1.0)
    return pd.DataFrame({"cohort": cohorts["cohort"], "inside": counts["children"] * share,
                         "outside": counts["children"] * (1 - share),
                         "places": pd.to_numeric(cohorts["matching_places"], errors="coerce")})


def phase(year: int, by_year: int) -> float:
    """The share of a change made by ``year`` when it is phased in evenly to ``by_year``."""
    return min(year / by_year, 1.0)


def apply(scenario: Scenario, base: Baseline,
          refit: Callable[[float], pd.DataFrame]) -> pd.DataFrame:
    """Baseline beside scenario, years 0-5: rcc, year, measure (``LOOKED_AFTER``,
    ``DEMAND``, ``PLACES``, ``GAP``), cohort ("All children" for the children looked after),
    baseline, baseline_lower_80, baseline_upper_80, scenario, scenario_lower_80,
    scenario_upper_80, label. ``refit(factor)`` projects again with entries scaled by
    ``factor`` (same columns as ``base.projection``); it is called only when entries change.
    Worked in numpy blocks (years x value and range) and framed once: the refit is the only
    slow step."""
    check_fits(scenario, base)
    factor = 1 + scenario.entries_change_pct / 100
    changed = refit(factor) if factor != 1 else base.projection
    blocks = [(LOOKED_AFTER, ALL, yearly(base, base.projection, "all", base.looked_after_now),
               yearly(base, changed, "all", base.looked_after_now))]
    growth = [yearly(base, projection, outlook.HOMES, base.homes_now) / base.homes_now
              if base.homes_now else np.zeros((len(YEARS), 3))
              for projection in (base.projection, changed)]
    for cohort in split(base.cohorts).itertuples(index=False):
        blocks += cohort_blocks(scenario, cohort, *growth)
    values = np.vstack([np.hstack([before, after]) for _, _, before, after in blocks])
    out = pd.DataFrame(values, columns=both())
    return out.assign(rcc=scenario.rcc, year=np.tile(list(YEARS), len(blocks)),
                      measure=np.repeat([b[0] for b in blocks], len(YEARS)),
                      cohort=np.repeat([b[1] for b in blocks], len(YEARS)),
                      label=LABEL.format(name=scenario.name))[
        ["rcc", "year", "measure", "cohort", *both(), "label"]]


def check_fits(scenario: Scenario, base: Baseline) -> None:
    """A scenario is for its own RCC, and a new home for a cohort the RCC has: a shared
    link can outlive a cohort (names change when the cohorts are fitted again), and its
    places must not silently go nowhere."""
    if scenario.rcc != base.rcc:
        raise problem("rcc", f"the scenario is for {scenario.rcc}, the figures for {base.rcc}")
    cohorts = set(base.cohorts["cohort"])
    if scenario.new_home_places and scenario.new_home_cohort not in cohorts:
        raise problem("new_home_cohort", f"{scenario.new_home_cohort!r} is not a cohort of "
                      f"{base.rcc} ({', '.join(sorted(cohorts))})")


def both() -> list[str]:
    """The value columns: baseline and scenario, each with its 80% range."""
    return [f"{side}{suffix}" for side in ("baseline", "scenario")
            for suffix in ("", "_lower_80", "_upper_80")]


def cohort_blocks(scenario: Scenario, cohort, base_growth: np.ndarray,
                  new_growth: np.ndarray) -> list[tuple]:
    """One cohort's demand inside the RCC, matching places and gap, baseline and scenario:
    (measure, cohort, baseline block, scenario block), each block years x (value, range).
    ``*_growth``: children in children's homes as multiples of today's."""
    years = np.array(list(YEARS))
    back = scenario.bring_back_pct / 100 * np.array([phase(y, scenario.bring_back_year)
                                                     for y in years])
    base_demand = base_growth * cohort.inside
    new_demand = new_growth * (cohort.inside + back * cohort.outside)[:, None]
    opened = scenario.new_home_places * ((years >= scenario.new_home_year)
                                         & (cohort.cohort == scenario.new_home_cohort))
    base_places = np.full((len(years), 3), cohort.places)
    new_places = np.repeat((cohort.places + opened)[:, None], 3, axis=1).astype(float)
    return [(DEMAND, cohort.cohort, base_demand, new_demand),
            (PLACES, cohort.cohort, base_places, new_places),
            (GAP, cohort.cohort, base_demand - base_places, new_demand - new_places)]


# --- in words ----------------------------------------------------------------------------

def describe(scenario: Scenario) -> str:
    """What the scenario changes, in one line a board reads beside its figures."""
    parts = []
    if scenario.entries_change_pct:
        more = "more" if scenario.entries_change_pct > 0 else "fewer"
        parts.append(f"{abs(scenario.entries_change_pct):g}% {more} children entering care")
    if scenario.bring_back_pct:
        parts.append(f"{scenario.bring_back_pct:g}% of the children in residential care "
                     f"placed outside {scenario.rcc} brought back by year "
                     f"{scenario.bring_back_year}")
    if scenario.new_home_places:
        places = "place" if scenario.new_home_places == 1 else "places"
        parts.append(f"a new home of {scenario.new_home_places} {places} for "
                     f"{scenario.new_home_cohort} opening in year {scenario.new_home_year}")
    changes = "; ".join(parts) if parts else "no change (the baseline)"
    return f"{LABEL.format(name=scenario.name)}: {changes}."


def summary(result: pd.DataFrame) -> str:
    """Year 5 of ``apply``'s result in words: children looked after and the cohorts'
    specificity gap added up, with and without the scenario. Cohorts whose gap is hidden
    are left out of the sum, and the sentence says so."""
    last = result[result["year"] == LAST_YEAR]
    looked = last[last["measure"] == LOOKED_AFTER].iloc[0]
    gaps = last[last["measure"] == GAP]
    known = gaps.dropna(subset=["baseline", "scenario"])
    which = "every cohort" if len(known) == len(gaps) else \
        "the cohorts shown (the others are hidden)"
    return (f"In five years: about {about(looked['scenario'])} children looked after "
            f"({about(looked['baseline'])} without the scenario); across {which}, "
            f"{gap_words(known['scenario'].sum())} ({gap_words(known['baseline'].sum())} "
            "without).")


def gap_words(gap: float) -> str:
    """A specificity gap as a board reads it: children short of a matching place, or
    matching places to spare (a negative gap)."""
    if round(gap) > 0:
        return f"about {about(gap)} children more than the matching places"
    if round(gap) < 0:
        return f"about {about(-gap)} matching places more than children"
    return "as many matching places as children"
