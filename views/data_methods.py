"""Data & methods: where every figure comes from and how it is computed."""

from __future__ import annotations

import streamlit as st

import cached
from analysis import accountability, funnel, geography, rates
from analysis import trend as trend_methods
from analysis.suppression import SYMBOL_MEANINGS
from components.source import OGL_ATTRIBUTION
from views import frame, import_panel

st.title("Data & methods")
st.markdown(
    "Every figure in RCC Insight comes from a published official dataset, loaded unaltered "
    "into the app's database. The files are kept in the app itself (`data/open/`) with their "
    "checksums, so the figures do not change unless a new release is deliberately loaded.")

st.header("Datasets")
releases = cached.releases()
frame.table(
    releases, "data-releases", "dataset list", "python -m data export data-releases",
    column_config={"dataset": None, "file": None, "checksum": None, "rows": None,
                   "title": st.column_config.TextColumn("Dataset", width="large"),
                   "publisher": "Publisher", "period": "Period", "licence": "Licence",
                   "url": st.column_config.LinkColumn("Source page"),
                   "loaded_at": st.column_config.DatetimeColumn("Loaded (UTC)")})
st.caption("The download also gives each dataset's files, SHA-256 checksum and row count.")
st.subheader("Licence and attribution")
st.markdown(f"{OGL_ATTRIBUTION} See the [Open Government Licence v3.0]"
            "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/). "
            "Ofsted does not publish the names or addresses of children's homes, and neither "
            "does this app: homes are shown by local authority only.")

st.header("Rates per 10,000 children")
st.markdown(rates.__doc__)
check = cached.rate_check()
matched = int(check["matches"].sum())
st.markdown(f"**Check:** the computed rate equals DfE's published rate for **{matched} of "
            f"{len(check)}** LA, region and England figures for 31 March 2021 to 2025 "
            "where DfE publishes both a count and a rate.")
exceptions = check[~check["matches"]]
if exceptions.empty:
    st.markdown("There are no exceptions. Rates are not computed where DfE suppresses the "
                "count (`c`) or the LA did not exist (`z`), e.g. City of London and the Isles "
                "of Scilly. Had region rates been computed from DfE's *rounded* regional "
                "counts, West Midlands 2024 and Inner London 2023 would each be 1 higher.")
with st.expander("Computed and published rates, every area and year"):
    frame.table(check, "rate-check", "rate check", "python -m data export rate-check")

st.header("Accountability: funnel limits, trends and the flag rule")
st.markdown(funnel.__doc__)
st.markdown(trend_methods.__doc__)
st.markdown(accountability.__doc__)

st.header("Maps: homes, out-of-area placements and flows")
st.markdown(
    "- **Boundaries**: ONS counties and unitary authorities, December 2023 (ultra "
    "generalised); RCC outlines are their member LAs joined together. The maps need no "
    "internet; a street map underneath is optional.\n"
    "- **Colours**: five classes with round-number ranges, set on the LAs shown, in "
    "colour-blind-safe ColorBrewer schemes (net flow: orange where more children are placed "
    "out than in). Grey means not available or suppressed; the tooltip gives DfE's symbol.\n"
    "- **Children's homes**: Ofsted's register at 31 March 2023. Ofsted does not publish "
    "where homes are, so nothing finer than the LA is shown.\n"
    "- **Net flow**: DfE's count of other LAs' children placed inside the LA, minus the LA's "
    "own children placed outside it.\n"
    "- **Flows between LAs** are counted from case-level placements at 31 March (imported "
    "returns, or the synthetic cohort where an LA has sent none). Counts of 1 to 4 are "
    "shown as c, and further counts are hidden where a total would give them away; hidden "
    "flows are not drawn.\n"
    "- **Self-sufficiency** of an RCC or region: the % of its children placed inside it, "
    "and the % of its children's-home places (Ofsted) used by its own LAs' children.")

st.header("Symbols")
st.markdown("Published figures keep DfE's own symbols, never a number in their place:\n\n"
            + "\n".join(f"- **{symbol}**: {meaning}"
                        for symbol, meaning in SYMBOL_MEANINGS.items()))

st.header("Changes to local authorities")
st.markdown(geography.__doc__)
st.markdown("Reorganisations take effect on 1 April, so the old council's last count is at "
            "31 March of the year shown and the new council's first count a year later.")
frame.table(cached.code_changes(), "code-changes", "code changes",
            "python -m data export code-changes")

st.header("Regional Care Co-operatives")
st.markdown("By default each English region is one RCC, except that Greater Manchester's 10 "
            "LAs form the pathfinder RCC (the rest of the North West is its own RCC). "
            "Membership is stored in the database, where the board can change it; "
            "rebuilding the published data does not overwrite it.")
frame.table(cached.rcc_membership(), "rcc-membership", "RCC membership",
            "python -m data export rcc-membership")

st.header("Needs categories")
st.markdown("Case-level needs use the 11 categories of regional needs analyses. A Placements "
            "Data Standard v2 import records a need when any of the fields listed for it "
            "shows it (a risk present, a requirement stated); the standard does not record "
            "how often or how intensely, so those are 'unknown'.")
frame.table(cached.needs_vocabulary(), "needs-vocabulary", "needs vocabulary",
            "python -m data export needs-vocabulary",
            column_config={"label": "Need", "placements_v2_fields": "Placements v2 fields",
                           "description": st.column_config.TextColumn("Description",
                                                                      width="large")})

import_panel.render()
