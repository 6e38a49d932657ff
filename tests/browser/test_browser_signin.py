"""Signing in through an identity provider, in a real browser: a mock OpenID Connect
provider (oidc-provider-mock, on loopback) stands in for the RCC's, and the app is served
with an ``[auth]`` secrets file pointing at it, on a store with two accounts of different
roles. Sign in as a trustee (their role in the sidebar, their pages in the navigation),
sign out, sign in as an NSG member: the role and the navigation change with the person,
and a page closed to them is refused at its own address."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from data import accounts
from data.store import make_engine
from tests.browser.conftest import ROOT, app_idle, free_port, heading, no_exception, sidebar
from tests.browser.conftest import wait_until_healthy
from tests.conftest import copied_store

TRUSTEE = "trustee@rcc.example"
NSG = "nsg@rcc.example"


@pytest.fixture(scope="module")
def provider():
    """The identity provider: oidc-provider-mock on a free loopback port (its authorize
    page lets the test type who signs in: the subject, which it also gives as email)."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def oidc_app(provider, built_url, tmp_path_factory):
    """The app with ``[auth]`` configured, on a copy of the session's store holding a
    trustee (Greater Manchester) and an NSG member, both signing in through the provider."""
    folder = tmp_path_factory.mktemp("oidc")
    url = copied_store(built_url, folder)
    engine = make_engine(url)
    accounts.add_user(engine, TRUSTEE, "trustee", rccs=["greater-manchester"])
    accounts.add_user(engine, NSG, "nsg")
    engine.dispose()
    port = free_port()
    base = f"http://localhost:{port}"
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        f'cookie_secret = "{os.urandom(16).hex()}"\n'
        'client_id = "rcc-insight"\n'
        'client_secret = "rcc-insight-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    log = folder / "streamlit.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--secrets.files", str(secrets)],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, stdout=output,
            stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def nav_link(page, title: str):
    """The navigation's link to a page."""
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)


def who(page):
    """The sidebar's line saying who is looking."""
    return sidebar(page).get_by_text("Signed in as")


def sign_in_as(page, base: str, email: str) -> None:
    """Press Sign in, type ``email`` on the provider's page, come back signed in."""
    page.goto(base)
    expect(sidebar(page).get_by_text("Looking as a visitor")).to_be_visible()
    sidebar(page).get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize", exact=True).click()
    expect(who(page)).to_contain_text(email)
    app_idle(page)


def sign_out(page) -> None:
    """Press Sign out, end the session at the provider, come back a visitor."""
    sidebar(page).get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="End session")).to_be_visible()
    page.get_by_role("button", name="End session").click()
    expect(sidebar(page).get_by_text("Looking as a visitor")).to_be_visible()


def test_sign_in_out_and_switch_role(page, oidc_app):
    page.goto(oidc_app)
    expect(heading(page)).to_contain_text("Overview")
    expect(nav_link(page, "Overview")).to_be_visible()
    expect(nav_link(page, "Board pack")).to_have_count(0)

    sign_in_as(page, oidc_app, TRUSTEE)
    expect(who(page)).to_contain_text("Trustee for Greater Manchester RCC")
    expect(nav_link(page, "All RCCs")).to_have_count(0)
    expect(nav_link(page, "Audit trail")).to_have_count(0)
    nav_link(page, "Board pack").click()
    expect(heading(page)).to_contain_text("Board pack")
    no_exception(page)

    sign_out(page)
    expect(nav_link(page, "Board pack")).to_have_count(0)

    sign_in_as(page, oidc_app, NSG)
    expect(who(page)).to_contain_text("National Steering Group member")
    expect(nav_link(page, "Audit trail")).to_have_count(0)
    nav_link(page, "All RCCs").click()
    expect(heading(page)).to_contain_text("All RCCs")
    no_exception(page)
    page.goto(f"{oidc_app}/audit")
    expect(heading(page)).to_have_text("Audit trail")
    expect(page.get_by_text("This page is not open to National Steering Group members")
           ).to_be_visible()
    expect(who(page)).to_contain_text(NSG)
    no_exception(page)
