"""Union-find: over string keys (`UnionFind`), and over integer nodes all at once in numpy
(`smallest_roots`), shared by the detectors that group paths or legs and by entity resolution."""

from __future__ import annotations

import numpy as np


class UnionFind:
    """Disjoint sets of string keys; the smallest key of a set is its name."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(x, x) != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def join(self, x: str, y: str) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def smallest_roots(u: np.ndarray, v: np.ndarray, size: int) -> np.ndarray:
    """Each of the nodes 0..`size`-1 mapped to the smallest node of its connected group, the
    links being `u`[i] -- `v`[i].

    Union-find in numpy, all links at once: each pass hooks every link's larger root under
    its smaller, then every node jumps to its root; a few passes, whatever the group sizes.
    """
    root = np.arange(size)
    while not (root[u] == root[v]).all():
        ru, rv = root[u], root[v]
        np.minimum.at(root, np.maximum(ru, rv), np.minimum(ru, rv))
        jumped = root[root]
        while (jumped != root).any():
            root, jumped = jumped, jumped[jumped]
    return root
