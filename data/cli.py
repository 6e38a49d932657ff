"""``python -m data``: build the store, edit RCCs, import case-level data, export tables.

Errors people can fix (a bad source file, an unknown LA code or year, an unbuilt
database) print one clear line to stderr and exit non-zero; never a stack trace.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime
from typing import Callable

import pandas as pd

from analysis import disclosure
from analysis import flows as flow_rules
from analysis.scope import KINDS, Scope
from analysis import lca
from analysis.access import COMMAND_LINE, AccessDenied, Viewer
from data import (accounts, audit, caps, cohort_store, cost_exports, cost_tables, fee_cap_tables,
                  fee_stat_tables, forecast_reads, forecast_store, gap_tables, map_tables,
                  needs_tables, offer_register, outlook_tables, own_homes, packs, rccs,
                  synth, tables)
from data import export_access
from data.build import build
from data import rcc_comparison
from data.importers import placements_v2, provider_offers, ssda903
from data.importers import case_tables
from data.importers.common import ImportRefused, default_user
from data.neutralise import neutralise
from data.errors import SourceError, StoreUnavailable, UserInputError
from data.store import check_ready, make_engine

EXPORTS: dict[str, tuple[str, Callable[..., pd.DataFrame]]] = {
    "la-rates": ("Every LA's CLA count, population, rate, funnel limits, trend and flag "
                 "for --year", lambda engine, args: tables.la_rates_assessed(engine, args.year)),
    "overview": ("The Overview's headline figures for --scope/--code and --year",
                 lambda engine, args: tables.scope_summary(engine, scope_of(args), args.year)),
    "rate-trend": ("CLA rate per 10,000 over time for --scope/--code and England",
                   lambda engine, args: tables.rate_trend(engine, scope_of(args))),
    "scope-comparison": ("Rates of the RCCs (England) or of the LAs of the scope's RCC/region",
                         lambda engine, args: tables.comparison_rates(engine, scope_of(args),
                                                                      args.year)),
    "rate-check": ("Computed rates beside DfE's published rates, 2021-2025",
                   lambda engine, args: tables.rate_check(engine)),
    "rcc-membership": ("Each RCC's member LAs",
                       lambda engine, args: tables.rcc_membership(engine)),
    "benchmarks": ("An LA's rate beside its region, RCC, England and statistical neighbours "
                   "(--scope la --code, --year, --model 2025|2021)",
                   lambda engine, args: tables.benchmarks(engine, la_scope(args).code,
                                                          args.year, args.model)),
    "rule-variants": ("How many LAs each branch of the flag rule flags, with exact and "
                      "adjusted limits, in every year (default settings)",
                      lambda engine, args: tables.rule_variants(engine)),
    "data-releases": ("Every dataset loaded, with its provenance",
                      lambda engine, args: tables.releases(engine)),
    "code-changes": ("LA code changes and the rule applied to each",
                     lambda engine, args: tables.code_changes(engine)),
    "register": ("The explanations register: every request and its outcome",
                 lambda engine, args: tables.register(engine)),
    "register-history": ("Every change to the register: who, when, what",
                         lambda engine, args: tables.register_history(engine)),
    "case-imports": ("The case-level import log: who, when, file hash, format, LA, period, "
                     "rows, outcome", lambda engine, args: case_tables.import_log(engine)),
    "homes-by-la": ("Ofsted children's homes and places per LA by sector and latest "
                    "judgement, 31 March 2023, for --scope/--code",
                    lambda engine, args: map_tables.homes_in_scope(engine, scope_of(args))),
    "map-metrics": ("Every LA's map metrics for --year: CLA rate, home places per 10,000, "
                    "homes, places, % outside the LA, % > 20 miles, net flow (--scope/--code)",
                    lambda engine, args: map_tables.metrics_in_scope(engine, args.year,
                                                                     scope_of(args))),
    "out-of-area": ("DfE % placed outside the LA and > 20 miles, every year, for the scope's "
                    "LAs, their regions and England",
                    lambda engine, args: map_tables.out_of_area(engine, scope_of(args))),
    "flows": ("Case-level placements at 31 March --year: --level la (LA to LA flows touching "
              "the scope) or rcc|region (matrix with self-sufficiency); --placement, --need",
              lambda engine, args: map_tables.flows(engine, args.year, args.level, scope_of(args),
                                                    args.placement, args.need)),
    "needs-vocabulary": ("The needs categories and the Placements v2 fields each comes from",
                         lambda engine, args: case_tables.needs_vocabulary(engine)),
    "needs": ("The needs audit for every area of --level england|rcc|la at --year: each "
              "need by age, sex and placement type, needs per child, pairs, intensity x "
              "frequency (--population all|residential); protected together",
              lambda engine, args: needs_tables.needs_export(engine, args.year, args.level,
                                                             args.population)),
    "cohorts": ("The cohorts of children in residential care at --year (latent class "
                "analysis): name, defining needs, estimated share, each need's probability",
                lambda engine, args: cohort_store.cohort_export(engine, args.year)),
    "cohort-fit": ("How the number of cohorts was chosen at --year: BIC, entropy and mean "
                   "probability for each number tried",
                   lambda engine, args: lca.bic_table(cohort_store.cohorts(engine, args.year))),
    "cohort-profile": ("Each cohort's children in --scope/--code at --year and the % aged "
                       "16+, girls, in children's homes, placed outside the LA / RCC, > 20 "
                       "miles",
                       lambda engine, args: cohort_profile(engine, args.year, needs_scope(args))),
    "cohort-trend": ("Each cohort's children in --scope/--code in every year with case-level "
                     "records", lambda engine, args: cohort_trend(engine, needs_scope(args))),
    "cohort-grids": ("Each cohort's intensity x frequency grid of each need in --scope/--code "
                     "(RCC or England) at --year",
                     lambda engine, args: cohort_grids(engine, args.year, needs_scope(args))),
    "specificity-gap": ("Every RCC's children in residential care at --year by cohort: where "
                        "placed, matching places in its homes (provider offers), gap",
                        lambda engine, args: gap_tables.gap_table(
                            engine, args.year, needs_tables.needs_family(engine, args.year),
                            offer_register.register(engine))),
    "rcc-exports": ("What an RCC (--scope rcc --code) sends away at --year: each need's share "
                    "among its children placed outside the RCC and inside",
                    lambda engine, args: rcc_exports(engine, args.year, rcc_scope(args))),
    "provider-offers": ("The provider offer register: each home's needs, intensity, ages, sex "
                        "and places offered, with its LA and RCC",
                        lambda engine, args: offer_register.register(engine)),
    "forecasts": ("The stored forecasts (python -m forecasting refresh) of every area of "
                  "--level la|rcc|region|england: each series and model 1-5 years ahead, 80% "
                  "and 95% intervals; default marks the model the page shows",
                  lambda engine, args: forecast_store.forecast_export(engine, args.level)),
    "forecast-scores": ("Each stored series' models scored on their past forecasts: MASE, "
                        "MAPE, 80% and 95% range coverage, past forecasts, default",
                        lambda engine, args: forecast_store.scores_export(engine)),
    "homes-needed": ("Per RCC and needs cohort: children in children's homes at --year and "
                     "forecast in 1, 3 and 5 years, matching places, shortfall, rank",
                     lambda engine, args: outlook_tables.homes_needed_export(engine,
                                                                             args.year)),
    "scenario": ("A saved scenario (--rcc NAME --name NAME) beside the baseline, years 0-5: "
                 "children looked after, children's-home demand inside the RCC, matching "
                 "places and the gap by cohort",
                 lambda engine, args: scenario_export(engine, args)),
    "backtest": ("Each model's past forecasts beside what happened: source, series, area, "
                 "breakdown, model, origin and target (31 March or month end), horizon, "
                 "forecast, actual",
                 lambda engine, args: forecast_store.backtest_export(engine)),
    # --- the Costs page ---
    "costs": ("RO3 2024-25 spend on children looked after for every area of --level "
              "la|rcc|region|england: gross total, residential, fostering, asylum-seeking, "
              "other and net (GBP, cash terms), children looked after at 31 March 2025, "
              "children aged 0-17, spend per child looked after and per child aged 0-17",
              lambda engine, args: cost_tables.costs_export(engine, args.level)),
    "spend": ("Spend per child for --scope/--code: an LA beside its region, RCC, England and "
              "statistical neighbours, or the scope's LAs ranked (RO3 2024-25, cash terms)",
              lambda engine, args: cost_tables.spend_comparison(engine, scope_of(args))),
    "unit-costs": ("DfE S251 weekly unit costs (children looked after, residential care, "
                   "fostering) of the scope's LAs, region(s) and England, 2016-17 onwards, "
                   "cash terms, with growth on the year before",
                   lambda engine, args: cost_tables.unit_costs(engine, scope_of(args))),
    "cost-benchmarks": ("The published cost benchmarks, each with source, period and terms",
                        lambda engine, args: cost_tables.benchmarks(engine)),
    "fees": ("Weekly fees of current paid placements for every area of --level by sector, "
             "provider size, placement type and needs cohort: placements, median, "
             "quartiles, mean (GBP a week, cash terms), through the fee disclosure family",
             lambda engine, args: fee_stat_tables.fees_export(engine, args.level)),
    "fees-inside-outside": ("Each area's (--level) average weekly fee and distance inside and "
                            "outside the LA and the RCC by needs cohort, with how much more "
                            "the typical fee is outside and its 95% interval",
                            lambda engine, args: fee_stat_tables.inside_outside_export(
                                engine, args.level)),
    "fee-model": ("The fee model of every area of --level (log weekly fee on needs, age, "
                  "placement type and cohort): each effect as a % with its 95% interval, R², "
                  "n; an area too small for a model says so (use rcc or england)",
                  lambda engine, args: fee_stat_tables.model_export(engine, args.level,
                                                                    "coefficients")),
    "fee-providers": ("Each provider's fees against what its children's needs, ages and "
                      "placement types explain (mean residual %, 95% interval), per area of "
                      "--level", lambda engine, args: fee_stat_tables.model_export(
                          engine, args.level, "providers")),
    "cap-breaches": ("Providers charging above the board's cap (or the reference cap until "
                     "one is set) in every area of --level: placements above, weekly and "
                     "yearly amount above", lambda engine, args:
                     fee_cap_tables.cap_breaches_export(engine, args.level)),
    "cap-make-up": ("The typical weekly fee of each placement type in --scope/--code split "
                    "into core, extra staffing, education, therapy and the surplus inside it",
                    lambda engine, args: cost_exports.scope_table(
                        engine, scope_of(args), fee_cap_tables.make_up_table)),
    "cap-by-year": ("What the cap would have saved in --scope/--code: the amount above it in "
                    "the records' last financial year and in a full year at today's fees",
                    lambda engine, args: cost_exports.scope_table(
                        engine, scope_of(args), fee_cap_tables.by_year_table)),
    "cap-history": ("Every cap the board has set: percent, from, who, when, note",
                    lambda engine, args: caps.cap_history(engine)),
    "own-placements": ("A provider's own current paid placements: placing LA, placement, "
                       "age band, cohort, weekly fee, its parts and surplus (a provider's "
                       "account: --as EMAIL; the command line: --provider ID)",
                       lambda engine, args: own_homes.own_placements(engine, args.provider)),
    "projected-spend": ("Projected spend on placements for --scope/--code, years 0-5, by "
                        "placement group where forecast, with 80% and 95% ranges, cash terms "
                        "(--inflation, % a year; after python -m forecasting refresh)",
                        lambda engine, args: cost_exports.projected_spend(
                            engine, scope_of(args), args.inflation)),
    "audit": ("The audit trail, newest first: when, who, role, action and what was done "
              "(--who part of a name, --action, --since YYYY-MM-DD; analysts only)",
              lambda engine, args: audit.events(engine, who=args.who, action=args.action,
                                                since=args.since)),
    "packs": ("The board packs made: id, RCC, meeting date, made by and at, the data version "
              "each froze", lambda engine, args: packs.packs(engine)),
    "rcc-comparison": ("Every RCC and England side by side at --year (the All RCCs page): "
                       "CLA rate and trend, self-sufficiency, children placed in another "
                       "region, homes and places per 10,000, spend per child, placements "
                       "above the cap, forecast growth, flagged LAs, register progress",
                       lambda engine, args: rcc_comparison.rcc_comparison(engine, args.year)),
}
EXIT_BAD_INPUT = 2


def cohort_profile(engine, year: int, scope: Scope) -> pd.DataFrame:
    """The cohort-profile export."""
    family = needs_tables.needs_family(engine, year)
    return gap_tables.cohort_profile_table(year, family,
                                           needs_tables.scope_area(engine, scope, family))


def cohort_trend(engine, scope: Scope) -> pd.DataFrame:
    """The cohort-trend export: every year with case-level records."""
    families = {year: needs_tables.needs_family(engine, year)
                for year in map_tables.case_years(engine)}
    return gap_tables.cohort_trend(families, {
        year: needs_tables.scope_area(engine, scope, family)
        for year, family in families.items()})


def cohort_grids(engine, year: int, scope: Scope) -> pd.DataFrame:
    """The cohort-grids export: every cohort's grids for the scope."""
    family = needs_tables.needs_family(engine, year)
    area = needs_tables.scope_area(engine, scope, family)
    return pd.concat([gap_tables.cohort_grid_table(year, family, area, cohort)
                      for cohort in family.cohort_order], ignore_index=True)


