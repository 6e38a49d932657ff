"""People who may sign in: add, list, disable; local sign-in with lockout; the viewer a
signed-in person is.

Two ways in, one table (``app_user``): people from the RCC's identity provider (OIDC,
``st.login``) are matched by email and carry no password here; local accounts, for a
server without an identity provider, keep an argon2 hash (argon2-cffi's defaults), never
the password. ``LOCK_AFTER`` failed sign-ins in a row lock a local account for
``LOCK_FOR``; a right password after that is refused too until the lock ends, and the
same words are shown whatever was wrong, so a guesser learns nothing from them.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, insert, select, update

from analysis.access import ROLES, Viewer
from data import audit
from data import schema as s
from data.errors import UserInputError

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
SHORTEST_PASSWORD = 12
#: The roles an account may hold (anonymous is nobody signed in).
ACCOUNT_ROLES = tuple(role for role in ROLES if role != "anonymous")
LIST_COLUMNS = ["email", "role", "rccs", "provider", "sign_in", "disabled", "locked_until",
                "created_at", "created_by"]
REFUSED = ("That email and password do not match an account that may sign in now. After "
           f"{LOCK_AFTER} wrong passwords an account is locked for "
           f"{LOCK_FOR.seconds // 60} minutes; an analyst can help.")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_HASHER = PasswordHasher()


class SignInRefused(Exception):
    """A local sign-in was refused; the message is safe to show."""


def add_user(engine: Engine, email: str, role: str, *, rccs=(), provider: str | None = None,
             password: str | None = None, by: str = "command line") -> dict:
    """Add a person; without a password they can only sign in through the identity
    provider. Bad input raises UserInputError and writes nothing."""
    row = {"email": checked_email(email), "role": checked_role(role),
           "rccs": ",".join(checked_rccs(engine, role, rccs)) or None,
           "provider": checked_provider(role, provider),
           "password_hash": None if password is None else _HASHER.hash(checked_password(password)),
           "disabled": False, "failed_sign_ins": 0, "locked_until": None,
           "created_at": datetime.now().replace(microsecond=0), "created_by": by}
    with engine.begin() as connection:
        if connection.execute(select(s.AppUser.id).where(
                s.AppUser.email == row["email"])).first():
            raise UserInputError(f"{row['email']} already has an account.")
        connection.execute(insert(s.AppUser).values(**row))
    audit.record(engine, None, "user", {"added": row["email"], "role": row["role"],
                                        "rccs": row["rccs"], "provider": row["provider"]},
                 who=by, role="analyst")
    return row


def checked_email(email) -> str:
    """An email address, lower-cased (identity providers differ in case)."""
    text = str(email or "").strip().lower()
    if not EMAIL.match(text) or len(text) > 254:
        raise UserInputError(f"'{email}' is not an email address.")
    return text


def checked_role(role) -> str:
    """One of the account roles."""
    if role not in ACCOUNT_ROLES:
        raise UserInputError(f"The role must be one of {', '.join(ACCOUNT_ROLES)}, "
                             f"not '{role}'.")
    return role


def checked_rccs(engine: Engine, role: str, rccs) -> list[str]:
    """The RCCs a trustee or ADCS lead serves: required for them, known RCC ids."""
    chosen = [str(rcc).strip() for rcc in rccs if str(rcc).strip()]
    if role not in ("trustee", "adcs"):
        if chosen:
            raise UserInputError("Only trustees and ADCS leads are given RCCs (--rcc).")
        return []
    if not chosen:
        raise UserInputError(f"Say which RCC a {role} serves (--rcc ID; repeat for more).")
    with engine.connect() as connection:
        known = set(connection.execute(select(s.Rcc.id)).scalars())
    unknown = sorted(set(chosen) - known)
    if unknown:
        raise UserInputError(f"No RCC with id {', '.join(unknown)}; `python -m data export "
                             "rcc-membership` lists them.")
    return sorted(set(chosen))


def checked_provider(role: str, provider) -> str | None:
    """A provider's id: required for the provider role, refused for the others."""
    text = str(provider or "").strip() or None
    if (role == "provider") != (text is not None):
        raise UserInputError("A provider account needs --provider ID, and only a provider "
                             "account takes one.")
    return text


def checked_password(password: str) -> str:
    """A password long enough to resist guessing between lockouts."""
    if len(password) < SHORTEST_PASSWORD:
        raise UserInputError(f"A password needs at least {SHORTEST_PASSWORD} characters.")
    return password


def users(engine: Engine) -> pd.DataFrame:
    """Every account, without its password hash: ``sign_in`` says how they sign in."""
    u = s.AppUser
    with engine.connect() as connection:
        rows = connection.execute(select(u).order_by(u.email)).all()
    return pd.DataFrame([{
        "email": user.email, "role": user.role, "rccs": user.rccs or "",
        "provider": user.provider or "",
        "sign_in": "password (local)" if user.password_hash else "identity provider",
        "disabled": bool(user.disabled), "locked_until": user.locked_until,
        "created_at": user.created_at, "created_by": user.created_by} for user in rows],
        columns=LIST_COLUMNS)


