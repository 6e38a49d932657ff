"""Accounts (data/accounts.py): adding, listing and disabling people, by function and by
``python -m data user``; argon2 hashes, never passwords; refusals that write nothing; and
the lockout's timing, with the clock planted."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from data import accounts, audit, cli
from data import schema as s
from data.errors import UserInputError
from data.store import make_engine
from tests.conftest import copied_store

PASSWORD = "a long enough password"
T0 = datetime(2026, 3, 31, 9, 0, 0)


@pytest.fixture(scope="module")
def store_url(built_url, tmp_path_factory) -> str:
    """A copy of the session's store (accounts written here never reach other tests)."""
    return copied_store(built_url, tmp_path_factory.mktemp("accounts"))


@pytest.fixture
def engine(store_url, monkeypatch):
    """An engine on the copy, which the command line uses too (DATABASE_URL)."""
    monkeypatch.setenv("DATABASE_URL", store_url)
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


def stored(engine, email: str):
    """The account's row as stored, or None."""
    with engine.connect() as connection:
        return connection.execute(select(s.AppUser).where(s.AppUser.email == email)).first()


def counts(engine) -> tuple[int, int]:
    """(accounts, audit rows): what a refused command must leave as it was."""
    with engine.connect() as connection:
        return tuple(connection.execute(select(func.count()).select_from(table)).scalar()
                     for table in (s.AppUser, s.AuditEvent))


def user_command(monkeypatch, args: list[str], stdin: str = "") -> int:
    """``python -m data user ...`` with ``stdin`` piped in (not a terminal)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["user", *args])


# --- add, list, disable -------------------------------------------------------------------------

def test_a_password_is_kept_only_as_an_argon2_hash(engine):
    accounts.add_user(engine, "Hashed@Example.org", "analyst", password=PASSWORD)
    row = stored(engine, "hashed@example.org")
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert PasswordHasher().verify(row.password_hash, PASSWORD)
    assert "password_hash" not in accounts.users(engine).columns


def test_an_identity_provider_account_has_no_password(engine):
    accounts.add_user(engine, "oidc@example.org", "nsg")
    assert stored(engine, "oidc@example.org").password_hash is None
    listed = accounts.users(engine).set_index("email").loc["oidc@example.org"]
    assert listed["sign_in"] == "identity provider" and listed["role"] == "nsg"
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(engine, "oidc@example.org", "")


def test_the_viewer_carries_the_accounts_rccs_and_provider(engine):
    accounts.add_user(engine, "two@example.org", "adcs",
                      rccs=["greater-manchester", "north-east"])
    accounts.add_user(engine, "homes@example.org", "provider", provider="SC123")
    adcs = accounts.viewer_for(engine, "TWO@example.org", "oidc")
    assert adcs.role == "adcs" and adcs.rccs == {"greater-manchester", "north-east"}
    assert accounts.viewer_for(engine, "homes@example.org", "local").provider == "SC123"
    assert accounts.viewer_for(engine, "nobody@example.org", "oidc") is None


def test_cli_adds_with_a_password_from_stdin_lists_and_disables(engine, monkeypatch, capsys):
    code = user_command(monkeypatch, ["add", "cli@example.org", "--role", "trustee", "--rcc",
                                      "greater-manchester", "--password"], PASSWORD + "\n")
    assert code == 0
    assert "Added cli@example.org as trustee" in capsys.readouterr().err
    assert accounts.sign_in(engine, "cli@example.org", PASSWORD).role == "trustee"
    assert user_command(monkeypatch, ["list"]) == 0
    listing = capsys.readouterr().out
    assert "cli@example.org,trustee,greater-manchester" in listing
    assert "$argon2" not in listing and PASSWORD not in listing
    assert user_command(monkeypatch, ["disable", "cli@example.org"]) == 0
    assert accounts.viewer_for(engine, "cli@example.org", "local") is None
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(engine, "cli@example.org", PASSWORD)
    changes = audit.events(engine, action="user")["detail"]
    assert changes.str.contains('"added": "cli@example.org"').any()
    assert changes.str.contains('"disabled": "cli@example.org"').any()


@pytest.mark.parametrize("args, stdin, words", [
    (["add", "not-an-email", "--role", "analyst"], "", "not an email address"),
    (["add", "t@example.org", "--role", "trustee"], "", "Say which RCC"),
    (["add", "t@example.org", "--role", "trustee", "--rcc", "atlantis"], "", "No RCC with id"),
    (["add", "a@example.org", "--role", "analyst", "--rcc", "greater-manchester"], "",
     "Only trustees and ADCS leads"),
    (["add", "p@example.org", "--role", "provider"], "", "needs --provider"),
    (["add", "short@example.org", "--role", "analyst", "--password"], "too short\n",
     "at least 12 characters"),
    (["add", "taken@example.org", "--role", "analyst"], "", "already has an account"),
    (["disable", "nobody@example.org"], "", "No account for nobody@example.org"),
])
def test_cli_bad_input_exits_2_and_writes_nothing(engine, monkeypatch, capsys, args, stdin,
                                                  words):
    if "taken@example.org" in args and stored(engine, "taken@example.org") is None:
        accounts.add_user(engine, "taken@example.org", "analyst")
    before = counts(engine)
    assert user_command(monkeypatch, args, stdin) == 2
    assert words in capsys.readouterr().err
    assert counts(engine) == before


def test_cli_refuses_a_role_that_is_not_one(engine, monkeypatch):
    before = counts(engine)
    with pytest.raises(SystemExit) as exited:
        user_command(monkeypatch, ["add", "x@example.org", "--role", "anonymous"])
    assert exited.value.code == 2 and counts(engine) == before


def test_a_disabled_account_stays_listed(engine):
    """Disabled, never deleted: the audit trail's names keep meaning someone."""
    accounts.add_user(engine, "left@example.org", "trustee", rccs=["greater-manchester"])
    accounts.disable_user(engine, "left@example.org")
    assert accounts.users(engine).set_index("email").at["left@example.org", "disabled"]
    with pytest.raises(UserInputError):
        accounts.add_user(engine, "left@example.org", "nsg")


