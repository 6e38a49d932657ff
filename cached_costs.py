"""The Costs page's cached reads: published spend and unit costs, fees and the board's cap,
how fees vary and the fee model, projected spend. Cached with ``cached``'s two decorators
(keyed by the data version, like every other cache), kept apart so cached.py stays under
~600 lines."""

from __future__ import annotations

from analysis.scope import Scope
from cached import engine, figure, scope_codes, table  # noqa: F401
from data import fee_frame, spend_projection


# --- lead: the fee frame ---------------------------------------------------------------------

@figure(max_entries=2)
def fees():
    """Every current paid placement with its fee (``data.fee_frame``): read once per data
    version and shared by every session and fee section (callers must not change it)."""
    return fee_frame.fee_frame(engine())


def scope_fees(scope: Scope):
    """The placements made by the scope's LAs, from the shared fee frame."""
    return fee_frame.scope_rows(fees(), scope, scope_codes(scope))


# --- HA: published spend and unit costs ------------------------------------------------------


# --- HB: the board's cap, fee make-up, the fee disclosure family ------------------------------


# --- HC: how fees vary, the fee model --------------------------------------------------------


# --- HD: projected spend ---------------------------------------------------------------------

def no_fee_statistics(area: Scope, breakdown: str, value) -> bool:
    """Interim fee test until the fee disclosure family is wired in here (lead): no fee
    statistic is shown, so projected spend uses the published unit costs."""
    return False


@table
def projected_spend(scope: Scope, inflation: float, run_id: int):
    """The scope's projected spend, years 0-5 (``data.spend_projection``): by placement
    group for an RCC, all children elsewhere; ``run_id`` keys it to the stored forecasts."""
    return spend_projection.projection(engine(), scope, inflation,
                                       may_describe=no_fee_statistics,
                                       fees=scope_fees(scope) if scope.kind == "rcc" else None)
