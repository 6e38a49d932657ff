"""Who is looking, as the app decides it: nobody set up (one analyst, said in the sidebar),
local accounts (the sidebar form: right and wrong passwords, lockout, disabled accounts,
the audit trail), an identity provider (AppTest's ``user`` and ``secrets`` stand in for
``st.login``), and the navigation each role gets, with a link to a page closed to them
answered by a refusal in its place."""

from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import Viewer
from data import accounts, audit
from data.store import make_engine
from tests.app_pages import APP
from tests.conftest import copied_store
from views import signin
from views.frame import PAGES

TIMEOUT = 120
PASSWORD = "correct horse battery staple"
#: The accounts planted in this module's store: (email, role, RCCs, provider, password).
PEOPLE = [("trustee@rcc.example", "trustee", ["greater-manchester"], None, PASSWORD),
          ("analyst@rcc.example", "analyst", [], None, PASSWORD),
          ("locked@rcc.example", "trustee", ["greater-manchester"], None, PASSWORD),
          ("gone@rcc.example", "nsg", [], None, PASSWORD),
          ("switched-off@rcc.example", "analyst", [], None, PASSWORD),
          ("nsg@rcc.example", "nsg", [], None, None),
          ("provider@rcc.example", "provider", [], "SC000001", None)]
#: An identity-provider set-up, as in secrets.toml (AppTest never calls the provider).
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "rcc-insight", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}
#: Pages by their file name, and the pages each role's navigation lists (typed out here,
#: from the issue's roles, not derived from views/frame.py's rules).
ALL = {path for pages in PAGES.values() for path, _, _ in pages}
CLOSED = {"anonymous": {"views/rccs_page.py", "views/board_pack_page.py", "views/audit_page.py"},
          "provider": {"views/rccs_page.py", "views/board_pack_page.py", "views/audit_page.py"},
          "trustee": {"views/rccs_page.py", "views/audit_page.py"},
          "adcs": {"views/rccs_page.py", "views/audit_page.py"},
          "nsg": {"views/audit_page.py"},
          "analyst": set()}
VIEWERS = {"anonymous": Viewer("anonymous", how="anonymous"),
           "provider": Viewer("provider", email="p@x.example", provider="SC000001", how="local"),
           "trustee": Viewer("trustee", email="t@x.example",
                             rccs=frozenset({"greater-manchester"}), how="local"),
           "adcs": Viewer("adcs", email="a@x.example", rccs=frozenset({"greater-manchester"}),
                          how="local"),
           "nsg": Viewer("nsg", email="n@x.example", how="oidc"),
           "analyst": Viewer("analyst", email="an@x.example", how="local")}


@pytest.fixture(scope="module")
def accounts_url(built_url, tmp_path_factory) -> str:
    """A copy of the session's store with ``PEOPLE`` added (never the shared store: its
    accounts would put every other page test behind a sign-in form)."""
    url = copied_store(built_url, tmp_path_factory.mktemp("signin"))
    engine = make_engine(url)
    for email, role, rccs, provider, password in PEOPLE:
        accounts.add_user(engine, email, role, rccs=rccs, provider=provider, password=password)
    accounts.disable_user(engine, "switched-off@rcc.example")
    engine.dispose()
    return url


@pytest.fixture
def store(accounts_url, monkeypatch):
    """The app pointed at the accounts store; an engine on it for the test's own reads."""
    import cached

    monkeypatch.setenv("DATABASE_URL", accounts_url)
    cached.clear()
    engine = make_engine(accounts_url)
    yield engine
    engine.dispose()
    cached.clear()


