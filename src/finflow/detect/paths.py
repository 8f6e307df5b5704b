"""Paths of payments grown hop by hop as polars joins: the frontier shared by CYCLE and CHAIN.

A path is one row: its first account (``origin``), the account it has reached (``cur``), its
first and last payment's time and amount (``t0``, ``t_last``, ``a0``, ``a_last``), its
payments (``path``, txn ids in order) and its accounts (``nodes``, in order). Each rule says
which next payment a path may take; the join only ever pairs a path with the payments out of
the account it has reached.
"""

from __future__ import annotations

import polars as pl

from finflow.detect.graph import both_accounts

EDGE_COLUMNS = ("txn_id", "src", "dst", "t", "amt")
"""The columns of the payments paths are grown over: txn id, payer, payee, time, amount."""

NEXT = {"txn_id": "e_txn", "src": "cur", "dst": "e_dst", "t": "e_t", "amt": "e_amt"}
"""The names a step filter reads the candidate next payment by (``e_t``, ``e_amt``, ...)."""


def first_paths(edges: pl.DataFrame) -> pl.DataFrame:
    """One path per payment of `edges` (columns `EDGE_COLUMNS`)."""
    return edges.select(
        origin="src",
        cur="dst",
        t0="t",
        t_last="t",
        a0="amt",
        a_last="amt",
        path=pl.concat_list("txn_id"),
        nodes=both_accounts("src", "dst"),
    )


def extend(paths: pl.DataFrame, edges: pl.DataFrame, step: pl.Expr) -> pl.DataFrame:
    """Every path followed by each payment out of the account it reached that `step` allows
    (an expression over the path's columns and the payment's `NEXT` names), the payment
    appended to ``path`` and its payee to ``nodes``."""
    return (
        paths.lazy()
        .join(edges.lazy().rename(NEXT), on="cur")
        .filter(step)
        .select(
            "origin",
            "t0",
            "a0",
            cur="e_dst",
            t_last="e_t",
            a_last="e_amt",
            path=pl.col("path").list.concat(pl.concat_list("e_txn")),
            nodes=pl.col("nodes").list.concat(pl.concat_list("e_dst")),
        )
        .collect(engine="streaming")
    )
