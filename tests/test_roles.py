"""The role matrix: every role against every export and every page, on a store with a
synthetic cohort (Greater Manchester and the North East).

The bars, each checked against something the code under test does not compute:

* an anonymous visitor never gets a case-level figure: every export it may run prints no
  synthetic label (on this store every table made from children's records carries it),
  and no page it opens shows the label;
* a provider never obtains another provider's fees: ``own-placements`` as provider A holds
  exactly A's placements, counted straight from the store, whatever ``--provider`` says;
  no other export or page it may use has a fee column;
* a trustee of Greater Manchester gets no case-level figure of the North East: every
  export cut to the North East (or to every area) is refused, and no page opened at the
  North East shows the synthetic label.

Refusals print one "Error: ..." line, nothing on stdout, exit 2, and are in the audit trail.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, func, select

from analysis import access
from analysis.disclosure import SYNTHETIC_LABEL
from data import accounts, audit, cli, export_access
from data import schema as s
from data.store import make_engine
from views.frame import PAGES, visible

ROOT = Path(__file__).resolve().parents[1]
GM, NE = "greater-manchester", "north-east"
GM_LA = "E08000003"  # Manchester
NE_LA = "E06000001"  # Hartlepool
#: Every account the matrix signs in as (none has a password: the app stays single-user
#: for the other tests that share this store), by role.
EMAILS = {"provider": "a@provider.test", "trustee": "trustee@gm.test",
          "adcs": "adcs@gm.test", "nsg": "nsg@england.test", "analyst": "analyst@rcc.test"}
PROVIDER_B = "b@provider.test"
#: The few arguments some exports need to run at all.
NEEDED = {"benchmarks": ["--scope", "la", "--code", GM_LA],
          "rcc-exports": ["--scope", "rcc", "--code", GM],
          "scenario": ["--rcc", "Greater Manchester", "--name", "none saved"]}


def open_fee_placements(engine, provider: str) -> int:
    """Brute force: the provider's open placements with a fee, counted in the store."""
    f, e = s.PlacementFee, s.Episode
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(f).join(
            e, e.id == f.episode_id).where(e.provider_id == provider,
                                           e.end_date.is_(None))).scalar()


@pytest.fixture(scope="module")
def store(cohort_url, tmp_path_factory):
    """The cohort store (a copy, when it is a SQLite file: the exports write to the audit
    trail) with an account for every role; the two providers with most open fees are A and
    B. Yields (url, engine, provider A's id, provider B's id)."""
    url = cohort_url
    if url.startswith("sqlite:///"):
        copy = tmp_path_factory.mktemp("roles") / "rcc.sqlite"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy}"
    engine = make_engine(url)
    f, e = s.PlacementFee, s.Episode
    with engine.connect() as connection:
        ids = connection.execute(select(e.provider_id).join(f, f.episode_id == e.id).where(
            e.end_date.is_(None), e.provider_id.is_not(None)).group_by(e.provider_id)
            .order_by(func.count().desc(), e.provider_id).limit(2)).scalars().all()
    a, b = ids
    accounts.add_user(engine, EMAILS["provider"], "provider", provider=a)
    accounts.add_user(engine, PROVIDER_B, "provider", provider=b)
    accounts.add_user(engine, EMAILS["trustee"], "trustee", rccs=[GM])
    accounts.add_user(engine, EMAILS["adcs"], "adcs", rccs=[GM])
    accounts.add_user(engine, EMAILS["nsg"], "nsg")
    accounts.add_user(engine, EMAILS["analyst"], "analyst")
    yield url, engine, a, b
    with engine.begin() as connection:
        connection.execute(delete(s.AppUser).where(
            s.AppUser.email.in_([*EMAILS.values(), PROVIDER_B])))
    engine.dispose()


@pytest.fixture
def export(store, monkeypatch, capsys):
    """Run ``python -m data export`` on the store: (exit code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", store[0])

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["export", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def export_args(name: str, scope: tuple[str, str] | None = None) -> list[str]:
    """An export's arguments: cut to ``scope`` (kind, code) where it takes one, at --level
    rcc where it takes a level (not la: one table of every LA is slow to protect)."""
    if scope and export_access.EXPORT_ACCESS[name][1] == export_access.SCOPED:
        return (["--rcc", "North East" if scope[1] == NE else "Greater Manchester",
                 "--name", "none saved"] if name == "scenario"
                else ["--scope", scope[0], "--code", scope[1]])
    return [*NEEDED.get(name, []), "--level", "rcc"]


def refused(result) -> bool:
    """Whether an export was refused as the CLI refuses: exit 2, nothing on stdout."""
    code, out, err = result
    return code == 2 and out == "" and err.startswith("Error: ")


# --- the exports --------------------------------------------------------------------------------

def test_every_export_has_a_kind_of_table():
    assert set(export_access.EXPORT_KINDS) == set(cli.EXPORTS)
    assert set(export_access.EXPORT_KINDS.values()) <= set(access.KINDS)


def test_an_anonymous_visitor_gets_no_case_level_figure(store, export):
    """Every export is refused to a visitor, or is open data: run (as the command line), it
    carries no synthetic label, so nothing in it came from children's records."""
    _, engine, _, _ = store
    allowed = []
    for name in sorted(cli.EXPORTS):
        args = cli.parser().parse_args(["export", name, *export_args(name)])
        try:
            export_access.check_export(access.ANONYMOUS, name, args, engine)
        except access.AccessDenied as refusal:
            assert "Sign in" in str(refusal)
            continue
        allowed.append(name)
        code, out, err = export(name, *export_args(name))
        assert code == 0, (name, err)
        assert SYNTHETIC_LABEL not in out, name
    assert "la-rates" in allowed and "flows" not in allowed and "needs" not in allowed


