"""WCAG 2.2 AA checks with axe-core: none serious or critical in our markup.

UK public-sector sites must meet WCAG 2.2 AA. axe-core (vendored under vendor/) runs in
the page; each violation is attributed to Streamlit's own chrome (which this product
cannot change) or to the product's markup. The product's must be zero; Streamlit's are
written to tests/artifacts/axe-streamlit.json and listed in the README. Every page is
checked, on the load it shares with the other per-page checks (test_browser_pages.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.browser.conftest import ARTIFACTS

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: Streamlit's own chrome: markup it generates that the app has no way to change.
STREAMLIT_OWNED = ('[data-testid="stSidebarNav"]', '[data-testid="stSidebarNavItems"]',
                   '[data-testid="stHeader"]', '[data-testid="stToolbar"]',
                   '[data-testid="stDecoration"]', '[data-testid="stStatusWidget"]')
FOUND_IN_STREAMLIT: dict[str, dict] = {}

RUN_AXE = """async ([tags, owned]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .flatMap(v => v.nodes.map(node => {
      const element = document.querySelector(node.target[0]);
      const streamlit = !!(element && element.closest(owned.join(',')));
      return {rule: v.id, impact: v.impact, help: v.help, streamlit,
              html: node.html.slice(0, 200)};
    }));
}"""


def violations(page) -> list[dict]:
    """Serious and critical axe violations on the page, each marked Streamlit's or ours."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, [WCAG_TAGS, list(STREAMLIT_OWNED)])


def no_serious_violations_in_our_markup(page, title: str) -> None:
    """Zero serious or critical WCAG 2.2 AA violations in the product's own markup on the
    drawn page; Streamlit's own are noted (by page) for the README's list."""
    found = violations(page)
    ours = [v for v in found if not v["streamlit"]]
    for item in found:
        if item["streamlit"]:
            FOUND_IN_STREAMLIT.setdefault(item["rule"], {**item, "pages": set()})["pages"].add(
                title)
    assert not ours, json.dumps(ours, indent=1)


def write_streamlit_report() -> None:
    """Record what Streamlit's own markup causes, for the README's list."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = [{**item, "pages": sorted(item["pages"])} for item in FOUND_IN_STREAMLIT.values()]
    (ARTIFACTS / "axe-streamlit.json").write_text(json.dumps(report, indent=1))
