"""The shared path frontier: a path takes only the payments out of the account it reached that
the rule's step allows, and records them in order."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from finflow.detect.paths import extend, first_paths


def edges(*rows: tuple[str, str, str, int, float]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"txn_id": t, "src": a, "dst": b, "t": datetime(2022, 9, 1, h, tzinfo=UTC), "amt": v}
            for t, a, b, h, v in rows
        ]
    )


def test_extend_follows_only_allowed_payments_out_of_the_reached_account() -> None:
    e = edges(
        ("t1", "A", "B", 1, 100.0),
        ("t2", "B", "C", 2, 95.0),
        ("t3", "B", "D", 3, 150.0),  # more than B received: the step below refuses it
        ("t4", "C", "A", 0, 90.0),
    )
    grown = extend(first_paths(e), e, pl.col("e_amt") < pl.col("a_last"))
    assert grown.sort("origin").select("origin", "cur", "path", "nodes", "a0").to_dicts() == [
        {"origin": "A", "cur": "C", "path": ["t1", "t2"], "nodes": ["A", "B", "C"], "a0": 100.0},
        {"origin": "B", "cur": "A", "path": ["t2", "t4"], "nodes": ["B", "C", "A"], "a0": 95.0},
    ]
    # in time order only: t4 (at 0 h) cannot follow t2 (at 2 h); t1 (1 h) can follow t4
    later = extend(grown, e, pl.col("e_t") > pl.col("t_last"))
    assert later.select("path", "a_last").to_dicts() == [
        {"path": ["t2", "t4", "t1"], "a_last": 100.0}
    ]
