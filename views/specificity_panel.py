"""The specificity gap on the Needs page: for an RCC, its children in residential care by
cohort, where they are placed, the places in its own homes that match them and the gap;
and what it "exports": the needs of the children it places outside the region."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import cached
import live
from analysis import access, specificity
from views import frame

GAP_COLUMNS = {"rcc": "RCC", "cohort": "Cohort", "children": "Children in residential care",
               specificity.INSIDE_LA: "Placed inside their LA",
               specificity.ELSEWHERE_IN_RCC: "Elsewhere in the RCC",
               specificity.OUTSIDE_RCC: "Outside the RCC",
               specificity.NOT_RECORDED: "Placement not recorded",
               "matching_places": "Matching places in the RCC's homes", "gap": "Gap"}
EXPORT_COLUMNS = {"need": None, "need_label": "Need",
                  "placed_outside": "Children with it placed outside",
                  "pct_outside": "% of those placed outside",
                  "pct_inside": "% of those placed inside",
                  "children_outside": "Placed outside the RCC",
                  "children_inside": "Placed inside the RCC", "rcc": None}
RULE = ("A child matches a home when their age is in its age range, it takes their sex, "
        "it accepts **every** need they have, and their needs are no more intense than it "
        "accepts. **Matching places** are the most of the children the RCC's own homes "
        "could take at once; the **gap** is the children they could not.")


def render(filters: frame.Filters, year: int, version: int, labels: dict[str, str]) -> None:
    """The section: the rule, the RCC's gap by cohort, and what it exports."""
    st.header("Specificity: do the RCC's homes match its children?", anchor=False)
    st.markdown(RULE)
    offers = live.offers_version()
    gap = cached.specificity_gap(year, offers, version)
    if gap.empty:
        st.markdown("No children in residential care are placed by an RCC's LAs here.")
        return
    rcc = chosen_rcc(filters, sorted(set(gap["rcc"])))
    if rcc is None:
        return
    frame.chart(cached.gap_figure(year, rcc, offers, version),
                f"Bar chart of children in residential care and matching places in "
                f"{rcc}'s homes, by cohort")
    every = access.may(cached.viewer(), access.NEEDS)  # every RCC's: not a trustee's
    with st.expander("The gap as a table" + (" (every RCC)" if every else "")):
        frame.table(gap if every else gap[gap["rcc"] == rcc], "specificity-gap",
                    "specificity gap", year=year, column_config=GAP_COLUMNS)
    exports_section(rcc, year, version, labels)


def scope_rcc(scope) -> str | None:
    """The RCC a scope names (an LA's own, by name); None at England or a region."""
    if scope.kind == "rcc":
        return cached.rccs().set_index("id").at[scope.code, "name"]
    if scope.kind == "la":
        return cached.local_authorities().set_index("code").at[scope.code, "rcc_name"]
    return None


def chosen_rcc(filters: frame.Filters, rccs: list[str]) -> str | None:
    """The scope's RCC (an LA's own), or at England one chosen here."""
    if filters.scope.kind in ("rcc", "la"):
        name = scope_rcc(filters.scope)
        if not isinstance(name, str) or name not in rccs:
            st.markdown(f"{filters.title} has no children in residential care placed by "
                        "an RCC's LAs in the records held.")
            return None
        return name
    return st.selectbox("RCC", rccs, key="gap_rcc")


def exports_section(rcc: str, year: int, version: int, labels: dict[str, str]) -> None:
    """What the RCC exports, in a sentence and a chart."""
    st.subheader(f"What {rcc} sends away", anchor=False)
    shares = cached.rcc_exports(year, rcc, version)
    st.markdown(specificity.exports_sentence(readable(shares), labels))
    frame.chart(cached.exports_figure(year, rcc, version),
                f"Bar chart of each need's share among {rcc}'s children placed outside the "
                "RCC and inside it")
    with st.expander("The table"):
        frame.table(shares.assign(need_label=shares["need"].map(labels)), "rcc-exports",
                    "what the RCC sends away", year=year, part=rcc,
                    column_config=EXPORT_COLUMNS)


def readable(shares: pd.DataFrame) -> pd.DataFrame:
    """The shares as numbers for the sentence, hidden ones as missing (never named)."""
    return shares.apply(pd.to_numeric, errors="coerce").assign(need=shares["need"])
