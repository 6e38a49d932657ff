"""Data & methods: a short guide for trustees to what each figure means, where it comes
from and the rules the app applies, with the technical detail folded away.

The words here are written for the page; nothing is copied from code docstrings, which are
written for developers."""

from __future__ import annotations

import streamlit as st

import cached
from analysis.disclosure import THRESHOLD
from analysis.suppression import SYMBOL_MEANINGS
from components.source import OGL_ATTRIBUTION
from views import frame, import_panel

#: The symbols a trustee will meet, in plain words (DfE's full list is in an expander).
SYMBOLS = {
    "c": "hidden to protect children's identities: the number is small enough that it "
         "could help someone work out who a child is.",
    "z": "does not apply, for example an LA that did not exist that year.",
    "x": "not available: the figure was not collected or not published.",
    "low": "a figure (usually a percentage) that rounds to 0 but is not 0.",
}

st.title("Data & methods")
st.markdown(
    "A short guide to the figures in RCC Insight: what each one means, where it comes "
    "from and the rules the app applies to it. The folded sections give the technical "
    "detail for anyone who wants to check the working.")

# --- What the numbers mean --------------------------------------------------------------
st.header("What the numbers mean")
st.markdown(
    "- **Children looked after**: the number of children in the care of a local authority "
    "(LA) on 31 March of the year chosen in the filters, as published by the Department "
    "for Education (DfE). An RCC's or a region's figure is the total of its LAs.\n"
    "- **Rate per 10,000 children**: children looked after for every 10,000 children aged "
    "0 to 17 living in the area. It lets a small LA be compared fairly with a large one.\n"
    "- **Quartile and rank**: where an LA's rate stands among all LAs in England. "
    "Quartile 4 is the highest quarter; rank 1 is the highest rate.\n"
    "- **Trend, % a year**: how fast the rate has been changing on average over the last "
    "five years. The trend is called a rise or a fall only when it is bigger than the "
    "usual ups and downs would explain; otherwise it reads 'no clear change'.\n"
    "- **Owes an explanation**: the LA meets the board's rule for asking it to explain its "
    "rate (see *Which LAs are asked to explain* below).\n"
    "- **Children's home places per 10,000**: places in children's homes registered with "
    "Ofsted in the LA, for every 10,000 children aged 0 to 17 living there.\n"
    "- **% placed outside the LA** and **% placed more than 20 miles away**: of the LA's "
    "children looked after, the share living outside its boundary or more than 20 miles "
    "from home, as published by DfE.\n"
    "- **Net flow**: children from other LAs placed inside the LA, minus the LA's own "
    "children placed outside it. A negative number means more children leave than arrive.\n"
    "- **Flows between LAs** and **self-sufficiency** (the share of an area's children "
    "placed inside it) are counted from case-level records: see *Case-level data* below.")

check = cached.rate_check()
matched = int(check["matches"].sum())
years = sorted(int(y) for y in check["year"].unique())
span = f"{years[0]} to {years[-1]}" if years else "the years loaded"
st.markdown(f"**Checked against DfE:** the rate the app works out equals DfE's published "
            f"rate for **{matched:,} of {len(check):,}** LA, region and England figures "
            f"(31 March {span}) where DfE publishes both a count and a rate.")
with st.expander("How the rate is worked out, and the check figure by figure"):
    st.markdown(
        "Rate = children looked after at 31 March ÷ children aged 0-17 × 10,000, rounded "
        "to a whole number (halves rounded up), as DfE does. The population is the Office "
        "for National Statistics' mid-year estimate for the June before (31 March 2025 "
        "uses mid-2024).\n\n"
        "For a region or England, DfE publishes counts rounded to the nearest 10 but works "
        "out the rate from the exact total of its LAs. The app does the same, adding up "
        "the LAs' own counts, so its rates match DfE's. No rate is worked out where DfE "
        "hides the count (`c`) or the LA did not exist (`z`); the Isles of Scilly and the "
        "City of London are the usual examples.")
    exceptions = check[~check["matches"]]
    if exceptions.empty:
        st.markdown("Every computed rate matches the published one.")
    else:
        st.markdown(f"{len(exceptions):,} figures differ from the published rate; they are "
                    "marked in the table below.")
    frame.table(check, "rate-check", "rate check")

