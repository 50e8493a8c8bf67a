"""Tie-tested splits of every segment, one level of the hierarchy at a time.

Every segment of a level is split by Leiden (modularity) on its own subgraph, so that small
communities merged by the resolution limit of the whole graph come apart. Then the split is
tested: sub-segments are merged back, the most tied pair first, while a pair is tied: the
weight between them is at least ``min_gain`` of the smaller one's volume (its weighted degree
inside the segment), ``w(A, B) / min(vol A, vol B) >= min_gain``, or at least
:data:`RANDOM_SHARE` of what a random graph with the same degrees would put there,
``w(A, B) >= RANDOM_SHARE * vol A * vol B / 2m``. Sub-segments below ``min_size`` first join
the one they share the most weight with. The split is kept if two or more sub-segments remain.
A small community that modularity had merged into a large one is tied to it by a few percent
of its volume, while the pieces of a genuine community stay tied (LFR graphs, 3,000 nodes,
mixing 0.25: 0.1 keeps every community whole, 0.15 cut one); the first test is a share, so it
does not depend on the segment's size or density (a test of the split's modularity gain against
a random graph refused nearly every split of sparse segments, whose random graphs are
tree-like and split well), and the second merges the pieces of a random-like community that
Leiden cut in many small parts. Segments above ``max_size`` are split whatever the test says
(no merging back). The ties weigh what the symmetrised graph's weights hold:
:func:`~nichegraph.segments.leiden.find_segments` makes them interactions or the graph's
weights (option ``ties``).

The segments of a level are not split one Leiden run per segment but in a few runs on the
union of their subgraphs: modularity within each part is the constant Potts model with node
weight ``k_i / sqrt(2 m_c)`` (``k_i`` the strength inside the part, ``m_c`` the part's total
weight), since ``sum_ij (A_ij - k_i k_j / 2m_c)`` over pairs of one part is ``2 m_c`` times its
modularity and parts share no edge. A level costs Leiden runs over at most the whole graph,
whatever the number of segments; its segments are dealt into :data:`BUCKETS` unions split
side by side on several cores (each with its own seed, so the result never depends on how many
processes ran them).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .._parallel import parallel_map
from .._random import derive_seed
from ..graph.arrays import best_in_groups, edge_arrays, edge_pairs
from ..graph.codes import group_codes

__all__ = ["Leaf", "split_segments"]

#: Leiden passes of a level's split: the second pass gained 4e-5 of the quality at 10M rows,
#: cost a third of the level's Leiden time and moved no truth figure (realistic 100k logs,
#: seeds 0-2, and 1M: the same oracle share within 0.001; LFR within 0.002).
SPLIT_PASSES = 1
#: Sub-segments are also merged back when the weight between them is at least this share of
#: what a random graph with the same degrees would put there (the pieces of a random-like
#: community stay near 1: without it, the planted benchmark of tests/test_segments.py fell
#: from NMI 0.997 to 0.942; 0.2-0.5 measured the same; this test alone at 0.3 over-split the
#: realistic log, 447 segments for 200).
RANDOM_SHARE = 0.5
#: The segments of a level are split in this many independent Leiden runs ("buckets" of whole
#: segments, largest first into the lightest bucket, each run with its own seed), side by side
#: on up to ``jobs`` processes. A fixed number, so the segments never depend on ``jobs``.
BUCKETS = 8
#: A level with fewer ties inside its segments runs its buckets in this process (a fork of a
#: large process costs more than such a level's Leiden runs).
FORK_MIN_TIES = 250_000

Leiden = Callable[..., np.ndarray]  # leiden_membership's signature


@dataclass(frozen=True)
class Leaf:
    """A final segment: its path (``(4, 2)`` is ``4.2``), members (vertex ids) and the split
    test's figure of the split that made it (or, if its own split was refused, of that refused
    split): the strongest tie between the sub-segments over the threshold (see
    :func:`_merge_tied`)."""

    path: tuple[int, ...]
    members: np.ndarray
    gain: float | None


def _union_leiden(
    part: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    n_parts: int,
    resolution: float,
    seed: int,
    leiden: Leiden,
    backend: str,
) -> np.ndarray:
    """Modularity-optimal partition of every part on its own, from one Leiden run (see the
    module docstring); community labels are global (never shared between parts)."""
    n = len(part)
    k = np.bincount(u, weights=w, minlength=n) + np.bincount(v, weights=w, minlength=n)
    two_m = np.bincount(part, weights=k, minlength=n_parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        nw = np.where(two_m[part] > 0, k / np.sqrt(two_m[part]), 0.0)
    g = ig.Graph(n=n, directed=False)
    g.add_edges(edge_pairs(u, v))
    g.es["weight"] = w.tolist()
    comm = leiden(g, objective="cpm", resolution=resolution, backend=backend, seed=seed,
                  node_weights=nw, max_passes=SPLIT_PASSES)  # fmt: skip
    # a community never spans two parts (they share no edge); make labels (part, community)
    _, labels = np.unique(part * (int(comm.max()) + 1) + comm, return_inverse=True)
    return labels.reshape(-1)


def _buckets(load: np.ndarray, k: int) -> np.ndarray:
    """Bucket (``0..k-1``) of each part: heaviest ``load`` first into the lightest bucket
    (ties: the lower part, the lower bucket).

    >>> _buckets(np.array([5, 1, 4, 2]), 2).tolist()
    [0, 0, 1, 1]
    """
    out = np.zeros(len(load), dtype=np.int64)
    heap = [(0, b) for b in range(k)]
    for c in np.argsort(-load, kind="stable").tolist():
        total, b = heapq.heappop(heap)
        out[c] = b
        heapq.heappush(heap, (total + int(load[c]), b))
    return out


def _split_parts(
    part: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    free: np.ndarray,
    *,
    resolution: float,
    min_gain: float | None,
    min_size: int,
    seed: int,
    leiden: Leiden,
    backend: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leiden's split of every part, then the tie test where ``free`` (per part; the others
    are above ``max_size``): sub-segment labels, whether Leiden cut each part, the test's
    figure per part (see :func:`_merge_tied`)."""
    n_parts = len(free)
    comm = _union_leiden(part, u, v, w, n_parts, resolution, seed, leiden, backend)
    comm_part = np.zeros(int(comm.max()) + 1, dtype=np.int64)
    comm_part[comm] = part
    test = np.bincount(comm_part, minlength=n_parts) >= 2
    figures = np.full(n_parts, np.nan)
    if min_gain is not None:  # merge back what is tied, except in segments above max_size
        fv = free[part]
        comm, figures = _merge_tied(
            comm, np.where(fv, part, n_parts), u[fv[u]], v[fv[u]], w[fv[u]], float(min_gain),
            n_parts + 1, min_size,
        )  # fmt: skip
        figures = figures[:n_parts]
    return comm, test, figures


