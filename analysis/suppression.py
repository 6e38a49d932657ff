"""DfE's statistical symbols, and how a published figure is shown with them.

Published DfE figures keep DfE's own symbols. A value is never shown where a symbol
stands, and a symbol is never turned into zero.
"""

from __future__ import annotations

import math

SYMBOL_MEANINGS = {
    "c": "confidential: suppressed to protect children's identities",
    "z": "not applicable (e.g. the LA did not exist that year)",
    "x": "not available",
    "low": "rounds to 0 but is not 0",
    "u": "low reliability",
    "k": "fewer than 0.5 (rounds to 0)",
    ":": "not available",
}


def show(value, symbol: str | None = None, decimals: int = 0, suffix: str = "") -> str:
    """A published value as text with thousands separators, or its symbol if it has one."""
    if symbol:
        return symbol
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "x"
    return f"{value:,.{decimals}f}{suffix}"
