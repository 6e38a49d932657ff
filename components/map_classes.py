"""Class breaks and colours for the choropleths: few classes with round-number ranges a
reader can hold in mind, colour-blind-safe ColorBrewer palettes (YlGnBu; PuOr either side
of zero), and the round reference sizes that key circles and lines.

Pure numbers, no drawing: ``components.map_figures`` draws with them.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: ColorBrewer YlGnBu by number of classes (1 and 2 picked from the 3-class scheme).
SEQUENTIAL = {
    1: ["#7fcdbb"],
    2: ["#edf8b1", "#2c7fb8"],
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
}
#: ColorBrewer PuOr, orange for negative (more children placed out, as on the flow map).
DIVERGING = {
    1: ["#f7f7f7"],
    3: ["#f1a340", "#f7f7f7", "#998ec3"],
    5: ["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"],
}
NOT_AVAILABLE = "#d9d9d9"
MAX_CLASSES = 5


def whole_numbers(values: Iterable[float]) -> bool:
    """True if every available value is a whole number (counts), so ranges read "50 to 74"."""
    data = pd.Series(values, dtype=float).dropna()
    return bool((data == data.round()).all())


def nice(x: float, how: str = "round", whole: bool = False) -> float:
    """``x`` rounded to a step of 1, 2 or 5 times a power of ten, the largest such step no
    more than an eighth of ``x`` (47.9 -> 50, 62.3 -> 60, 74.6 -> 75, 0.0341 -> 0.034), so
    class ranges are numbers a reader can hold in mind.

    ``how`` is "round", "floor" or "ceil"; ``whole`` keeps the step at least 1.
    """
    if x == 0 or not math.isfinite(x):
        return x
    eighth = abs(x) / 8
    power = 10 ** math.floor(math.log10(eighth))
    step = max(m * power for m in (1, 2, 5) if m * power <= eighth)
    if whole:
        step = max(step, 1)
    rounded = {"round": round, "floor": math.floor, "ceil": math.ceil}[how](x / step) * step
    decimals = max(0, -math.floor(math.log10(step)))
    return round(float(rounded), decimals)


def class_breaks(values: Iterable[float], k: int = 5, diverging: bool = False) -> list[float]:
    """Class edges from quantiles, rounded to nice numbers: ``k`` classes, fewer when there
    are few distinct values or two quantiles round to the same number.

    Diverging scales (net flows) are symmetric around 0 with a neutral middle class that
    holds 0, and ``k // 2`` classes each side; the same colour means the same size either
    side. No available value gives []; a single value gives [v, v] (one class).
    """
    if not 1 <= k <= MAX_CLASSES:
        raise ValueError(f"k must be 1 to {MAX_CLASSES}, not {k}")
    data = pd.Series(values, dtype=float).dropna()
    if data.empty:
        return []
    whole = whole_numbers(data)
    if diverging:
        return diverging_breaks(data.abs(), k // 2, whole)
    k = min(k, data.nunique())
    inner = [nice(q, "round", whole) for q in data.quantile(np.linspace(0, 1, k + 1)[1:-1])]
    edges = sorted({nice(data.min(), "floor", whole), *inner, nice(data.max(), "ceil", whole)})
    return edges if len(edges) > 1 else edges * 2


def diverging_breaks(magnitudes: pd.Series, side: int, whole: bool) -> list[float]:
    """Symmetric edges [-top, ..., -a, a, ..., top] from quantiles of the sizes |v|.

    The neutral class [-a, a] takes about the smallest 1/(2*side+1) of the sizes, like one
    quintile does for five classes."""
    positions = [(1 + 2 * i) / (2 * side + 1) for i in range(side)]
    edges = {nice(q, "round", whole) for q in magnitudes.quantile(positions)}
    edges.add(nice(magnitudes.max(), "ceil", whole))
    edges = sorted(edge for edge in edges if edge > 0)
    if not edges:
        return [0.0, 0.0]
    return [-edge for edge in reversed(edges)] + edges


def class_index(value: float, breaks: Sequence[float]) -> int:
    """Which class ``value`` falls in.

    At or below zero a class holds its lower edge, above zero its upper edge, so classes
    mirror each other around 0: [-50, -10), [-10, 10], (10, 50]. The outer classes also
    hold the outer edges.
    """
    position = bisect_right(breaks, value) if value <= 0 else bisect_left(breaks, value)
    return min(max(position - 1, 0), max(len(breaks) - 2, 0))


def colour_for(value: float, breaks: Sequence[float], palette: Sequence[str]) -> str:
    """The fill colour of ``value``; grey where it is not available or suppressed."""
    if pd.isna(value) or not breaks:
        return NOT_AVAILABLE
    return palette[class_index(value, breaks)]


def palette_for(breaks: Sequence[float], diverging: bool = False) -> list[str]:
    """The colours for these breaks, one per class."""
    classes = max(len(breaks) - 1, 1)
    return (DIVERGING if diverging else SEQUENTIAL)[classes]


def number(x: float) -> str:
    """A class edge as text: thousands separators, no trailing .0, a true minus sign."""
    text = f"{int(x):,}" if float(x).is_integer() else f"{x:,}"
    return text.replace("-", "\u2212")


def class_labels(breaks: Sequence[float], whole: bool) -> list[str]:
    """Each class's range as the legend shows it, following ``class_index``'s edges.

    Whole numbers give disjoint ranges ("50 to 74", "75 to 99"); other values say which
    edge belongs ("50 to under 75", "over 10 to 50")."""
    last = len(breaks) - 2
    labels = []
    for i, (low, high) in enumerate(zip(breaks[:-1], breaks[1:])):
        low_in, high_in = low <= 0 or i == 0, high > 0 or i == last
        if whole:
            low, high = low if low_in else low + 1, high if high_in else high - 1
            low_in = high_in = True
        if low == high:
            labels.append(number(low))
        else:
            labels.append(("" if low_in else "over ") + number(low)
                          + (" to " if high_in else " to under ") + number(high))
    return labels


def reference_values(smallest: float, largest: float, count: int = 3) -> list[float]:
    """Up to ``count`` round numbers (1, 2 or 5 times a power of 10, each about a fifth of
    the one before) between ``smallest`` and ``largest``, largest first, to key sizes."""
    if largest <= 0:
        return []
    ladder = sorted((m * 10 ** p for p in range(-2, 7) for m in (1, 2, 5)), reverse=True)
    rungs = [value for value in ladder if smallest <= value <= largest][::2][:count]
    return rungs or [nice(largest)]
