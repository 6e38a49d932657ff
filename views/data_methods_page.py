"""Data & methods: a short guide for trustees (what each page answers, where the numbers
come from, what the letters mean, what synthetic data are, how LAs are flagged), with
every technical detail, table and command folded into expanders, and the import form
for analysts at the end.

The words here are written for the page; nothing is copied from code docstrings, which are
written for developers."""

from __future__ import annotations

import streamlit as st

import cached
from analysis.disclosure import SYNTHETIC_LABEL, THRESHOLD
from analysis.suppression import SYMBOL_MEANINGS
from components.source import OGL_ATTRIBUTION
from data import cli
from views import frame, import_panel

#: What each page answers, in the order of the navigation.
PAGE_ANSWERS = {
    "Overview": "how many children the area looks after, at what rate against England, and "
                "since 2016.",
    "Maps": "where children live, where the homes are, and who is placed outside their LA "
            "or far away.",
    "Needs": "children's needs, the cohorts they form, and whether each RCC's homes match "
             "them.",
    "Accountability": "which LAs the board should ask to explain a high or rising rate, "
                      "and what they have answered.",
    "Data & methods": "this guide, every dataset, and importing an LA's own records.",
}
#: The published datasets a trustee meets most, by the store's dataset id, in plain words;
#: the publisher and dates come from the store, so they follow the files loaded.
MAIN_SOURCES = {
    "cla_count": "Children looked after, and rates per 10,000",
    "lait": "Rates back to 2016",
    "population": "Children aged 0 to 17 in each area",
    "ofsted_homes": "Children's homes and their places",
    "statistical_neighbours": "Statistical neighbours (similar LAs)",
}
#: The symbols a trustee will meet, in plain words (DfE's full list is in an expander).
SYMBOLS = {
    "c": "hidden to protect children: the number is so small it could help someone "
         "work out who a child is.",
    "z": "does not apply, for example an LA that did not exist that year.",
    "x": "not available: the figure was not collected or not published.",
    "low": "a figure (usually a percentage) that rounds to 0 but is not 0.",
}


def guide() -> None:
    """The short guide: what a trustee needs in a meeting, in plain words and no formulas."""
    st.title("Data & methods")
    st.markdown("A short guide to RCC Insight's figures. Folded sections hold the working.")
    st.subheader("What each page answers")
    st.markdown("\n".join(f"- **{page}**: {answer}" for page, answer in PAGE_ANSWERS.items()))
    sources()
    st.subheader("Letters in place of numbers")
    st.markdown(
        "The app shows DfE's letters as DfE does, never as a number or zero.\n\n"
        + "\n".join(f"- **{symbol}**: {meaning}" for symbol, meaning in SYMBOLS.items()))
    with st.expander("Every symbol DfE uses"):
        st.markdown("\n".join(f"- **{symbol}**: {meaning}"
                              for symbol, meaning in SYMBOL_MEANINGS.items())
                    + "\n\nOn the maps, an area is grey where its figure is not available or "
                      "hidden; hovering over it shows the letter.")
    st.subheader("Synthetic data")
    st.markdown(
        "Flows between LAs, self-sufficiency and needs are counted from records of "
        "individual children. Until LAs send theirs, these are **synthetic**: made-up children "
        "whose totals match what DfE publishes. **No synthetic row describes a real "
        f"child.** Everything drawn from them is labelled *{SYNTHETIC_LABEL}*.")
    case_level_detail()
    st.subheader("How LAs are flagged")
    st.markdown(
        "Each LA's rate is compared with England's rate, or its RCC's if the board "
        "chooses. Small LAs' rates jump about by chance, and LAs differ for real reasons "
        "such as need, so the app allows a margin for both. "
        "An LA is flagged when its rate is far outside that margin, or outside it and "
        "clearly rising over five years, or has risen three years running and clearly over "
        "five. A flag means "
        "the board should ask why, not that something is wrong. The Accountability page "
        "gives each flagged LA's reason, and the board can change the rule there.")
    flag_rule_detail()


def sources() -> None:
    """Where the numbers come from: the main datasets with their publisher and dates, the
    check against DfE, the licence; the full list in an expander."""
    st.subheader("Where the numbers come from")
    releases = cached.releases()
    known = releases.set_index("dataset")
    st.markdown(
        "Published official data, loaded unchanged:\n\n"
        + "\n".join(f"- **{words}**: {known.at[dataset, 'publisher']}, "
                    f"{known.at[dataset, 'period']}."
                    for dataset, words in MAIN_SOURCES.items() if dataset in known.index))
    check = cached.rate_check()
    st.markdown(f"The rates the app works out match DfE's published rates for "
                f"**{int(check['matches'].sum()):,} of {len(check):,}** figures.")
    # Body text, not a caption: a link in a caption's paler text fails WCAG contrast.
    st.markdown(f"{OGL_ATTRIBUTION} See the [Open Government Licence v3.0]"
                "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).")
    with st.expander("Every dataset loaded, with its source page"):
        st.markdown(
            "The files are kept with the app together with a fingerprint (checksum) of "
            "each, so the figures do not change unless the team deliberately loads a new "
            "release. Ofsted does not publish children's homes' names or addresses and "
            "neither does this app; homes are shown by LA only. The maps use ONS "
            "boundaries; an RCC's outline is its member LAs joined together.")
        frame.table(
            releases, "data-releases", "dataset list",
            column_config={"dataset": None, "file": None, "checksum": None, "rows": None,
                           "title": st.column_config.TextColumn("Dataset", width="large"),
                           "publisher": "Publisher", "period": "Period", "licence": "Licence",
                           "url": st.column_config.LinkColumn("Source page"),
                           "loaded_at": st.column_config.DatetimeColumn("Loaded (UTC)")})
        st.caption("The download also gives each dataset's files, checksum and row count.")
    with st.expander("What each figure means, how the rate is worked out, and the check "
                     "figure by figure"):
        rate_detail(check)