def rcc_exports(engine, year: int, scope: Scope) -> pd.DataFrame:
    """The rcc-exports table for one RCC."""
    family = needs_tables.needs_family(engine, year)
    return gap_tables.exports_table(year, family,
                                    needs_tables.scope_area(engine, scope, family)[1])


def needs_scope(args: argparse.Namespace) -> Scope:
    """The scope of a needs table: England, an RCC or an LA (the needs audit is by RCC)."""
    scope = scope_of(args)
    if scope.kind == "region":
        raise UserInputError("The needs tables are for England, an RCC or an LA, not a "
                             "region.")
    return scope


def scenario_export(engine, args: argparse.Namespace) -> pd.DataFrame:
    """The scenario export: --rcc and --name are required (after a refresh)."""
    forecast_store.stored_run(engine)
    if not args.rcc or not args.name:
        raise UserInputError("Name the saved scenario: --rcc RCC_NAME --name NAME.")
    return outlook_tables.scenario_export(engine, args.year, args.rcc, args.name)


def rcc_scope(args: argparse.Namespace) -> Scope:
    """The RCC named by --scope rcc --code, for tables about one RCC."""
    scope = scope_of(args)
    if scope.kind != "rcc":
        raise UserInputError("This table is about one RCC: give --scope rcc --code RCC_ID.")
    return scope


