"""Final refinement of the leaves: each person moves to the leaf their interactions go to.

After the splits, a person sits in the leaf Leiden put them in, chosen for the modularity of a
whole top-level community or of one split: someone tied to a small segment outside their
top-level community could never join it. :func:`refine_leaves` lets everyone move, as the
oracle ceiling of a planted log does (:func:`nichegraph.oracle.oracle_segments`: each person
in the segment that receives most of their interactions): a few sweeps of modularity's local
moves over the fixed leaves (Louvain's first phase), in which a person joins the leaf their ties
go to if that raises the modularity at the run's resolution, ``w(i, C) - resolution * k_i *
vol(C) / 2m``. A person with one tie joins that neighbour's leaf unless it is much larger;
people with no ties stay.

:func:`~nichegraph.segments.leiden.find_segments` refines over the ties its other stages used
(option ``ties``): interactions by default (edge attribute ``count``,
:func:`vote_weights`), else the graph's weights. Measured on the realistic planted logs of
``bench/bench_truth.py`` (100k rows, seeds 0/1/2; top-level run on weights, splits on counts),
share of the oracle ceiling: no refinement .905/.938/.921; counts .943/.972/.959; kind weights
.906/.939/.923 (the kind weights only add noise to the few ties of people who act two or three
times); with kinds drawn as on Higgs (``kind_signal=True``, replies 7.5x as likely as retweets to
stay in the segment) counts still win: .950/.978/.964 against .926/.958/.942 with weights. The
pure majority vote (no modularity term) reached .933/.959/.943. With every stage on counts, the
refinement's resolution (0.1-1 of the run's) moves the share by under 0.0005: most of the gap to
the ceiling is people with one or two ties.

Leaves keep their paths, so a moved person takes the whole path of the leaf they join and the
hierarchy stays consistent (a parent's members are the union of its leaves'). A leaf stays
connected: pieces cut off from its largest piece join the leaf they are most tied to.
Deterministic (no random draw; ties keep the current leaf). Sweeps are synchronous, so two
people tied only to each other in two leaves would swap forever; each sweep moves only one of
two halves of the people (by vertex id parity).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from ..graph.arrays import best_in_groups, edge_arrays
from .split import Leaf

__all__ = ["MAX_SWEEPS", "refine_leaves", "refine_membership", "vote_weights"]

#: At most this many sweeps (each over one half of the people) ...
MAX_SWEEPS = 8
#: ... and stop once a sweep moves fewer than this share of the people.
STOP_SHARE = 1e-3
#: Rounds in which pieces cut off from their leaf join another (then the refinement is undone).
RECONNECT_ROUNDS = 10


def refine_membership(
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    label: np.ndarray,
    *,
    resolution: float = 1.0,
    sweeps: int = MAX_SWEEPS,
) -> np.ndarray:
    """Move vertices to the label their edges go to (see the module docstring).

    ``u - v`` are undirected edges of weight ``w`` (self-loops ignored), ``label`` one label
    ``0..k-1`` per vertex. Returns the new labels (same numbering; a label may end up unused).
    A connected label stays connected: pieces cut off from their label's largest piece join
    the label they are most tied to (if that does not settle in :data:`RECONNECT_ROUNDS`
    rounds, ``label`` is returned unchanged).

    >>> u, v, w = np.array([0, 1, 2, 3]), np.array([1, 2, 3, 4]), np.array([1.0, 1, 1, 5])
    >>> refine_membership(u, v, w, np.array([0, 0, 0, 1, 1])).tolist()
    [0, 0, 0, 1, 1]
    >>> refine_membership(u, v, w, np.array([0, 0, 1, 1, 0])).tolist()  # 4 joins 3's label
    [0, 0, 1, 1, 1]
    """
    start = np.array(label, dtype=np.int64)
    n = len(start)
    if n == 0 or len(u) == 0:
        return start
    w = np.asarray(w, dtype=float)
    keep = (u != v) & (w > 0)  # self-loops and ties of weight 0 vote for no one
    if not keep.all():
        u, v, w = u[keep], v[keep], w[keep]
    adj = csr_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(n, n))
    return _reconnect(u, v, w, start, _sweeps(adj, start.copy(), sweeps, resolution))


def _members(label: np.ndarray, k: int) -> csr_matrix:
    n = len(label)
    return csr_matrix((np.ones(n), (np.arange(n), label)), shape=(n, k))


def _sweeps(adj: csr_matrix, label: np.ndarray, sweeps: int, resolution: float) -> np.ndarray:
    """Modularity's local moves at ``resolution`` towards a label the vertex is tied to, one
    half of the vertices per sweep (``label`` is changed in place)."""
    n, k = len(label), int(label.max()) + 1
    deg = np.asarray(adj.sum(axis=1)).reshape(-1)
    scale = resolution / deg.sum()
    halves = [np.flatnonzero((deg > 0) & (np.arange(n) % 2 == h)) for h in (0, 1)]
    ties = [adj[h] for h in halves]  # each half's rows (every row holds a tie)
    for sweep in range(sweeps):
        who, rows = halves[sweep % 2], ties[sweep % 2]
        if len(who) == 0:
            continue
        vol = np.bincount(label, weights=deg, minlength=k)
        to = (rows @ _members(label, k)).tocsr()  # to[r, c]: weight of who[r]'s ties into c
        r = np.repeat(np.arange(len(who)), np.diff(to.indptr))
        c, z, d = to.indices, to.data, deg[who][r]
        own = c == label[who][r]
        score = z - scale * d * (vol[c] - np.where(own, d, 0.0))
        starts = to.indptr[:-1]
        top = np.maximum.reduceat(score, starts)
        best = np.minimum.reduceat(np.where(score == top[r], c, k), starts)  # ties: lowest
        own_w = np.bincount(r[own], weights=z[own], minlength=len(who))
        own_s = own_w - scale * deg[who] * (vol[label[who]] - deg[who])
        move = (best != label[who]) & (top > own_s)
        label[who[move]] = best[move]
        if move.sum() < STOP_SHARE * n and sweep % 2:
            break
    return label


def _pieces(u: np.ndarray, v: np.ndarray, label: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each vertex's piece (connected within its label) and, per piece, whether it is cut off
    (not the largest piece of its label; ties: the piece of the smallest vertex id; a vertex
    without a tie is never cut off)."""
    n = len(label)
    same = label[u] == label[v]
    inner = coo_matrix((np.ones(int(same.sum())), (u[same], v[same])), shape=(n, n))
    n_pieces, piece = connected_components(inner, directed=False)
    size = np.bincount(piece, minlength=n_pieces)
    piece_label = np.zeros(n_pieces, dtype=np.int64)
    piece_label[piece] = label
    first = np.full(n_pieces, n)
    np.minimum.at(first, piece, np.arange(n))
    main = best_in_groups(piece_label, size, first)
    cut = np.ones(n_pieces, dtype=bool)
    cut[main] = False
    cut[piece[np.bincount(np.r_[u, v], minlength=n) == 0]] = False
    return piece, cut


