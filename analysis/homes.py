"""Children's homes per LA, by sector and by latest Ofsted judgement.

Ofsted redacts the address of every children's home, so nothing here is finer than the
LA an Ofsted record is filed under: the only geography the published list gives.
"""

from __future__ import annotations

import pandas as pd

#: Ofsted's sector names -> the short column suffixes used in tables and exports.
SECTORS = {"Private": "private", "Local Authority": "la", "Voluntary": "voluntary",
           "Health Authority": "health"}

#: Ofsted's overall judgement (children's experiences and progress) -> column suffix.
#: A home with no full inspection yet has no judgement.
JUDGEMENTS = {"Outstanding": "outstanding", "Good": "good",
              "Requires improvement to be good": "requires_improvement",
              "Inadequate": "inadequate", None: "not_yet_inspected"}


def homes_by_la(homes: pd.DataFrame) -> pd.DataFrame:
    """One row per LA code in the Ofsted list: homes and places in all, by sector, and
    homes by latest overall judgement. ``homes`` is one row per home (la_code, sector,
    places, overall_judgement). An unknown sector or judgement raises, rather than being
    dropped from the breakdown silently."""
    unknown = set(homes["sector"]) - set(SECTORS)
    unknown_judgements = set(homes["overall_judgement"].dropna()) - set(JUDGEMENTS)
    if unknown or unknown_judgements:
        raise ValueError("Unknown Ofsted sector or judgement: "
                         f"{sorted(unknown | unknown_judgements)}")
    homes = homes.assign(sector_key=homes["sector"].map(SECTORS),
                         judgement_key=homes["overall_judgement"].map(
                             lambda value: JUDGEMENTS[None if pd.isna(value) else value]))
    totals = homes.groupby("la_code").agg(homes=("places", "size"), places=("places", "sum"))
    parts = [totals]
    for measure, how in (("homes", "size"), ("places", "sum")):
        by_sector = homes.pivot_table(index="la_code", columns="sector_key", values="places",
                                      aggfunc=how, fill_value=0)
        by_sector = by_sector.reindex(columns=list(SECTORS.values()), fill_value=0)
        parts.append(by_sector.add_prefix(f"{measure}_"))
    by_judgement = homes.pivot_table(index="la_code", columns="judgement_key", values="places",
                                     aggfunc="size", fill_value=0)
    by_judgement = by_judgement.reindex(columns=list(JUDGEMENTS.values()), fill_value=0)
    parts.append(by_judgement.add_prefix("homes_"))
    return pd.concat(parts, axis=1).astype(int).rename_axis("la_code").reset_index()
