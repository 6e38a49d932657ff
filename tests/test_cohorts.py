"""Cohorts by latent class analysis (analysis/lca.py) and their store (data/cohort_store.py).

The fit is checked against planted answers (a 3-class cohort drawn with numpy is
recovered) and against stepmix's own posteriors on the unweighted child rows (the
module fits distinct need patterns with weights); the store against a temp store holding
planted children.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime
from functools import partial

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from stepmix.stepmix import StepMix

from analysis import lca
from data import cohort_store
from data import schema as s
from data.errors import UserInputError
from data.store import make_engine, migrate

CODES = ["risk_to_others", "going_missing", "self_harm", "mental_health", "neurodevelopmental",
         "disability", "sexual_exploitation", "criminal_exploitation", "substance_misuse",
         "placement_breakdown", "out_of_education"]
LABELS = {"risk_to_others": "Risk to others", "going_missing": "Going missing",
          "self_harm": "Self-harm", "mental_health": "Mental health",
          "neurodevelopmental": "Neurodevelopmental", "disability": "Disability",
          "sexual_exploitation": "Sexual exploitation",
          "criminal_exploitation": "Criminal exploitation",
          "substance_misuse": "Substance misuse",
          "placement_breakdown": "Placement breakdown", "out_of_education": "Out of education"}
# Three cohorts in the spirit of the evidence: disability, trauma, extra-familial harm.
PLANTED = np.array([
    # risk missing harm mental neuro disab sexual crim subst break educ
    [0.15, 0.05, 0.05, 0.20, 0.85, 0.80, 0.02, 0.02, 0.02, 0.20, 0.30],
    [0.70, 0.20, 0.85, 0.80, 0.30, 0.05, 0.15, 0.10, 0.20, 0.30, 0.30],
    [0.30, 0.75, 0.20, 0.30, 0.10, 0.02, 0.40, 0.90, 0.65, 0.30, 0.50],
])
SHARES = [0.3, 0.4, 0.3]
FAST = dict(max_classes=3, n_init=3)  # for tests that do not choose k


def planted(n: int, seed: int = 2026) -> tuple[pd.DataFrame, np.ndarray]:
    """n children drawn from the planted cohorts: needs (index child_id) and true class."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(len(SHARES), size=n, p=SHARES)
    needs = (rng.random((n, len(CODES))) < PLANTED[truth]).astype(int)
    return pd.DataFrame(needs, columns=CODES,
                        index=pd.Index(np.arange(n) * 7 + 3, name="child_id")), truth


@pytest.fixture(scope="module")
def children():
    return planted(2000)


@pytest.fixture(scope="module")
def fitted(children):
    return lca.fit_cohorts(children[0], LABELS)


# --- the fit ------------------------------------------------------------------------------

def test_bic_picks_the_planted_three_classes_and_recovers_them(children, fitted):
    needs, truth = children
    summary, members = fitted
    assert [row.classes for row in summary.selection] == [1, 2, 3, 4, 5, 6]
    bics = [row.bic for row in summary.selection]
    assert summary.classes == 3 == int(np.argmin(bics)) + 1
    assert members["child_id"].tolist() == needs.index.tolist()
    assert adjusted_rand_score(truth, members["cohort"]) >= 0.8
    assert sorted(c.number for c in summary.cohorts) == [1, 2, 3]


def test_cohorts_are_named_by_their_defining_needs(fitted):
    """The planted cohorts' defining needs: common in the cohort (>= 0.5) and at least 1.5
    times as common as overall (worked out by hand from PLANTED and SHARES)."""
    summary = fitted[0]
    assert {frozenset(c.defining) for c in summary.cohorts} == {
        frozenset({"neurodevelopmental", "disability"}),
        frozenset({"self_harm", "mental_health", "risk_to_others"}),
        frozenset({"criminal_exploitation", "going_missing", "substance_misuse"})}
    for cohort in summary.cohorts:
        first, *others = [LABELS[code] for code in cohort.defining]
        assert cohort.name.startswith(first)
        assert all(label.lower() in cohort.name for label in others)
        assert cohort.name.count(" and ") == 1


def test_largest_cohort_is_number_one_without_a_previous_fit(fitted):
    sizes = {c.number: c.children for c in fitted[0].cohorts}
    assert sizes[1] == max(sizes.values())
    assert sum(sizes.values()) == 2000
    assert fitted[1]["cohort"].value_counts().to_dict() == sizes