def scope_of(args: argparse.Namespace) -> Scope:
    """The scope named on the command line (England unless --scope says otherwise)."""
    if args.scope != "england" and not args.code:
        raise UserInputError(f"--scope {args.scope} needs --code (an RCC id or a GSS code).")
    return Scope(args.scope, args.code if args.scope != "england" else None)


def la_scope(args: argparse.Namespace) -> Scope:
    """The LA named by --scope la --code, for tables about one LA."""
    scope = scope_of(args)
    if scope.kind != "la":
        raise UserInputError("This table is about one LA: give --scope la --code GSS_CODE.")
    return scope


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    root = argparse.ArgumentParser(prog="python -m data", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="load the vendored open data into the store")
    build_cmd.add_argument("--if-stale", action="store_true",
                           help="do nothing if the store is already built from these files")
    build_cmd.add_argument("--quiet", action="store_true", help="no progress bars")
    rcc = commands.add_parser("rcc", help="edit RCCs and their membership (kept across builds)")
    rcc_commands = rcc.add_subparsers(dest="rcc_command", required=True)
    add = rcc_commands.add_parser("add", help="create an RCC")
    add.add_argument("--id", required=True, help="short id, e.g. east-midlands-north")
    add.add_argument("--name", required=True)
    add.add_argument("--basis", default="Defined by the National Steering Group")
    assign = rcc_commands.add_parser("assign", help="move an LA into an RCC")
    assign.add_argument("--la", required=True, help="the LA's GSS code")
    assign.add_argument("--rcc", required=True, help="the RCC's id")
    imp = commands.add_parser("import", help="import case-level data (SSDA903 or Placements "
                              "Standard v2) or provider offers: all or nothing")
    imp.add_argument("--format", required=True,
                     choices=("ssda903", "placements-v2", "provider-offers"))
    imp.add_argument("--la", help="the submitting LA's GSS code (case-level formats)")
    imp.add_argument("--year", type=int, help="collection year, e.g. 2025 for 2024-25 "
                     "(required for ssda903; placements-v2 defaults to its latest placement's)")
    imp.add_argument("--by", default=default_user(), help="who is importing (default: you)")
    imp.add_argument("paths", nargs="+", metavar="PATH",
                     help="ssda903: the Header and Episodes CSV files; placements-v2: one "
                          "CSV or XLSX file; provider-offers: one CSV file")
    caps.add_cap_commands(commands)
    accounts.add_user_commands(commands)
    packs.add_pack_command(commands)
    synth_cmd = commands.add_parser("synth", help="generate the synthetic case-level cohort "
                                    "(replaces any earlier synthetic rows; never real ones)")
    synth_cmd.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    synth_cmd.add_argument("--if-absent", action="store_true",
                           help="do nothing if the store already holds a synthetic cohort")
    synth_cmd.add_argument("--la", action="append", metavar="GSS_CODE",
                           help="only this LA (repeatable; for trying things out: the "
                                "cohort written is then these LAs only)")
    synth_cmd.add_argument("--quiet", action="store_true", help="no progress bars")
    export = commands.add_parser("export", help="write a table as CSV to stdout",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="tables:\n" + "\n".join(
                                     f"  {name:15} {text}" for name, (text, _) in EXPORTS.items()))
    export.add_argument("table", choices=sorted(EXPORTS), metavar="TABLE")
    export.add_argument("--year", type=int, default=2025)
    export.add_argument("--scope", choices=KINDS, default="england")
    export.add_argument("--code", help="RCC id, region or LA GSS code for --scope")
    export.add_argument("--model", choices=("2025", "2021"), default="2025",
                        help="DfE statistical neighbour model")
    export.add_argument("--level", default="la",
                        choices=sorted(set(map_tables.LEVELS) | set(needs_tables.LEVELS)
                                       | set(forecast_reads.LEVELS)),
                        help="flows: LA to LA, or the RCC or region matrix (la|rcc|region); "
                             "needs: every LA, RCC or England (la|rcc|england); forecasts: "
                             "la|rcc|region|england")
    export.add_argument("--population", choices=("all", "residential"), default="all",
                        help="needs: all children looked after, or those in residential care")
    export.add_argument("--placement", choices=list(flow_rules.PLACEMENT_GROUPS),
                        metavar="TYPE", help="flows: one placement type, e.g. \"Foster care\"")
    export.add_argument("--need", help="flows: children with this need (see needs-vocabulary)")
    export.add_argument("--rcc", help="scenario: the RCC's name, as the scenario saved it")
    export.add_argument("--name", help="scenario: the saved scenario's name")
    export.add_argument("--inflation", type=float, default=3.0,
                        help="projected-spend: yearly rise in costs, %% (0-10, default 3)")
    export.add_argument("--who", help="audit: events by this person (part of the name)")
    export.add_argument("--action", choices=list(audit.ACTIONS), metavar="ACTION",
                        help="audit: one action (" + ", ".join(audit.ACTIONS) + ")")
    export.add_argument("--since", type=day, metavar="YYYY-MM-DD",
                        help="audit: events on or after this day")
    export.add_argument("--output", help="write to this file instead of stdout")
    export.add_argument("--as", dest="as_email", metavar="EMAIL",
                        help="export as this account would (its role and RCCs); without it, "
                             "as an analyst (whoever runs this has the store)")
    export.add_argument("--provider", metavar="ID",
                        help="own-placements: the provider (a provider's account: its own)")
    return root


