"""The board pack page's reads: the slow shared objects a pack is cut from (the needs family,
the fee frame and family), taken from the app's caches where the viewer may read them
whole, and the live list of packs (a pack made on another tab shows at once)."""

from __future__ import annotations

import contextlib

import cached
import cached_costs
from analysis import access
from data import packs
from data.pack_tables import Parts


@contextlib.contextmanager
def read_for(kinds: tuple[str, ...], scope_kind: str, rcc: str | None):
    """Check the viewer for ``kinds`` at a scope the page names (not the sidebar's), then
    let the readers inside answer without checking again: a board pack for the RCC a
    trustee chose is cut from the shared families of every RCC, which it never shows."""
    for kind in kinds:
        access.require(cached.viewer(), kind, scope_kind, rcc)
    with cached.checked_already():
        yield


def parts(rcc_id: str, case_year: int | None) -> Parts:
    """The needs and fee families from the app's caches (shared with the Needs and Costs
    pages, so a pack does not rebuild them), once the viewer is checked for ``rcc_id``'s
    needs and aggregate figures: the pack is cut to that RCC, whatever the sidebar shows."""
    with read_for((access.NEEDS, access.AGGREGATE), "rcc", rcc_id):
        family = None if case_year is None else cached.needs_family(case_year,
                                                                    cached.case_version())
        return Parts(needs_family=family, fee_frame=cached_costs.fees(),
                     fee_family=cached_costs.fee_family(cached_costs.fee_cap_percent()))


def made(rcc_ids) -> object:
    """The packs made for ``rcc_ids``, newest first (live, not cached)."""
    return packs.packs(cached.engine(), rcc_ids)