def stepmix_model(summary: lca.FitSummary, x: np.ndarray) -> StepMix:
    """stepmix's own model holding the chosen fit's parameters (cohorts in number order):
    set up by a one-step fit to the child rows, then given those parameters."""
    model = StepMix(n_components=summary.classes, measurement="binary", max_iter=1,
                    progress_bar=0)
    with warnings.catch_warnings():  # one EM step does not converge; its result is replaced
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x)
    model.set_parameters({"weights": np.array([c.share for c in summary.cohorts]),
                          "measurement": {"pis": np.array([c.profile for c in summary.cohorts])},
                          "measurement_in": len(summary.needs)})
    return model


def test_statistics_agree_with_stepmix_on_every_child(children, fitted):
    """Entropy, mean posterior, log-likelihood and BIC of the pattern-weighted fit equal
    stepmix's on the unweighted 2,000 rows; each child's probability is its largest
    posterior, of the class numbered as its cohort."""
    needs, _ = children
    summary, members = fitted
    x = needs.to_numpy(dtype=float)
    model = stepmix_model(summary, x)
    posterior = model.predict_proba(x)
    row = summary.selection[summary.classes - 1]
    assert row.entropy == pytest.approx(model.relative_entropy(x), abs=1e-9)
    assert row.mean_posterior == pytest.approx(posterior.max(axis=1).mean(), abs=1e-9)
    assert row.log_likelihood == pytest.approx(model.score(x) * len(x), rel=1e-9)
    assert row.bic == pytest.approx(model.bic(x), rel=1e-9)
    assert row.parameters == 3 * 11 + 2
    np.testing.assert_allclose(members["probability"], posterior.max(axis=1), atol=1e-9)
    numbers = np.array([c.number for c in summary.cohorts])
    assert (members["cohort"].to_numpy() == numbers[posterior.argmax(axis=1)]).all()
    for cohort in summary.cohorts:
        mine = members["cohort"] == cohort.number
        assert cohort.mean_posterior == pytest.approx(members.loc[mine, "probability"].mean())


def test_classify_under_a_stored_fit_gives_the_fit_s_own_members(children, fitted):
    """Posteriors worked out from the stored shares and profiles (not by stepmix) agree
    with the fit's members, whatever the column order or extra columns."""
    needs, _ = children
    summary, members = fitted
    shuffled = needs[list(reversed(CODES))].assign(other_need=1)
    again = lca.classify(summary, shuffled)
    assert again["cohort"].tolist() == members["cohort"].tolist()
    np.testing.assert_allclose(again["probability"], members["probability"], atol=1e-9)
    empty = lca.classify(lca.fit_cohorts(needs.iloc[:0], LABELS)[0], needs.iloc[:2])
    assert empty["cohort"].isna().all() and len(empty) == 2


def test_relative_entropy_by_hand():
    """Two children, two classes: certain and undecided -> 1 - (0 + ln 2) / (2 ln 2) = 0.5."""
    assert lca.relative_entropy(np.array([[1.0, 0.0], [0.5, 0.5]])) == pytest.approx(0.5)
    assert lca.relative_entropy(np.ones((3, 1))) is None
    assert lca.mean_posterior(np.array([[0.9, 0.1], [0.4, 0.6]])) == pytest.approx(0.75)


def test_same_seed_same_cohorts(children):
    needs = children[0].iloc[:600]
    first = lca.fit_cohorts(needs, LABELS, **FAST)
    again = lca.fit_cohorts(needs.sample(frac=1, random_state=5), LABELS, **FAST)
    assert first[0] == again[0]
    pd.testing.assert_frame_equal(
        first[1], again[1].sort_values("child_id").reset_index(drop=True))


def test_refit_follows_the_previous_numbers(children):
    """A refit matched to a previous fit takes its numbers, whatever its own order: with
    the previous numbers permuted, every child's cohort is permuted the same way, also
    when the refit starts from another seed."""
    needs = children[0].iloc[:800]
    first, members = lca.fit_cohorts(needs, LABELS, **FAST)
    permutation = {1: 3, 2: 1, 3: 2}
    previous = first.profiles().rename(index=permutation)
    for seed in (42, 7):
        refit, again = lca.fit_cohorts(needs, LABELS, seed=seed, previous=previous, **FAST)
        assert (again["cohort"] == members["cohort"].map(permutation)).mean() >= 0.99
        assert refit.names() == {permutation[k]: name for k, name in first.names().items()}


