"""Reads and writes of the store that are never cached: the explanations register, the
import log, imports, provider offers and the stored forecast run. Each must show a change
made on another tab at the next interaction, so pages call these instead of ``cached``;
they share its engine."""

from __future__ import annotations

import pandas as pd

from analysis import access
from cached import engine, require, viewer
from data import forecast_store, offer_register, register, scenario_store
from data.importers import case_tables, placements_v2, ssda903
from data.importers import provider_offers as provider_offers_importer
from data.importers.common import ImportResult


def register_requests(la_codes: set[str]) -> pd.DataFrame:
    """Live, not cached: the register changes while people use it. The board's business,
    not published data: checked as a case-level table at this run's scope."""
    require(access.AGGREGATE)
    return register.requests(engine(), la_codes)


def register_refusal() -> str:
    """Why this run's viewer may not read the register here."""
    try:
        require(access.AGGREGATE)
    except access.AccessDenied as refused:
        return str(refused)
    return ""


def register_history(request_id: int) -> pd.DataFrame:
    """One request's changes (checked as the register is)."""
    require(access.AGGREGATE)
    return register.history(engine(), request_id)


def register_create(**fields) -> int:
    """A new request, recorded in the audit trail for this run's viewer, who must be one
    who records board decisions here (a trustee or ADCS lead of this RCC, an analyst)."""
    require(access.AGGREGATE)
    access.require_action(viewer(), access.RECORD)
    return register.create_request(engine(), **fields, viewer=viewer())


def register_update(request_id: int, expected_version: int, changed_by: str,
                    **changes) -> int:
    """A saved edit, recorded in the audit trail for this run's viewer (checked as a new
    request is)."""
    require(access.AGGREGATE)
    access.require_action(viewer(), access.RECORD)
    return register.update_request(engine(), request_id, expected_version, changed_by,
                                   viewer=viewer(), **changes)


def case_import_log() -> pd.DataFrame:
    """Live, not cached: an import on another tab must show at once. Analysts only (kind
    ADMIN), checked here as cached.py's readers are checked."""
    access.require(viewer(), access.ADMIN)
    return case_tables.import_log(engine())


def import_ssda903(files: list[tuple[str, bytes]], la_code: str, year: int,
                   imported_by: str) -> ImportResult:
    """Import 903 Header and Episodes files (raises ImportRefused; nothing then written)."""
    access.require_action(viewer(), access.ADMINISTER)
    return ssda903.import_files(engine(), files, la_code=la_code, year=year,
                                imported_by=imported_by, viewer=viewer())


def import_placements_v2(name: str, raw: bytes, la_code: str, imported_by: str,
                         year: int | None = None) -> ImportResult:
    """Import one Placements Standard v2 file (raises ImportRefused; nothing then written)."""
    access.require_action(viewer(), access.ADMINISTER)
    return placements_v2.import_file(engine(), name, raw, la_code=la_code,
                                     imported_by=imported_by, year=year, viewer=viewer())


def provider_offers() -> pd.DataFrame:
    """Live, not cached: an offer saved on another tab must show at once."""
    return offer_register.register(engine())


def offers_version() -> tuple:
    """How many offers there are and when the newest was saved: tables matched against
    the offers are cached under it, so a saved offer shows at the next interaction."""
    return offer_register.version(engine())


def save_offer(offer: dict, by: str):
    """Save one home's offer (raises ImportRefused with the problems; nothing then written)."""
    access.require_action(viewer(), access.ADMINISTER)
    return offer_register.save_offer(engine(), offer, by, viewer=viewer())


def import_provider_offers(name: str, raw: bytes, by: str):
    """Import a provider-offers CSV file (raises ImportRefused; nothing then written)."""
    access.require_action(viewer(), access.ADMINISTER)
    return provider_offers_importer.import_file(engine(), name, raw, imported_by=by,
                                                viewer=viewer())


def forecast_run():
    """The stored forecast run (None if never refreshed): live, one small query."""
    return forecast_store.latest_run(engine())


def saved_scenarios(rcc: str) -> list[str]:
    """The names of the RCC's saved scenarios."""
    return scenario_store.list_names(engine(), rcc)


def load_scenario(rcc: str, name: str):
    """A saved scenario (None if there is none of that name)."""
    return scenario_store.load(engine(), rcc, name)


def save_scenario(scenario, by: str) -> None:
    """Save a scenario under its name (one of the same name is replaced)."""
    scenario_store.save(engine(), scenario, by)