def has_local_accounts(engine: Engine) -> bool:
    """Whether any account signs in with a password here (the app then offers a form)."""
    with engine.connect() as connection:
        return bool(connection.execute(select(func.count()).select_from(s.AppUser).where(
            s.AppUser.password_hash.is_not(None))).scalar())


def disable_user(engine: Engine, email: str, by: str = "command line") -> None:
    """Stop someone signing in (kept, so the audit trail's names stay meaningful)."""
    address = checked_email(email)
    with engine.begin() as connection:
        done = connection.execute(update(s.AppUser).where(s.AppUser.email == address)
                                  .values(disabled=True)).rowcount
    if not done:
        raise UserInputError(f"No account for {address}.")
    audit.record(engine, None, "user", {"disabled": address}, who=by, role="analyst")


def viewer_for(engine: Engine, email: str | None, how: str) -> Viewer | None:
    """The viewer an enabled account is (None for an unknown or disabled email): for a
    person the identity provider vouched for (``how="oidc"``) or a local sign-in."""
    if not email:
        return None
    with engine.connect() as connection:
        user = connection.execute(select(s.AppUser).where(
            s.AppUser.email == str(email).strip().lower())).first()
    if user is None or user.disabled:
        return None
    return Viewer(user.role, email=user.email, rccs=frozenset(filter(None, (user.rccs or "")
                                                                      .split(","))),
                  provider=user.provider, how=how)


def sign_in(engine: Engine, email: str, password: str, now: datetime | None = None) -> Viewer:
    """Check a local account's password; the viewer on success (failures reset), else
    SignInRefused (a wrong password counted; the ``LOCK_AFTER``th locks the account for
    ``LOCK_FOR``). Both outcomes go to the audit trail."""
    now = now or datetime.now()
    address = str(email or "").strip().lower()
    with engine.begin() as connection:
        user = connection.execute(select(s.AppUser).where(
            s.AppUser.email == address)).first()
        outcome = _check(user, password, now)
        if outcome in (None, "wrong"):
            connection.execute(update(s.AppUser).where(s.AppUser.id == user.id)
                               .values(**_after(user, outcome, now)))
    if outcome is not None:
        audit.record(engine, None, "sign-in-failed", {"email": address[:254], "why": outcome},
                     who=address[:254] or "unknown", role="none")
        raise SignInRefused(REFUSED)
    viewer = viewer_for(engine, address, "local")
    audit.record(engine, viewer, "sign-in", {"how": "local"})
    return viewer


def _check(user, password: str, now: datetime) -> str | None:
    """Why a sign-in fails (unknown, disabled, no-password, locked, wrong) or None."""
    if user is None:
        _HASHER.hash(password or "-")  # the same work as a real check: no timing tell
        return "unknown"
    if user.disabled:
        return "disabled"
    if not user.password_hash:
        return "no-password"
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    try:
        _HASHER.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return "wrong"
    return None


def _after(user, outcome: str | None, now: datetime) -> dict:
    """The account's failure count and lock after a right (None) or wrong password."""
    if outcome is None:
        return {"failed_sign_ins": 0, "locked_until": None}
    failures = user.failed_sign_ins + 1
    if failures >= LOCK_AFTER:
        return {"failed_sign_ins": 0, "locked_until": now + LOCK_FOR}
    return {"failed_sign_ins": failures, "locked_until": user.locked_until}


# --- the command line: python -m data user add | list | disable ----------------------------

def add_user_commands(commands) -> None:
    """Add ``user add``, ``user list`` and ``user disable`` to the CLI's subcommands."""
    user = commands.add_parser("user", help="people who may sign in: add, list, disable")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a person with a role")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ACCOUNT_ROLES)
    add.add_argument("--rcc", action="append", default=[], metavar="ID",
                     help="an RCC a trustee or ADCS lead serves (repeat for more)")
    add.add_argument("--provider", metavar="ID", help="the provider a provider account is")
    add.add_argument("--password", action="store_true",
                     help="give a local password (asked for; or read from stdin when it is "
                          "not a terminal); without it the person signs in through the "
                          "identity provider")
    user_commands.add_parser("list", help="every account as CSV (no password hashes)")
    disable = user_commands.add_parser("disable", help="stop someone signing in")
    disable.add_argument("email")


def run_user(args: argparse.Namespace, engine: Engine, by: str) -> int:
    """Add, list or disable accounts, saying in one line what was done."""
    if args.user_command == "list":
        users(engine).to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    if args.user_command == "disable":
        disable_user(engine, args.email, by)
        print(f"Disabled {checked_email(args.email)}.", file=sys.stderr)
        return 0
    password = read_password() if args.password else None
    row = add_user(engine, args.email, args.role, rccs=args.rcc, provider=args.provider,
                   password=password, by=by)
    how = "a local password" if password else "the identity provider"
    print(f"Added {row['email']} as {row['role']}, signing in with {how}.", file=sys.stderr)
    return 0


def read_password() -> str:
    """A new password: asked twice at a terminal, else one line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise UserInputError("The two passwords differ; nothing was added.")
    return first
