"""The provider offer register: read it, save one home's offer from the page's form, and
write the labelled synthetic default offers the demo matches children against.

The CSV import and the checks every offer passes live in ``data.importers.provider_offers``
(this module's offers go through the same checks and the same write). Names and
addresses of homes are never stored, so the register names a home by its URN, its LA,
RCC, Ofsted provision type and sector.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, func, select

from analysis.access import Viewer
from analysis.specificity import INTENSITIES
from data import audit, queries, tables
from data import schema as s
from data.importers import provider_offers as importer
from data.importers.common import ImportRefused, ImportReport

SYNTHETIC_BY = "synthetic default"

#: The three broad cohorts regional needs analyses describe, each as the needs at its core
#: and the needs next to it; a synthetic home offers the core first, then neighbours.
COHORT_NEEDS = {
    "disability": (("disability", "neurodevelopmental"),
                   ("mental_health", "risk_to_others", "out_of_education", "self_harm")),
    "complex trauma": (("mental_health", "self_harm", "risk_to_others", "placement_breakdown",
                        "out_of_education"),
                       ("neurodevelopmental", "going_missing", "substance_misuse")),
    "exploitation": (("criminal_exploitation", "sexual_exploitation", "going_missing",
                      "substance_misuse"),
                     ("out_of_education", "placement_breakdown", "risk_to_others",
                      "mental_health")),
}
#: Chance of each cohort for an ordinary home; residential special schools are mostly
#: disability homes and secure homes take trauma and exploitation at high intensity.
COHORT_WEIGHTS = {"ordinary": (0.2, 0.45, 0.35), "school": (0.8, 0.15, 0.05),
                  "secure": (0.0, 0.5, 0.5)}
GENERALIST_SHARE = 0.15  # homes accepting 7 or more needs; the rest accept 2 to 6
INTENSITY_WEIGHTS = (0.1, 0.4, 0.5)
AGE_FROM = ((5, 8, 10, 11, 12, 13, 14), (0.03, 0.2, 0.2, 0.17, 0.2, 0.12, 0.08))
AGE_TO = ((16, 17, 18), (0.1, 0.8, 0.1))
SEX_WEIGHTS = (("any", "male", "female"), (0.7, 0.15, 0.15))


def register(engine: Engine) -> pd.DataFrame:
    """Every offer with its home's LA, RCC, provision type, sector and registered places
    (one row per home with an offer, by URN); ``is_synthetic`` marks the demo's defaults."""
    o = s.ProviderOffer
    offers = queries.frame(engine, select(o.urn, o.needs, o.max_intensity, o.age_from,
                                          o.age_to, o.sex, o.places, o.source, o.updated_at,
                                          o.updated_by, o.is_synthetic).order_by(o.urn))
    homes = queries.homes(engine).rename(columns={"places": "registered_places"})
    las = tables.las_with_history(engine)[["code", "name", "rcc_id", "rcc_name"]].rename(
        columns={"code": "la_code", "name": "la_name"})
    out = offers.merge(homes[["urn", "la_code", "provision_type", "sector",
                              "registered_places"]], on="urn", how="left")
    out = out.merge(las, on="la_code", how="left")
    out["is_synthetic"] = out["is_synthetic"].astype(bool)
    first = ["urn", "la_code", "la_name", "rcc_id", "rcc_name", "provision_type", "sector",
             "registered_places"]
    return out[first + [c for c in out.columns if c not in first]]


def version(engine: Engine) -> tuple[int, str]:
    """The register's state in one cheap query: how many offers and the newest save. Any
    save or import changes it, so tables matched against offers can be cached under it."""
    o = s.ProviderOffer
    with engine.connect() as connection:
        count, newest = connection.execute(select(func.count(), func.max(o.updated_at))).one()
    return int(count), str(newest)