def _split_level(
    part: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    free: np.ndarray,
    *,
    seed: int,
    jobs: int | None,
    **kw: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_split_parts` of one level, in :data:`BUCKETS` runs (bucket ``b`` seeded
    ``derive_seed(seed, b)``) on up to ``jobs`` processes; labels are global."""
    n_parts = len(free)
    k = min(BUCKETS, n_parts)
    load = np.bincount(part, minlength=n_parts) + np.bincount(part[u], minlength=n_parts)
    bucket = _buckets(load, k)

    def run(b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        parts, vs, es = np.flatnonzero(bucket == b), bucket[part] == b, bucket[part[u]] == b
        pmap, vmap = np.cumsum(bucket == b) - 1, np.cumsum(vs) - 1
        return _split_parts(
            pmap[part[vs]], vmap[u[es]], vmap[v[es]], w[es], free[parts],
            seed=derive_seed(seed, b), **kw,
        )  # fmt: skip

    done = parallel_map(run, range(k), jobs if len(u) >= FORK_MIN_TIES else 1)
    comm = np.zeros(len(part), dtype=np.int64)
    test, figures = np.zeros(n_parts, dtype=bool), np.full(n_parts, np.nan)
    offset = 0
    for b, (comm_b, test_b, figures_b) in enumerate(done):
        comm[bucket[part] == b] = comm_b + offset
        offset += int(comm_b.max()) + 1
        test[bucket == b], figures[bucket == b] = test_b, figures_b
    return comm, test, figures


def _ties(
    comm: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Number of sub-segments, their volumes, and the weight between each tied pair
    (``key = lo * n + hi``, ``lo < hi``)."""
    n = int(comm.max()) + 1 if len(comm) else 0
    cu, cv = comm[u], comm[v]
    vol = np.bincount(cu, weights=w, minlength=n) + np.bincount(cv, weights=w, minlength=n)
    cross = cu != cv
    lo, hi = np.minimum(cu[cross], cv[cross]), np.maximum(cu[cross], cv[cross])
    key, inv = group_codes(lo * n + hi)
    return n, vol, key, np.bincount(inv, weights=w[cross], minlength=len(key))


def _absorb_small(
    comm: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray, min_size: int
) -> np.ndarray:
    """Each sub-segment below ``min_size`` joins the one it shares the most weight with
    (ties: the lower label); chains and pairs of them end in one group. Labels ``0..k-1``."""
    n, _, key, between = _ties(comm, u, v, w)
    small = np.bincount(comm, minlength=n) < min_size
    a, b = key // n, key % n
    src, dst, z = np.r_[a, b], np.r_[b, a], np.r_[between, between]
    keep = small[src]
    src, dst, z = src[keep], dst[keep], z[keep]
    first = best_in_groups(src, z, dst)
    links = coo_matrix((np.ones(len(first)), (src[first], dst[first])), shape=(n, n))
    _, group = connected_components(links, directed=False)
    _, labels = np.unique(group[comm], return_inverse=True)
    return labels.reshape(-1)


def _merge_tied(
    comm: np.ndarray,
    part: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    tie: float,
    n_parts: int,
    min_size: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge sub-segments back, most tied pair first, while a pair is tied (see the module
    docstring): ``w(A, B) / min(vol A, vol B) >= tie`` or ``w(A, B) >= RANDOM_SHARE *
    vol A * vol B / 2m`` (``2m`` the part's volume), or one of them is below ``min_size``.

    ``comm`` labels vertices (global labels, never shared between parts), ``part`` is each
    vertex's part; edges ``u - v`` of weight ``w`` are the parts' internal edges. Returns the
    merged labels (``0..k-1``) and, per part, the test's figure: the strongest tie left
    between its sub-segments if two or more remain, else the tie of its last merge (NaN if
    Leiden found one sub-segment, or only sub-segments below ``min_size`` merged), as a
    multiple of the threshold (1 and above: tied).

    >>> comm = np.array([0, 0, 1, 1, 2, 2]); part = np.zeros(6, dtype=np.int64)
    >>> u, v = np.array([0, 2, 4, 1, 3]), np.array([1, 3, 5, 2, 4]); w = np.array([4, 4, 4, 1, 0.1])
    >>> labels, figure = _merge_tied(comm, part, u, v, w, 0.1, 1)
    >>> labels.tolist(), figure.round(3).tolist()
    ([0, 0, 0, 0, 1, 1], [0.123])
    """
    if min_size > 1:
        comm = _absorb_small(comm, u, v, w, min_size)
    n, vol, key, between = _ties(comm, u, v, w)
    comm_part = np.zeros(n, dtype=np.int64)
    comm_part[comm] = part
    owner = comm_part.tolist()
    two_m = np.bincount(comm_part, weights=vol, minlength=n_parts).tolist()
    sizes = np.bincount(comm, minlength=n).tolist()

    def strength(z: float, x: int, y: int) -> float:  # >= 1: merge back
        if min(sizes[x], sizes[y]) < min_size:
            return np.inf
        return max(
            z / min(vols[x], vols[y]) / tie,
            z * two_m[owner[x]] / (vols[x] * vols[y]) / RANDOM_SHARE,
        )

    vols = vol.tolist()
    adj: list[dict[int, float]] = [{} for _ in range(n)]
    heap = []
    for x, y, z in zip((key // n).tolist(), (key % n).tolist(), between.tolist(), strict=True):
        adj[x][y] = adj[y][x] = z
        heap.append((-strength(z, x, y), x, y))
    heapq.heapify(heap)
    last = np.full(n_parts, np.nan)  # per part: the tie of its last merge
    root = list(range(n))
    while heap and -heap[0][0] >= 1.0:
        r, x, y = heapq.heappop(heap)
        if root[x] != x or root[y] != y or y not in adj[x] or -strength(adj[x][y], x, y) != r:
            continue  # a stale entry: one side was merged, or the tie changed since
        if len(adj[x]) < len(adj[y]):
            x, y = y, x
        root[y] = x  # y joins x
        if r > -np.inf:
            last[owner[x]] = -r
        del adj[x][y], adj[y][x]
        vols[x] += vols[y]
        sizes[x] += sizes[y]
        for t, z in adj[y].items():
            del adj[t][y]
            adj[x][t] = adj[t][x] = adj[x].get(t, 0.0) + z
        adj[y] = {}
        for t, z in adj[x].items():
            heapq.heappush(heap, (-strength(z, x, t), min(x, t), max(x, t)))
    roots = np.asarray(root, dtype=np.int64)
    while not np.array_equal(roots[roots], roots):
        roots = roots[roots]
    alive = np.flatnonzero(roots == np.arange(n))
    groups = np.bincount(comm_part[alive], minlength=n_parts)
    left = np.zeros(n_parts)  # per part: the strongest tie left between its sub-segments
    for x in alive.tolist():
        for t, z in adj[x].items():
            left[owner[x]] = max(left[owner[x]], strength(z, x, t))
    figure = np.where(groups >= 2, left, last)
    _, labels = np.unique(roots[comm], return_inverse=True)
    return labels.reshape(-1), figure


def split_segments(
    und: ig.Graph,
    top: list[np.ndarray],
    *,
    resolution: float,
    min_gain: float | None,
    max_size: int | None,
    split_min: int,
    min_size: int = 1,
    backend: str,
    seed: int,
    leiden: Leiden,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = 1,
) -> tuple[list[Leaf], int, int]:
    """Split the top-level groups ``top`` (vertex ids, largest first) recursively.

    Returns the leaves, the number of splits tried (a segment Leiden cut in two or more) and
    kept. Sub-segments below ``min_size`` merge into the one they are most tied to.
    ``leiden`` is :func:`~nichegraph.segments.leiden.leiden_membership`;
    ``progress(step)`` is called before each level; ``jobs`` processes split a level's
    buckets side by side (the same leaves for any ``jobs``). The ties weigh ``und``'s
    weights.
    """
    n = und.vcount()
    e, ew = edge_arrays(und)
    leaves: list[Leaf] = []
    level_groups = [((i + 1,), m, None) for i, m in enumerate(top)]
    tried = kept = 0
    level = 0
    while level_groups:
        level += 1
        cands = []
        for path, members, gain in level_groups:
            forced = max_size is not None and len(members) > max_size
            if len(members) < split_min or (min_gain is None and not forced):
                leaves.append(Leaf(path, members, gain))
            else:
                cands.append((path, members, gain, forced))
        level_groups = []
        if not cands:
            break
        if progress:
            progress(f"split level {level} ({len(cands)} segments)")
        label = np.full(n, -1, dtype=np.int64)
        sizes = [len(members) for _, members, _, _ in cands]
        label[np.concatenate([members for _, members, _, _ in cands])] = np.repeat(
            np.arange(len(cands)), sizes
        )
        idx = np.flatnonzero(label >= 0)
        local = np.full(n, -1, dtype=np.int64)
        local[idx] = np.arange(len(idx))
        part = label[idx]
        same = (label[e[:, 0]] >= 0) & (label[e[:, 0]] == label[e[:, 1]])
        u, v, w = local[e[same, 0]], local[e[same, 1]], ew[same]
        comm, test, figures = _split_level(
            part, u, v, w, np.array([not f for *_, f in cands]), resolution=resolution,
            min_gain=min_gain, min_size=min_size, seed=derive_seed(seed, level, 0),
            leiden=leiden, backend=backend, jobs=jobs,
        )  # fmt: skip
        comm_part = np.zeros(int(comm.max()) + 1, dtype=np.int64)
        comm_part[comm] = part
        split = np.bincount(comm_part, minlength=len(cands)) >= 2
        # each sub-segment's members in id order (a stable sort of ascending ids), per part the
        # largest first (ties: the smallest first member): one sort, no per-segment sorting
        order = np.argsort(comm, kind="stable")
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(comm[order])) + 1, [len(order)]])
        lo, hi = bounds[:-1], bounds[1:]
        owner = part[order[lo]]
        children: list[list[np.ndarray]] = [[] for _ in cands]
        for k in np.lexsort((idx[order[lo]], lo - hi, owner)).tolist():
            children[owner[k]].append(idx[order[lo[k] : hi[k]]])
        for c, (path, members, gain, _forced) in enumerate(cands):
            if not test[c]:
                leaves.append(Leaf(path, members, gain))
                continue
            tried += 1
            g_c = None if np.isnan(figures[c]) else float(figures[c])
            if not split[c]:
                leaves.append(Leaf(path, members, g_c))
                continue
            kept += 1
            level_groups += [((*path, j + 1), m, g_c) for j, m in enumerate(children[c])]
    return leaves, tried, kept
