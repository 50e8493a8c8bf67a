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

import igraph as ig
import numpy as np

__all__ = ["edge_arrays", "remember_edges"]

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
