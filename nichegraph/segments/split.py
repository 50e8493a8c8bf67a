"""Structure-tested splits of every segment, one level of the hierarchy at a time.

Every segment of a level is split by Leiden on its own subgraph, and the split is kept only
when its modularity beats, by at least ``min_gain``, the modularity Leiden finds on a random
graph with the same degrees (a configuration model: the segment's edge ends shuffled, its
weights shuffled over the new edges). Segments above ``max_size`` are split whatever the test
says.

All the segments of a level are split in **one** Leiden run on the union of their subgraphs
(and all their random graphs in one more), not one run per segment: modularity within each
part is the constant Potts model with node weight ``k_i / sqrt(2 m_c)`` (``k_i`` the strength
inside the part, ``m_c`` the part's total weight), since
``sum_ij (A_ij - k_i k_j / 2m_c)`` over pairs of one part is ``2 m_c`` times its modularity and
parts share no edge. A level costs two Leiden runs over at most the whole graph, whatever the
number of segments, and the arrays never go back and forth between numpy and igraph per
segment.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import igraph as ig
import numpy as np

from .._random import derive_seed
from ..graph.arrays import edge_arrays

__all__ = ["Leaf", "split_segments"]

#: Leiden passes of a level's split (and of its random graphs): measured, see DESIGN.md.
SPLIT_PASSES = 2

Leiden = Callable[..., np.ndarray]  # leiden_membership's signature


@dataclass(frozen=True)
class Leaf:
    """A final segment: its path (``(4, 2)`` is ``4.2``), members (vertex ids) and the split
    gain that made it (or, if its own split was refused, that refused gain)."""

    path: tuple[int, ...]
    members: np.ndarray
    gain: float | None


def _child_seed(seed: int, level: int, null: bool) -> int:
    return derive_seed(seed, level, int(null))


def _modularity(
    part: np.ndarray, comm: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray, n_parts: int
) -> np.ndarray:
    """Modularity (resolution 1) of each part's partition ``comm`` (labels global, never
    shared between parts) on edges ``u - v`` of weight ``w`` (each undirected edge once;
    ``part`` and ``comm`` are per vertex)."""
    pe = part[u]
    m = np.bincount(pe, weights=w, minlength=n_parts)
    inside = comm[u] == comm[v]
    internal = np.bincount(pe[inside], weights=w[inside], minlength=n_parts)
    n_comm = int(comm.max()) + 1 if len(comm) else 0
    k_comm = np.bincount(comm[u], weights=w, minlength=n_comm) + np.bincount(
        comm[v], weights=w, minlength=n_comm
    )
    comm_part = np.zeros(n_comm, dtype=np.int64)
    comm_part[comm] = part
    expected = np.bincount(comm_part, weights=k_comm**2, minlength=n_parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = internal / m - expected / (4 * m**2)
    return np.where(m > 0, q, 0.0)


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
    g = ig.Graph(n=n, edges=list(zip(u.tolist(), v.tolist(), strict=True)), directed=False)
    g.es["weight"] = w.tolist()
    comm = leiden(g, objective="cpm", resolution=resolution, backend=backend, seed=seed,
                  node_weights=nw, max_passes=SPLIT_PASSES)  # fmt: skip
    # a community never spans two parts (they share no edge); make labels (part, community)
    _, labels = np.unique(part * (int(comm.max()) + 1) + comm, return_inverse=True)
    return labels.reshape(-1)


def _shuffle_within(group: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """An order that sorts ``group`` and shuffles the items within each group."""
    perm = gen.permutation(len(group))
    return perm[np.argsort(group[perm], kind="stable")]


def _configuration(
    part: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each part's edge ends shuffled among its own edges (degrees kept), weights shuffled
    over the new edges; self-loops dropped."""
    pe = part[u]
    order = _shuffle_within(pe, gen)  # edges, for the weights
    stubs = np.stack([u, v], axis=1).reshape(-1)
    sorder = _shuffle_within(np.repeat(pe, 2), gen)  # edge ends
    nu, nv = stubs[sorder[0::2]], stubs[sorder[1::2]]
    nw = w[order]  # parts come in the same (sorted) order in both
    keep = nu != nv
    return nu[keep], nv[keep], nw[keep]


def split_segments(
    und: ig.Graph,
    top: list[np.ndarray],
    *,
    resolution: float,
    min_gain: float | None,
    max_size: int | None,
    split_min: int,
    backend: str,
    seed: int,
    leiden: Leiden,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Leaf], int, int]:
    """Split the top-level groups ``top`` (vertex ids, largest first) recursively.

    Returns the leaves, the number of splits tried (a segment Leiden cut in two or more) and
    kept. ``leiden`` is :func:`~nichegraph.segments.leiden.leiden_membership`;
    ``progress(step)`` is called before each level.
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
        for c, (_, members, _, _) in enumerate(cands):
            label[members] = c
        idx = np.flatnonzero(label >= 0)
        local = np.full(n, -1, dtype=np.int64)
        local[idx] = np.arange(len(idx))
        part = label[idx]
        same = (label[e[:, 0]] >= 0) & (label[e[:, 0]] == label[e[:, 1]])
        u, v, w = local[e[same, 0]], local[e[same, 1]], ew[same]
        comm = _union_leiden(
            part, u, v, w, len(cands), resolution, _child_seed(seed, level, False), leiden, backend
        )
        comm_part = np.zeros(int(comm.max()) + 1, dtype=np.int64)
        comm_part[comm] = part
        n_children = np.bincount(comm_part, minlength=len(cands))
        gains = np.full(len(cands), np.nan)
        test = n_children >= 2
        if min_gain is not None and test.any():
            tpart = np.where(test, np.arange(len(cands)), -1)[part]
            sel = tpart[u] >= 0
            q_real = _modularity(part, comm, u[sel], v[sel], w[sel], len(cands))
            gen = np.random.default_rng(_child_seed(seed, level, True))
            nu, nv, nw = _configuration(part, u[sel], v[sel], w[sel], gen)
            ncomm = _union_leiden(
                part,
                nu,
                nv,
                nw,
                len(cands),
                resolution,
                _child_seed(seed, level, True),
                leiden,
                backend,
            )
            gains = q_real - _modularity(part, ncomm, nu, nv, nw, len(cands))
        order = np.argsort(comm, kind="stable")
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(comm[order])) + 1, [len(order)]])
        children: list[list[np.ndarray]] = [[] for _ in cands]
        for lo, hi in itertools.pairwise(bounds):
            members = idx[order[lo:hi]]
            children[part[order[lo]]].append(members)
        for c, (path, members, gain, forced) in enumerate(cands):
            if not test[c]:
                leaves.append(Leaf(path, members, gain))
                continue
            tried += 1
            g_c = None if min_gain is None else float(gains[c])
            if not forced and g_c is not None and g_c < min_gain:
                leaves.append(Leaf(path, members, g_c))
                continue
            kept += 1
            kids = sorted(children[c], key=lambda m: (-len(m), int(m.min())))
            level_groups += [((*path, j + 1), np.sort(m), g_c) for j, m in enumerate(kids)]
    return leaves, tried, kept