def app(page: str = "views/present_page.py") -> AppTest:
    """The app after its first run, on a light page (the sign-in is the same on every page)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sidebar_words(at: AppTest) -> str:
    """What the sidebar says (captions, notes, warnings, errors)."""
    side = at.sidebar
    return " ".join(e.value for kind in (side.caption, side.info, side.warning, side.error)
                    for e in kind)


def sign_in(at: AppTest, email: str, password: str) -> AppTest:
    """Fill in the sidebar's form and press its button."""
    at.text_input(key=signin.EMAIL_KEY).input(email)
    at.text_input(key=signin.PASSWORD_KEY).input(password)
    at.button(key="signin_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def trail(engine, email: str) -> list[tuple[str, str]]:
    """(action, detail) of the audit rows about ``email``, oldest first."""
    rows = audit.events(engine, who=email)
    return list(zip(rows["action"], rows["detail"].fillna("")))[::-1]


def viewer_of(at: AppTest) -> Viewer:
    return at.session_state["viewer"]


# --- nothing set up -----------------------------------------------------------------------------

def test_single_user_analyst_when_nothing_is_set_up(app_store):
    """No identity provider and no local accounts: one analyst, and the sidebar says so."""
    at = app()
    assert viewer_of(at).role == "analyst" and viewer_of(at).how == "single-user"
    words = sidebar_words(at)
    assert "Single-user analyst" in words and "no sign-in is set up" in words
    assert "README" in words
    assert not at.sidebar.text_input, "no sign-in form"


# --- local accounts -----------------------------------------------------------------------------

def test_right_password_signs_in_and_out(store):
    at = app()
    assert viewer_of(at).role == "anonymous"
    assert "visitor" in sidebar_words(at)
    sign_in(at, "Trustee@RCC.example ", PASSWORD)  # as typed: case and spaces do not matter
    seen = viewer_of(at)
    assert (seen.role, seen.email, seen.rccs) == ("trustee", "trustee@rcc.example",
                                                 frozenset({"greater-manchester"}))
    words = sidebar_words(at)
    assert "trustee@rcc.example" in words and "Trustee" in words
    assert "Greater Manchester RCC" in words
    assert not at.sidebar.text_input, "the form goes once signed in"
    at.button(key="signout_local").click().run()
    assert viewer_of(at).role == "anonymous"
    assert [action for action, _ in trail(store, "trustee@rcc.example")][-2:] == [
        "sign-in", "sign-out"]


@pytest.mark.parametrize("email, password", [
    ("analyst@rcc.example", "wrong password here"),
    ("nobody@rcc.example", PASSWORD),
    ("nsg@rcc.example", PASSWORD),  # signs in through the identity provider only
    ("", ""),
])
def test_wrong_sign_ins_are_refused_in_the_same_words(store, email, password):
    """Whatever was wrong, the same sentence: a guesser learns nothing from it."""
    at = sign_in(app(), email, password)
    assert viewer_of(at).role == "anonymous"
    [refusal] = at.sidebar.error
    assert refusal.value == accounts.REFUSED
    assert at.text_input(key=signin.PASSWORD_KEY).value == "", "the password is not kept"
    if email:
        assert trail(store, email)[-1][0] == "sign-in-failed"


def test_lockout_refuses_even_the_right_password(store):
    at = app()
    for _ in range(accounts.LOCK_AFTER):
        sign_in(at, "locked@rcc.example", "not the password")
    sign_in(at, "locked@rcc.example", PASSWORD)
    assert viewer_of(at).role == "anonymous"
    assert at.sidebar.error[0].value == accounts.REFUSED
    assert '"why": "locked"' in trail(store, "locked@rcc.example")[-1][1]


def test_a_disabled_account_is_refused(store):
    at = sign_in(app(), "switched-off@rcc.example", PASSWORD)
    assert viewer_of(at).role == "anonymous"
    assert at.sidebar.error[0].value == accounts.REFUSED


def test_disabling_an_account_ends_its_session_at_the_next_click(store):
    at = sign_in(app(), "gone@rcc.example", PASSWORD)
    assert viewer_of(at).role == "nsg"
    accounts.disable_user(store, "gone@rcc.example")
    at.run()
    assert viewer_of(at).role == "anonymous"


# --- an identity provider -----------------------------------------------------------------------

def oidc_app(user: dict) -> AppTest:
    """The app with an ``[auth]`` section and ``user`` as the identity provider's answer."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = user
    at.run()
    at.switch_page("views/present_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_identity_provider_sign_in_gives_the_accounts_role(store):
    at = oidc_app({"is_logged_in": True, "email": "NSG@rcc.example", "name": "N"})
    assert viewer_of(at) == Viewer("nsg", email="nsg@rcc.example", how="oidc")
    assert "National Steering Group member" in sidebar_words(at)
    assert not at.sidebar.text_input, "no password form beside an identity provider"
    at.run()
    assert [a for a, _ in trail(store, "nsg@rcc.example")].count("sign-in") == 1, \
        "recorded once a session, not once a run"
    at.button(key="signout_oidc").click().run()
    assert trail(store, "nsg@rcc.example")[-1][0] == "sign-out"
    assert viewer_of(at).role == "anonymous"
    at.run()
    assert viewer_of(at).role == "anonymous" and at.button(key="signin_oidc")


def test_identity_provider_sign_in_without_an_account_here(store):
    at = oidc_app({"is_logged_in": True, "email": "stranger@elsewhere.example"})
    assert viewer_of(at).role == "anonymous"
    [note] = at.sidebar.warning
    assert "stranger@elsewhere.example" in note.value
    assert "no account here: ask an analyst to add you" in note.value
    assert trail(store, "stranger@elsewhere.example")[-1][0] == "sign-in-failed"


def test_identity_provider_not_signed_in_offers_sign_in(store):
    at = oidc_app({"is_logged_in": False})
    assert viewer_of(at).role == "anonymous"
    assert at.button(key="signin_oidc").label == "Sign in"


def test_a_local_password_does_not_open_a_server_with_an_identity_provider(store):
    """With ``[auth]`` configured the identity provider is the only way in."""
    at = oidc_app({"is_logged_in": False})
    assert not at.sidebar.text_input


# --- navigation by role -------------------------------------------------------------------------

def as_viewer(monkeypatch, role: str) -> AppTest:
    """The app as ``role`` sees it (signin.current_viewer put aside)."""
    monkeypatch.setattr(signin, "current_viewer", lambda engine: VIEWERS[role])
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def listed(at: AppTest) -> set[str]:
    """The page files the navigation holds under their own file (a page closed to the
    viewer is held only as the refusal page)."""
    found = set()
    for page in ALL:
        try:
            at.switch_page(page)
        except ValueError:
            continue
        found.add(page)
    return found


@pytest.mark.parametrize("role", CLOSED)
def test_navigation_lists_the_pages_each_role_may_use(app_store, monkeypatch, role):
    at = as_viewer(monkeypatch, role)
    assert not at.exception, [e.value for e in at.exception]
    assert listed(at) == ALL - CLOSED[role]


@pytest.mark.parametrize("role, title, words", [
    ("nsg", "Audit trail", "This page is not open to National Steering Group members. "
                           "This part is for analysts."),
    ("anonymous", "All RCCs", "This page is not open to visitors who have not signed in. "
                              "This part uses more than published open data. Sign in"),
])
def test_a_link_to_a_closed_page_is_refused_in_its_place(app_store, monkeypatch, role, title,
                                                         words):
    """The closed page's address opens a refusal naming who it is closed to; the page
    itself never runs; the links offered are the viewer's own pages."""
    at = as_viewer(monkeypatch, role)
    at.switch_page("views/refused_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == title
    assert words in at.warning[0].value
    offered = {link.value for link in at.page_link}
    closed_titles = {t for pages in PAGES.values() for path, t, _ in pages
                     if path in CLOSED[role]}
    assert offered and not offered & closed_titles