def _reconnect(
    u: np.ndarray, v: np.ndarray, w: np.ndarray, start: np.ndarray, label: np.ndarray
) -> np.ndarray:
    """Pieces cut off from their label join the label they are most tied to (ties: the
    lowest), until every label is connected (``start`` if that does not settle)."""
    k = int(label.max()) + 1
    for _ in range(RECONNECT_ROUNDS):
        piece, cut = _pieces(u, v, label)
        if not cut.any():
            return label
        off = cut[piece]
        a, b = np.r_[u, v], np.r_[v, u]  # both ends: a's piece votes for b's label
        sel = off[a] & (label[a] != label[b])
        if not sel.any():
            break
        key, inv = np.unique(piece[a[sel]] * k + label[b[sel]], return_inverse=True)
        z = np.bincount(inv.reshape(-1), weights=np.r_[w, w][sel])
        p, c = key // k, key % k
        first = best_in_groups(p, z, c)
        target = np.zeros(len(cut), dtype=np.int64)
        moving = np.zeros(len(cut), dtype=bool)
        moving[p[first]] = True
        target[p[first]] = c[first]
        label = np.where(moving[piece], target[piece], label)
    return start


def vote_weights(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    """``(edges, votes)``: each edge's number of interactions (edge attribute ``count``; the
    weight where there is none), 0 where its weight is 0 (kinds weighed 0 are no tie)."""
    e, w = edge_arrays(graph)
    if "count" not in graph.es.attributes():
        return e, w
    return e, np.where(w > 0, edge_arrays(graph, "count")[1], 0.0)


def refine_leaves(
    graph: ig.Graph,
    leaves: list[Leaf],
    *,
    resolution: float = 1.0,
) -> list[Leaf]:
    """The leaves after :func:`refine_membership` over the ties of ``graph`` (directed or not;
    each counted by :func:`vote_weights`): same paths and figures, members moved (leaves left
    empty are dropped)."""
    label = np.zeros(graph.vcount(), dtype=np.int64)
    for i, leaf in enumerate(leaves):
        label[leaf.members] = i
    e, votes = vote_weights(graph)
    label = refine_membership(e[:, 0], e[:, 1], votes, label, resolution=resolution)
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(len(leaves) + 1))
    return [
        Leaf(leaf.path, order[bounds[i] : bounds[i + 1]], leaf.gain)
        for i, leaf in enumerate(leaves)
        if bounds[i + 1] > bounds[i]
    ]
