"""The AMLworld / AMLSim laundering shapes, one builder per Patterns.txt type.

Each builder takes the shared `Context` and returns an `Attempt` whose rows have exactly the
structure its name promises (degrees, hop counts, time order), with sizes drawn from the
ranges in AMLworld's generator. Amounts are drawn in pounds; the payer's currency is applied
when the rows are made.
"""

from __future__ import annotations

import numpy as np

from finflow.synth import rows as R
from finflow.synth.attempt import Attempt, Context


def fan_out(ctx: Context) -> Attempt:
    """One source pays 5-16 distinct accounts within 1-4 days."""
    rng = ctx.rng
    ccy = ctx.maybe_bitcoin()
    k = int(rng.integers(5, 17))
    src, *dst = ctx.take(k + 1, ccy)
    window = int(rng.integers(1, 5))
    ts = R.distinct_moments(rng, ctx.start(window), window, len(dst), ctx.days)
    amount = ctx.base() * rng.lognormal(0.0, 0.35, len(dst))
    rows = ctx.rows(ts, np.full(len(dst), src), np.array(dst), amount)
    return Attempt("FAN-OUT", f"Max {len(dst)}-degree Fan-Out", rows)


def fan_in(ctx: Context) -> Attempt:
    """5-16 distinct accounts pay one sink within 1-4 days."""
    rng = ctx.rng
    ccy = ctx.maybe_bitcoin()
    k = int(rng.integers(5, 17))
    dst, *src = ctx.take(k + 1, ccy)
    window = int(rng.integers(1, 5))
    ts = R.distinct_moments(rng, ctx.start(window), window, len(src), ctx.days)
    amount = ctx.base() * rng.lognormal(0.0, 0.35, len(src))
    rows = ctx.rows(ts, np.array(src), np.full(len(src), dst), amount)
    return Attempt("FAN-IN", f"Max {len(src)}-degree Fan-In", rows)


def _chain_amounts(ctx: Context, hops: int, low: float, high: float) -> np.ndarray:
    """A value passed along `hops` payments, shrinking by a fee of low..high each hop."""
    keep = 1.0 - ctx.rng.uniform(low, high, hops)
    keep[0] = 1.0
    return ctx.base() * np.cumprod(keep)


