"""The needs audit's cohorts, fitted once per data version and kept in the store.

A latent class fit of every child in residential care takes seconds, too long for a page
view and pointless to repeat while the data are unchanged. So ``cohorts`` looks up the
fit for the current *data key* (the newest case-level import, the year, the population
and the method's settings) and fits only when there is none, storing the result
(``cohort_fit``, ``cohort_member``) in one transaction and keeping the previous fit's
cohort numbers (``analysis.lca.match_to_previous``). Older fits beyond the newest
``KEEP_FITS`` are deleted in the same transaction.

The population: children looked after at 31 March ``year`` placed in children's homes or
in residential schools, health and other residential settings, real data preferred to
synthetic LA by LA (``map_tables.placements_at``), with the needs recorded at an
assessment on or before that day; a child with no recorded need is a row of zeros.
Members are child-level rows: any count made from them goes through
``analysis.disclosure`` before it is shown.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select

from analysis import flows as flow_rules
from analysis import lca
from analysis.disclosure import label_if_synthetic
from data import queries
from data import schema as s
from data.map_tables import check_case_year, needs_at, placements_at
from data.register import now

RESIDENTIAL = ("Children's homes (incl. secure)",
               "Residential schools, health and other residential settings")
POPULATION = "residential"
KEEP_FITS = 4  # fits kept (newest first): enough for a few years and one refit
METHOD = (f"lca-binary k1-{lca.MAX_CLASSES} n_init={lca.N_INIT} max_iter={lca.MAX_ITER} "
          f"tol={lca.ABS_TOL} seed={lca.SEED} min_class={lca.MIN_CLASS_CHILDREN}")


def need_labels(engine: Engine) -> dict[str, str]:
    """The store's needs vocabulary, code -> label, in code order."""
    n = s.NeedCategory
    table = queries.frame(engine, select(n.code, n.label).order_by(n.code))
    return dict(zip(table["code"], table["label"]))


def data_key(engine: Engine, year: int) -> str:
    """What a fit was made from: the newest case import (its id and time, as a rerun of the
    synthetic cohort can reuse an id), the year, the population and the method."""
    c = s.CaseImport
    newest = select(func.max(c.id)).scalar_subquery()
    row = queries.frame(engine, select(c.id, c.imported_at).where(c.id == newest))
    stamp = "none" if row.empty else f"{row.at[0, 'id']}@{row.at[0, 'imported_at']}"
    return f"import={stamp}|year={year}|population={POPULATION}|{METHOD}"


def residential_needs(engine: Engine, year: int,
                      codes: list[str]) -> tuple[pd.DataFrame, bool]:
    """The 0/1 needs matrix of children in residential care at 31 March ``year`` (index
    child_id, one column per need code) and whether any of them is synthetic."""
    placed = placements_at(engine, year)
    placed = placed[flow_rules.placement_group(placed["place"]).isin(RESIDENTIAL)]
    children = pd.Index(sorted(placed["child_id"]), name="child_id")
    needs = needs_at(engine, year)
    needs = needs[needs["child_id"].isin(children) & needs["need"].isin(codes)]
    matrix = (pd.crosstab(needs["child_id"], needs["need"]).clip(upper=1)
              .reindex(index=children, columns=codes, fill_value=0))
    return matrix.astype(int), bool(placed["is_synthetic"].any())


def cohorts(engine: Engine, year: int) -> lca.FitSummary:
    """The cohort fit of children in residential care at 31 March ``year`` for the current
    data (fitted and stored first if there is none). UserInputError for a year without
    case-level placements."""
    return fit_for(engine, year)[1]


def cohort_export(engine: Engine, year: int) -> pd.DataFrame:
    """The ``export cohorts`` table: each cohort's number, name, defining needs, estimated
    share and mean probability, then each need's probability in it (%, ``pct_<need>``).
    Model estimates for all England's children fitted, no child counts."""
    fit = cohorts(engine, year)
    profiles = (fit.profiles() * 100).round(1).add_prefix("pct_").reset_index()
    table = lca.cohort_table(fit).merge(profiles, on="cohort", how="left")
    return label_if_synthetic(table.assign(year=year), fit.synthetic)


