"""Consensus segmentation over seeds (Lancichinetti & Fortunato 2012, *Sci. Rep.* 2: 336).

1. Run the detection ``runs`` times (seeds derived from one root seed).
2. Weight every tie of the graph by the share of runs in which its two ends share a segment
   (the consensus matrix restricted to the graph's ties, the paper's fast variant for large
   graphs; the triadic closure step of that variant is left out). Fringe members never share.
3. Drop ties below ``threshold`` (tau); a person who would lose every tie keeps their
   strongest one, unless it is 0 (then they stay alone, and end up in the fringe).
4. Run Leiden ``runs`` times on the consensus-weighted graph (same objective, resolution and
   size cap; no sub-split tests: the first round made them, the weights encode them); stop
   when every run gives the same partition, else go back to 2 with these runs (at most
   ``max_rounds`` rounds; then the first run of the last round is kept).

The final partition's segments are measured on the original graph's ties, weighed as the
option ``ties`` says (size, weights, density, conductance), and numbered by size, largest
first; the hierarchy of the runs is not kept (every segment is top level, path = its id).
"""

from __future__ import annotations

from typing import Any

import igraph as ig
import numpy as np

from .._random import check_seed, spawn_seeds
from ..errors import InputError
from ..graph.arrays import edge_arrays
from ..graph.build import InteractionGraph
from .leiden import _versions, symmetrise
from .quality import segment_quality
from .result import FRINGE, Segmentation, path_text
from .stability import (
    DEFAULT_RUNS,
    _check_runs,
    _options,
    run_memberships,
    singleton_fringe,
)

__all__ = [
    "CONSENSUS_THRESHOLD",
    "MAX_ROUNDS",
    "consensus_segments",
    "segmentation_from_membership",
]

#: Ties that fewer than this share of runs keep inside one segment are dropped (tau).
CONSENSUS_THRESHOLD = 0.5
#: Rounds of re-detection on the consensus graph before giving up on full agreement.
MAX_ROUNDS = 10
# On the consensus graph: Leiden's communities as they are (the first round's runs already made
# the structure-tested splits; the consensus weights encode them) and no fringe yet.
_ROUND_OPTIONS = {"min_gain": None, "min_size": 1}


def segmentation_from_membership(
    graph: InteractionGraph | ig.Graph,
    membership: np.ndarray,
    *,
    min_size: int = 5,
    max_size: int | None = None,
    params: dict[str, Any] | None = None,
    ties: str = "interactions",
) -> Segmentation:
    """A flat :class:`Segmentation` from any labelling of the vertices.

    Groups are renumbered by size (largest first, ties by smallest member id); groups smaller
    than ``min_size`` (and label ``0`` is treated as any other label) form the fringe.
    Modularity and segment quality weigh ties as ``ties`` says (see :func:`symmetrise`).

    >>> g = ig.Graph.Famous("Zachary"); g.es["weight"] = [1.0] * g.ecount()
    >>> seg = segmentation_from_membership(g, np.array([0] * 17 + [1] * 17), min_size=2)
    >>> seg.n_segments, seg.segments["size"].tolist()
    (2, [17, 17])
    """
    g = graph.graph if isinstance(graph, InteractionGraph) else graph
    n = g.vcount()
    labels = np.asarray(membership, dtype=np.int64)
    if labels.shape != (n,):
        raise InputError(f"membership must have one label per person ({n}), got {labels.shape}")
    _, first, inv, counts = np.unique(
        labels, return_index=True, return_inverse=True, return_counts=True
    )
    order = np.lexsort((first, -counts))  # largest first, then by smallest member id
    kept = counts[order] >= min_size
    new_id = np.zeros(len(counts), dtype=np.int64)
    new_id[order[kept]] = np.arange(1, int(kept.sum()) + 1)
    seg = new_id[inv.reshape(-1)]
    k = int(kept.sum())
    rows: list[dict[str, Any]] = [
        {"segment": i, "path": path_text((i,)), "parent": "", "depth": 1, "split_gain": None}
        for i in range(1, k + 1)
    ]
    if (seg == FRINGE).any():
        rows.append(
            {"segment": FRINGE, "path": "fringe", "parent": "", "depth": 0, "split_gain": None}
        )
    und = symmetrise(g, ties)
    paths = np.where(seg == FRINGE, "fringe", np.char.add("s", seg.astype(str))).astype(object)
    modularity = und.modularity(seg.tolist(), weights="weight") if und.ecount() else 0.0
    return Segmentation(
        names=tuple(g.vs["name"]) if "name" in g.vs.attributes() else tuple(map(str, range(n))),
        membership=seg,
        paths=paths,
        segments=segment_quality(und, seg, rows, max_size=max_size),
        modularity=float(modularity),
        modularity_top=float(modularity),
        params=dict(params or {}),
    )


