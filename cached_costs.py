"""The Costs page's cached reads: published spend and unit costs, fees and the board's cap,
how fees vary and the fee model, projected spend. Cached with ``cached``'s two decorators
(keyed by the data version, like every other cache), kept apart so cached.py stays under
~600 lines."""

from __future__ import annotations

from cached import engine, figure, table  # noqa: F401


# --- lead: the fee frame ---------------------------------------------------------------------


# --- HA: published spend and unit costs ------------------------------------------------------


# --- HB: the board's cap, fee make-up, the fee disclosure family ------------------------------


# --- HC: how fees vary, the fee model --------------------------------------------------------


# --- HD: projected spend ---------------------------------------------------------------------