def test_match_to_previous_pairs_permuted_profiles():
    old = pd.DataFrame(PLANTED, columns=CODES, index=[4, 1, 2])
    new = pd.DataFrame(PLANTED[[2, 0, 1]] + 0.03, columns=CODES)
    assert lca.match_to_previous(new, old).tolist() == [2, 4, 1]


def test_match_to_previous_new_classes_take_free_numbers_and_old_ones_keep_theirs():
    old = pd.DataFrame(PLANTED[:2], columns=CODES, index=[1, 3])
    extra = np.full((1, len(CODES)), 0.01)
    new = pd.DataFrame(np.vstack([extra, PLANTED[1], PLANTED[0]]), columns=CODES)
    assert lca.match_to_previous(new, old).tolist() == [2, 3, 1]
    fewer = pd.DataFrame(PLANTED[[2]], columns=CODES)
    three = pd.DataFrame(PLANTED, columns=CODES, index=[5, 6, 7])
    assert lca.match_to_previous(fewer, three).tolist() == [7]


def test_match_to_previous_uses_the_needs_both_fits_have():
    old = pd.DataFrame(PLANTED[:2, :5], columns=CODES[:5], index=[1, 2])
    new = pd.DataFrame(PLANTED[[1, 0]], columns=CODES)
    assert lca.match_to_previous(new, old).tolist() == [2, 1]


def test_names():
    prevalence = pd.Series(0.2, index=CODES)
    profile = pd.Series(0.1, index=CODES).copy()
    profile[["criminal_exploitation", "going_missing", "substance_misuse"]] = [0.9, 0.8, 0.7]
    profile["placement_breakdown"] = 0.6
    prevalence["placement_breakdown"] = 0.5  # common everywhere: not defining
    defining = lca.defining_needs(profile, prevalence)
    assert defining == ["criminal_exploitation", "going_missing", "substance_misuse"]
    assert lca.cohort_name(defining, LABELS, 3.0, 2.2) == \
        "Criminal exploitation, going missing and substance misuse"
    assert lca.cohort_name(["self_harm"], LABELS, 1.0, 2.2) == "Self-harm"
    assert lca.cohort_name(CODES[:5], LABELS, 5.0, 2.2) == \
        "Many needs: risk to others, going missing, self-harm and 2 more"
    assert lca.cohort_name([], LABELS, 0.5, 2.2) == lca.FEW_NEEDS
    assert lca.cohort_name([], LABELS, 2.0, 2.2) == "Mixed needs"


def test_a_low_needs_class_is_named_few_recorded_needs():
    profiles = np.vstack([PLANTED[0], np.full(len(CODES), 0.03)])
    rng = np.random.default_rng(3)
    truth = rng.choice(2, size=1000)
    needs = pd.DataFrame((rng.random((1000, len(CODES))) < profiles[truth]).astype(int),
                         columns=CODES)
    summary, _ = lca.fit_cohorts(needs, LABELS, max_classes=2, n_init=2)
    low, high = sorted(summary.cohorts, key=lambda c: sum(c.profile))
    assert low.name == lca.FEW_NEEDS and low.defining == ()
    assert set(high.defining) == {"disability", "neurodevelopmental"}


def test_small_classes_are_not_chosen():
    rows = [lca.ClassCount(k, 0.0, k, bic, None, 1.0, smallest, True)
            for k, bic, smallest in [(1, 100.0, 50), (2, 90.0, 20), (3, 80.0, 19)]]
    assert lca.chosen(rows) == 2
    assert lca.chosen(rows[:1]) == 1


def test_edges_no_child_one_child_no_needs():
    empty, members = lca.fit_cohorts(pd.DataFrame(columns=CODES, dtype=int), LABELS)
    assert (empty.classes, empty.cohorts, empty.selection, len(members)) == (0, (), (), 0)
    one = pd.DataFrame([[1] + [0] * 10], columns=CODES, index=pd.Index([9], name="child_id"))
    summary, members = lca.fit_cohorts(one, LABELS)
    assert summary.classes == 1 and members.to_dict("records") == [
        {"child_id": 9, "cohort": 1, "probability": 1.0}]
    zeros = pd.DataFrame(0, columns=CODES, index=range(30))
    summary, members = lca.fit_cohorts(zeros, LABELS)
    assert summary.classes == 1 and summary.prevalence == (0.0,) * 11
    assert (members["cohort"] == 1).all() and summary.cohorts[0].children == 30


