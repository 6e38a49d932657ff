"""The explanations register: requests that LAs explain high or rising rates, and outcomes.

Boards ask an LA to explain itself and record the reply and what was agreed. Several
board members may edit the same request at once, so every save names the version it
was based on and is refused (ConflictError) if someone else saved first: nobody's
words are silently overwritten. Every changed field is kept in explanation_change, so
the register can show who changed what and when. Pure data layer: no Streamlit.
"""

from __future__ import annotations

import json
import numbers
from datetime import date, datetime, timezone

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from analysis.access import Viewer
from data import audit
from data import schema as s
from data.errors import UserInputError
from data.queries import frame

STATUSES = ("requested", "received", "discussed", "accepted", "action agreed", "closed")
EDITABLE = ("meeting", "reason", "response", "response_on", "status", "outcome", "actions")
REQUIRED_TEXT = {"meeting": 200, "reason": None}
OPTIONAL_TEXT = ("response", "outcome", "actions")
NAME_LENGTH = 120
CREATED_FIELDS = ("la_code", "year", "requested_on", "meeting", "reason", "asked_by", "status",
                  "rule_settings")
COLUMNS = ("id", "la_code", "la_name", "year", "requested_on", "meeting", "reason", "asked_by",
           "status", "response", "response_on", "outcome", "actions", "version", "updated_at",
           "updated_by", "rule_settings")


class ConflictError(UserInputError):
    """A save was based on a version someone else has since replaced; nothing was written."""


# --- validation ---------------------------------------------------------------------------

def now() -> datetime:
    """The current UTC time without tzinfo, as the store's DateTime columns hold it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def person(value, label: str) -> str:
    """A non-empty name (stripped), so every entry says who made it."""
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise UserInputError(f"Please give {label}: every entry in the register says who made it.")
    if len(name) > NAME_LENGTH:
        raise UserInputError(f"{label.capitalize()} must be at most {NAME_LENGTH} characters.")
    return name


def required_text(field: str, value) -> str:
    """Meeting and reason must say something: a request without them cannot be followed up."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise UserInputError(f"Please give the {field}: it cannot be empty.")
    limit = REQUIRED_TEXT.get(field)
    if limit and len(text) > limit:
        raise UserInputError(f"The {field} must be at most {limit} characters.")
    return text


def optional_text(field: str, value) -> str | None:
    """Free text that may be blank; blank is stored as NULL so 'empty' has one meaning."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UserInputError(f"The {field} must be text.")
    return value.strip() or None


def as_date(field: str, value, required: bool) -> date | None:
    """A date (or ISO 'YYYY-MM-DD' text); datetimes are cut to their day."""
    if value is None or value == "":
        if required:
            raise UserInputError(f"Please give the {field.replace('_', ' ')} date.")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise UserInputError(f"The {field.replace('_', ' ')} must be a date like 2025-03-31, "
                         f"not '{value}'.")


def as_year(value) -> int:
    """The 31 March year the flag refers to, as a whole number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise UserInputError(f"The year must be a whole number like 2025, not '{value}'.")
    return int(value)


def as_version(value) -> int:
    """The version a save was based on, as a whole number of at least 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise UserInputError(f"The version to save over must be a whole number, not '{value}'.")
    return int(value)


def as_request_id(value) -> int:
    """A request id as a plain int (pages pass numpy ints from DataFrames, which some
    database drivers cannot send)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise UserInputError(f"No request {value} in the register.")
    return int(value)


def as_status(value) -> str:
    """One of STATUSES, so the register can be filtered and counted by stage."""
    if value not in STATUSES:
        raise UserInputError(f"Unknown status '{value}': use one of {', '.join(STATUSES)}.")
    return value


def settings_json(rule_settings) -> str:
    """The flag-rule settings as JSON, kept with the request so the decision can be audited."""
    if not isinstance(rule_settings, dict):
        raise UserInputError("The rule settings must be given as a dictionary of settings.")
    try:
        return json.dumps(rule_settings, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise UserInputError(f"The rule settings cannot be stored as JSON ({exc}).") from exc


def clean_changes(changes: dict) -> dict:
    """Validate and normalise the fields of an update; unknown fields are refused."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise UserInputError(f"Cannot change {', '.join(unknown)}: only {', '.join(EDITABLE)} "
                             "can be edited.")
    cleaned = {}
    for field, value in changes.items():
        if field in REQUIRED_TEXT:
            cleaned[field] = required_text(field, value)
        elif field in OPTIONAL_TEXT:
            cleaned[field] = optional_text(field, value)
        elif field == "response_on":
            cleaned[field] = as_date(field, value, required=False)
        else:
            cleaned[field] = as_status(value)
    return cleaned


def check_current_la(connection: Connection, la_code) -> str:
    """The LA must exist now: requests go to councils that can answer them."""
    found = connection.execute(select(s.LocalAuthority.code).where(
        s.LocalAuthority.code == la_code, s.LocalAuthority.is_current.is_(True))).first()
    if not found:
        raise UserInputError(f"Unknown LA code '{la_code}' (use a current GSS code).")
    return la_code


# --- change history -----------------------------------------------------------------------

def as_text(value) -> str | None:
    """A value as history text: dates in ISO form, NULL stays NULL."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def change_rows(request_id: int, version: int, at: datetime, by: str,
                old: dict, new: dict) -> list[dict]:
    """One explanation_change row per field whose value differs between ``old`` and ``new``."""
    return [{"request_id": request_id, "version": version, "changed_at": at, "changed_by": by,
             "field": field, "old_value": as_text(old.get(field)),
             "new_value": as_text(new[field])}
            for field in new if as_text(old.get(field)) != as_text(new[field])]


