"""The tables of "What placements cost, and the board's cap": the make-up of a typical fee,
the providers above the cap, the amount above it per year, and the cap-breaches export.

Every count of placements comes from the fee disclosure family (``analysis.fee_family``),
and every fee statistic or sum is shown only for a cell the family lets be described (its
count shown and at least 5), so sums of fees cannot be differenced any more than counts.
Amounts are cash terms at the records' last day. Tables built from synthetic rows carry
the synthetic label.
"""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import Engine

from analysis import fee_cap
from analysis.disclosure import SUPPRESSED, label_if_synthetic
from analysis.fee_family import FeeFamily, build_family
from analysis.scope import Scope
from data import caps, fee_frame, queries
from data.errors import UserInputError
from data.kept import kept

LEVELS = ("la", "rcc", "region", "england")
MAKE_UP_COLUMNS = {"group": "Placement type", "placements": "Placements",
                   **{part: f"{label}, £ a week" for part, label in fee_cap.PART_LABELS.items()},
                   "fee": "Typical weekly fee, £ (mean)"}
PROVIDER_COLUMNS = {"provider_id": "Provider", "sector": "Sector",
                    "placements": "Placements above the cap",
                    "weekly_above": "Amount above the cap, £ a week",
                    "year_above": "Amount above the cap in the last year, £"}
YEAR_COLUMNS = {"financial_year": "Period", "amount": "Amount above the cap, £"}
#: Weeks in a year, for "a full year at today's fees".
WEEKS_A_YEAR = 365.25 / 7


def geography(engine: Engine) -> tuple[dict, dict]:
    """Each current LA's RCC id (or None) and region code: how the family adds up."""
    las = queries.local_authorities(engine)
    rcc = las["rcc_id"].astype(object).where(las["rcc_id"].notna(), None)
    return dict(zip(las["code"], rcc)), dict(zip(las["code"], las["region_code"]))


def fee_family(engine: Engine, frame: pd.DataFrame, cap_percent: float) -> FeeFamily:
    """The fee family of the whole fee frame against a cap, as kept in the store for the
    current data, the cap and exactly this frame (made and kept first if it is not:
    ``data.kept``; the page's cache also holds it in memory)."""
    cap = float(cap_percent)
    return kept(engine, f"fee-family:{cap!r}", lambda: build_fee_family(engine, frame, cap),
                inputs=frame_digest(frame))


def build_fee_family(engine: Engine, frame: pd.DataFrame, cap_percent: float) -> FeeFamily:
    """The fee family of ``frame`` against a cap, made now (``fee_family`` keeps it)."""
    return build_family(frame, cap_percent, *geography(engine))


def frame_digest(frame: pd.DataFrame) -> str:
    """A digest of a fee frame's rows, columns and attrs (a fraction of a second on all of
    England's): a family kept for one frame is never handed out for another."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame).to_numpy().tobytes())
    digest.update(repr((list(frame.columns), sorted(frame.attrs.items()))).encode())
    return digest.hexdigest()[:32]


def labelled(table: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The table, marked synthetic when the fee frame is."""
    return label_if_synthetic(table, bool(frame.attrs.get("synthetic")))


def make_up_table(rows: pd.DataFrame, family: FeeFamily, scope: Scope) -> pd.DataFrame:
    """The typical weekly fee of each placement type in the scope, split into operating
    parts and the surplus inside it (``fee_cap.make_up``), for types the family lets be
    described; the placements column is the family's count."""
    table = fee_cap.make_up(rows, "placement",
                            allowed=lambda group: family.may_describe(scope, "placement", group))
    table["placements"] = [family.shown_count(scope, "placement", g) for g in table["group"]]
    table["group"] = table["group"].str.capitalize()
    money = [c for c in table.columns if c not in ("group", "placements")]
    table[money] = table[money].astype(float).round(0)
    return labelled(table.rename(columns=MAKE_UP_COLUMNS), rows)


def providers_table(rows: pd.DataFrame, family: FeeFamily, scope: Scope) -> pd.DataFrame:
    """Providers with placements above the cap in the scope: their placements above it as
    the family shows them, and the amounts only where those may be described."""
    table = fee_cap.above_by_provider(rows, family.cap_percent, rows.attrs.get("as_at"))
    table["placements"] = [family.shown_count(scope, "cap_provider", p)
                           for p in table["provider_id"]]
    described = [family.may_describe(scope, "cap_provider", p) for p in table["provider_id"]]
    for column in ("weekly_above", "year_above"):
        table[column] = pd.to_numeric(table[column]).round(0).astype(object).where(
            described, SUPPRESSED)
    return labelled(table.rename(columns=PROVIDER_COLUMNS), rows)


