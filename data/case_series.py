"""The case-level monthly series, read from the store (``forecasting.monthly`` counts
them, ``analysis.series_protection`` decides which may be shown; this module gathers the
episodes, cohorts, geography and names).

Which rows: real imported children replace the synthetic ones LA by LA (as on every
case-level page), and episodes under an agreed series of short breaks (legal status V3,
V4) are left out, as DfE leaves them out of its counts of children looked after.
Cohorts: the needs cohorts of the latest year whose fit is stored for the current data;
none (no cohort breakdown) until one is fitted, so reading series never starts a fit.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, or_, select

from analysis import flows, series_protection
from analysis.disclosure import label_if_synthetic
from data import cohort_store, queries
from data import schema as s
from data.forecast_series import area_names
from data.map_tables import case_years
from forecasting import monthly

SHORT_BREAKS = ("V3", "V4")  # 903 legal statuses DfE does not count as looked after
EPISODE_COLUMNS = ["child_id", "la_code", "birth", "period_of_care", "start", "end", "place",
                   "cohort"]


def episodes_frame(engine: Engine) -> pd.DataFrame:
    """One row per episode: child_id, la_code (the responsible LA), birth (first day of
    the birth month), period_of_care, start, end (NaT while open), place (903 PLACE),
    cohort (the child's needs cohort name, or None). ``attrs['synthetic']`` says whether
    any row is synthetic."""
    c, e = s.Child, s.Episode
    rows = driver_rows(engine, select(
        e.child_id, c.la_code, c.birth_year_month, e.period_of_care,
        e.start_date.label("start"), e.end_date.label("end"),
        e.placement_type.label("place"), c.is_synthetic)
        .join(c, c.id == e.child_id)
        .where(or_(e.legal_status.is_(None), e.legal_status.not_in(SHORT_BREAKS))))
    if rows.empty:
        return label_if_synthetic(pd.DataFrame(columns=EPISODE_COLUMNS), False)
    rows["is_synthetic"] = rows["is_synthetic"].astype(bool)
    rows = flows.prefer_real(rows.rename(columns={"la_code": "from_code"})).rename(
        columns={"from_code": "la_code"})
    cohorts = child_cohorts(engine)
    out = rows.assign(
        birth=pd.to_datetime(rows["birth_year_month"], format="%Y-%m", errors="coerce"),
        start=pd.to_datetime(rows["start"]), end=pd.to_datetime(rows["end"]),
        cohort=rows["child_id"].map(cohorts).astype(object))
    out["cohort"] = out["cohort"].where(out["cohort"].notna(), None)
    return label_if_synthetic(out[EPISODE_COLUMNS].reset_index(drop=True),
                              bool(rows["is_synthetic"].any()))


def driver_rows(engine: Engine, statement) -> pd.DataFrame:
    """``queries.frame`` without SQLAlchemy's row objects: the driver's own values (dates
    as text in SQLite, ``date`` in PostgreSQL: pandas parses both), several times faster
    for the ~600,000 episodes of an all-England store."""
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.cursor.fetchall(), columns=list(result.keys()))


def child_cohorts(engine: Engine) -> pd.Series:
    """child_id -> cohort name in the latest year's stored fit for the current data (empty
    if none is stored: fitting is the Needs page's and the refresh's job)."""
    for year in sorted(case_years(engine), reverse=True):
        if cohort_store.stored(engine, cohort_store.data_key(engine, year)) is not None:
            members = cohort_store.members(engine, year)
            return members.set_index("child_id")["cohort_name"]
    return pd.Series(dtype=object)


def is_synthetic(engine: Engine) -> bool:
    """Whether the case-level series are made from any synthetic child (an LA whose real
    data replace its synthetic children counts as real)."""
    c = s.Child
    rows = queries.frame(engine, select(c.la_code.label("from_code"), c.is_synthetic)
                         .distinct())
    if rows.empty:
        return False
    rows["is_synthetic"] = rows["is_synthetic"].astype(bool)
    return bool(flows.prefer_real(rows)["is_synthetic"].any())


def geography(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """LA code -> RCC name (current LAs in an RCC) and LA code -> region code (every LA)."""
    current = queries.local_authorities(engine).dropna(subset=["rcc_name"])
    every = queries.all_local_authorities(engine)
    return (dict(zip(current["code"], current["rcc_name"])),
            dict(zip(every["code"], every["region_code"])))


def case_series(engine: Engine, episodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every case-level monthly series (``forecasting.monthly.case_series``'s columns) with
    ``shown``: whether disclosure control lets it (and any forecast of it) be shown.
    Counted up to 31 March of the latest year held. ``episodes``: ``episodes_frame``'s,
    if the caller has read them already (a forecast refresh needs them too)."""
    episodes = episodes_frame(engine) if episodes is None else episodes
    years = case_years(engine)
    last = pd.Timestamp(year=max(years), month=3, day=31) if years else None
    counts = monthly.monthly_counts(episodes, last_month=last)
    la_rcc, la_region = geography(engine)
    table = monthly.case_series(counts, la_rcc, la_region, area_names(engine))
    flags = series_protection.shown(table, la_rcc, la_region)
    out = table.merge(flags[series_protection.KEY + ["shown"]], on=series_protection.KEY,
                      how="left")
    out["shown"] = out["shown"].astype(bool)
    return label_if_synthetic(out, episodes.attrs.get("synthetic", False))