def rate_detail(check) -> None:
    """The measures defined, the rate's arithmetic and DfE's rounding, and the check table."""
    st.markdown(
        "- **Children looked after**: children in the care of a local authority (LA) on "
        "31 March, as published by the Department for Education (DfE). An RCC's or a "
        "region's figure is the total of its LAs.\n"
        "- **Rate per 10,000 children**: children looked after for every 10,000 children "
        "aged 0 to 17 living in the area, so a small LA can be compared with a large one.\n"
        "- **Quartile and rank**: where an LA's rate stands among all LAs in England. "
        "Quartile 4 is the highest quarter; rank 1 is the highest rate.\n"
        "- **Trend, % a year**: how fast the rate has changed on average over the last five "
        "years; a rise or fall only when bigger than the usual ups and downs.\n"
        "- **Children's home places per 10,000**: places in children's homes registered "
        "with Ofsted in the LA, for every 10,000 children aged 0 to 17 living there.\n"
        "- **% placed outside the LA and more than 20 miles from home** (Overview) is DfE's "
        "measure of both at once; **% more than 20 miles from home** (Maps) counts any "
        "placement that far, inside the LA or not.\n"
        "- **Net flow**: children from other LAs placed inside the LA, minus the LA's own "
        "children placed outside it. A negative number means more children leave than "
        "arrive.\n\n"
        "Rate = children looked after at 31 March ÷ children aged 0-17 × 10,000, rounded to a "
        "whole number (halves rounded up), as DfE does. The population is the Office for "
        "National Statistics' mid-year estimate for the June before (31 March 2025 uses "
        "mid-2024). For a region or England, DfE publishes counts rounded to the nearest 10 "
        "but works out the rate from the exact total of its LAs; the app does the same, so "
        "its rates match DfE's. No rate is worked out where DfE hides the count (`c`) or the "
        "LA did not exist (`z`); the Isles of Scilly and the City of London are the usual "
        "examples.")
    exceptions = check[~check["matches"]]
    if exceptions.empty:
        st.markdown("Every computed rate matches the published one.")
    else:
        st.markdown(f"{len(exceptions):,} figures differ from the published rate; they are "
                    "marked in the table below.")
    frame.table(check, "rate-check", "rate check")


def case_level_detail() -> None:
    """Case-level records, how small counts are hidden (the five steps), synthetic data."""
    with st.expander("Case-level records, and how small counts are hidden"):
        st.markdown(
            "Flows of children between LAs, self-sufficiency (the share of an area's "
            "children placed inside it) and needs are counted from **case-level records**: "
            "one row per child and placement, in the format LAs already send to DfE (the "
            "SSDA903 return) or the Placements Data Standard. These are counted by the app "
            "itself, not published by DfE. The synthetic records are generated to match "
            "DfE's published totals for each LA (how many children, their ages, placement "
            "types, how far from home); they show the kind of picture real data would give, "
            "not the real picture. Where an LA has sent its own records, those are used "
            "instead.\n\n"
            "Any count made from case-level records is checked before it is shown, "
            f"downloaded or drawn on a map. A count of 1 to {THRESHOLD - 1} children is "
            "hidden and shown as **c**. Where a hidden number could be worked out from the "
            "others, more cells are hidden as well, until none can be worked back. Tables "
            "that share figures are protected together. A zero stays 0: it tells nobody "
            "anything about a child.")
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