def members(engine: Engine, year: int) -> pd.DataFrame:
    """Each child's cohort in the current fit: child_id, cohort, probability (the posterior
    probability of that cohort) and cohort_name. Child-level: protect any count."""
    fit_id, summary = fit_for(engine, year)
    m = s.CohortMember
    table = queries.frame(engine, select(m.child_id, m.cohort, m.probability)
                          .where(m.fit_id == fit_id).order_by(m.child_id))
    return named(table, summary)


def classified(engine: Engine, year: int, fit_year: int) -> pd.DataFrame:
    """Children in residential care at 31 March ``year`` in the cohorts of the ``fit_year``
    fit (not refitted, so a cohort means the same in every year of a trend): child_id,
    cohort, probability, cohort_name. Child-level: protect any count."""
    summary = cohorts(engine, fit_year)
    check_case_year(engine, year)
    matrix, _ = residential_needs(engine, year, list(summary.needs))
    return named(lca.classify(summary, matrix), summary)


def named(table: pd.DataFrame, summary: lca.FitSummary) -> pd.DataFrame:
    """Members with their cohort's name."""
    return table.assign(cohort_name=table["cohort"].map(summary.names()).astype(object))


def fit_for(engine: Engine, year: int) -> tuple[int, lca.FitSummary]:
    """The stored fit (id, summary) for the current data key, fitting it if needed."""
    check_case_year(engine, year)
    key = data_key(engine, year)
    found = stored(engine, key)
    if found is not None:
        return found
    labels = need_labels(engine)
    matrix, synthetic = residential_needs(engine, year, list(labels))
    previous = stored(engine)
    summary, assigned = lca.fit_cohorts(
        matrix, labels, previous=None if previous is None else previous[1].profiles(),
        synthetic=synthetic)
    return store_fit(engine, key, year, summary, assigned), summary


def stored(engine: Engine, key: str | None = None) -> tuple[int, lca.FitSummary] | None:
    """The newest stored fit (id, summary) with data key ``key`` (any key if None)."""
    f = s.CohortFit
    statement = select(f.id, f.summary).order_by(f.id.desc()).limit(1)
    if key is not None:
        statement = statement.where(f.data_key == key)
    row = queries.frame(engine, statement)
    if row.empty:
        return None
    return int(row.at[0, "id"]), lca.FitSummary.from_json(row.at[0, "summary"])


def store_fit(engine: Engine, key: str, year: int, summary: lca.FitSummary,
              assigned: pd.DataFrame) -> int:
    """Write a fit and its members and delete all but the newest ``KEEP_FITS`` fits, in one
    transaction (a failure leaves the store as it was). Returns the new fit's id."""
    f, m = s.CohortFit, s.CohortMember
    with engine.begin() as connection:
        fit_id = connection.execute(insert(f).values(
            data_key=key, year=year, fitted_at=now(), classes=summary.classes,
            seed=summary.seed, summary=summary.to_json(),
            is_synthetic=summary.synthetic)).inserted_primary_key[0]
        if len(assigned):
            connection.execute(insert(m), [
                {"fit_id": fit_id, "child_id": int(child), "cohort": int(cohort),
                 "probability": float(probability)}
                for child, cohort, probability in assigned[
                    ["child_id", "cohort", "probability"]].itertuples(index=False)])
        kept = select(f.id).order_by(f.id.desc()).limit(KEEP_FITS)
        old = [row.id for row in connection.execute(select(f.id).where(f.id.not_in(kept)))]
        if old:
            connection.execute(delete(m).where(m.fit_id.in_(old)))
            connection.execute(delete(f).where(f.id.in_(old)))
    return fit_id
