"""Opening a page as a link would, and reading its words, for the AppTest page tests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def opened(path: str, params: dict, timeout: int = 120) -> AppTest:
    """The page at ``path`` as a link with ``params`` opens it, with no exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(params)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def words(at: AppTest) -> str:
    """Everything a reader reads on the page: text, captions, notes and headings."""
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [i.value for i in at.info] + [w.value for w in at.warning]
                    + [h.value for h in at.header] + [s.value for s in at.subheader])


@contextmanager
def app_on(url: str):
    """The app and the export command pointed at the store at ``url`` (st.connection ignores
    AppTest secrets, so the environment), with Streamlit's caches emptied on the way in and
    out. Held for a whole module, the caches are kept between its tests, as a running
    server keeps them between sessions: only for stores its tests never write to."""
    import cached

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        cached.clear()
        try:
            yield url
        finally:
            cached.clear()
