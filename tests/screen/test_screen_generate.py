"""The labelled test-set generator: deterministic, real layout, every kind, honest negatives."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from finflow.screen import load_list
from finflow.screen.gen_fcdo import FCDO_COLUMNS
from finflow.screen.gen_translit import romanise
from finflow.screen.gen_variants import VARIANTS
from finflow.screen.generate import NEGATIVE_KINDS, generate_set
from finflow.screen.normalise import normalise


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gen")
    generate_set(folder, seed=5, size=150, per_kind=10)
    return folder


def test_the_same_seed_gives_the_same_files(made: Path, tmp_path: Path) -> None:
    generate_set(tmp_path, seed=5, size=150, per_kind=10)
    for name in ("list.csv", "queries.csv", "truth.csv"):
        assert (tmp_path / name).read_bytes() == (made / name).read_bytes()
    generate_set(tmp_path / "other", seed=6, size=150, per_kind=10)
    assert (tmp_path / "other" / "list.csv").read_bytes() != (made / "list.csv").read_bytes()


def test_the_list_is_in_the_exact_fcdo_layout(made: Path) -> None:
    lines = (made / "list.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Report Date: 01-Jan-2030"
    assert tuple(next(csv.reader([lines[1]]))) == FCDO_COLUMNS
    lst = load_list(made / "list.csv")
    assert len(lst) == 150 and lst.name_rows > 3 * 150
    types = {n.name_type for d in lst for n in d.names}
    assert types == {"Primary Name", "Primary Name Variation", "Alias", "Non-Latin Script"}
    assert any(n.weak for d in lst for n in d.names)
    assert {d.kind for d in lst} == {"Individual", "Entity", "Ship"}


def test_every_variant_and_negative_kind_is_generated(made: Path) -> None:
    with (made / "truth.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kinds = {r["variant"] for r in rows}
    assert kinds == set(VARIANTS) | set(NEGATIVE_KINDS)
    assert all(r["unique_id"] for r in rows if not r["variant"].startswith("neg-"))
    assert not any(r["unique_id"] for r in rows if r["variant"].startswith("neg-"))


def strong(name: str) -> set[str]:
    normal = normalise(name)
    return {t for t, w in zip(normal.tokens, normal.weights, strict=True) if w == 1.0}


def test_a_negative_shares_at_most_one_name_word_with_any_designation(made: Path) -> None:
    """Checked here with the screener's normaliser, independently of the generator's check."""
    lst = load_list(made / "list.csv")
    kunya = {"abu", "umm"}  # "father of": a word of many names, not a name by itself
    listed = [strong(n.name) - kunya for d in lst for n in d.names]
    truth = {r["query_id"]: r for r in csv.DictReader((made / "truth.csv").open(encoding="utf-8"))}
    for row in csv.DictReader((made / "queries.csv").open(encoding="utf-8")):
        kind = truth[row["query_id"]]["variant"]
        if kind in ("neg-shared-surname", "neg-shared-first-name", "neg-common-name"):
            words = strong(row["name"]) - kunya
            assert max(len(words & names) for names in listed) <= 1, row["name"]


def test_russian_names_are_romanised_by_several_schemes() -> None:
    name = "Сергей Евгеньевич Воробьёв"
    spellings = {s: romanise(name, s) for s in ("bgn", "icao", "german", "french", "iso9")}
    assert spellings["bgn"] == "Sergey Yevgenyevich Vorobyov"
    assert spellings["icao"] == "Sergei Evgenevich Vorobev"
    assert spellings["german"] == "Sergej Jewgenjewitsch Worobjow"
    assert spellings["french"].startswith("Sergeï")
    assert len(set(spellings.values())) == 5