# --- Where the data come from -----------------------------------------------------------
st.header("Where the data come from")
st.markdown(
    "Every published figure comes from an official dataset, loaded into the app unchanged. "
    "The files are kept with the app together with a fingerprint (checksum) of each, so "
    "the figures do not change unless the team deliberately loads a new release.\n\n"
    "- **DfE**, *Children looked after in England including adoptions*: counts, rates, "
    "where children are placed and how far from home.\n"
    "- **ONS** mid-year population estimates: the children aged 0 to 17 in each area.\n"
    "- **Ofsted**: children's homes and their registered places, at 31 March 2023. Ofsted "
    "does not publish homes' names or addresses and neither does this app; homes are "
    "shown by LA only.\n"
    "- **ONS** boundaries of counties and unitary authorities (December 2023) for the "
    "maps; an RCC's outline is its member LAs joined together.\n\n"
    "The table lists every dataset loaded, including DfE's local authority interactive "
    "tool (LAIT) and statistical neighbours, with a link to each source page.")
releases = cached.releases()
frame.table(
    releases, "data-releases", "dataset list",
    column_config={"dataset": None, "file": None, "checksum": None, "rows": None,
                   "title": st.column_config.TextColumn("Dataset", width="large"),
                   "publisher": "Publisher", "period": "Period", "licence": "Licence",
                   "url": st.column_config.LinkColumn("Source page"),
                   "loaded_at": st.column_config.DatetimeColumn("Loaded (UTC)")})
st.caption("The download also gives each dataset's files, checksum and row count.")
st.markdown(f"{OGL_ATTRIBUTION} See the [Open Government Licence v3.0]"
            "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).")

# --- Symbols ----------------------------------------------------------------------------
st.header("Letters in place of numbers")
st.markdown(
    "Where DfE publishes a letter instead of a number, the app shows the same letter. It "
    "never puts a number in its place and never treats a letter as zero.\n\n"
    + "\n".join(f"- **{symbol}**: {meaning}" for symbol, meaning in SYMBOLS.items())
    + "\n\nOn the maps, an area is grey where its figure is not available or hidden; "
    "hovering over it shows the letter.")
with st.expander("Every symbol DfE uses"):
    st.markdown("\n".join(f"- **{symbol}**: {meaning}"
                          for symbol, meaning in SYMBOL_MEANINGS.items()))

# --- Case-level data, disclosure control and synthetic data ------------------------------
st.header("Case-level data")
st.markdown(
    "Flows of children between LAs, self-sufficiency and needs are counted from "
    "**case-level records**: one row per child and placement, in the format LAs already "
    "send to DfE (the SSDA903 return) or the Placements Data Standard. These are counted "
    "by the app itself, not published by DfE.")
st.subheader("Keeping children unidentifiable")
st.markdown(
    "Any count the app makes from case-level records is checked before it is shown, "
    f"downloaded or drawn on a map. A count of 1 to {THRESHOLD - 1} children is hidden and "
    "shown as **c**. Where a hidden number could be worked out from the others, for "
    "example by taking the visible numbers away from a total, more cells are hidden as well, until "
    "none can be worked back. Tables that share figures are protected together, so putting "
    "two of them side by side cannot give a hidden number back either. A zero stays 0: it "
    "tells nobody anything about a child.")
