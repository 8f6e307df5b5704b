"""The evaluation arithmetic, and the quality bar against nomenklatura logic-v2."""

from __future__ import annotations

from pathlib import Path

import pytest

from finflow.screen import Screener, load_list
from finflow.screen.baseline import YENTE_THRESHOLD
from finflow.screen.batch import Query
from finflow.screen.evaluate import Outcome, load_set, metrics, run_baseline, run_finflow
from finflow.screen.generate import generate_set


def _o(
    truth: str, variant: str, scores: dict[str, float], same: frozenset[str] = frozenset()
) -> Outcome:
    return Outcome(Query("q", "x"), truth, variant, scores, same)


def test_precision_recall_and_false_positive_rate_are_counted_per_query() -> None:
    outcomes = [
        _o("A", "typo", {"A": 0.9, "B": 0.8}),  # found, one false positive
        _o("A", "typo", {"A": 0.7}),  # below 0.75: missed
        _o("C", "exact", {"C": 1.0, "D": 0.9}, frozenset({"D"})),  # D is a namesake: not counted
        _o("", "neg-x", {"E": 0.76}),  # a negative flagged
        _o("", "neg-x", {"E": 0.74}),  # a negative not flagged
    ]
    m = metrics(outcomes, 0.75)
    assert (m.positives, m.negatives, m.found, m.false_positives, m.negatives_hit) == (
        3,
        2,
        2,
        2,
        1,
    )
    assert m.precision == pytest.approx(0.5)
    assert m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert m.fpr == pytest.approx(0.5)
    assert m.per_variant == {"exact": (1, 1), "neg-x": (1, 2), "typo": (1, 2)}


def test_finflow_beats_logic_v2_on_f1_and_false_positives(tmp_path: Path) -> None:
    generate_set(tmp_path, seed=404, size=250, per_kind=14)
    lst = load_list(tmp_path / "list.csv")
    queries, truth = load_set(tmp_path / "queries.csv", tmp_path / "truth.csv")
    ours, _ = run_finflow(Screener(lst), queries, truth)
    theirs, _ = run_baseline("logic-v2", lst, ours)
    mine, v2 = metrics(ours, 0.75), metrics(theirs, YENTE_THRESHOLD)
    assert mine.f1 > v2.f1
    assert mine.fpr <= v2.fpr
    assert mine.per_variant["neg-same-name-other-dob"][0] == 0  # conflicting DOB rejected
