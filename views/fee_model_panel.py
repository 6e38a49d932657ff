"""Price that is not need (Costs page): how much of placements' weekly fees the children's
needs, ages and placement types explain (``analysis.fee_model``), the effect of each, and
which providers charge more than that explains. Gated by the fee disclosure family."""

from __future__ import annotations

import streamlit as st

import cached_costs
from views import frame
from views.fee_spread_panel import as_at_year, opened

COEFFICIENT_COLUMNS = {"term": "What", "group": "Group", "compared_with": "Compared with",
                       "effect_pct": "Effect on fee (%)", "lower_pct": "95% from (%)",
                       "upper_pct": "95% to (%)", "p_value": "p-value"}
PROVIDER_COLUMNS = {"rank": "Rank (1 = most above)", "provider_id": "Provider",
                    "placements": "Placements",
                    "excess_pct": "Charges more than needs explain (%)",
                    "lower_pct": "95% from (%)", "upper_pct": "95% to (%)"}
ASSUMPTIONS = (
    "**How the model works.** Each placement's weekly fee is compared with the fees of "
    "placements for children with the same number of needs (and of high-intensity and "
    "daily needs), needs cohort and age band, in the same type of placement. Effects "
    "*multiply*: \"+5%\" means a fee about 5% higher, whatever its size (the model is of "
    "the fee's logarithm). Intervals are 95% and allow for dear placements varying more. "
    "A provider's figure is how far its fees sit, on average, above or below what the "
    "model gives for its children. This is association, not cause: the model leaves out "
    "much that can set a price (the child's history, where the home is, staffing "
    "ratios, how urgently the placement was found, when it was agreed), and all of that "
    "shows up in a provider's figure too. Groups of fewer than 10 placements are pooled "
    "and their effect is not shown; providers with fewer than 5 placements are not shown.")


def render(filters: frame.Filters) -> None:
    """The section: words, then the effects chart and table, then the providers."""
    if not opened(filters, "Price that is not need"):
        return
    scope, cap = filters.scope, cached_costs.fee_cap_percent()
    summary, table, providers, sentences = cached_costs.fee_model_tables(scope, cap)
    st.markdown("\n".join(f"- {line}" for line in sentences))
    if summary["r_squared"] is None:
        return
    if scope.kind == "la":
        st.caption("An LA has few placements for a model of this many terms, so its "
                   "intervals are wide: its RCC's or England's model is steadier.")
    if summary["dropped"]:
        st.caption("Left out of the model here: " + "; ".join(summary["dropped"]) + ".")
    frame.chart(cached_costs.fee_model_figure(
        scope, f"What goes with a higher weekly fee: {filters.title}", cap),
        "Points with 95% intervals: the % effect on the weekly fee of each extra need, each "
        "needs cohort and each age band, other things equal")
    with st.expander("The table: every effect, placement types included"):
        st.caption(fit_words(summary))
        frame.table(table, "fee-model", "fee model effects", scope=scope, year=as_at_year(),
                    column_config=COEFFICIENT_COLUMNS)
    providers_section(filters, providers)
    st.markdown(ASSUMPTIONS)


def fit_words(summary: dict) -> str:
    """R², adjusted R² and n in one line."""
    placements = summary["placements"]
    count = f" on {placements:,} placements" if isinstance(placements, int) else ""
    return (f"Fitted{count}: R² {summary['r_squared']:.2f} (adjusted "
            f"{summary['adj_r_squared']:.2f}), the share of the variation in log fees the "
            f"model explains.")


def providers_section(filters: frame.Filters, providers) -> None:
    """The providers ranked by how much more they charge than their children explain."""
    if providers.empty:
        return
    st.markdown("#### Providers: fees against their children's needs")
    frame.table(providers, "fee-providers", "providers' fees against needs",
                scope=filters.scope, year=as_at_year(), column_config=PROVIDER_COLUMNS)
