"""The cached reads of a provider's own homes (Costs, *Your homes*): kind ``access.OWN``,
so a provider sees its own placements and an analyst any provider's; nobody else."""

from __future__ import annotations

import pandas as pd

import cached_costs
from analysis import access
from cached import engine, table, viewer
from data import own_homes


def own_placements(provider_id: str) -> pd.DataFrame:
    """The provider's current paid placements with their fees. A provider asking for
    another provider's is refused here, before anything is read or taken from the cache
    (the cache is shared by every session)."""
    looking = viewer()
    if looking.role == "provider" and provider_id != looking.provider:
        raise access.AccessDenied(access.refusal(looking, access.OWN, "england"))
    return _own_placements(provider_id)


@table(kind=access.OWN)
def _own_placements(provider_id: str) -> pd.DataFrame:
    return own_homes.own_placements(engine(), provider_id, cached_costs.fees())


@table(kind=access.ADMIN)
def provider_ids() -> list[str]:
    """Every provider with a current paid placement, for an analyst to choose one."""
    return own_homes.providers(cached_costs.fees())