# --- writing ------------------------------------------------------------------------------

def create_request(engine: Engine, *, la_code: str, year: int, requested_on: date, meeting: str,
                   reason: str, asked_by: str, rule_settings: dict,
                   viewer: Viewer | None = None) -> int:
    """Record a new request (status 'requested', version 1) with its history; returns its id.

    Everything is checked before anything is written, and the row and its history go in
    one transaction, so a refused request leaves no trace. The audit trail gets one row,
    for ``viewer`` (None: the command line).
    """
    values = {"year": as_year(year), "requested_on": as_date("requested_on", requested_on, True),
              "meeting": required_text("meeting", meeting),
              "reason": required_text("reason", reason),
              "asked_by": person(asked_by, "the name of who asked"), "status": "requested",
              "rule_settings": settings_json(rule_settings)}
    at = now()
    with engine.begin() as connection:
        values["la_code"] = check_current_la(connection, la_code)
        request_id = connection.execute(insert(s.ExplanationRequest).values(
            **values, version=1, created_at=at, updated_at=at, updated_by=values["asked_by"],
        )).inserted_primary_key[0]
        created = {field: values[field] for field in CREATED_FIELDS}
        connection.execute(insert(s.ExplanationChange),
                           change_rows(request_id, 1, at, values["asked_by"], {}, created))
    audit.record_change(engine, viewer, "register", {
        "request": request_id, "version": 1, "la": values["la_code"], "year": values["year"],
        "changed": "requested an explanation"}, by=values["asked_by"])
    return request_id


def update_request(engine: Engine, request_id: int, expected_version: int, changed_by: str,
                   *, viewer: Viewer | None = None, **changes) -> int:
    """Save edits made to version ``expected_version``; returns the version now stored.

    The update only applies if the row is still at ``expected_version`` (checked by the
    UPDATE itself, so two simultaneous saves cannot both win); otherwise nothing is
    written and ConflictError says who saved in between. Only fields whose value really
    changed are written and recorded; a save that changes nothing keeps the version. A
    save that changed something adds one row to the audit trail, for ``viewer`` (None: the
    command line).
    """
    by = person(changed_by, "your name")
    request_id = as_request_id(request_id)
    expected = as_version(expected_version)
    cleaned = clean_changes(changes)
    table = s.ExplanationRequest.__table__
    with engine.begin() as connection:
        before = connection.execute(
            select(table).where(table.c.id == request_id).with_for_update()).mappings().first()
        if before is None:
            raise UserInputError(f"No request {request_id} in the register.")
        if before["version"] != expected:
            raise conflict(before, expected)
        rows = change_rows(request_id, expected + 1, now(), by, dict(before), cleaned)
        if not rows:
            return expected
        at = rows[0]["changed_at"]
        changed = {row["field"]: cleaned[row["field"]] for row in rows}
        result = connection.execute(
            update(table).where(table.c.id == request_id, table.c.version == expected)
            .values(**changed, version=table.c.version + 1, updated_at=at, updated_by=by))
        if result.rowcount == 0:
            current = connection.execute(
                select(table).where(table.c.id == request_id)).mappings().first()
            raise conflict(current, expected)
        connection.execute(insert(s.ExplanationChange), rows)
    audit.record_change(engine, viewer, "register", {
        "request": request_id, "version": expected + 1, "la": before["la_code"],
        "changed": sorted(changed)}, by=by)
    return expected + 1


def conflict(current, expected: int) -> ConflictError:
    """A ConflictError naming who saved the request after ``expected`` and when."""
    when = current["updated_at"]
    stamp = f"{when:%H:%M} on {when:%d %b %Y} (UTC)" if when else "an unknown time"
    return ConflictError(
        f"This request was changed by {current['updated_by']} at {stamp} (now version "
        f"{current['version']}) after you opened it (version {expected}). Your changes were "
        "not saved: reload to see theirs, then apply yours again.")


# --- reading ------------------------------------------------------------------------------

def requests(engine: Engine, la_codes: set[str] | None = None) -> pd.DataFrame:
    """Every request (or only those to ``la_codes``), newest first, with the LA's name."""
    r, la = s.ExplanationRequest, s.LocalAuthority
    statement = (select(*(la.name.label("la_name") if c == "la_name" else getattr(r, c)
                          for c in COLUMNS))
                 .outerjoin(la, la.code == r.la_code)
                 .order_by(r.requested_on.desc(), r.id.desc()))
    if la_codes is not None:
        statement = statement.where(r.la_code.in_(sorted(la_codes)))
    return frame(engine, statement)


def history(engine: Engine, request_id: int | None = None) -> pd.DataFrame:
    """Every change to the register (or to one request), oldest first: who, when, what."""
    c = s.ExplanationChange
    columns = ("request_id", "version", "changed_at", "changed_by", "field", "old_value",
               "new_value")
    statement = select(*(getattr(c, name) for name in columns)).order_by(c.changed_at, c.id)
    if request_id is not None:
        statement = statement.where(c.request_id == as_request_id(request_id))
    return frame(engine, statement)
