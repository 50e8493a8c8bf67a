"""Leiden micro-segmentation: detect communities, then split them where they have structure.

Detection runs on the symmetrised weighted graph (``w(a,b) = w(a->b) + w(b->a)``). Every
community is then split again by Leiden on its induced subgraph, recursively, giving
hierarchical paths such as ``s4``, ``s4.2``, ``s4.2.1``. A split is kept only when the
sub-partition has real structure of its own: its modularity must beat, by at least
``min_gain``, the modularity Leiden finds on a random graph with the same degrees and weights
(splitting a genuine community is as harmful as merging two; this test undoes the merges of
small communities that modularity's resolution limit causes). ``max_size`` is an optional hard
cap: segments above it are split whatever the test says. Segments smaller than ``min_size``
form the fringe (segment ``0``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import igraph as ig
import numpy as np

from .._options import make_options
from .._random import check_seed, derive_seed, igraph_seed, rng
from ..errors import InputError
from ..graph.build import InteractionGraph
from .options import BACKENDS, OBJECTIVES, SegmentOptions
from .quality import segment_quality
from .result import FRINGE, Segmentation, path_text

__all__ = [
    "BACKENDS",
    "OBJECTIVES",
    "check_segment_options",
    "find_segments",
    "leiden_membership",
    "symmetrise",
]

_MAX_ITERATIONS = 100  # Leiden iterations per run (it stops earlier once stable)


def symmetrise(graph: ig.Graph) -> ig.Graph:
    """Undirected simple graph with ``weight`` = sum of both directions' weights.

    Vertex ids are kept; vertex attribute ``vid`` holds them for induced subgraphs.
    """
    n = graph.vcount()
    if graph.ecount():
        e = np.asarray(graph.get_edgelist(), dtype=np.int64)
        w = np.asarray(graph.es["weight"], dtype=float)
        lo, hi = np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])
        uniq, inv = np.unique(lo * n + hi, return_inverse=True)
        ws = np.bincount(inv, weights=w, minlength=len(uniq))
        edges = list(zip((uniq // n).tolist(), (uniq % n).tolist(), strict=True))
    else:
        edges, ws = [], np.array([])
    und = ig.Graph(n=n, edges=edges, directed=False)
    und.es["weight"] = ws.tolist()
    und.vs["vid"] = list(range(n))
    return und


def _child_seed(seed: int, path: Sequence[int]) -> int:
    """A seed for the split at ``path``, independent of the order splits are processed in."""
    return derive_seed(seed, len(path), *path)


def leiden_membership(
    g: ig.Graph,
    *,
    objective: str = "modularity",
    resolution: float = 1.0,
    backend: str = "igraph",
    initial_membership: Sequence[int] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """One Leiden run on an undirected graph with edge attribute ``weight``; returns membership.

    ``backend="igraph"`` uses igraph's C implementation (much faster; it draws from a private
    ``random.Random(seed)`` through :func:`~nichegraph._random.igraph_seed`; the global random
    state is left alone); ``"leidenalg"`` uses
    ``leidenalg.find_partition`` (RB configuration model or CPM). Both run until stable.
    ``initial_membership`` (labels ``0..n-1``) is the partition the search starts from.

    >>> g = ig.Graph.Famous("Zachary"); g.es["weight"] = [1.0] * g.ecount()
    >>> int(leiden_membership(g, seed=1).max()) + 1 >= 2
    True
    """
    if g.vcount() == 0:
        return np.zeros(0, dtype=np.int64)
    if backend == "igraph":
        # One iteration at a time until the quality stops improving: igraph 1.0's own
        # ``n_iterations=-1`` can loop forever on small weighted graphs (a 10-node example
        # never returned), so the loop lives here, capped at _MAX_ITERATIONS.
        with igraph_seed(seed):
            membership = None if initial_membership is None else list(initial_membership)
            quality = -np.inf
            for _ in range(_MAX_ITERATIONS):
                part = g.community_leiden(
                    objective_function="CPM" if objective == "cpm" else "modularity",
                    weights="weight",
                    resolution=resolution,
                    n_iterations=1,
                    initial_membership=membership,
                )
                membership = part.membership
                if part.quality <= quality + 1e-12 * max(1.0, abs(quality)):
                    break
                quality = part.quality
        return np.asarray(membership, dtype=np.int64)
    import leidenalg

    ptype = (
        leidenalg.CPMVertexPartition
        if objective == "cpm"
        else leidenalg.RBConfigurationVertexPartition
    )
    part = leidenalg.find_partition(
        g, ptype, weights="weight", resolution_parameter=resolution, n_iterations=-1, seed=seed,
        initial_membership=None if initial_membership is None else list(initial_membership),
    )  # fmt: skip
    return np.asarray(part.membership, dtype=np.int64)


def _groups(membership: np.ndarray) -> list[np.ndarray]:
    """Members of each community, largest first (ties: smallest member id first)."""
    order = np.argsort(membership, kind="stable")
    _, starts, counts = np.unique(membership[order], return_index=True, return_counts=True)
    groups = [order[s : s + c] for s, c in zip(starts, counts, strict=True)]
    groups.sort(key=lambda m: (-len(m), int(m[0])))
    return groups


def _split_gain(sub: ig.Graph, membership: np.ndarray, seed: int, **kw: Any) -> float:
    """Modularity of ``membership`` minus Leiden's modularity on a degree-preserving null.

    The null graph has the subgraph's degree sequence (igraph's edge-switching generator) and
    its edge weights shuffled over the new edges.
    """
    q_real = sub.modularity(membership.tolist(), weights="weight")
    with igraph_seed(derive_seed(seed, 1)):
        null = ig.Graph.Degree_Sequence(sub.degree(), method="edge_switching_simple")
    null.es["weight"] = rng(seed).permutation(np.asarray(sub.es["weight"], dtype=float)).tolist()
    null_m = leiden_membership(null, seed=seed, **kw)
    return float(q_real - null.modularity(null_m.tolist(), weights="weight"))


def _community_graphs(und: ig.Graph, groups: list[np.ndarray]) -> list[ig.Graph]:
    """Induced subgraph of every group, built from one pass over the edge list.

    (igraph's ``induced_subgraph`` on the whole graph costs O(graph) per call.)
    """
    n = und.vcount()
    label = np.full(n, -1, dtype=np.int64)
    local = np.zeros(n, dtype=np.int64)
    for i, members in enumerate(groups):
        label[members] = i
        local[members] = np.arange(len(members))
    e = np.asarray(und.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    w = np.asarray(und.es["weight"], dtype=float)
    same = label[e[:, 0]] == label[e[:, 1]]
    e, w = e[same], w[same]
    order = np.argsort(label[e[:, 0]], kind="stable")
    e, w = e[order], w[order]
    bounds = np.searchsorted(label[e[:, 0]], np.arange(len(groups) + 1))
    out = []
    for i, members in enumerate(groups):
        lo, hi = bounds[i], bounds[i + 1]
        sub = ig.Graph(n=len(members), edges=local[e[lo:hi]].tolist(), directed=False)
        sub.es["weight"] = w[lo:hi].tolist()
        sub.vs["vid"] = members.tolist()
        out.append(sub)
    return out


def check_segment_options(**options: Any) -> SegmentOptions:
    """The :class:`SegmentOptions` of :func:`find_segments` keywords (a number as resolution).

    >>> check_segment_options(min_size=0)
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: min_size must be an integer >= 1, got 0
    """
    opts = make_options(SegmentOptions, **options)
    if opts.resolution == "auto":
        raise InputError("resolution 'auto' is for analyze (scan_resolution); give a number")
    return opts


def find_segments(
    graph: InteractionGraph | ig.Graph,
    options: SegmentOptions | None = None,
    *,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
    initial_membership: Sequence[int] | None = None,
    **kw: Any,
) -> Segmentation:
    """Find hierarchical micro-segments of an interaction graph.

    The options are a :class:`SegmentOptions` or its fields as keywords (keywords win).
    ``objective`` is ``"modularity"`` (RB configuration model with ``resolution``) or
    ``"cpm"`` (constant Potts model, ``resolution`` = density threshold). Every segment of at
    least ``2 * min_size`` people is split again where the split gains at least ``min_gain``
    modularity over a degree-preserving random graph (``min_gain=None``: no such splits);
    segments above ``max_size`` are split regardless (a hard cap, wherever Leiden can split).
    Segments below ``min_size`` go to the fringe (segment 0). ``progress(step)`` is called
    before the top-level run and before each split test (e.g. ``"split 12 (3 waiting)"``).
    ``initial_membership`` (one label ``0..n-1`` per vertex, e.g. a previous run's segments)
    warm-starts the top-level run.

    >>> import pandas as pd, nichegraph as ng
    >>> seg = ng.find_segments(ng.build_graph(pd.DataFrame(
    ...     {"source": list("abcabc"), "target": list("bcacab")})), min_size=2)
    >>> seg.n_segments, seg.to_frame()["segment"].tolist()
    (1, [1, 1, 1])
    """
    g = graph.graph if isinstance(graph, InteractionGraph) else graph
    seed = check_seed(seed)
    opts = check_segment_options(**{**(options.kwargs() if options else {}), **kw})
    objective, resolution, backend = opts.objective, float(opts.resolution), opts.backend
    min_gain, max_size, min_size = opts.min_gain, opts.max_size, opts.min_size

    und = symmetrise(g)
    if progress:
        progress("top-level Leiden")
    top = leiden_membership(
        und, objective=objective, resolution=resolution, backend=backend, seed=seed,
        initial_membership=initial_membership,
    )  # fmt: skip
    split_kw = {
        "objective": "modularity",
        "resolution": resolution if objective == "modularity" else 1.0,
        "backend": backend,
    }
    split_min = max(2 * min_size, 4)
    top_groups = _groups(top)
    leaves: list[tuple[tuple[int, ...], np.ndarray, float | None]] = []
    stack = [((i + 1,), sub, None) for i, sub in enumerate(_community_graphs(und, top_groups))][
        ::-1
    ]
    splits_tried = splits_kept = 0
    while stack:
        path, sub, gain = stack.pop()
        vid = np.asarray(sub.vs["vid"], dtype=np.int64)
        forced = max_size is not None and len(vid) > max_size
        if len(vid) < split_min or (min_gain is None and not forced):
            leaves.append((path, vid, gain))
            continue
        if progress:
            progress(f"split {splits_tried + 1} ({len(stack)} waiting)")
        child_seed = _child_seed(seed, path)
        memb = leiden_membership(sub, seed=child_seed, **split_kw)
        children = _groups(memb)
        if len(children) < 2:
            leaves.append((path, vid, gain))
            continue
        splits_tried += 1
        split_gain = (
            _split_gain(sub, memb, child_seed, **split_kw) if min_gain is not None else None
        )
        if not forced and split_gain is not None and split_gain < min_gain:
            leaves.append((path, vid, split_gain))
            continue
        splits_kept += 1
        stack.extend(
            [
                ((*path, j + 1), sub.induced_subgraph(c.tolist()), split_gain)
                for j, c in enumerate(children)
            ][::-1]
        )

    n = g.vcount()
    leaf_of = np.zeros(n, dtype=np.int64)
    for i, (_, members, _) in enumerate(leaves):
        leaf_of[members] = i
    modularity = und.modularity(leaf_of.tolist(), weights="weight", resolution=1.0) if n else 0.0
    modularity_top = und.modularity(top.tolist(), weights="weight", resolution=1.0) if n else 0.0

    order = sorted(range(len(leaves)), key=lambda i: (-len(leaves[i][1]), leaves[i][0]))
    membership = np.zeros(n, dtype=np.int64)
    paths = np.empty(n, dtype=object)
    rows: list[dict[str, Any]] = []
    seg_id = 0
    for i in order:
        path, members, gain = leaves[i]
        p = path_text(path)
        if len(members) < min_size:
            paths[members] = "fringe"
            continue
        seg_id += 1
        membership[members] = seg_id
        paths[members] = p
        rows.append(
            {
                "segment": seg_id,
                "path": p,
                "parent": path_text(path[:-1]),
                "depth": len(path),
                "split_gain": gain,
            }
        )
    if (membership == 0).any():
        rows.append(
            {"segment": FRINGE, "path": "fringe", "parent": "", "depth": 0, "split_gain": None}
        )
    table = segment_quality(und, membership, rows, max_size=max_size)
    params = {
        "objective": objective,
        "resolution": resolution,
        "max_size": max_size,
        "min_size": min_size,
        "min_gain": min_gain,
        "backend": backend,
        "seed": seed,
        "versions": _versions(backend),
    }
    return Segmentation(
        names=tuple(g.vs["name"]) if "name" in g.vs.attributes() else tuple(map(str, range(n))),
        membership=membership,
        paths=paths,
        segments=table,
        modularity=float(modularity),
        modularity_top=float(modularity_top),
        splits_tried=splits_tried,
        splits_kept=splits_kept,
        params=params,
    )


def _versions(backend: str) -> dict[str, str]:
    out = {"igraph": ig.__version__}
    if backend == "leidenalg":
        import leidenalg

        out["leidenalg"] = leidenalg.version
    return out