def day(text: str) -> datetime:
    """A YYYY-MM-DD argument as the start of that day."""
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date as YYYY-MM-DD") from None


def run_build(args: argparse.Namespace) -> int:
    """Build the store and report rows per table and the time taken."""
    started = time.perf_counter()
    counts = build(progress=not args.quiet, if_stale=args.if_stale)
    if not counts:
        print("The database is up to date with the vendored open data.", file=sys.stderr)
        return 0
    for name, rows in counts.items():
        print(f"{name:24} {rows:>8,} rows", file=sys.stderr)
    print(f"Built in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write one export table as CSV, if the viewer (``--as``'s account, else the command
    line's analyst) may have it; refused, say why and write nothing. Both go to the audit
    trail."""
    engine = make_engine()
    check_ready(engine)
    viewer = export_viewer(engine, args)
    detail = {"table": args.table, "args": export_detail(args)}
    try:
        export_access.check_export(viewer, args.table, args, engine)
    except AccessDenied as refused:
        audit.record(engine, viewer, "refused", detail)
        raise UserInputError(str(refused)) from refused
    table = neutralise(EXPORTS[args.table][1](engine, args))
    disclosure.to_csv(table, args.output or sys.stdout)  # labelled if synthetic rows used
    audit.record(engine, viewer, "export", detail)  # once written (an error exports nothing)
    return 0


def export_viewer(engine, args: argparse.Namespace) -> Viewer:
    """Who the export is for: ``--as``'s enabled account, else the command line (an
    analyst). A provider's account exports its own placements only, whatever --provider
    says."""
    if not args.as_email:
        return COMMAND_LINE
    viewer = accounts.viewer_for(engine, args.as_email, "cli")
    if viewer is None:
        raise UserInputError(f"No enabled account for {args.as_email}; `python -m data user "
                             "list` lists them.")
    if viewer.role == "provider":
        args.provider = viewer.provider
    return viewer


def export_detail(args: argparse.Namespace) -> dict:
    """The export's arguments as the audit trail records them (those given a value)."""
    skip = {"command", "table", "as_email", "output"}
    return {key: value for key, value in sorted(vars(args).items())
            if key not in skip and value is not None}