def test_tables_for_the_page(children, fitted):
    summary = fitted[0]
    bic = lca.bic_table(summary)
    assert bic["classes"].tolist() == [1, 2, 3, 4, 5, 6]
    assert bic.loc[bic["chosen"], "bic"].item() == bic["bic"].min()
    assert not any("smallest" in column or "children" in column for column in bic.columns)
    profiles = lca.profile_table(summary)
    assert profiles["need"].tolist() == CODES
    assert profiles["label"].tolist() == [LABELS[code] for code in CODES]
    cohort = summary.cohorts[0]
    assert profiles[cohort.name].tolist() == list(cohort.profile)
    np.testing.assert_allclose(profiles["all_children"], children[0].mean(), atol=1e-12)


def test_summary_round_trips_through_json(fitted):
    summary = fitted[0]
    again = lca.FitSummary.from_json(summary.to_json())
    assert again == summary and again.profiles().equals(summary.profiles())
    assert lca.FitSummary.from_json(lca.fit_cohorts(
        pd.DataFrame(columns=CODES, dtype=int), LABELS)[0].to_json()).classes == 0


# --- the store ----------------------------------------------------------------------------

class Store:
    """A migrated temp store holding the needs vocabulary and planted children."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        migrate(self.engine)
        with self.engine.begin() as connection:
            connection.execute(insert(s.NeedCategory), [
                {"code": code, "label": label, "placements_v2_fields": "", "description": ""}
                for code, label in LABELS.items()])
        self.next_child = 1

    def add(self, needs: pd.DataFrame, place: str = "K2", *, synthetic: bool = False,
            year: int = 2025, la: str = "E08000003") -> list[int]:
        """An import of ``needs`` children of ``la`` placed (``place``) at 31 March ``year``."""
        ids = list(range(self.next_child, self.next_child + len(needs)))
        self.next_child += len(needs)
        day = date(year, 3, 31)
        with self.engine.begin() as connection:
            import_id = connection.execute(insert(s.CaseImport).values(
                imported_at=datetime(2026, 1, 1, 12, self.next_child % 60), imported_by="test",
                file_hash="x", format="ssda903", la_code=la, period=str(year),
                rows="{}", outcome="imported", is_synthetic=synthetic)).inserted_primary_key[0]
            connection.execute(insert(s.Child), [
                {"id": i, "import_id": import_id, "la_code": la, "child_ref": str(i),
                 "uasc": False, "is_synthetic": synthetic} for i in ids])
            connection.execute(insert(s.Episode), [
                {"child_id": i, "period_of_care": 1, "start_date": date(year - 1, 5, 1),
                 "placement_type": place, "placing_la": la,
                 "placement_la_source": "pl_la", "distance_band": "unknown",
                 "is_synthetic": synthetic} for i in ids])
            rows = [{"child_id": i, "assessed_on": day, "need": code, "frequency": "unknown",
                     "intensity": "unknown", "is_synthetic": synthetic}
                    for i, (_, row) in zip(ids, needs.iterrows()) for code in CODES if row[code]]
            if rows:
                connection.execute(insert(s.NeedsAssessment), rows)
        return ids

    def fits(self) -> int:
        return self.count(s.CohortFit)

    def count(self, table) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def store(fresh_url, monkeypatch):
    """The store, with fits limited to k <= 3 and few starts (choosing k is tested above)."""
    monkeypatch.setattr(lca, "fit_cohorts", partial(lca.fit_cohorts, **FAST))
    store = Store(fresh_url)
    yield store
    store.engine.dispose()


def test_store_fits_once_per_data_key_and_reads_it_back(store, monkeypatch):
    needs, truth = planted(400, seed=11)
    home = store.add(needs.iloc[:300])
    school = store.add(needs.iloc[300:], place="R1")
    store.add(needs.iloc[:50], place="U1")  # foster care: not in the population
    nothing = store.add(pd.DataFrame(0, columns=CODES, index=[0]), place="K1")
    summary = cohort_store.cohorts(store.engine, 2025)
    assert summary.children == 401 and summary.classes >= 1 and not summary.synthetic
    members = cohort_store.members(store.engine, 2025)
    assert members["child_id"].tolist() == home + school + nothing
    assert list(members.columns) == ["child_id", "cohort", "probability", "cohort_name"]
    assert members["cohort_name"].tolist() == members["cohort"].map(summary.names()).tolist()
    assert adjusted_rand_score(truth, members["cohort"].iloc[:400]) >= 0.7

    def refuse(*_args, **_kwargs):
        raise AssertionError("refitted although the data did not change")

    monkeypatch.setattr(lca, "fit_cohorts", refuse)
    assert cohort_store.cohorts(store.engine, 2025) == summary
    assert store.fits() == 1 and store.count(s.CohortMember) == 401


def test_store_refits_when_the_data_change_and_keeps_the_numbers(store):
    needs, _ = planted(400, seed=12)
    store.add(needs)
    first = cohort_store.cohorts(store.engine, 2025)
    before = cohort_store.members(store.engine, 2025)
    store.add(needs.iloc[:20], place="U1", synthetic=True)  # a new import, same population
    second = cohort_store.cohorts(store.engine, 2025)
    assert store.fits() == 2
    assert second.profiles().equals(first.profiles()) and second.synthetic is False
    pd.testing.assert_frame_equal(cohort_store.members(store.engine, 2025), before)
    store.add(needs.iloc[:5], place="K2", synthetic=True)  # the real LA's data win
    assert cohort_store.cohorts(store.engine, 2025).children == 400
    store.add(needs.iloc[:5], place="K2", synthetic=True, la="E08000004")
    latest = cohort_store.cohorts(store.engine, 2025)
    assert latest.synthetic is True and latest.children == 405


def test_other_years_are_classified_under_a_year_s_fit(store):
    """The 2025 children are still placed at 31 March 2026 (open episodes), with the 2026
    import's children."""
    needs, _ = planted(300, seed=15)
    placed = store.add(needs.iloc[:200]) + store.add(needs.iloc[200:], year=2026)
    fit = cohort_store.cohorts(store.engine, 2025)
    assert fit.children == 200
    table = cohort_store.classified(store.engine, 2026, 2025)
    assert table["child_id"].tolist() == placed
    expected = lca.classify(fit, needs.set_axis(pd.Index(placed, name="child_id")))
    pd.testing.assert_frame_equal(table.drop(columns="cohort_name"), expected)
    assert set(table["cohort_name"]) <= set(fit.names().values())
    assert store.fits() == 1