@pytest.mark.parametrize("role", ["provider", "trustee", "adcs"])
def test_exports_of_another_rcc_or_every_area_are_refused(store, export, role):
    """Every export cut to the North East or to every area: a trustee or ADCS lead of
    Greater Manchester may have none made from children's records; a provider only needs
    and gaps (not of single LAs) and its own placements. Each refusal says why on stderr,
    writes nothing and is in the audit trail."""
    _, engine, _, _ = store
    viewer = viewer_of(engine, role)
    allowed = set()
    for name in sorted(cli.EXPORTS):
        argv = export_args(name, ("rcc", NE))
        try:
            export_access.check_export(viewer, name,
                                       cli.parser().parse_args(["export", name, *argv]), engine)
            allowed.add(name)
        except access.AccessDenied:
            assert refused(export(name, "--as", EMAILS[role], *argv)), name
    case_level = {name for name in allowed if export_access.EXPORT_KINDS[name] not in
                  (access.PUBLISHED, access.FORECAST)}
    expected = {"provider": {"cohorts", "cohort-fit", "cohort-trend",
                             "cohort-grids", "specificity-gap", "rcc-exports", "needs",
                             "homes-needed", "provider-offers", "own-placements"}}
    assert case_level == expected.get(role, set())
    trail = audit.events(engine, who=EMAILS[role], action="refused")
    assert len(trail) == len(cli.EXPORTS) - len(allowed)
    assert trail["detail"].str.contains('"table"').all()


def test_a_trustee_cuts_their_own_rcc(store, export):
    """Scoped to Greater Manchester or one of its LAs, a trustee gets the tables; the same
    at a North East LA or England is refused."""
    code, out, err = export("cap-make-up", "--as", EMAILS["trustee"], "--scope", "rcc",
                            "--code", GM)
    assert code == 0, err
    assert SYNTHETIC_LABEL in out  # case-level, and theirs
    assert export("cap-by-year", "--as", EMAILS["adcs"], "--scope", "la", "--code",
                  GM_LA)[0] == 0
    assert refused(export("cap-by-year", "--as", EMAILS["trustee"], "--scope", "la",
                          "--code", NE_LA))
    assert refused(export("cap-make-up", "--as", EMAILS["adcs"]))  # England
    assert refused(export("fees", "--as", EMAILS["trustee"], "--level", "rcc"))
    assert export("fees", "--as", EMAILS["nsg"], "--level", "rcc")[0] == 0


def test_a_provider_gets_its_own_placements_only(store, export):
    """``own-placements`` as provider A: exactly A's open placements with a fee (counted
    in the store), even when it names B; the command line must name a provider."""
    _, engine, a, b = store
    code, out, err = export("own-placements", "--as", EMAILS["provider"], "--provider", b)
    assert code == 0, err
    rows = read_csv(out)
    assert len(rows) == open_fee_placements(engine, a) > 0
    assert len(rows) != open_fee_placements(engine, b)
    code, out, _ = export("own-placements", "--as", PROVIDER_B)
    assert len(read_csv(out)) == open_fee_placements(engine, b)
    assert len(read_csv(export("own-placements", "--provider", a)[1])) == \
        open_fee_placements(engine, a)
    assert export("own-placements")[0] == 2  # the command line names no provider
    assert refused(export("own-placements", "--as", EMAILS["trustee"], "--provider", a))
    assert refused(export("own-placements", "--as", EMAILS["nsg"], "--provider", a))


def test_an_unknown_account_is_a_clear_error(export):
    code, out, err = export("la-rates", "--as", "nobody@nowhere.test")
    assert (code, out) == (2, "") and "No enabled account" in err


def test_allowed_exports_are_audited(store, export):
    _, engine, _, _ = store
    assert export("la-rates", "--as", EMAILS["nsg"])[0] == 0
    trail = audit.events(engine, who=EMAILS["nsg"], action="export")
    assert '"la-rates"' in trail["detail"].iloc[0]


def read_csv(text: str) -> pd.DataFrame:
    """An export's CSV, its synthetic label line skipped."""
    from io import StringIO

    return pd.read_csv(StringIO(text), comment="#")


# --- the cached readers -------------------------------------------------------------------------

