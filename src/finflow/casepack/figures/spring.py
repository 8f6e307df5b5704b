"""The link chart's layout: networkx's seeded spring layout, computed without networkx.

`spring_positions` gives exactly the floats ``networkx.spring_layout`` gives for the
chart's graphs, at a fraction of the cost on graphs of a few nodes (see its docstring).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SEED = 7
ITERATIONS = 100
THRESHOLD = 1e-4
"""networkx's default: the layout stops early once nodes move less than this on average."""
PYTHON_LAYOUT_NODES = 8
"""Up to this many nodes the layout runs on Python floats (faster than numpy's calls)."""


def spring_positions(
    order: list[str], weights: dict[tuple[int, int], float], k: float
) -> list[Any]:
    """Positions of `order` as ``networkx.spring_layout`` places them, with the same floats.

    The same as ``spring_layout(graph, seed=SEED, k=k, iterations=ITERATIONS,
    weight="weight")`` for a `graph` of at least 2 and fewer than 500 nodes whose nodes are
    `order` and whose edge (i, j) weighs ``weights[i, j]``: networkx's dense
    Fruchterman-Reingold (``_fruchterman_reingold`` in networkx.drawing.layout), the same
    operations in the same order, without what costs most on graphs this small: networkx's
    argument handling and graph conversion, and numpy's per-call overhead (100 iterations of
    some 20 calls on arrays of a few elements). tests/casepack/test_figures.py compares the
    positions with networkx's on graphs of every size a chart can have.
    """
    n = len(order)
    start = np.random.RandomState(SEED).rand(n, 2)
    t = max(max(start.T[0]) - min(start.T[0]), max(start.T[1]) - min(start.T[1])) * 0.1
    dt = t / (ITERATIONS + 1)
    if n <= PYTHON_LAYOUT_NODES:
        pos = _spring_python(start, weights, k, float(t), float(dt))
    else:
        pos = _spring_numpy(start, weights, k, t, dt)
    # networkx's rescale_layout(pos, scale=1), then + center (zeros): the same steps.
    pos -= pos.mean(axis=0)
    lim = np.abs(pos).max()
    if lim > 0:
        pos *= 1 / lim
    return list(pos + np.zeros(2))


def _spring_numpy(
    pos: Any, weights: dict[tuple[int, int], float], k: float, t: Any, dt: Any
) -> Any:
    """networkx's iterations with numpy's functions called directly.

    In numpy, ``norm(x, axis=-1)`` is ``sqrt(add.reduce(x * x, axis=-1))`` for real `x`,
    ``norm(x)`` is ``sqrt(x.ravel().dot(x.ravel()))``, ``clip(x, lo, None)`` is
    ``maximum(x, lo)`` and ``einsum`` without `optimize` is the C einsum.
    """
    n = pos.shape[0]
    adjacency = np.zeros((n, n))
    for (i, j), w in weights.items():
        adjacency[i, j] = adjacency[j, i] = w
    for _ in range(ITERATIONS):
        delta = pos[:, np.newaxis, :] - pos[np.newaxis, :, :]
        distance = np.sqrt(np.add.reduce(delta * delta, axis=-1))
        np.maximum(distance, 0.01, out=distance)
        displacement = np.einsum(
            "ijk,ij->ik", delta, (k * k / distance**2 - adjacency * distance / k)
        )
        length = np.sqrt(np.add.reduce(displacement * displacement, axis=-1))
        length = np.maximum(length, 0.01)
        delta_pos = np.einsum("ij,i->ij", displacement, t / length)
        pos += delta_pos
        t -= dt
        flat = delta_pos.ravel(order="K")
        if (np.sqrt(flat.dot(flat)) / n) < THRESHOLD:
            break
    return pos


def _spring_python(
    start: Any, weights: dict[tuple[int, int], float], k: float, t: float, dt: float
) -> Any:
    """networkx's iterations on Python floats, for graphs where numpy's overhead dominates.

    Every element is computed by the same IEEE operations as numpy's (``distance**2`` is
    ``distance * distance`` in numpy); einsum's sum over j is sequential from 0.0, as Python's
    here. Only the stopping test's ``dot`` may sum in another order (BLAS): when its result
    is within rounding of the threshold, numpy's own ``dot`` decides.
    """
    n = start.shape[0]
    adjacency = [[0.0] * n for _ in range(n)]
    for (i, j), w in weights.items():
        adjacency[i][j] = adjacency[j][i] = w
    xs, ys = start[:, 0].tolist(), start[:, 1].tolist()
    kk = k * k
    sqrt = math.sqrt
    nodes = range(n)
    for _ in range(ITERATIONS):
        moves = []
        for i in nodes:
            xi, yi, row = xs[i], ys[i], adjacency[i]
            sx = sy = 0.0
            for j in nodes:
                dx = xi - xs[j]
                dy = yi - ys[j]
                distance = sqrt(dx * dx + dy * dy)
                if distance < 0.01:
                    distance = 0.01
                force = kk / (distance * distance) - row[j] * distance / k
                sx += dx * force
                sy += dy * force
            length = sqrt(sx * sx + sy * sy)
            if length < 0.01:
                length = 0.01
            step = t / length
            moves.append(sx * step)
            moves.append(sy * step)
        for i in nodes:
            xs[i] += moves[2 * i]
            ys[i] += moves[2 * i + 1]
        t -= dt
        squares = 0.0
        for move in moves:
            squares += move * move
        moved = sqrt(squares) / n
        if abs(moved - THRESHOLD) <= 1e-9 * THRESHOLD:
            flat = np.array(moves)
            moved = float(np.sqrt(flat.dot(flat)) / n)
        if moved < THRESHOLD:
            break
    return np.array([xs, ys]).T.copy()