def test_store_keeps_only_the_newest_fits(store, monkeypatch):
    monkeypatch.setattr(cohort_store, "KEEP_FITS", 2)
    needs, _ = planted(100, seed=13)
    for _ in range(3):
        store.add(needs)
        cohort_store.cohorts(store.engine, 2025)
    assert store.fits() == 2
    with store.engine.connect() as connection:
        kept = set(connection.execute(select(s.CohortMember.fit_id).distinct()).scalars())
    assert len(kept) == 2


def test_nothing_is_written_when_fitting_or_writing_fails(store, monkeypatch):
    store.add(planted(100, seed=14)[0])

    def broken(*_args, **_kwargs):
        raise RuntimeError("fit failed")

    with monkeypatch.context() as patch:
        patch.setattr(lca, "fit_cohorts", broken)
        with pytest.raises(RuntimeError):
            cohort_store.cohorts(store.engine, 2025)
    assert store.fits() == 0
    real = lca.fit_cohorts  # the fast fit of the fixture

    def half_bad(*args, **kwargs):
        summary, members = real(*args, **kwargs)
        twice = members["child_id"].iloc[0]  # the last member repeats the first child
        return summary, members.assign(child_id=[*members["child_id"].iloc[:-1], twice])

    monkeypatch.setattr(lca, "fit_cohorts", half_bad)
    with pytest.raises(IntegrityError):
        cohort_store.cohorts(store.engine, 2025)
    assert store.fits() == 0 and store.count(s.CohortMember) == 0


def test_a_year_without_placements_is_refused(store):
    store.add(planted(10)[0])
    with pytest.raises(UserInputError, match="2024"):
        cohort_store.cohorts(store.engine, 2024)
