"""The Costs page's cached reads: published spend and unit costs, fees and the board's cap,
how fees vary and the fee model, projected spend. Cached with ``cached``'s two decorators
(keyed by the data version, like every other cache), kept apart so cached.py stays under
~600 lines."""

from __future__ import annotations

from analysis import access
from analysis.scope import Scope
from cached import engine, figure, releases, scope_codes, table, viewer  # noqa: F401
from cached import local_authorities as cached_las
from components import cost_charts, fee_charts
from components.source import source_line
from data import caps, cost_tables, fee_cap_tables, fee_frame, fee_stat_tables, spend_projection


# --- lead: the fee frame ---------------------------------------------------------------------

@figure(kind=access.AGGREGATE, max_entries=2)
def fees():
    """Every current paid placement with its fee (``data.fee_frame``): read once per data
    version and shared by every session and fee section (callers must not change it)."""
    return fee_frame.fee_frame(engine())


def scope_fees(scope: Scope):
    """The placements made by the scope's LAs, from the shared fee frame."""
    return fee_frame.scope_rows(fees(), scope, scope_codes(scope))


# --- HA: published spend and unit costs ------------------------------------------------------

@table(kind=access.PUBLISHED)
def spend(level: str):
    """RO3 2024-25 spend on children looked after for every area of ``level``."""
    return cost_tables.spend(engine(), level)


@table(kind=access.PUBLISHED)
def spend_comparison(scope: Scope):
    """The scope's LAs ranked (or one LA beside its comparators) by spend per child."""
    return cost_tables.spend_comparison(engine(), scope)


@table(kind=access.PUBLISHED)
def unit_costs(scope: Scope):
    """S251 weekly unit costs 2016-17 to 2024-25 for the scope's LAs, region(s), England."""
    return cost_tables.unit_costs(engine(), scope)


@table(kind=access.PUBLISHED)
def cost_benchmarks():
    """The published cost benchmarks, with their terms (cash or real) and chart."""
    return cost_tables.benchmarks(engine())


def spend_source() -> str:
    """The spend figures' source line: RO3, DfE counts, ONS population; cash terms."""
    return source_line(releases(), ["ro3", "cla_count", "population"],
                       "2024-25, cash terms. Per child: computed by RCC Insight")


@figure(kind=access.PUBLISHED)
def spend_bars_figure(scope: Scope, title: str):
    """The ranked bar chart of spend per child looked after for the scope."""
    return cost_charts.spend_bars(
        spend_comparison(scope), f"Spend per child looked after a year, 2024-25: {title}",
        spend_source())


@figure(kind=access.PUBLISHED)
def unit_cost_figure(scope: Scope, measure: str, title: str, with_las: bool):
    """One measure's weekly unit cost lines with its benchmarks as reference lines."""
    rows = unit_costs(scope)
    rows = rows[(rows["measure"] == measure) & (with_las | (rows["level"] != "la"))]
    references = cost_benchmarks()
    source = source_line(releases(), ["lait", "cost_benchmarks"],
                         "S251 outturn 2016-17 to 2024-25, cash terms; benchmarks as labelled")
    return cost_charts.unit_cost_lines(
        rows, references[references["chart"] == measure],
        f"{measure}: weekly unit cost, {title}", source, unit_cost_focus(scope))


def unit_cost_focus(scope: Scope) -> set[str]:
    """The lines drawn bold: one LA and its region; an RCC's or a region's region(s);
    England's alone at England scope (its regions drawn thin)."""
    if scope.kind == "england":
        return set()
    members = scope.members(cached_las())
    return set(members["region_code"]) | (set(members["code"]) if scope.kind == "la" else set())



# --- HB: the board's cap, fee make-up, the fee disclosure family ------------------------------

def board_cap():
    """The cap in force today, or None. Live, not cached: the board may set a cap on another
    tab, and the data version does not change when it does."""
    return caps.current_cap(engine())


def cap_history():
    """Every cap the board has set, newest first (live, like ``board_cap``)."""
    return caps.cap_history(engine())


def set_cap(percent: float, effective_from, set_by: str, note: str | None = None) -> dict:
    """Record a cap (raises UserInputError, writing nothing, on bad input), in the audit
    trail too, for this run's viewer."""
    return caps.set_cap(engine(), percent, effective_from, set_by, note, viewer=viewer())


