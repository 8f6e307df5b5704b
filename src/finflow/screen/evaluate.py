"""Evaluate screening on a labelled set: precision, recall, F1, false positives on negatives.

A positive query is found when its designation scores at or above the threshold; every other
designation at or above the threshold is a false positive (for a negative query, every one).
A designation with the same name as the true one (a namesake: same surname and a given name)
is neither found nor a false positive: both deserve review. Precision = found / (found + false
positives); recall = found / positives; the false-positive
rate on negatives = share of negative queries with at least one candidate. Recall is reported
per variant kind, the false-positive rate per kind of negative.

The nomenklatura matchers score each query against a pool: the query's true designation (so
their recall is never limited by our retrieval) plus the `POOL` designations finflow ranks
highest for it with no threshold. They are not charged for designations outside the pool, which
can only flatter their precision: the comparison is conservative.
"""

from __future__ import annotations

import csv
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from finflow.screen.baseline import Baseline
from finflow.screen.batch import Query, read_queries
from finflow.screen.model import SanctionsList
from finflow.screen.screener import Screener

log = logging.getLogger(__name__)

POOL = 30
FLOOR = 0.3  # scores are kept from here so that any threshold above it can be evaluated


class TruthFileError(ValueError):
    pass


@dataclass
class Outcome:
    query: Query
    truth: str  # unique id, '' for a negative
    variant: str
    scores: dict[str, float] = field(default_factory=dict)  # unique id -> score
    namesakes: frozenset[str] = frozenset()  # designations with the same name: not counted


Truth = dict[str, tuple[str, str, frozenset[str]]]


def read_truth(path: Path) -> Truth:
    """query_id -> (unique id or '', variant, namesakes) from a truth CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"query_id", "unique_id", "variant"} <= set(rows[0]):
        raise TruthFileError(f"{path}: expected columns query_id,unique_id,variant[,namesakes]")
    return {
        r["query_id"]: (
            r["unique_id"],
            r["variant"],
            frozenset(u for u in (r.get("namesakes") or "").split("|") if u),
        )
        for r in rows
    }


def run_finflow(
    screener: Screener, queries: list[Query], truth: Truth
) -> tuple[list[Outcome], float]:
    """Scores of finflow for every query (from FLOOR up) and the queries per second."""
    outcomes = []
    started = time.perf_counter()
    for q in queries:
        uid, variant, same = truth.get(q.query_id, ("", "unlabelled", frozenset()))
        matches = screener.screen(q.name, q.dob, q.kind, FLOOR)
        scores = {m.unique_id: m.score for m in matches}
        outcomes.append(Outcome(q, uid, variant, scores, same))
    return outcomes, len(queries) / (time.perf_counter() - started)


def run_baseline(
    name: str, sanctions: SanctionsList, finflow: list[Outcome]
) -> tuple[list[Outcome], float]:
    """Scores of one nomenklatura algorithm on the pool of each query."""
    baseline = Baseline(name)
    by_id = {d.unique_id: d for d in sanctions}
    outcomes = []
    started = time.perf_counter()
    compared = 0
    for ours in finflow:
        ranked = sorted(ours.scores, key=lambda u: -ours.scores[u])[:POOL]
        pool = dict.fromkeys([*([ours.truth] if ours.truth else []), *ranked])
        entity = baseline.query(
            ours.query.query_id, ours.query.name, ours.query.dob, ours.query.kind
        )
        scores = {uid: baseline.score(entity, by_id[uid]) for uid in pool if uid in by_id}
        compared += len(scores)
        outcomes.append(Outcome(ours.query, ours.truth, ours.variant, scores, ours.namesakes))
    elapsed = time.perf_counter() - started
    log.info("%s: %d comparisons in %.1fs", name, compared, elapsed)
    return outcomes, len(finflow) / elapsed


@dataclass
class Metrics:
    threshold: float
    positives: int
    negatives: int
    found: int
    false_positives: int
    negatives_hit: int
    per_variant: dict[str, tuple[int, int]]  # variant -> (hit, total)

    @property
    def precision(self) -> float:
        flagged = self.found + self.false_positives
        return self.found / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fpr(self) -> float:
        return self.negatives_hit / self.negatives if self.negatives else 0.0


def metrics(outcomes: list[Outcome], threshold: float) -> Metrics:
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    found = false_positives = negatives_hit = positives = 0
    for o in outcomes:
        flagged = {u for u, s in o.scores.items() if s >= threshold}
        total[o.variant] += 1
        if o.truth:
            positives += 1
            is_found = o.truth in flagged
            found += is_found
            hit[o.variant] += is_found
            false_positives += len(flagged - {o.truth} - o.namesakes)
        else:
            false_positives += len(flagged)
            negatives_hit += bool(flagged)
            hit[o.variant] += bool(flagged)
    return Metrics(
        threshold,
        positives,
        len(outcomes) - positives,
        found,
        false_positives,
        negatives_hit,
        {v: (hit[v], total[v]) for v in sorted(total)},
    )


def load_set(queries_path: Path, truth_path: Path) -> tuple[list[Query], Truth]:
    return list(read_queries(queries_path)), read_truth(truth_path)