# --- sign-in and lockout, with the clock planted ------------------------------------------------

def wrong(engine, email: str, times: int, at: datetime) -> None:
    """``times`` wrong passwords at ``at``, each refused."""
    for _ in range(times):
        with pytest.raises(accounts.SignInRefused):
            accounts.sign_in(engine, email, "not the password", now=at)


def test_lockout_lasts_lock_for_then_the_right_password_works(engine):
    accounts.add_user(engine, "lock@example.org", "analyst", password=PASSWORD)
    wrong(engine, "lock@example.org", accounts.LOCK_AFTER, T0)
    just_before = T0 + accounts.LOCK_FOR - timedelta(seconds=1)
    with pytest.raises(accounts.SignInRefused, match="locked"):
        accounts.sign_in(engine, "lock@example.org", PASSWORD, now=just_before)
    just_after = T0 + accounts.LOCK_FOR + timedelta(seconds=1)
    assert accounts.sign_in(engine, "lock@example.org", PASSWORD, now=just_after).role == \
        "analyst"
    whys = audit.events(engine, who="lock@example.org")["detail"].iloc[::-1].tolist()
    assert whys[-2:] == ['{"email": "lock@example.org", "why": "locked"}', '{"how": "local"}']


def test_one_fewer_wrong_password_does_not_lock_and_a_right_one_resets(engine):
    accounts.add_user(engine, "reset@example.org", "analyst", password=PASSWORD)
    wrong(engine, "reset@example.org", accounts.LOCK_AFTER - 1, T0)
    assert accounts.sign_in(engine, "reset@example.org", PASSWORD, now=T0)
    wrong(engine, "reset@example.org", accounts.LOCK_AFTER - 1, T0)
    assert accounts.sign_in(engine, "reset@example.org", PASSWORD, now=T0)
    assert stored(engine, "reset@example.org").locked_until is None


def test_every_refusal_reads_the_same(engine):
    """Unknown, wrong, disabled, locked: one sentence, so a guesser learns nothing."""
    accounts.add_user(engine, "same@example.org", "analyst", password=PASSWORD)
    messages = set()
    for email, password in [("unknown@example.org", PASSWORD), ("same@example.org", "nope")]:
        with pytest.raises(accounts.SignInRefused) as refused:
            accounts.sign_in(engine, email, password, now=T0)
        messages.add(str(refused.value))
    assert messages == {accounts.REFUSED}