@figure(kind=access.AGGREGATE, max_entries=4)
def fee_family(cap_percent: float):
    """The fee disclosure family of every placement against a cap: built once per data
    version and cap (about 6 s on all of England's synthetic placements), shared by every
    session and every fee section that asks for that cap."""
    return fee_cap_tables.fee_family(engine(), fees(), float(cap_percent))


@table(kind=access.AGGREGATE, show_spinner="Checking fees against the cap…")
def cap_tables(scope: Scope, cap_percent: float) -> dict:
    """The scope's cap tables (``data.fee_cap_tables``): make-up, providers above the cap,
    the amount above per year, and the numbers the words use."""
    rows, family = scope_fees(scope), fee_family(cap_percent)
    return {"make_up": fee_cap_tables.make_up_table(rows, family, scope),
            "providers": fee_cap_tables.providers_table(rows, family, scope),
            "by_year": fee_cap_tables.by_year_table(rows, family, scope),
            "summary": fee_cap_tables.scope_summary(rows, family, scope)}


# --- HC: how fees vary, the fee model --------------------------------------------------------

def fee_cap_percent() -> float:
    """The cap every fee figure counts against: the board's (live, as the board may set one
    on another tab), else the reference cap (``data.caps.percent_in_use``)."""
    return caps.percent_in_use(engine())


def fee_as_at():
    """The records' day the fees describe, and whether they are synthetic."""
    return fees().attrs.get("as_at"), bool(fees().attrs.get("synthetic"))


@table(kind=access.AGGREGATE, show_spinner="Working out how fees vary…")
def fee_spread(scope: Scope, cap_percent: float):
    """The scope's fee distribution by every breakdown (``data.fee_stat_tables.spread``),
    gated by the fee family for ``cap_percent`` (``fee_cap_percent``), shared with the cap
    panel."""
    return fee_stat_tables.spread(scope_fees(scope), scope, fee_family(cap_percent))


@table(kind=access.AGGREGATE)
def fee_inside_outside(scope: Scope, boundary: str, cap_percent: float):
    """The scope's fees inside and outside the LA or RCC by cohort, and the adjusted answer."""
    return fee_stat_tables.inside_outside(scope_fees(scope), scope, fee_family(cap_percent),
                                          boundary)


@table(kind=access.AGGREGATE, show_spinner="Fitting the fee model…")
def fee_model_tables(scope: Scope, cap_percent: float):
    """The scope's fee model: summary, coefficients, provider residuals and words."""
    return fee_stat_tables.model_tables(scope_fees(scope), scope, fee_family(cap_percent))


def fee_chart_source(what: str = "Weekly fees") -> str:
    """The fee charts' source line (the records' day, cash terms, origin, synthetic label)."""
    return fee_charts.fee_source(*fee_as_at(), what)


@figure(kind=access.AGGREGATE)
def fee_spread_figure(scope: Scope, breakdown: str, title: str, cap_percent: float):
    """One breakdown's fee spread chart for the scope."""
    table = fee_spread(scope, cap_percent)
    return fee_charts.spread_chart(table[table["breakdown"] == breakdown], title,
                                   fee_chart_source())


@figure(kind=access.AGGREGATE)
def fee_inside_outside_figure(scope: Scope, boundary: str, where: str, title: str,
                              cap_percent: float):
    """The inside/outside comparison chart for the scope and boundary."""
    table, adjusted = fee_inside_outside(scope, boundary, cap_percent)
    return fee_charts.inside_outside_chart(table, adjusted, where, title, fee_chart_source())


@figure(kind=access.AGGREGATE)
def fee_model_figure(scope: Scope, title: str, cap_percent: float):
    """The fee model's effects of needs, cohort and age (placement types are in the table:
    their effects are many times larger and would flatten the rest)."""
    table = fee_model_tables(scope, cap_percent)[1]
    return fee_charts.coefficient_chart(table[table["term"] != "Placement type"], title,
                                        fee_chart_source("Model of weekly fees"))



# --- HD: projected spend ---------------------------------------------------------------------

@table(kind=access.AGGREGATE)
def projected_spend(scope: Scope, inflation: float, run_id: int, cap_percent: float):
    """The scope's projected spend, years 0-5 (``data.spend_projection``): by placement
    group for an RCC, all children elsewhere; ``run_id`` keys it to the stored forecasts;
    weekly costs from fees only where the fee family for ``cap_percent`` allows."""
    return spend_projection.projection(engine(), scope, inflation,
                                       may_describe=fee_family(cap_percent).may_describe,
                                       fees=scope_fees(scope) if scope.kind == "rcc" else None)