with st.expander("How the hiding works, step by step"):
    st.markdown(
        f"1. **Small counts**: every count from 1 to {THRESHOLD - 1} is replaced by `c`.\n"
        "2. **Counts that would give a small one away**: each row and each column of a "
        "table adds up to a total the reader knows (or could find elsewhere). If a row or "
        "column has exactly one hidden cell, that cell could be found by subtraction, so "
        "its smallest other non-zero count is hidden too. This repeats until no row or "
        "column has a single hidden cell.\n"
        "3. **A final check**: the rows and columns together form a set of sums. The app "
        "checks that no hidden cell can be found exactly by combining several of them, "
        "and hides one more cell wherever one could.\n"
        "4. **Tables side by side**: where two tables show the same count (for example "
        "self-sufficiency for all placements and for children's homes only), a count "
        "hidden in one is hidden in the other.\n"
        "5. **Every table at once**: the app then checks all of a year's placement tables "
        "together, as one reader holding every one of them would, also using the fact "
        "that a count is never below zero. In a year with very few children (a pilot with "
        "one or two LAs, say) the breakdown by placement type may be withheld altogether "
        "(every cell `c`); the page then says so.\n\n"
        "What this does not promise: someone who knows that a `c` is between 1 and 4 can "
        "sometimes narrow another hidden cell to a range. Exact numbers cannot be "
        "recovered.")
st.subheader("Synthetic data")
st.markdown(
    "Until LAs send their own case-level files, the app fills the gap with **synthetic "
    "data**: made-up children, generated by computer, whose totals match what DfE "
    "publishes for each LA (how many children, their ages, placement types, how far from "
    "home and so on). **No synthetic row describes a real child.** The synthetic data let "
    "the case-level pages be built and checked; they show the kind of picture real data "
    "would give, not the real picture. Every table, chart, map and download that uses "
    "them carries the label *Synthetic case-level data — not real children*. Where an "
    "LA has sent its own records, those are used instead.")

# --- Funnel and trend rule --------------------------------------------------------------
st.header("Which LAs are asked to explain")
st.markdown(
    "The Accountability page picks out LAs whose rate is unusually high, or rising, so the "
    "board can ask them why. It uses two tools.\n\n"
    "**The funnel.** Each LA's rate is compared with a **target line**: England's rate, "
    "unless the board chooses its RCC's rate instead. Around the line are two pairs of "
    "**control limits**, at 95% and at 99.8%. They show how far from the line a rate can "
    "be by chance alone; they are wide for small LAs, whose rates jump about more, and "
    "narrow for large ones, which gives the chart its funnel shape.\n\n"
    "LAs differ for real reasons (need, deprivation, local practice), not only by chance. "
    "So the app measures how spread out all English LAs' rates are around England's rate, "
    "once, and uses that one measure whatever target line is drawn, so every LA is judged "
    "on the same scale. A **chi-square test at the 5% level** asks whether that spread is "
    "more than chance would give. If it is, the limits are **widened** to allow for the "
    "real differences between LAs; if not, the plain chance limits are used.\n\n"
    "**The trend.** The trend is a **Poisson regression** of the LA's count over the "
    "**last 5 years**, allowing for changes in its child population, and reported as % a "
    "year. A **t test** decides whether the trend is a real rise or fall (at the 5% level) "
    "rather than the usual ups and downs. No trend is reported unless the LA has figures "
    "for at least 3 years in a row, ending in the year chosen.\n\n"
    "**The rule.** With the standard settings, an LA is asked to explain itself if its "
    "rate is above the upper 99.8% limit; or above the upper 95% limit with a significant "
    "rise over 5 years; or has gone up in each of the last 3 years with a significant "
    "rise over 5 years. The board can change these settings on the Accountability page, "
    "which shows the rule as it currently stands; the settings are stored with every "
    "request for an explanation.")
