"""Influence measures, each a plain function returning scores aligned with vertex ids.

Every measure takes the directed interaction graph (edge ``a -> b``: a engaged with b, edge
attribute ``weight``) and a segment membership array, and is computed on the *within-segment*
graph: the edges whose two ends share a segment. Influence accrues to the receiving end.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp

from .._parallel import check_jobs, parallel_map
from .._random import rng
from ..graph.arrays import edge_arrays, stable_order

__all__ = [
    "IntraGraph",
    "betweenness",
    "coreness",
    "in_strength",
    "intra_graph",
    "pagerank_global",
    "pagerank_within",
    "pivots_needed",
    "reach",
    "split_edges",
]


@dataclass(frozen=True, eq=False)
class IntraGraph:
    """Within-segment edges of a graph as arrays: sources, targets, weights, membership."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    membership: np.ndarray


def intra_graph(graph: ig.Graph, membership: np.ndarray) -> IntraGraph:
    """Keep only the edges inside a segment (both ends with the same membership)."""
    if graph.ecount():
        e, w = edge_arrays(graph)
    else:
        e, w = np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    return split_edges(e, w, membership)


def split_edges(edges: np.ndarray, weights: np.ndarray, membership: np.ndarray) -> IntraGraph:
    """:func:`intra_graph` from an ``(m, 2)`` edge array and its weights.

    >>> split_edges(np.array([[0, 1], [1, 2]]), np.ones(2), np.array([0, 0, 1])).src.tolist()
    [0]
    """
    membership = np.asarray(membership, dtype=np.int64)
    same = membership[edges[:, 0]] == membership[edges[:, 1]]
    return IntraGraph(len(membership), edges[same, 0], edges[same, 1], weights[same], membership)


def in_strength(intra: IntraGraph) -> np.ndarray:
    """Weighted engagement received from people of one's own segment."""
    return np.bincount(intra.dst, weights=intra.weight, minlength=intra.n)


def reach(intra: IntraGraph) -> np.ndarray:
    """Number of distinct people of one's own segment who engaged with one."""
    return np.bincount(intra.dst, minlength=intra.n).astype(float)