def run_import(args: argparse.Namespace) -> int:
    """Import case-level files; on any error print the report and write nothing (exit 2)."""
    files = []
    for path in args.paths:
        try:
            with open(path, "rb") as handle:
                files.append((os.path.basename(path), handle.read()))
        except OSError as exc:
            raise UserInputError(f"Cannot read {path}: {exc.strerror}.") from exc
    if args.format == "provider-offers":
        return run_offer_import(args, files)
    if args.la is None:
        raise UserInputError(f"--format {args.format} needs --la (the submitting LA).")
    if args.format == "ssda903" and args.year is None:
        raise UserInputError("--format ssda903 needs --year (e.g. 2025 for 2024-25).")
    if args.format == "placements-v2" and len(files) != 1:
        raise UserInputError("--format placements-v2 takes one file.")
    engine = make_engine()
    check_ready(engine)
    try:
        if args.format == "ssda903":
            result = ssda903.import_files(engine, files, la_code=args.la, year=args.year,
                                          imported_by=args.by)
        else:
            result = placements_v2.import_file(engine, *files[0], la_code=args.la,
                                               imported_by=args.by, year=args.year)
    except ImportRefused as refused:
        print("Import refused, database unchanged.", file=sys.stderr)
        print(refused.report.format(), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(result.summary(), file=sys.stderr)
    for name, rows in result.rows.items():
        print(f"{name:24} {rows:>8,} rows", file=sys.stderr)
    if result.report.warnings:
        print(result.report.format(), file=sys.stderr)
    return 0


def run_offer_import(args: argparse.Namespace, files: list[tuple[str, bytes]]) -> int:
    """Import one provider-offers CSV; on any error print the report, write nothing (exit 2)."""
    if len(files) != 1:
        raise UserInputError("--format provider-offers takes one file.")
    engine = make_engine()
    check_ready(engine)
    try:
        result = provider_offers.import_file(engine, *files[0], imported_by=args.by)
    except ImportRefused as refused:
        print("Import refused, database unchanged.", file=sys.stderr)
        print(refused.report.format(), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(result.summary(), file=sys.stderr)
    return 0


def run_synth(args: argparse.Namespace) -> int:
    """Generate the synthetic cohort and write it; report rows per table and the time."""
    engine = make_engine()
    check_ready(engine)
    if args.if_absent and synth.present(engine):
        print("The store already holds a synthetic cohort (python -m data synth replaces it).",
              file=sys.stderr)
        return 0
    started = time.perf_counter()
    try:
        cohort, counts = synth.run(engine, args.seed, progress=not args.quiet, las=args.la)
    except ImportRefused as refused:  # a generator bug: its rows failed the 903 checks
        print("The synthetic cohort failed the SSDA903 checks; database unchanged.",
              file=sys.stderr)
        print(refused.report.format(), file=sys.stderr)
        return 1
    print(f"{synth.SYNTHETIC_LABEL} (seed {args.seed}).", file=sys.stderr)
    for name, rows in counts.items():
        print(f"{name:24} {rows:>8,} rows", file=sys.stderr)
    if cohort.skipped:
        print("No published 2025 count, so no synthetic children: "
              + ", ".join(cohort.skipped) + ".", file=sys.stderr)
    print(f"Generated and written in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return 0


def run_rcc(args: argparse.Namespace) -> int:
    """Create an RCC or move an LA between RCCs."""
    engine = make_engine()
    check_ready(engine)
    if args.rcc_command == "add":
        rccs.add_rcc(engine, args.id, args.name, args.basis, by=default_user())
        print(f"Created RCC '{args.id}' ({args.name}).", file=sys.stderr)
    else:
        before = rccs.assign_la(engine, args.la, args.rcc, by=default_user())
        print(f"Moved {args.la} from '{before}' to '{args.rcc}'.", file=sys.stderr)
    return 0


def run_user(args: argparse.Namespace) -> int:
    """Add, list or disable the people who may sign in."""
    engine = make_engine()
    check_ready(engine)
    return accounts.run_user(args, engine, default_user())


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the process exit code."""
    args = parser().parse_args(argv)
    try:
        return {"build": run_build, "export": run_export, "rcc": run_rcc,
                "import": run_import, "synth": run_synth, "cap": caps.run_cap,
                "user": run_user, "pack": packs.run_pack}[args.command](args)
    except SourceError as exc:
        print(f"Build stopped, database unchanged: {exc}", file=sys.stderr)
        return 1
    except (UserInputError, StoreUnavailable) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `export ... | head`: the reader has all it wanted
        sys.stdout = open(os.devnull, "w")
        return 0
