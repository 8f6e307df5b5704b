"""The candidate index finds exactly what comparing every pair finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finflow.screen import Screener, load_list
from finflow.screen.batch import read_queries
from finflow.screen.generate import generate_set
from finflow.screen.index import deletions
from finflow.screen.similarity import max_edits, token_similarity


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("indexset")
    generate_set(folder, seed=7, size=120, per_kind=12)
    return folder


def _results(screener: Screener, folder: Path, threshold: float) -> list[list[tuple[str, float]]]:
    return [
        [(m.unique_id, m.score) for m in screener.screen(q.name, q.dob, q.kind, threshold)]
        for q in read_queries(folder / "queries.csv")
    ]


@pytest.fixture(scope="module")
def brute_force(generated: Path) -> list[list[tuple[str, float]]]:
    """Every query compared with every name row of the list (slow; once per module)."""
    return _results(Screener(load_list(generated / "list.csv"), use_index=False), generated, 0.5)


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.75, 0.85])
def test_index_recall_equals_brute_force_recall(
    generated: Path, brute_force: list[list[tuple[str, float]]], threshold: float
) -> None:
    indexed = _results(Screener(load_list(generated / "list.csv")), generated, threshold)
    expected = [[(u, s) for u, s in found if s >= threshold] for found in brute_force]
    assert indexed == expected
    assert sum(map(len, indexed)) > 50  # the set really produces matches


def test_the_index_compares_a_query_with_few_candidates(generated: Path) -> None:
    screener = Screener(load_list(generated / "list.csv"))
    from finflow.screen.normalise import normalise
    from finflow.screen.score import shape
    from finflow.screen.units import units

    sizes = []
    for q in read_queries(generated / "queries.csv"):
        query = shape(units(normalise(q.name)))
        sims = screener._similarities(query.units)
        sizes.append(len(screener._candidates(query.units, sims, cap_ok=False)))
    assert sum(sizes) / len(sizes) < 0.05 * len(screener.rows)


NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(NAME, NAME)
def test_every_agreeing_token_pair_shares_an_index_key(a: str, b: str) -> None:
    """The property the index relies on: agreement implies the entry is found."""
    from finflow.screen.index import VocabularyIndex

    sim, _ = token_similarity(a, b)
    if sim and len(a) > 1 and len(b) > 1:
        index = VocabularyIndex()
        vid = index.add(b, 0, False, True)
        assert vid in index.lookup(a), (a, b)


@settings(max_examples=200, deadline=None)
@given(NAME, st.data())
def test_a_typo_within_the_allowed_edits_is_found(word: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(word) - 1))
    damaged = word[:position] + word[position + 1 :]  # one letter lost
    if max_edits(len(word)) >= 1 and len(damaged) > 1:
        assert set(deletions(word)) & set(deletions(damaged))
        if position > 0:  # a lost first letter is penalised, possibly below agreement
            assert token_similarity(word, damaged)[0] > 0


def test_a_name_screened_again_under_other_dates_gives_what_a_new_screener_gives(
    generated: Path,
) -> None:
    """The per-name memo (`Screener._name_rows`) keeps nothing that depends on the date of birth.

    One screener sees every query's name under several dates of birth and thresholds,
    interleaved; each (date, threshold) pass must equal that of a screener used for it alone.
    """
    lst = load_list(generated / "list.csv")
    queries = list(read_queries(generated / "queries.csv"))
    passes = [(dob, t) for dob in (None, "1970", "1981-06-02") for t in (0.85, 0.5)]
    passes += [(q.dob, 0.7) for q in queries[:1]]
    shared = Screener(lst)
    seen: dict[tuple[str | None, float], list[list[tuple[str, float, str]]]] = {
        p: [] for p in passes
    }
    for q in queries:
        for dob, threshold in passes:
            found = shared.screen(q.name, dob, q.kind, threshold)
            seen[(dob, threshold)].append([(m.unique_id, m.score, m.explanation) for m in found])
    for dob, threshold in passes:
        alone = Screener(lst)
        expected = [
            [
                (m.unique_id, m.score, m.explanation)
                for m in alone.screen(q.name, dob, q.kind, threshold)
            ]
            for q in queries
        ]
        assert seen[(dob, threshold)] == expected
    assert any(seen[(None, 0.5)])  # the names do match something


@settings(max_examples=300, deadline=None)
@given(NAME)
def test_deletions_are_every_string_with_up_to_the_allowed_letters_removed(word: str) -> None:
    from itertools import combinations

    depth = 0 if len(word) < 4 else 1 if len(word) < 7 else 2
    expected = {
        "".join(c for i, c in enumerate(word) if i not in gone)
        for k in range(depth + 1)
        for gone in combinations(range(len(word)), k)
    }
    assert deletions(word) == expected