def pagerank_within(
    intra: IntraGraph,
    *,
    damping: float = 0.85,
    tol: float = 1e-12,
    max_iter: int = 1000,
) -> np.ndarray:
    """Weighted PageRank inside every segment at once, each segment's scores summing to 1.

    One power iteration on the within-segment graph, with teleport and dangling mass
    redistributed uniformly *within the segment*: exactly the PageRank of each segment's
    induced subgraph, computed without a loop over segments, until the largest change of
    all scores is below ``tol``. A segment whose scores stop changing (a fixed point of the
    floating-point iteration: no later iteration changes a bit of them) leaves the product
    (1M rows: a row is at its fixed point by iteration 72 of 153 on average). The vertices
    are stored by segment (memory locality: 1.8x faster at 10M rows), each segment's in id
    order, so every sum adds the same terms in the same order as in id order: the same
    numbers, bit for bit, as iterating every segment to the end in id order.

    >>> import igraph as ig, numpy as np
    >>> g = ig.Graph([(0, 1), (2, 1), (3, 4)], directed=True); g.es["weight"] = [1.0] * 3
    >>> pr = pagerank_within(intra_graph(g, np.array([0, 0, 0, 1, 1])))
    >>> bool(pr[1] > pr[0]), round(float(pr[:3].sum()), 6), round(float(pr[3:].sum()), 6)
    (True, 1.0, 1.0)
    """
    n, memb = intra.n, intra.membership
    if n == 0:
        return np.zeros(0)
    k = int(memb.max()) + 1
    size = np.maximum(np.bincount(memb, minlength=k), 1).astype(float)
    out = np.bincount(intra.src, weights=intra.weight, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        vals = intra.weight / out[intra.src]
    perm = stable_order(memb)  # stored position -> vertex id
    pos = np.empty(n, dtype=np.int64)
    pos[perm] = np.arange(n)
    # rows by stored position, each row's entries sorted (scipy sorts them): in id order
    # within a segment, the order of the product's sums
    m = sp.csr_matrix((vals, (pos[intra.dst], pos[intra.src])), shape=(n, n))
    memb = memb[perm]
    x = _power(m, 1.0 / size[memb], memb, out[perm] == 0, size, damping, tol, max_iter)
    result = np.empty(n)
    result[perm] = x / np.bincount(memb, weights=x, minlength=k)[memb]
    return result


def pagerank_global(
    intra: IntraGraph,
    *,
    damping: float = 0.85,
    tol: float = 1e-12,
    max_iter: int = 1000,
    layout: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted PageRank of the whole graph (``intra``'s membership is not read): the
    :func:`pagerank_within` of one segment, up to rounding, faster. The people nobody
    engaged with are one term: their score is the teleport share at every iteration (80% of
    the people and of the ties of the Higgs log); the others are stored in the order of
    ``layout`` (vertex ids, e.g. by community: memory locality, 1.4x faster at 10M rows).

    >>> import igraph as ig, numpy as np
    >>> g = ig.Graph([(0, 1), (2, 1), (1, 3)], directed=True); g.es["weight"] = [1.0] * 3
    >>> pr = pagerank_global(intra_graph(g, np.zeros(4, dtype=int)))
    >>> bool(np.allclose(pr, g.pagerank(weights="weight"))), round(float(pr.sum()), 6)
    (True, 1.0)
    """
    n = intra.n
    if n == 0:
        return np.zeros(0)
    perm = np.arange(n) if layout is None else np.asarray(layout)
    pos = np.empty(n, dtype=np.int64)
    pos[perm] = np.arange(n)
    out = np.bincount(intra.src, weights=intra.weight, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        vals = intra.weight / out[intra.src]
    m = sp.csr_matrix((vals, (pos[intra.dst], pos[intra.src])), shape=(n, n))
    engaged = np.diff(m.indptr) > 0
    live, idle = np.flatnonzero(engaged), np.flatnonzero(~engaged)
    m = m[live]
    from_idle = np.asarray(m[:, idle].sum(axis=1)).ravel()  # weight share from the idle
    fed = np.flatnonzero(from_idle)
    from_idle = from_idle[fed]
    m = m[:, live]
    is_dangling = out[perm] == 0
    dangling = np.flatnonzero(is_dangling[live])
    n_idle, idle_dangling = len(idle), int(is_dangling[idle].sum())
    x, idle_x = np.full(len(live), 1.0 / n), 1.0 / n
    for _ in range(max_iter):
        mass = x.sum() + n_idle * idle_x
        dangling_mass = x[dangling].sum() + idle_dangling * idle_x
        share = ((1 - damping) * mass + damping * dangling_mass) / n
        new = m @ x
        new[fed] += from_idle * idle_x
        new *= damping
        new += share
        x -= new
        change = max(x.max(initial=0.0), -x.min(initial=0.0), abs(share - idle_x))
        x, idle_x = new, share
        if change < tol:
            break
    result = np.empty(n)
    result[perm[live]] = x
    result[perm[idle]] = idle_x
    return result / result.sum()


def _power(
    m: sp.csr_matrix,
    x: np.ndarray,
    memb: np.ndarray,
    is_dangling: np.ndarray,
    size: np.ndarray,
    damping: float,
    tol: float,
    max_iter: int,
) -> np.ndarray:
    """Power iterations of every segment (``memb`` sorted) until the max |change| < ``tol``.
    A segment at a fixed point (no change at all) leaves the product (its rows and columns
    are cut out once such ones hold a fifth of the rows): bincount and the product add each
    remaining segment's terms in the same order whatever else runs: the same numbers."""
    n = len(x)
    if max_iter < 1:
        return x
    result = np.empty(n)
    live = np.arange(n)  # stored position of each row still in the product
    one = len(size) == 1
    cut = True
    for step in range(1, max_iter + 1):
        if cut:  # the running segments, numbered 0..
            starts = np.flatnonzero(np.diff(memb, prepend=-1))
            lengths = np.diff(np.append(starts, len(x)))
            local = np.repeat(np.arange(len(starts)), lengths)
            seg_size = size[memb[starts]]
            dangling = np.flatnonzero(is_dangling[live])
            local_dangling = local[dangling]
            running = np.ones(len(starts), dtype=bool)
            diff = np.empty(len(x))
            cut = False
        # leaving out the non-dangling terms of the dangling mass (each + 0.0) changes no bit
        dangling_mass = np.bincount(local_dangling, weights=x[dangling], minlength=len(starts))
        seg_mass = np.bincount(local, weights=x, minlength=len(starts))
        share = ((1 - damping) * seg_mass + damping * dangling_mass) / seg_size
        new = m @ x
        new *= damping
        new += share[0] if one else share[local]
        np.subtract(new, x, out=diff)
        x = new
        if max(diff.max(), -diff.min()) < tol:  # max |d| = max(d, -min d): one pass less
            break
        if one or step % 8:  # a fixed point stays one: looking every 8th iteration is enough
            continue
        np.abs(diff, out=diff)
        stop = running & (np.maximum.reduceat(diff, starts) == 0)
        if not stop.any():
            continue
        running &= ~stop
        rows = np.repeat(stop, lengths)
        result[live[rows]] = x[rows]
        if not running.any():
            return result
        keep = np.repeat(running, lengths)
        if lengths[running].sum() > 0.8 * len(x):
            continue
        idx = np.flatnonzero(keep)
        m = _rows_cut(m, idx, len(x))
        live, x, memb = live[idx], x[idx], memb[idx]
        cut = True
    if one:
        return x
    rows = np.repeat(running, lengths)
    result[live[rows]] = x[rows]
    return result


def _rows_cut(m: sp.csr_matrix, idx: np.ndarray, n: int) -> sp.csr_matrix:
    """Rows and columns ``idx`` (sorted; no entry of a kept row in a dropped column) of ``m``,
    renumbered 0.., each row's entries in their stored order."""
    new = np.full(n, -1, dtype=np.int64)
    new[idx] = np.arange(len(idx))
    count = np.diff(m.indptr)[idx]
    indptr = np.concatenate([[0], np.cumsum(count)])
    take = np.repeat(m.indptr[idx] - indptr[:-1], count) + np.arange(int(indptr[-1]))
    cols = new[m.indices[take]].astype(m.indices.dtype)
    return sp.csr_matrix(
        (m.data[take], cols, indptr.astype(m.indptr.dtype)), shape=(len(idx), len(idx))
    )


def coreness(intra: IntraGraph) -> np.ndarray:
    """k-core number on the undirected within-segment graph (ties counted once).

    Peels every vertex of degree <= k at once (numpy rounds, no graph object): the core
    numbers are integers, the same as igraph's ``coreness`` on the collapsed undirected graph.

    >>> import igraph as ig, numpy as np
    >>> g = ig.Graph([(0, 1), (1, 2), (2, 0), (0, 2), (2, 3)], directed=True)
    >>> g.es["weight"] = [1.0] * 5
    >>> coreness(intra_graph(g, np.zeros(4, dtype=int))).tolist()
    [2.0, 2.0, 2.0, 1.0]
    """
    n = intra.n
    if np.any(intra.src == intra.dst):  # a self-tie: leave the loop convention to igraph
        g = ig.Graph(n=n, edges=list(zip(intra.src.tolist(), intra.dst.tolist(), strict=True)),
                     directed=True)  # fmt: skip
        return np.asarray(g.as_undirected(mode="collapse").coreness(mode="all"), dtype=float)
    bits = max((n - 1).bit_length(), 1)  # a tie as one integer: shifts, not divisions
    low = (1 << bits) - 1
    lo = np.minimum(intra.src, intra.dst).astype(np.int64)
    key = np.sort((lo << bits) | np.maximum(intra.src, intra.dst))
    key = key[np.diff(key, prepend=-1) != 0]  # np.unique hashes: slower
    # both ends of each tie, by end: one sort (an argsort: 4x slower)
    both = np.sort(np.concatenate([key, ((key & low) << bits) | (key >> bits)]))
    nbr = both & low
    ties = np.bincount(both >> bits, minlength=n)
    indptr = np.concatenate([[0], np.cumsum(ties)])
    deg = ties.copy()  # ties to people not yet peeled
    core = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    level, left = 0, n
    peel = np.flatnonzero(deg == 0)
    while left:
        if not len(peel):  # nobody left at this level: the next is the smallest degree alive
            level = int(deg[alive].min())
            peel = np.flatnonzero(alive & (deg <= level))
        core[peel] = level
        alive[peel] = False
        left -= len(peel)
        start, count = indptr[peel], ties[peel]
        offsets = np.cumsum(count) - count
        touched = nbr[np.repeat(start - offsets, count) + np.arange(int(count.sum()))]
        touched = np.sort(touched[alive[touched]])
        first = np.flatnonzero(np.diff(touched, prepend=-1))
        touched, lost = touched[first], np.diff(np.append(first, len(touched)))
        deg[touched] -= lost
        peel = touched[deg[touched] <= level]
    return core


def pivots_needed(n: int, epsilon: float, delta: float) -> int:
    """Pivots for sampled betweenness: ``ceil(ln(2n/delta) / (2 epsilon^2))``.

    With that many uniformly drawn source pivots, Hoeffding's inequality and a union bound over
    the ``n`` vertices give: every normalised betweenness is within ``epsilon`` of its exact
    value with probability at least ``1 - delta`` (Brandes & Pich 2007 estimator).
    """
    return math.ceil(math.log(2 * n / delta) / (2 * epsilon**2))


def betweenness(
    intra: IntraGraph,
    *,
    exact_max: int = 1000,
    epsilon: float = 0.1,
    delta: float = 0.1,
    seed: int = 0,
    jobs: int | None = 1,
) -> tuple[np.ndarray, dict[str, int]]:
    """Normalised directed betweenness inside every segment (distance = 1 / weight).

    Exact for segments of at most ``exact_max`` people; larger ones use
    :func:`pivots_needed` random source pivots (seeded), scaled to an unbiased estimate.
    A segment where nobody both receives and gives a tie (a star: 1,826 of the Higgs log's
    6,103) is all 0 without a search. Returns the scores and ``{"exact": k, "sampled": k}``
    segment counts. Segments are shared out over ``jobs`` processes (see
    :func:`~nichegraph._parallel.check_jobs`): the numbers do not depend on it.
    """
    n, memb = intra.n, intra.membership
    out = np.zeros(n)
    stats = {"exact": 0, "sampled": 0}
    if n == 0:
        return out, stats
    order = stable_order(memb)
    segs, starts, counts = np.unique(memb[order], return_index=True, return_counts=True)
    local = np.empty(n, dtype=np.int64)
    local[order] = np.arange(n) - np.repeat(starts, counts)
    e_order = stable_order(memb[intra.src])
    e_seg = memb[intra.src][e_order]
    e_lo = np.searchsorted(e_seg, segs, side="left")
    e_hi = np.searchsorted(e_seg, segs, side="right")
    gen = rng(seed)
    # to lists per segment (igraph reads ndarrays slower), with the cyclic garbage collector
    # paused: its collections, triggered by these millions of short-lived lists, walk every
    # tracked object of the process (10M rows: 4 of 34 s)
    pairs = np.column_stack([local[intra.src[e_order]], local[intra.dst[e_order]]])
    dists = 1.0 / intra.weight[e_order]
    todo = np.flatnonzero((counts >= 3) & (e_hi > e_lo))
    live = np.isin(segs[todo], _with_midpoints(intra))  # elsewhere every path is one tie: 0
    tasks, scale = [], np.ones(len(todo))
    for i, (size, lo, hi) in enumerate(zip(counts[todo].tolist(), e_lo[todo], e_hi[todo],
                                           strict=True)):  # fmt: skip
        k = pivots_needed(size, epsilon, delta)
        if size <= exact_max or k >= size:
            pivots = None
            stats["exact"] += 1
        else:  # drawn for every such segment (live or not): the same pivots as ever
            pivots = np.sort(gen.choice(size, size=k, replace=False)).tolist()
            scale[i] = size / k
            stats["sampled"] += 1
        if live[i]:
            tasks.append((size, lo, hi, pivots))
    todo, scale = todo[live], scale[live]

    def run(chunk: list[tuple[int, int, int, list[int] | None]]) -> list[float]:
        b: list[list[float]] = []
        with _gc_paused():
            for size, lo, hi, pivots in chunk:
                g = ig.Graph(n=size, edges=pairs[lo:hi].tolist(), directed=True)
                b.append(
                    g.betweenness(directed=True, weights=dists[lo:hi].tolist(), sources=pivots)
                )
        return list(itertools.chain.from_iterable(b))

    chunks = _balanced(tasks, [size * (hi - lo) for size, lo, hi, _ in tasks], check_jobs(jobs))
    b = np.fromiter(itertools.chain.from_iterable(parallel_map(run, chunks, jobs)), dtype=float)
    size = counts[todo]
    rows = order[np.repeat(starts[todo] - np.cumsum(size) + size, size) + np.arange(size.sum())]
    out[rows] = b * np.repeat(scale, size) / np.repeat((size - 1) * (size - 2), size)
    return out, stats


def _with_midpoints(intra: IntraGraph) -> np.ndarray:
    """The segments with someone who both receives and gives a tie inside it (self-ties
    aside): only there can a shortest path pass through a person (betweenness above 0).

    >>> m = np.array([1, 1, 1, 2, 2, 2])
    >>> _with_midpoints(IntraGraph(6, np.array([0, 1, 3, 4]), np.array([1, 2, 5, 5]),
    ...                            np.ones(4), m)).tolist()
    [1]
    """
    other = intra.src != intra.dst
    gives = np.zeros(intra.n, dtype=bool)
    gives[intra.src[other]] = True
    middle = np.zeros(intra.n, dtype=bool)
    middle[intra.dst[other]] = True
    return np.unique(intra.membership[middle & gives])


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside the block (the objects made there hold no
    cycles: plain reference counting frees them), back on after if it was on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _balanced(items: list, costs: list[int], parts: int) -> list[list]:
    """``items`` cut into at most ``parts`` runs of consecutive items of about equal cost."""
    if parts <= 1 or len(items) < 2:
        return [items]
    cut = np.searchsorted(np.cumsum(costs), np.arange(1, parts) * sum(costs) / parts)
    bounds = [0, *sorted(set(cut.tolist()) - {0, len(items)}), len(items)]
    return [items[a:b] for a, b in itertools.pairwise(bounds)]
