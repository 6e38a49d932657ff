"""Who is looking, decided on every run, and the sidebar's few lines that say so.

Three set-ups, by what the server has (README, Deployment):

* an identity provider (an ``[auth]`` section in Streamlit's secrets): people sign in
  there (``st.login``) and are matched by email to an account here, which gives their role;
  signed in with no enabled account here, or not signed in, they are visitors;
* no identity provider, but local accounts (``python -m data user add --password``): a
  small email-and-password form, checked by ``data.accounts.sign_in`` (lockout and audit
  are in there); the email is kept for the session and its account re-read on every run,
  so disabling someone takes effect at their next click;
* neither: one analyst, as on a fresh clone, and the sidebar says so plainly, so nobody
  mistakes an open server for a guarded one.

app.py calls ``current_viewer`` as ``signin.current_viewer`` (a module attribute), so the
tests can put any viewer in its place.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.errors import StreamlitSecretNotFoundError

import cached
from analysis import access
from analysis.access import ROLE_LABELS, Viewer
from data import accounts, audit

#: Session keys: the locally signed-in email, the form's fields, and the OIDC email whose
#: sign-in the audit trail already has (recorded once per session).
LOCAL_KEY = "signin_local"
EMAIL_KEY = "signin_email"
PASSWORD_KEY = "signin_password"
REFUSED_KEY = "signin_refused"
RECORDED_KEY = "signin_recorded"
SINGLE_USER_NOTE = ("**Single-user analyst**: no sign-in is set up on this server, so "
                    "whoever opens it sees everything; see README, Deployment.")


def current_viewer(engine: Engine) -> Viewer:
    """The viewer for this run, after drawing who is looking (and how to sign in or out)
    at the top of the sidebar."""
    if oidc_configured():
        return oidc_viewer(engine)
    if local_accounts(engine):
        return local_viewer(engine)
    st.sidebar.info(SINGLE_USER_NOTE, icon=":material/person:")
    return access.SINGLE_USER


def local_accounts(engine: Engine) -> bool:
    """Whether the store has local accounts: as this run's store check read it (the one
    query a warm run makes), else asked now."""
    known = st.session_state.get(cached.ACCOUNTS_KEY)
    return accounts.has_local_accounts(engine) if known is None else known


def oidc_configured() -> bool:
    """Whether the secrets have an ``[auth]`` section (no secrets file: no)."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return False


# --- an identity provider ---------------------------------------------------------------------

def oidc_viewer(engine: Engine) -> Viewer:
    """The account of the person the identity provider vouches for, else a visitor."""
    if not st.user.is_logged_in:
        say_who(access.ANONYMOUS)
        if st.sidebar.button("Sign in", icon=":material/login:", key="signin_oidc"):
            st.login()
        return access.ANONYMOUS
    email = oidc_email()
    viewer = accounts.viewer_for(engine, email, "oidc")
    if viewer is None:
        note_once(engine, email)
        st.sidebar.warning(f"Signed in as {email or 'someone without an email address'}, "
                           "but no account here: ask an analyst to add you. Until then you "
                           "see what visitors see.", icon=":material/person_off:")
    else:
        note_once(engine, email, viewer)
        say_who(viewer)
    if st.sidebar.button("Sign out", icon=":material/logout:", key="signout_oidc"):
        audit.record(engine, viewer, "sign-out", {"how": "oidc"}, who=email or "unknown",
                     role=(viewer or access.ANONYMOUS).role)
        st.session_state.pop(RECORDED_KEY, None)
        st.logout()  # the browser goes on to the identity provider's sign-out
        return access.ANONYMOUS
    return viewer or access.ANONYMOUS


def oidc_email() -> str | None:
    """The signed-in person's email; Entra ID may give only ``preferred_username`` (the
    address people sign in with) unless the email claim is configured."""
    return st.user.get("email") or st.user.get("preferred_username")


def note_once(engine: Engine, email: str | None, viewer: Viewer | None = None) -> None:
    """Record an identity-provider sign-in (or one with no account here) once a session:
    the session lives on across runs, the sign-in happened once."""
    if st.session_state.get(RECORDED_KEY) == email:
        return
    st.session_state[RECORDED_KEY] = email
    address = (email or "unknown")[:254]
    if viewer is None:
        audit.record(engine, None, "sign-in-failed", {"email": address, "why": "no-account",
                                                      "how": "oidc"},
                     who=address, role="none")
    else:
        audit.record(engine, viewer, "sign-in", {"how": "oidc"})


# --- local accounts ---------------------------------------------------------------------------

def local_viewer(engine: Engine) -> Viewer:
    """The locally signed-in account (re-read: a disabled one ends the session), else a
    visitor with the sign-in form."""
    email = st.session_state.get(LOCAL_KEY)
    viewer = accounts.viewer_for(engine, email, "local") if email else None
    if viewer is None:
        st.session_state.pop(LOCAL_KEY, None)
        say_who(access.ANONYMOUS)
        sign_in_form(engine)
        return access.ANONYMOUS
    say_who(viewer)
    st.sidebar.button("Sign out", icon=":material/logout:", key="signout_local",
                      on_click=sign_out_local, args=(engine, viewer))
    return viewer


def sign_in_form(engine: Engine) -> None:
    """Email and password, folded away until wanted (open after a refusal, saying why)."""
    refused = st.session_state.get(REFUSED_KEY)
    with st.sidebar.expander("Sign in", expanded=bool(refused), icon=":material/login:"):
        with st.form("signin_form", border=False):
            st.text_input("Email", key=EMAIL_KEY, autocomplete="username")
            st.text_input("Password", type="password", key=PASSWORD_KEY,
                          autocomplete="current-password")
            st.form_submit_button("Sign in", key="signin_submit", on_click=sign_in_local,
                                  args=(engine,))
        if refused:
            st.error(refused, icon=":material/lock:")


def sign_in_local(engine: Engine) -> None:
    """The form's button: check the password (before the run, so the run that follows
    already draws the signed-in page); the password field is emptied either way."""
    email, password = st.session_state.get(EMAIL_KEY, ""), st.session_state.get(PASSWORD_KEY, "")
    st.session_state[PASSWORD_KEY] = ""
    try:
        viewer = accounts.sign_in(engine, email, password)
    except accounts.SignInRefused as refused:
        st.session_state[REFUSED_KEY] = str(refused)
        return
    st.session_state.pop(REFUSED_KEY, None)
    st.session_state[LOCAL_KEY] = viewer.email


def sign_out_local(engine: Engine, viewer: Viewer) -> None:
    """The Sign out button: forget the account for this session, and record it."""
    audit.record(engine, viewer, "sign-out", {"how": "local"})
    st.session_state.pop(LOCAL_KEY, None)


# --- who is looking ---------------------------------------------------------------------------

def say_who(viewer: Viewer) -> None:
    """One line at the top of the sidebar: the role, who, and what they serve."""
    if viewer.role == "anonymous":
        st.sidebar.caption(":material/person: Looking as a **visitor**: published data "
                           "only. Sign in to see more.")
        return
    st.sidebar.caption(f":material/person: Signed in as **{viewer.email}**: "
                       f"{ROLE_LABELS[viewer.role]}{serving(viewer)}.")


def serving(viewer: Viewer) -> str:
    """What a trustee or ADCS lead serves (their RCCs by name), or a provider is."""
    if viewer.provider:
        return f", provider {viewer.provider}"
    if not viewer.rccs:
        return ""
    names = cached.rccs().set_index("id")["name"]
    return " for " + ", ".join(sorted(f"{names.get(rcc, rcc)} RCC" for rcc in viewer.rccs))