with st.expander("The formulas"):
    st.markdown(
        "**Exact limits** (Spiegelhalter, 2005, *Funnel plots for comparing institutional "
        "performance*). For an LA with *n* children aged 0-17 and a target rate θ per "
        "10,000, the expected count is *E* = *n* θ / 10,000. The limits are quantiles of "
        "a Poisson distribution with mean *E* (0.025 and 0.975 for 95%; 0.001 and 0.999 "
        "for 99.8%), interpolated so that they are smooth in *n*, and turned back into "
        "rates per 10,000.\n\n"
        "**Widened limits** (Spiegelhalter, 2005, *Handling over-dispersion of "
        "performance indicators*). On the square-root scale each LA gets a score "
        "*z* = 2 (√*O* − √*E*), with *O* its count and *E* its expected count at "
        "England's rate; the 10% most extreme at each end are pulled in (winsorised). "
        "φ is the mean of *z*², the spread compared with chance (1 means chance alone). "
        "With *k* LAs, *k* φ is compared with a chi-square distribution on *k* − 1 "
        "degrees of freedom; p < 0.05 means the spread is more than chance. The variance "
        "between LAs is then τ² = (*k* φ − (*k* − 1)) / (Σ*w* − Σ*w*² / Σ*w*), with "
        "*w* = 4*n* (DerSimonian-Laird), and the limits become "
        "(√θ ± *z*ₚ √(1/(4*n*) + τ²))², with *z*ₚ 1.96 for 95% and 3.09 for 99.8%.\n\n"
        "**Trend.** A Poisson regression of the count on the year with log(population) as "
        "offset. The standard error is scaled by the scatter of the counts around the fit "
        "(quasi-Poisson), because children enter and leave care in sibling groups and "
        "counts vary more than pure chance, and the slope is tested against a "
        "t distribution with (years − 2) degrees of freedom, since that scatter is "
        "estimated from only a few years. The slope is reported as % change a year.")

# --- Changes to local authorities, RCCs and needs ---------------------------------------
st.header("Changes to local authorities")
st.markdown(
    "Some councils have been merged, split or renamed. Where only the code changed (the "
    "same area under a new code, such as North Yorkshire or Somerset), the figures carry "
    "on as one series. Where a council was split or merged (Northamptonshire, Cumbria; "
    "Bournemouth, Poole and Dorset), the old council keeps its own series up to the "
    "change and the new councils start afresh: nothing is shared out between them, and "
    "charts mark the break. An RCC, region or England total includes an old council only "
    "when all the councils that replaced it are in the same total, so like is compared "
    "with like. Changes take effect on 1 April, so the old council's last count is at 31 "
    "March of the year shown and the new council's first a year later.")
frame.table(cached.code_changes(), "code-changes", "code changes")

st.header("Regional Care Co-operatives")
st.markdown("By default each English region is one RCC, except that Greater Manchester's 10 "
            "LAs form the pathfinder RCC (the rest of the North West is its own RCC). "
            "Membership is kept in the app's database, where the board can change it; "
            "loading a new release of the published data does not overwrite it.")
frame.table(cached.rcc_membership(), "rcc-membership", "RCC membership")

st.header("Needs categories")
st.markdown("Children's needs are grouped into the 11 categories used in regional needs "
            "analyses. A Placements Data Standard file records a need when any of the "
            "fields listed for it shows it (a risk present, a requirement stated). The "
            "standard does not record how often or how intensely, so those are shown as "
            "'unknown'.")
frame.table(cached.needs_vocabulary(), "needs-vocabulary", "needs vocabulary",
            column_config={"label": "Need", "placements_v2_fields": "Placements v2 fields",
                           "description": st.column_config.TextColumn("Description",
                                                                      width="large")})

with st.expander("Getting the same tables from the command line"):
    st.markdown(
        "Every table in the app can be written as a CSV file from the command line, with "
        "the same rows as its download button, for example:\n\n"
        "```\n"
        "python -m data export la-rates --year 2025\n"
        "python -m data export overview --scope rcc --code greater-manchester --year 2025\n"
        "python -m data export rule-variants --year 2025\n"
        "python -m data export flows --level rcc --year 2025\n"
        "```\n\n"
        "`python -m data export --help` lists every table. Tables counted from case-level "
        "records go through the same protection as the page, and synthetic ones start "
        "with the synthetic-data label.")

import_panel.render()