def flag_rule_detail() -> None:
    """The funnel, the overdispersion test, the trend and the rule's branches, then the
    formulas, for anyone checking the working."""
    with st.expander("The flag rule in detail: funnel, spread between LAs and trend"):
        st.markdown(
            "**The funnel.** Each LA's rate is compared with a **target line**: England's "
            "rate, unless the board chooses its RCC's rate instead. Around the line are two "
            "pairs of **control limits**, at 95% and at 99.8%. They show how far from the "
            "line a rate can be by chance alone; they are wide for small LAs and narrow for "
            "large ones, which gives the chart its funnel shape.\n\n"
            "**Spread between LAs.** The app measures how spread out all English LAs' rates "
            "are around England's rate, once, and uses that one measure whatever target line "
            "is drawn, so every LA is judged on the same scale. A **chi-square test at the 5% "
            "level** asks whether that spread is more than chance would give. If it is, the "
            "limits are **widened** to allow for the real differences between LAs; if not, "
            "the plain chance limits are used.\n\n"
            "**The trend.** A **Poisson regression** of the LA's count over the **last 5 "
            "years**, allowing for changes in its child population, reported as % a year. A "
            "**t test** decides whether the trend is a real rise or fall (at the 5% level). "
            "No trend is reported unless the LA has figures for at least 3 years in a row, "
            "ending in the year chosen.\n\n"
            "**The rule.** With the standard settings, an LA is flagged if its rate is above "
            "the upper 99.8% limit; or above the upper 95% limit with a significant rise over "
            "5 years; or has gone up in each of the last 3 years with a significant rise over "
            "5 years.")
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
            "(quasi-Poisson, never below pure chance), because children enter and leave care "
            "in sibling groups and counts vary more than pure chance, and the slope is tested "
            "against a t distribution with (years − 2) degrees of freedom, since that scatter "
            "is estimated from only a few years. The slope is reported as % change a year.")


REORGANISATIONS = (
    "Where only the code changed (the same area under a new code, such as North Yorkshire or "
    "Somerset), the figures carry on as one series. Where a council was split or merged "
    "(Northamptonshire, Cumbria; Bournemouth, Poole and Dorset), the old council keeps its "
    "own series up to the change and the new councils start afresh: nothing is shared out "
    "between them, and charts mark the break. An RCC, region or England total includes an "
    "old council only when all the councils that replaced it are in the same total, so like "
    "is compared with like. Changes take effect on 1 April, so the old council's last count "
    "is at 31 March of the year shown and the new council's first a year later.")
MEMBERSHIP = (
    "By default each English region is one RCC, except that Greater Manchester's 10 LAs form "
    "the pathfinder RCC (the rest of the North West is its own RCC). Membership is kept in "
    "the app's database, where the board can change it; loading a new release of the "
    "published data does not overwrite it.")
NEEDS = (
    "Children's needs are grouped into the 11 categories used in regional needs analyses. A "
    "Placements Data Standard file records a need when any of the fields listed for it shows "
    "it (a risk present, a requirement stated). The standard does not record how often or "
    "how intensely, so those are shown as 'unknown'.")


def reference_tables() -> None:
    """LA reorganisations, RCC membership and needs categories: reference, folded away."""
    st.subheader("Reference")
    needs_columns = {"label": "Need", "placements_v2_fields": "Placements v2 fields",
                     "description": st.column_config.TextColumn("Description", width="large")}
    for title, words, table, export, label, columns in [
            ("Changes to local authorities (mergers, splits, new codes)", REORGANISATIONS,
             cached.code_changes, "code-changes", "code changes", None),
            ("Which LAs are in each RCC", MEMBERSHIP, cached.rcc_membership,
             "rcc-membership", "RCC membership", None),
            ("Needs categories", NEEDS, cached.needs_vocabulary, "needs-vocabulary",
             "needs vocabulary", needs_columns)]:
        with st.expander(title):
            st.markdown(words)
            frame.table(table(), export, label, column_config=columns)
    with st.expander("Every table from the command line"):
        st.markdown(export_commands())


def export_commands() -> str:
    """Every ``python -m data export`` table and option, read from the command line's own
    definitions (so the list cannot drift from it), and an example for the sidebar's view."""
    options = [action for action in export_parser()._actions if action.option_strings
               and action.dest != "help"]
    return (
        "Every table in the app can be written as a CSV file from the command line, with "
        "the same rows as its download button. Tables counted from case-level records go "
        "through the same protection as the page, and synthetic ones start with the "
        "synthetic-data label.\n\n"
        + "\n".join(f"- `python -m data export {name}`: {text}"
                    for name, (text, _) in cli.EXPORTS.items())
        + "\n\nOptions:\n\n"
        + "\n".join(f"- `{option_usage(action)}`"
                    + (f": {action.help}" if action.help else "")
                    + (f" (default {action.default})" if action.default else "")
                    for action in options)
        + "\n\nFor the view in the sidebar, for example:\n\n```\n"
        + f"python -m data export overview{frame.export_args(frame.current())} "
          f"--year {frame.current().year}\n```\n\n"
        "The Forecasts page shows stored forecasts: an analyst makes them, after each "
        "rebuild, with `python -m forecasting refresh` (every series, every model and "
        "their tests on the past, on every core; `--no-backtest` for forecasts alone).")


def export_parser():
    """The ``export`` command's own argument parser."""
    commands = next(action for action in cli.parser()._actions if action.dest == "command")
    return commands.choices["export"]


def option_usage(action) -> str:
    """An option as typed: ``--year YEAR``, ``--scope {england,rcc,region,la}``."""
    if action.metavar:
        value = action.metavar
    elif action.choices:
        value = "{" + ",".join(action.choices) + "}"
    else:
        value = action.dest.upper()
    return f"{action.option_strings[0]} {value}"


guide()
reference_tables()
import_panel.render()