def test_every_cached_reader_declares_its_kind():
    """Each ``@table``/``@figure`` in cached*.py names the kind of table it is made of."""
    missing = []
    for path in ROOT.glob("cached*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                name = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(name, ast.Name) and name.id in ("table", "figure") and not (
                        isinstance(decorator, ast.Call)
                        and any(k.arg == "kind" for k in decorator.keywords)):
                    missing.append(f"{path.name}:{node.name}")
    assert missing == []


# --- the pages ----------------------------------------------------------------------------------

PAGE_PATHS = [path for pages in PAGES.values() for path, _, _ in pages]
#: The pages with case-level parts, each at the part a link opens that holds them.
CASE_LEVEL = {"views/maps_page.py": {"view": "flows"}, "views/needs_page.py": {},
              "views/forecasts_page.py": {}, "views/homes_needed_page.py": {},
              "views/costs_page.py": {"view": "cap"}}


def viewer_of(engine, role: str) -> access.Viewer:
    """The viewer each role's account is (a visitor has none)."""
    if role == "anonymous":
        return access.ANONYMOUS
    return accounts.viewer_for(engine, EMAILS[role], "local")


@pytest.fixture(scope="module")
def app(store):
    """The app's caches pointed at this module's store: ``open_as(role, page, params)``
    opens a page as a link would, as that role's viewer; None for a page the navigation
    does not offer that viewer (its link opens a refusal instead: tests/test_signin.py)."""
    import cached
    from views import signin

    url, engine, _, _ = store
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        cached.clear()

        def open_as(role: str, page: str, params: dict):
            from tests.app_pages import opened

            viewer = viewer_of(engine, role)
            if not visible(viewer, page):
                return None
            patch.setattr(signin, "current_viewer", lambda _engine: viewer)
            return opened(page, params, timeout=300)

        yield open_as
        cached.clear()


def labelled(at) -> list[str]:
    """What the page shows that carries the synthetic label (on this store, every table and
    chart made from children's records does: tables' notes, charts' source lines), [] for
    a page not opened. The guide's prose that names the label is not a figure."""
    if at is None:
        return []
    parts = [e.value for e in [*at.warning, *at.caption, *at.info]]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    return [part for part in parts if SYNTHETIC_LABEL in part]


@pytest.mark.parametrize("page", PAGE_PATHS)
def test_a_visitor_sees_published_parts_only(app, page):
    assert labelled(app("anonymous", page, CASE_LEVEL.get(page, {}))) == []


@pytest.mark.parametrize("page", PAGE_PATHS)
def test_a_trustee_sees_nothing_case_level_of_another_rcc(app, page):
    params = {"scope": "rcc", "rcc": NE, **CASE_LEVEL.get(page, {})}
    assert labelled(app("trustee", page, params)) == []


@pytest.mark.parametrize("page", CASE_LEVEL)
def test_a_trustee_sees_their_rcc_and_no_other_rccs_rows(app, page):
    """At their own RCC a trustee sees its case-level parts, and no table there holds a
    row of another RCC."""
    at = app("trustee", page, {"scope": "rcc", "rcc": GM, **CASE_LEVEL[page]})
    no_forecasts = ("views/forecasts_page.py", "views/homes_needed_page.py")  # none stored
    assert labelled(at) or page in no_forecasts
    for frame in at.dataframe:
        table = frame.value
        for column in ("rcc", "rcc_name", "rcc_id"):
            if column in table and pd.api.types.is_object_dtype(table[column]):
                rccs = set(table[column].dropna()) - {""}
                assert rccs <= {GM, "Greater Manchester"}, page


@pytest.mark.parametrize("page", CASE_LEVEL)
def test_a_provider_sees_no_fee_but_its_own(app, page):
    at = app("provider", page, CASE_LEVEL[page])
    for frame in at.dataframe:
        assert not [c for c in frame.value.columns if "fee" in c.lower()], page


def test_your_homes_shows_a_provider_its_own_placements(app, store):
    _, engine, a, _ = store
    at = app("provider", "views/costs_page.py", {"view": "own"})
    tables = [frame.value for frame in at.dataframe]
    assert [len(t) for t in tables if "weekly_fee" in t] == [open_fee_placements(engine, a)]
    assert "Your homes" in at.radio(key="costs_view").options


def test_only_providers_and_analysts_are_offered_your_homes(app):
    at = app("trustee", "views/costs_page.py", {"scope": "rcc", "rcc": GM, "view": "own"})
    assert "Your homes" not in at.radio(key="costs_view").options
    assert at.radio(key="costs_view").value == "What councils spend"


def test_the_register_is_the_boards_not_a_visitors(app):
    """The explanations register is not published data: a visitor is told why instead of
    seeing it (and gets no form to ask or answer); a trustee of the RCC sees the section
    and may record a request."""
    params = {"scope": "rcc", "rcc": GM}
    visitor = app("anonymous", "views/accountability_page.py", params)
    assert any("Sign in" in info.value for info in visitor.info)
    assert not [button for button in visitor.button if "Record request" in button.label]
    trustee = app("trustee", "views/accountability_page.py", params)
    assert not any("Sign in" in info.value for info in trustee.info)
    assert "Explanations register" in [header.value for header in trustee.header]
