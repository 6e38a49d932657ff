"""Browser fixtures: the app served on a free loopback port, and Debian's Chromium.

The app runs against a store of its own (the key-flow test writes to the register).
Chromium comes from Debian's `chromium` package, driven by Playwright; no browser is
ever downloaded. Without /usr/bin/chromium these tests skip, unless
RCC_BROWSER_REQUIRED=1 (set by `make test` and CI), when they fail instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from views.frame import PAGES

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update"]
#: Greater Manchester RCC's ten LAs, given a synthetic cohort in the browser's store.
GREATER_MANCHESTER = [f"E080000{n:02d}" for n in range(1, 11)]
SCOPES = {"england": "scope=england", "rcc": "scope=rcc&rcc=greater-manchester",
          "la": "scope=la&la=E06000009"}


def navigation() -> list[tuple[str, str]]:
    """(title, URL path) of every page in the app's navigation, default page first."""
    pages = [page for group in PAGES.values() for page in group]
    return [(title, "" if path.endswith("overview.py") else Path(path).stem)
            for path, title, _ in pages]


def free_port() -> int:
    """A port nothing is listening on, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Block until Streamlit's health endpoint answers, or fail with its output."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: {process.stdout.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app, served from a fresh store (with a synthetic cohort for Greater Manchester)
    on a free loopback port for this session."""
    from data import synth
    from data.build import build
    from data.store import make_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'rcc.sqlite'}"
    build(url, progress=False)
    engine = make_engine(url)
    synth.run(engine, 42, las=GREATER_MANCHESTER)  # case-level panels have data to draw
    engine.dispose()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright, shared by the session."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("RCC_BROWSER_REQUIRED") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page at a meeting-room screen size."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def open_page(page, url: str) -> None:
    """Go to a URL and wait until Streamlit has finished drawing it."""
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    settle(page)


def settle(page) -> None:
    """Wait for Streamlit's run to finish (its status widget disappears) and charts to draw."""
    page.wait_for_timeout(400)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(600)


def full_screenshot(page, name: str) -> Path:
    """A full-length PNG: Streamlit scrolls inside its main area, so grow the viewport."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 900")
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 50, 16000)})
    page.wait_for_timeout(500)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    return path