def by_year_table(rows: pd.DataFrame, family: FeeFamily, scope: Scope) -> pd.DataFrame:
    """What the cap would have saved the scope: the amount above it in the records' last
    financial year (each placement's weeks open in it) and in a full year at today's fees
    (empty when the scope's placements above the cap may not be described).

    Only the last year: the records hold the fees of placements open on their last day, so
    an earlier year's amount would rest on the few of them open back then (a sum over
    fewer than 5 placements, which the family's count of placements above the cap does
    not cover), and would leave out every placement that has since ended."""
    if not family.may_describe(scope, "cap", fee_cap.ABOVE):
        return labelled(pd.DataFrame(columns=list(YEAR_COLUMNS.values())), rows)
    as_at = rows.attrs.get("as_at")
    years = fee_cap.above_by_year(rows, family.cap_percent, as_at)
    last = years[years["financial_year"] == last_financial_year(as_at)]
    weekly = fee_cap.weekly_above(rows, family.cap_percent).sum()
    table = pd.DataFrame({"financial_year": [*last["financial_year"],
                                             "A full year at today's fees"],
                          "amount": [*last["amount"], weekly * WEEKS_A_YEAR]})
    table["amount"] = pd.to_numeric(table["amount"]).round(0)
    return labelled(table.rename(columns=YEAR_COLUMNS), rows)


def last_financial_year(as_at) -> str | None:
    """'2024-25' for records ending 31 March 2025 (None without records)."""
    return None if as_at is None else fee_cap.financial_year(int(as_at.year + (as_at.month > 3)))


def scope_summary(rows: pd.DataFrame, family: FeeFamily, scope: Scope) -> dict:
    """The numbers the words use: placements above, within and not declared as shown,
    providers above (those with a shown count, or "some"), and the amount above in the
    records' last financial year (None where it may not be described)."""
    counts = {status: family.shown_count(scope, "cap", status) for status in fee_cap.STATUSES}
    years = by_year_table(rows, family, scope)
    as_at = rows.attrs.get("as_at")
    last = last_financial_year(as_at)
    amount = years.loc[years[YEAR_COLUMNS["financial_year"]] == last,
                       YEAR_COLUMNS["amount"]].sum() if len(years) else None
    providers = fee_cap.above_by_provider(rows, family.cap_percent, as_at)["provider_id"]
    return {**counts, "all": family.shown_count(scope, "all", "all"),
            "providers": len(providers), "last_year": last, "last_year_amount": amount}


# --- the export ----------------------------------------------------------------------------------

def areas(engine: Engine, level: str) -> list[tuple[Scope, set[str]]]:
    """Every area of a level with its current LA codes."""
    if level not in LEVELS:
        raise UserInputError(f"--level must be one of {', '.join(LEVELS)} for cap-breaches.")
    las = queries.local_authorities(engine)
    if level == "england":
        return [(Scope(), set(las["code"]))]
    column = {"la": "code", "rcc": "rcc_id", "region": "region_code"}[level]
    return [(Scope(level, code), set(group["code"]))
            for code, group in las.dropna(subset=[column]).groupby(column)]


def cap_breaches_export(engine: Engine, level: str = "la",
                        percent: float | None = None) -> pd.DataFrame:
    """Every area of ``level`` with its providers above the board's current cap (or a cap
    of ``percent``): level, area_code, cap_percent, provider, sector, placements above,
    weekly and last year's amount above (through the fee family)."""
    percent = caps.percent_in_use(engine) if percent is None else percent
    frame = fee_frame.fee_frame(engine)
    family = fee_family(engine, frame, percent)
    tables = []
    for scope, codes in areas(engine, level):
        rows = fee_frame.scope_rows(frame, scope, codes)
        table = providers_table(rows, family, scope)
        tables.append(table.assign(level=level, area_code=scope.code or "E92000001",
                                   cap_percent=percent))
    columns = ["level", "area_code", "cap_percent", *PROVIDER_COLUMNS.values()]
    out = pd.concat(tables, ignore_index=True)[columns] if tables else \
        pd.DataFrame(columns=columns)
    return labelled(out, frame)