def cycle(ctx: Context) -> Attempt:
    """A -> B -> ... -> A in strict time order over 2-10 hops, losing 1-5% a hop."""
    rng = ctx.rng
    ccy = ctx.maybe_bitcoin()
    hops = int(rng.integers(2, 11))
    nodes = ctx.take(hops, ccy)
    window = int(rng.integers(max(1, hops // 3), 11))
    ts = R.distinct_moments(rng, ctx.start(window), window, hops, ctx.days)
    amount = _chain_amounts(ctx, hops, 0.01, 0.05)
    rows = ctx.rows(ts, nodes, np.roll(nodes, -1), amount, share_nice=0.0)
    return Attempt("CYCLE", f"Max {hops} hops", rows)


def random_walk(ctx: Context) -> Attempt:
    """A walk of 3-8 hops through distinct accounts, forwarding a similar amount."""
    rng = ctx.rng
    ccy = ctx.maybe_bitcoin()
    hops = int(rng.integers(3, 9))
    nodes = ctx.take(hops + 1, ccy)
    window = int(rng.integers(2, 11))
    ts = R.distinct_moments(rng, ctx.start(window), window, hops, ctx.days)
    amount = _chain_amounts(ctx, hops, 0.0, 0.07)
    rows = ctx.rows(ts, nodes[:-1], nodes[1:], amount, share_nice=0.0)
    return Attempt("RANDOM", f"Max {hops} hops", rows)


def _split(ctx: Context, total: float, parts: int) -> np.ndarray:
    """`total` split into `parts` uneven shares."""
    return total * ctx.rng.dirichlet(np.full(parts, 3.0))


def scatter_gather(ctx: Context) -> Attempt:
    """Source -> 3-8 intermediaries -> one sink; each forwards most of it within 1-3 days."""
    rng = ctx.rng
    ctx.bitcoin = False
    m = int(rng.integers(3, 9))
    src, sink, *mid = ctx.take(m + 2, ctx.currency())
    mid_a = np.array(mid)
    t_in = R.distinct_moments(rng, ctx.start(5), 2, len(mid_a), ctx.days)
    t_out = ctx.after(t_in, 0, 2)
    sent = _split(ctx, ctx.base(2500.0) * len(mid_a), len(mid_a))
    scatter = ctx.rows(t_in, np.full(len(mid_a), src), mid_a, sent)
    fwd = R.value_gbp(scatter) * rng.uniform(0.85, 0.98, len(mid_a))
    gather = ctx.rows(t_out, mid_a, np.full(len(mid_a), sink), fwd, share_nice=0.0)
    return Attempt("SCATTER-GATHER", "", R.concat([scatter, gather]))


def gather_scatter(ctx: Context) -> Attempt:
    """4-10 sources -> hub -> 4-10 destinations; the hub pays out after gathering."""
    rng = ctx.rng
    ctx.bitcoin = False
    g, s = int(rng.integers(4, 11)), int(rng.integers(4, 11))
    hub, *rest = ctx.take(g + s + 1, ctx.currency())
    src, dst = np.array(rest[:g]), np.array(rest[g:])
    window = int(rng.integers(1, 4))
    t_in = R.distinct_moments(rng, ctx.start(window + 4), window, len(src), ctx.days)
    t_out = np.sort(ctx.after(np.full(len(dst), t_in.max()), 0, 2))
    gather = ctx.rows(t_in, src, np.full(len(src), hub), ctx.base() * rng.lognormal(0, 0.35, g))
    paid_out = _split(ctx, R.value_gbp(gather).sum() * rng.uniform(0.88, 0.97), len(dst))
    scatter = ctx.rows(t_out, np.full(len(dst), hub), dst, paid_out, share_nice=0.0)
    return Attempt("GATHER-SCATTER", f"Max {len(src)}-degree Fan-In", R.concat([gather, scatter]))


def _dense_bipartite(ctx: Context, p: int, q: int, density: float, min_deg: int) -> np.ndarray:
    """A p x q boolean adjacency where every row and column has at least `min_deg` edges."""
    adj = ctx.rng.random((p, q)) < density
    for i in range(p):
        need = min(min_deg, q) - int(adj[i].sum())
        if need > 0:
            adj[i, ctx.rng.choice(np.flatnonzero(~adj[i]), need, replace=False)] = True
    for j in range(q):
        need = min(min_deg, p) - int(adj[:, j].sum())
        if need > 0:
            adj[ctx.rng.choice(np.flatnonzero(~adj[:, j]), need, replace=False), j] = True
    return adj


def bipartite(ctx: Context) -> Attempt:
    """3-6 payers x 3-6 payees, many-to-many, within a few days."""
    rng = ctx.rng
    ctx.bitcoin = False
    p, q = int(rng.integers(3, 7)), int(rng.integers(3, 7))
    nodes = ctx.take(p + q, ctx.currency())
    adj = _dense_bipartite(ctx, p, q, 0.55, 2)
    i, j = np.nonzero(adj)
    window = int(rng.integers(1, 5))
    ts = rng.permutation(R.distinct_moments(rng, ctx.start(window), window, len(i), ctx.days))
    amount = ctx.base() * rng.lognormal(0.0, 0.3, len(i))
    return Attempt("BIPARTITE", "", ctx.rows(ts, nodes[i], nodes[p + j], amount))


def stack(ctx: Context) -> Attempt:
    """Two or three layers of bipartite forwarding; each layer pays after the one before."""
    rng = ctx.rng
    ctx.bitcoin = False
    layers = int(rng.integers(3, 5))
    sizes = rng.integers(2, 5, layers)
    nodes = ctx.take(int(sizes.sum()), ctx.currency())
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    layer_days = int(rng.integers(1, 3))
    day0 = ctx.start(layer_days * (layers - 1))
    holding = ctx.base() * rng.lognormal(0.0, 0.3, sizes[0])
    parts = []
    for k in range(layers - 1):
        adj = _dense_bipartite(ctx, int(sizes[k]), int(sizes[k + 1]), 0.7, 1)
        i, j = np.nonzero(adj)
        share = np.concatenate(
            [rng.dirichlet(np.full(int(adj[r].sum()), 3.0)) for r in range(len(adj))]
        )
        amount = holding[i] * rng.uniform(0.88, 0.98) * share
        first = day0 + k * layer_days
        ts = rng.permutation(R.distinct_moments(rng, first, layer_days, len(i), ctx.days))
        src, dst = nodes[offsets[k] + i], nodes[offsets[k + 1] + j]
        parts.append(ctx.rows(ts, src, dst, amount, share_nice=0.1 if k == 0 else 0.0))
        holding = np.bincount(j, weights=R.value_gbp(parts[-1]), minlength=int(sizes[k + 1]))
    return Attempt("STACK", "", R.concat(parts))