def _agreement(edges: np.ndarray, memberships: np.ndarray) -> np.ndarray:
    """Share of runs in which the two ends of every edge share a segment (fringe: never)."""
    share = np.zeros(len(edges))
    for row in memberships:
        m = singleton_fringe(row)
        share += m[edges[:, 0]] == m[edges[:, 1]]
    return share / len(memberships)


def _keep(edges: np.ndarray, share: np.ndarray, n: int, threshold: float) -> np.ndarray:
    """Ties at or above ``threshold``, plus each person's strongest tie if they would lose all."""
    keep = share >= threshold
    both = np.concatenate([edges[:, 0], edges[:, 1]])
    idx = np.concatenate([np.arange(len(edges))] * 2)
    has = np.zeros(n, dtype=bool)
    has[both[np.concatenate([keep, keep])]] = True
    order = np.lexsort((idx, -share[idx], both))  # per person: strongest tie first
    first = order[np.r_[True, both[order][1:] != both[order][:-1]]] if len(order) else order
    rescue = idx[first][~has[both[first]] & (share[idx[first]] > 0)]
    keep[rescue] = True
    return keep


def _same_partition(memberships: np.ndarray) -> bool:
    """Whether every row is the same partition (labels may differ)."""
    canon = []
    for row in memberships:
        m = singleton_fringe(row)
        _, first, inv = np.unique(m, return_index=True, return_inverse=True)
        rank = np.empty(len(first), dtype=np.int64)
        rank[np.argsort(first)] = np.arange(len(first))
        canon.append(rank[inv.reshape(-1)])
    return all(np.array_equal(canon[0], c) for c in canon[1:])


def consensus_segments(
    graph: InteractionGraph | ig.Graph,
    *,
    runs: int = DEFAULT_RUNS,
    threshold: float = CONSENSUS_THRESHOLD,
    max_rounds: int = MAX_ROUNDS,
    memberships: np.ndarray | None = None,
    seed: int | None = None,
    **options: Any,
) -> Segmentation:
    """The consensus of ``runs`` runs of :func:`find_segments` (see the module docstring).

    ``options`` are those of :func:`find_segments`; ``memberships`` (runs x people) reuses
    first-round runs made before with :func:`run_memberships`. ``params["consensus"]`` records
    the rounds made and whether the runs came to agree.

    >>> import nichegraph as ng
    >>> g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    >>> seg = consensus_segments(g, runs=3, seed=1)
    >>> seg.params["consensus"]["converged"], seg.n_segments > 5
    (True, True)
    """
    g = graph.graph if isinstance(graph, InteractionGraph) else graph
    runs = _check_runs(runs)
    _check_runs(max_rounds, "max_rounds")
    if not (isinstance(threshold, int | float) and 0 < threshold <= 1):
        raise InputError(f"consensus threshold must be in (0, 1], got {threshold!r}")
    seed = check_seed(seed)
    opts = _options(None, options)
    if memberships is None:
        memberships = run_memberships(g, runs=runs, seed=seed, **opts)
    memberships = np.asarray(memberships)
    n = g.vcount()
    und = symmetrise(g)
    edges, _ = edge_arrays(und, None)
    round_seeds = spawn_seeds(seed, runs + max_rounds)[runs:]  # after the first round's
    rounds, converged = 0, _same_partition(memberships)
    while not converged and rounds < max_rounds:
        share = _agreement(edges, memberships)
        keep = _keep(edges, share, n, threshold)
        cg = ig.Graph(n=n, edges=edges[keep].tolist(), directed=False)
        cg.es["weight"] = share[keep].tolist()
        memberships = run_memberships(
            cg, runs=len(memberships), seed=round_seeds[rounds], **{**opts, **_ROUND_OPTIONS}
        )
        rounds += 1
        converged = _same_partition(memberships)
    params = {
        **opts,
        "seed": seed,
        "versions": _versions(opts.get("backend", "igraph")),
        "consensus": {
            "method": "Lancichinetti & Fortunato 2012, consensus restricted to ties",
            "runs": len(memberships),
            "threshold": threshold,
            "rounds": rounds,
            "converged": bool(converged),
        },
    }
    return segmentation_from_membership(
        g,
        singleton_fringe(memberships[0]),
        min_size=opts["min_size"],
        max_size=opts.get("max_size"),
        params=params,
        ties=opts["ties"],
    )