def save_offer(engine: Engine, offer: dict, by: str, *,
               viewer: Viewer | None = None) -> importer.OfferImport:
    """Save one home's offer from the form: the same checks as a file row (ImportRefused
    with the problems, nothing written, if any fails), replacing that home's offer, and
    record it in the audit trail for ``viewer``. ``offer['needs']`` may be ';'-separated
    text or a list of codes."""
    values = dict(offer)
    if not isinstance(values.get("needs"), str) and values.get("needs") is not None:
        values["needs"] = ";".join(values["needs"])
    frame = pd.DataFrame([{column: form_text(values.get(column))
                           for column in importer.COLUMNS}], dtype="string")
    report = ImportReport()
    try:
        rows = importer.checked(frame, "offer", importer.load_reference(engine), report)
    except ImportRefused as refused:  # no file, so no row numbers
        raise ImportRefused(ImportReport([replace(issue, row=None)
                                          for issue in refused.report.errors])) from None
    written = importer.write_offers(engine, rows, source="form", by=by)
    audit.record_change(engine, viewer, "offers", {"source": "form", **rows.iloc[0].to_dict(),
                                                   "replaced": written.replaced}, by=by)
    return written


def form_text(value) -> str | None:
    """A form value as the file would hold it: stripped text, blank as missing."""
    text = "" if value is None else str(value).strip()
    return text or None


# --- the synthetic default ---------------------------------------------------------------

def synthetic_offers(homes: pd.DataFrame, needs: tuple[str, ...], seed: int) -> pd.DataFrame:
    """A plausible offer for each home (``urn``, ``provision_type``, ``places``), the same
    for the same seed and homes: one broad cohort's needs (2 to 6 of them; some homes are
    generalists with 7 or more), ages mostly 8 to 17, every registered place offered."""
    rng = np.random.default_rng(seed)
    rows = []
    for home in homes.sort_values("urn").itertuples(index=False):
        kind = home_kind(home.provision_type)
        cohort = rng.choice(list(COHORT_NEEDS), p=COHORT_WEIGHTS[kind])
        age_from = int(rng.choice(AGE_FROM[0], p=AGE_FROM[1]))
        intensity = "high" if kind == "secure" else rng.choice(INTENSITIES,
                                                               p=INTENSITY_WEIGHTS)
        rows.append({"urn": str(home.urn), "needs": offered_needs(rng, cohort, needs),
                     "max_intensity": str(intensity), "age_from": age_from,
                     "age_to": max(age_from, int(rng.choice(AGE_TO[0], p=AGE_TO[1]))),
                     "sex": str(rng.choice(SEX_WEIGHTS[0], p=SEX_WEIGHTS[1])),
                     "places": int(home.places)})
    return pd.DataFrame(rows, columns=importer.COLUMNS)


def home_kind(provision_type: str) -> str:
    """Ofsted's provision type as the synthetic offer's kind of home."""
    text = str(provision_type).lower()
    if "secure" in text:
        return "secure"
    return "school" if "school" in text else "ordinary"


def offered_needs(rng: np.random.Generator, cohort: str, vocabulary: tuple[str, ...]) -> str:
    """';'-joined need codes: the cohort's core needs first, then its neighbours, then any
    other (generalists), keeping only codes in the store's vocabulary."""
    core, near = COHORT_NEEDS[cohort]
    rest = [code for code in vocabulary if code not in core + near]
    order = [str(code) for code in (*rng.permutation(core), *rng.permutation(near),
                                    *rng.permutation(rest)) if code in vocabulary]
    generalist = rng.random() < GENERALIST_SHARE and len(order) >= 7
    count = int(rng.integers(7, len(order) + 1) if generalist else rng.integers(2, 7))
    chosen = set(order[:count])
    return ";".join(code for code in vocabulary if code in chosen)


def write_synthetic(engine: Engine, seed: int) -> int:
    """Give every Ofsted children's home in the store a labelled synthetic offer
    (source 'synthetic', ``is_synthetic``), in one transaction, replacing earlier synthetic
    offers and never an imported or form-entered one. Returns the offers written.
    The offers pass the same checks as an imported file (a generator bug would refuse)."""
    reference = importer.load_reference(engine)
    homes = queries.homes(engine)
    offers = synthetic_offers(homes, reference.needs, seed)
    frame = offers.astype("string")
    rows = importer.checked(frame, "synthetic offers", reference, ImportReport())
    o = s.ProviderOffer
    with engine.begin() as connection:
        connection.execute(delete(o).where(o.is_synthetic.is_(True)))
        kept = set(connection.execute(select(o.urn)).scalars())
        written = importer.replace_offers(connection, rows[~rows["urn"].isin(kept)],
                                          source="synthetic", by=SYNTHETIC_BY)
    return written.written
