"""A graph's edge list as numpy arrays, converted from igraph once per graph.

python-igraph hands its edge list out as Python tuples: at 4M ties ``get_edgelist`` and the
conversion to an array take several seconds, and a run reads the same edge list in many
stages. Graphs made by :func:`~nichegraph.graph.build_graph` and
:func:`~nichegraph.segments.symmetrise` register the arrays they were built from; any other
graph is converted on first use. Weights are read fresh each time (an edge attribute can be
reassigned; the edge list of a graph cannot change without changing its edge count, which is
checked).

>>> import igraph as ig
>>> g = ig.Graph([(0, 1), (1, 2)]); g.es["weight"] = [2.0, 3.0]
>>> e, w = edge_arrays(g)
>>> e.tolist(), w.tolist()
([[0, 1], [1, 2]], [2.0, 3.0])
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "BuiltRows",
    "best_in_groups",
    "edge_arrays",
    "edge_pairs",
    "remember_edges",
    "stable_order",
]

_EDGES: dict[int, tuple[weakref.ref, np.ndarray]] = {}


def remember_edges(graph: ig.Graph, src: np.ndarray, dst: np.ndarray) -> None:
    """Record that ``graph``'s edges are ``src[i] - dst[i]``, in edge-id order."""
    key = id(graph)
    ref = weakref.ref(graph, lambda _r, k=key: _EDGES.pop(k, None))
    e = np.column_stack([np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)])
    e.flags.writeable = False
    _EDGES[key] = (ref, e)


def edge_arrays(graph: ig.Graph, weight: str | None = "weight") -> tuple[np.ndarray, np.ndarray]:
    """``(edges, weights)``: an ``(m, 2)`` int64 array (read-only) and the float edge
    attribute ``weight`` (ones when ``weight`` is None)."""
    m = graph.ecount()
    hit = _EDGES.get(id(graph))
    if hit is not None and hit[0]() is graph and len(hit[1]) == m:
        e = hit[1]
    else:
        flat = itertools.chain.from_iterable(graph.get_edgelist())
        e = np.fromiter(flat, dtype=np.int64, count=2 * m).reshape(m, 2)
        remember_edges(graph, e[:, 0], e[:, 1])
        e = _EDGES[id(graph)][1]
    if weight is None:
        return e, np.ones(m)
    return e, np.fromiter(graph.es[weight], dtype=float, count=m)


@dataclass(frozen=True, eq=False)
class BuiltRows:
    """The rows of the interaction table a graph was built from, as vertex ids: ``used`` (one
    bool per table row), then per used row ``src`` and ``dst`` (vertex ids) and ``kind`` (codes
    into ``kinds``, sorted). Kept so later stages (the campaign plan) need not map a million
    handles to vertex ids again: about 10 bytes per table row (int32 ids, int8 kind codes).

    >>> r = BuiltRows.of(np.array([True, False, True]), [0, 1], [1, 0], [0, 1], ["like", "reply"])
    >>> r.src.dtype.name, r.kind.tolist(), r.kinds
    ('int32', [0, 1], ('like', 'reply'))
    """

    used: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    kinds: tuple[str, ...]

    @classmethod
    def of(
        cls, used: ArrayLike, src: ArrayLike, dst: ArrayLike, kind: ArrayLike, kinds: Iterable[str]
    ) -> BuiltRows:
        """Compact copies (the smallest integer types that hold the ids and codes)."""
        src, dst, kind = (np.asarray(a) for a in (src, dst, kind))
        kinds = tuple(kinds)
        top = max(int(src.max(initial=0)), int(dst.max(initial=0)))
        ids = np.int32 if top < 2**31 else np.int64
        codes = np.int8 if len(kinds) < 2**7 else np.int32
        return cls(np.asarray(used, dtype=bool), src.astype(ids), dst.astype(ids),
                   kind.astype(codes), tuple(str(k) for k in kinds))  # fmt: skip

    def rows_of(self, table: Any, names: np.ndarray) -> np.ndarray | None:
        """The row numbers in ``table`` of these rows if they belong to ``table`` and
        ``names`` (the graph's, ``names[id]``): sizes match and a few rows spread over the
        table carry the names their ids say; else None.

        >>> import pandas as pd
        >>> t = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "b", "a"]})
        >>> r = BuiltRows.of([True, False, False], [0], [1], [0], ["reply"])
        >>> r.rows_of(t, np.array(["a", "b"], dtype=object)).tolist(), r.rows_of(t[:2], None)
        ([0], None)
        """
        if len(self.used) != len(table):
            return None
        idx = np.flatnonzero(self.used)
        top = max(self.src.max(initial=0), self.dst.max(initial=0))
        if len(idx) != len(self.src) or top >= len(names):
            return None
        probe = np.unique(np.linspace(0, len(idx) - 1, num=min(len(idx), 17)).astype(np.int64))
        for col, ids in (("source", self.src), ("target", self.dst)):
            given = table[col].iloc[idx[probe]].to_numpy(dtype=object)
            if not (names[ids[probe]] == given).all():
                return None
        return idx


def edge_pairs(u: np.ndarray, v: np.ndarray, chunk: int = 1 << 16) -> Iterator[tuple[int, int]]:
    """``(u[i], v[i])`` as Python ints, for ``Graph.add_edges``: python-igraph reads an
    ``(m, 2)`` array row by row (a numpy view and two numpy scalars per edge), a third slower
    than tuples of ints made a chunk at a time (no list of all ``m`` tuples in memory).

    >>> list(edge_pairs(np.array([0, 1]), np.array([1, 2]), chunk=1))
    [(0, 1), (1, 2)]
    """
    return itertools.chain.from_iterable(
        zip(u[i : i + chunk].tolist(), v[i : i + chunk].tolist(), strict=True)
        for i in range(0, len(u), chunk)
    )


def best_in_groups(group: np.ndarray, score: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Per distinct ``group`` (in increasing order), the index of its row with the largest
    ``score``, ties to the smallest ``tie``.

    >>> best_in_groups(np.array([1, 0, 1, 0]), np.array([2, 5, 2, 1]), np.array([9, 0, 3, 0]))
    array([1, 2])
    """
    order = np.lexsort((tie, -score, group))
    return order[np.r_[True, group[order][1:] != group[order][:-1]]] if len(order) else order


def stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")``: for non-negative ints a plain sort of ``key`` with
    the row number in the low bits (several times faster) when that fits in 63 bits; any
    other key (negative, float, too large) through ``argsort`` itself.

    >>> stable_order(np.array([3, 1, 3, 0])).tolist(), stable_order(np.array([0.5, -1, 0.5]))
    ([3, 1, 0, 2], array([1, 0, 2]))
    """
    m = len(key)
    bits = (m - 1).bit_length()
    if m and key.dtype.kind in "iu" and key.min() >= 0 and int(key.max()).bit_length() + bits < 63:
        return np.sort((key << bits) | np.arange(m)) & ((1 << bits) - 1)
    return np.argsort(key, kind="stable")
