"""Leiden micro-segmentation: detect communities, then split them where they have structure.

Detection runs on the symmetrised graph (``w(a,b) = w(a->b) + w(b->a)``, ``w`` as ``ties``
says, below). Every community is then split again by Leiden on its induced subgraph,
recursively, giving hierarchical paths such as ``s4``, ``s4.2``, ``s4.2.1``. A split is kept
only where its sub-segments stand apart: sub-segments tied by at least ``min_gain`` of the
smaller one's volume (or by half of the random expectation) are merged back (see
:mod:`nichegraph.segments.split`; splitting a genuine community is as harmful as merging two,
and this undoes the merges of small communities that modularity's resolution limit causes).
``max_size`` is an optional hard cap: segments above it are split whatever the test says.
Segments smaller than ``min_size`` form the fringe (segment ``0``).

What a tie weighs is the option ``ties`` (:class:`~nichegraph.segments.options.SegmentOptions`),
the same for every stage (top-level run, splits, their tie test, final refinement) and for the
reported modularity and segment quality: ``"interactions"`` (default) counts how often two people
interacted (edge attribute ``count``; kinds weighed 0 are no tie, as in
:func:`~nichegraph.segments.refine.vote_weights`; a graph without counts falls back to its
weights); ``"weights"`` uses the graph's weights, so kind weights, the weight column and the
half-life's decay shape the segments. Kind weights say how much an engagement is worth to a
brand, not whether two people belong together: on the Higgs log mentions stay in the segment
more often than retweets, which the default weights rank higher. Measured on the realistic
planted logs of ``bench/bench_truth.py`` (seeds 0 / 1 / 2), share of the oracle ceiling with the
top-level run on weights and the rest on interactions -> everything on interactions: 100k rows
0.946 / 0.973 / 0.961 -> 0.969 / 0.989 / 0.975, 1M rows 0.981 / 0.983 / 0.987 -> 0.997 / 0.992 /
0.996; planted star in the found top 3: 100k 87.5 / 88 / 91% -> 90.5 / 89.5 / 94.5%, 1M
86.7 / 90.4 / 92.3% -> 88.2 / 90.9 / 91.9%; LFR graphs unchanged (one count per tie).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import igraph as ig
import numpy as np

from .._options import make_options
from .._parallel import check_jobs
from .._random import check_seed, igraph_seed
from ..errors import InputError
from ..graph.arrays import edge_arrays, edge_pairs, remember_edges
from ..graph.build import InteractionGraph
from ..graph.codes import group_codes
from .options import BACKENDS, OBJECTIVES, SegmentOptions
from .quality import segment_quality
from .refine import refine_leaves, vote_weights
from .result import FRINGE, Segmentation, path_text
from .split import split_segments

__all__ = [
    "BACKENDS",
    "OBJECTIVES",
    "check_segment_options",
    "find_segments",
    "leiden_membership",
    "symmetrise",
]

#: igraph Leiden: stop once a pass gains less than this share of the quality (measured at 1M
#: rows: pass 2 gains 1e-4, pass 3 2.5e-5 and passes 3-9 move NMI to the truth by < 0.001).
PASS_GAIN = 1e-4
#: ... and never more passes than this. The gain rule alone ran 6 top-level passes on the Higgs
#: log (0.5 s each) and more as logs grow (3 at 3M rows), while the passes after the third buy
#: nothing the segments keep: on Higgs the leaves' modularity is 0.7475 after up to 20 passes,
#: 0.7470 after 3 and 0.7482 after 2 (leaves' NMI to the 20-pass run 0.985, a seed's
#: difference); on the realistic 100k-row logs (seeds 0, 1) the share of the oracle ceiling is
#: 0.906/0.938 (20 passes) and 0.905/0.938 (3); LFR mixing 0.4: 0.927 both. At 10M rows
#: (791k people) pass 3 gained 2.8e-5 of the quality for 8-12 s CPU, and 2 passes (the floor's
#: ``n_iterations=2``) kept the truth: oracle share 0.906/0.937/0.922 on the 100k logs (seeds
#: 0-2; 3 passes 0.905/0.938/0.921), 0.938 at 1M (0.938), Higgs leaves' modularity 0.7493
#: (0.7488); 1 pass lost 0.001-0.006 of the share.
MAX_PASSES = 2


def symmetrise(graph: ig.Graph, ties: str = "weights") -> ig.Graph:
    """Undirected simple graph with ``weight`` = sum of both directions' weights, or with
    ``ties="interactions"`` of both directions' interactions
    (:func:`~nichegraph.segments.refine.vote_weights`: edge attribute ``count``, 0 where the
    weight is 0; the weights where there is no ``count``).

    Vertex ids are kept; vertex attribute ``vid`` holds them for induced subgraphs.

    >>> g = ig.Graph([(0, 1), (1, 0)], directed=True)
    >>> g.es["weight"], g.es["count"] = [2.0, 1.5], [1, 3]
    >>> symmetrise(g).es["weight"], symmetrise(g, "interactions").es["weight"]
    ([3.5], [4.0])
    """
    n = graph.vcount()
    if graph.ecount():
        e, w = vote_weights(graph) if ties == "interactions" else edge_arrays(graph)
        lo, hi = np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])
        uniq, inv = group_codes(lo * n + hi)
        ws = np.bincount(inv, weights=w, minlength=len(uniq))
    else:
        uniq, ws = np.zeros(0, dtype=np.int64), np.array([])
    a, b = uniq // max(n, 1), uniq % max(n, 1)
    und = ig.Graph(n=n, directed=False)
    und.add_edges(edge_pairs(a, b))  # no list of all tuples: ~0.8 GiB less at 10M rows
    und.es["weight"] = ws.tolist()
    und.vs["vid"] = list(range(n))
    remember_edges(und, a, b)
    return und


def leiden_membership(
    g: ig.Graph,
    *,
    objective: str = "modularity",
    resolution: float = 1.0,
    backend: str = "igraph",
    initial_membership: Sequence[int] | None = None,
    seed: int = 0,
    node_weights: np.ndarray | None = None,
    max_passes: int | None = None,
) -> np.ndarray:
    """One Leiden run on an undirected graph with edge attribute ``weight``; returns membership.

    ``backend="igraph"`` uses igraph's C implementation (much faster; it draws from a private
    ``random.Random(seed)`` through :func:`~nichegraph._random.igraph_seed`; the global random
    state is left alone), one pass at a time until a pass changes no one or gains less than
    :data:`PASS_GAIN` of the quality (at most :data:`MAX_PASSES`, or ``max_passes``);
    ``"leidenalg"`` uses ``leidenalg.find_partition`` (RB configuration model or CPM) until
    stable. ``node_weights`` (CPM only) are the node sizes of the Potts model.
    ``initial_membership`` (labels ``0..n-1``) is the partition the search starts from.

    >>> g = ig.Graph.Famous("Zachary"); g.es["weight"] = [1.0] * g.ecount()
    >>> int(leiden_membership(g, seed=1).max()) + 1 >= 2
    True
    """
    if g.vcount() == 0:
        return np.zeros(0, dtype=np.int64)
    if backend == "igraph":
        # One pass at a time: igraph 1.0's own ``n_iterations=-1`` can loop forever on small
        # weighted graphs (a 10-node example never returned), so the loop lives here.
        nw = None if node_weights is None else np.asarray(node_weights, dtype=float).tolist()
        with igraph_seed(seed):
            membership = None if initial_membership is None else list(initial_membership)
            quality = -np.inf
            for _ in range(max_passes or MAX_PASSES):
                # igraph's C call as Graph.community_leiden makes it (same arguments), without
                # the VertexClustering it wraps the result in (a list copy and a max per pass)
                new, q = ig.GraphBase.community_leiden(
                    g,
                    edge_weights="weight",
                    node_weights=nw,
                    node_in_weights=None,
                    resolution=resolution,
                    normalize_resolution=objective != "cpm",
                    beta=0.01,
                    initial_membership=membership,
                    n_iterations=1,
                )
                same = new == membership
                membership = new
                if same or q - quality < PASS_GAIN * abs(q):
                    break
                quality = q
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
        **({} if node_weights is None else {"node_sizes": np.asarray(node_weights).tolist()}),
    )  # fmt: skip
    return np.asarray(part.membership, dtype=np.int64)


def _groups(membership: np.ndarray) -> list[np.ndarray]:
    """Members of each community, largest first (ties: smallest member id first)."""
    order = np.argsort(membership, kind="stable")
    _, starts, counts = np.unique(membership[order], return_index=True, return_counts=True)
    first = order[starts]  # each community's smallest member (stable order: ids ascending)
    by = np.lexsort((first, -counts))  # a sort of Python keys took 0.5 s for Higgs' 100k+
    return [order[s : s + c] for s, c in zip(starts[by].tolist(), counts[by].tolist(), strict=True)]


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
    jobs: int | None = 1,
    **kw: Any,
) -> Segmentation:
    """Find hierarchical micro-segments of an interaction graph.

    The options are a :class:`SegmentOptions` or its fields as keywords (keywords win).
    ``objective`` is ``"modularity"`` (RB configuration model with ``resolution``) or
    ``"cpm"`` (constant Potts model, ``resolution`` = density threshold). Every segment of at
    least ``2 * min_size`` people is split again where its sub-segments stand apart: two tied by
    at least ``min_gain`` of the smaller one's volume are merged back (``min_gain=None``: no
    such splits);
    segments above ``max_size`` are split regardless (a hard cap, wherever Leiden can split).
    Last, people move to the leaf their interactions go to (:mod:`~nichegraph.segments.refine`;
    not with ``max_size``).
    Segments below ``min_size`` go to the fringe (segment 0). ``ties`` (``"interactions"`` or
    ``"weights"``) is what a tie weighs in every stage and in the reported modularity and
    segment figures (see the module docstring). ``progress(step)`` is called
    before the top-level run and before each level of splits (e.g. ``"split level 2 (40
    segments)"``).
    ``initial_membership`` (one label ``0..n-1`` per vertex, e.g. a previous run's segments)
    warm-starts the top-level run. ``jobs`` processes (``None``: every core) split the
    segments of a level side by side; the segments are the same for any ``jobs``.

    >>> import pandas as pd, nichegraph as ng
    >>> seg = ng.find_segments(ng.build_graph(pd.DataFrame(
    ...     {"source": list("abcabc"), "target": list("bcacab")})), min_size=2)
    >>> seg.n_segments, seg.to_frame()["segment"].tolist()
    (1, [1, 1, 1])
    """
    g = graph.graph if isinstance(graph, InteractionGraph) else graph
    seed = check_seed(seed)
    check_jobs(jobs)
    opts = check_segment_options(**{**(options.kwargs() if options else {}), **kw}).for_graph(g)
    objective, resolution, backend = opts.objective, float(opts.resolution), opts.backend
    min_gain, max_size, min_size = opts.min_gain, opts.max_size, opts.min_size

    und = symmetrise(g, opts.ties)  # every stage weighs ties as ``ties`` says
    if progress:
        progress("top-level Leiden")
    top = leiden_membership(
        und, objective=objective, resolution=resolution, backend=backend, seed=seed,
        initial_membership=initial_membership,
    )  # fmt: skip
    leaves, splits_tried, splits_kept = split_segments(
        und,
        _groups(top),
        resolution=resolution if objective == "modularity" else 1.0,
        min_gain=min_gain,
        max_size=max_size,
        split_min=max(2 * min_size, 4),
        min_size=min_size,
        backend=backend,
        seed=seed,
        leiden=leiden_membership,
        progress=progress,
        jobs=jobs,
    )
    if max_size is None:  # people move to the leaf their interactions go to (not under a cap)
        res = 1.0 if objective == "cpm" else resolution
        leaves = refine_leaves(und, leaves, resolution=res)

    n = g.vcount()
    leaf_of = np.zeros(n, dtype=np.int64)
    for i, leaf in enumerate(leaves):
        leaf_of[leaf.members] = i
    modularity = und.modularity(leaf_of.tolist(), weights="weight", resolution=1.0) if n else 0.0
    modularity_top = und.modularity(top.tolist(), weights="weight", resolution=1.0) if n else 0.0

    order = sorted(range(len(leaves)), key=lambda i: (-len(leaves[i].members), leaves[i].path))
    membership = np.zeros(n, dtype=np.int64)
    paths = np.empty(n, dtype=object)
    rows: list[dict[str, Any]] = []
    seg_id = 0
    for i in order:
        path, members, gain = leaves[i].path, leaves[i].members, leaves[i].gain
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
        "ties": opts.ties,
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
