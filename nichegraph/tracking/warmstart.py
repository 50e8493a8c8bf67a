"""Start a run from the previous one: the options it used, or its segments held fixed.

By default a tracked run starts Leiden from the previous partition
(:func:`~nichegraph.tracking.lineage.initial_membership` passed to ``find_segments``).
:func:`place_newcomers` (``--freeze-previous``) keeps everyone who was in a segment where they
were and only places the others: leidenalg's optimiser with those memberships fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._random import check_seed
from ..graph.build import InteractionGraph
from ..segments.consensus import segmentation_from_membership
from ..segments.leiden import symmetrise
from ..segments.result import FRINGE, Segmentation
from .lineage import Tracking, initial_membership, persistent_ids, relabel_segmentation
from .runs import RunView

__all__ = ["FOLLOWED_OPTIONS", "follow_previous", "place_newcomers", "previous_options"]

#: Options a tracked run takes from the previous run's ``run.json`` unless given.
FOLLOWED_OPTIONS = ("objective", "resolution", "ties", "seed")


def previous_options(previous: RunView) -> dict[str, Any]:
    """The objective, resolution, ties and seed the previous run used (from its ``run.json``).

    >>> import pandas as pd
    >>> v = RunView(pd.Series(dtype=int), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
    ...             {"parameters": {"objective": "cpm", "resolution": 0.5, "seed": 3}}, "x")
    >>> previous_options(v)
    {'objective': 'cpm', 'resolution': 0.5, 'seed': 3}
    """
    params = previous.manifest.get("parameters") or {}
    return {k: params[k] for k in FOLLOWED_OPTIONS if params.get(k) is not None}


def place_newcomers(
    graph: InteractionGraph,
    previous: pd.Series,
    *,
    objective: str = "modularity",
    resolution: float = 1.0,
    min_size: int = 5,
    max_size: int | None = None,
    seed: int | None = None,
    ties: str = "interactions",
) -> Segmentation:
    """Segments where everyone in a previous segment (``previous``: person -> id) stays put.

    Newcomers and the previous fringe join the segment that gains most from them, or form
    new groups among themselves (leidenalg, ``is_membership_fixed``; ties weighed as
    ``ties`` says, see :class:`~nichegraph.SegmentOptions`); groups below ``min_size`` form
    the fringe. Ids are this run's (largest first), to be matched.

    >>> import nichegraph as ng
    >>> g = ng.build_graph(pd.DataFrame({"source": list("abcabd"), "target": list("bcacab")}))
    >>> seg = place_newcomers(g, pd.Series({"a": 1, "b": 1, "c": 2}), min_size=1)
    >>> dict(zip(seg.names, seg.membership.tolist()))["a"] == dict(zip(seg.names,
    ...      seg.membership.tolist()))["b"]
    True
    """
    import leidenalg

    seed = check_seed(seed)
    names = list(graph.graph.vs["name"])
    start = initial_membership(names, previous)
    fixed = (previous.reindex(pd.Index(names)).fillna(FRINGE) != FRINGE).tolist()
    und = symmetrise(graph.graph, ties)
    ptype = (
        leidenalg.CPMVertexPartition
        if objective == "cpm"
        else leidenalg.RBConfigurationVertexPartition
    )
    part = ptype(
        und, initial_membership=start.tolist(), weights="weight", resolution_parameter=resolution
    )
    opt = leidenalg.Optimiser()
    opt.set_rng_seed(seed)
    opt.optimise_partition(part, n_iterations=-1, is_membership_fixed=fixed)
    params = {
        "objective": objective,
        "resolution": resolution,
        "min_size": min_size,
        "max_size": max_size,
        "ties": ties,
        "seed": seed,
        "frozen_previous": int(np.sum(fixed)),
        "versions": {"leidenalg": leidenalg.version},
    }
    membership = np.asarray(part.membership, dtype=np.int64)
    return segmentation_from_membership(
        graph, membership, min_size=min_size, max_size=max_size, params=params, ties=ties
    )


def follow_previous(
    detect: Callable[[], Segmentation],
    graph: InteractionGraph,
    previous: RunView,
    options: Mapping[str, Any],
    *,
    freeze: bool = False,
    warm: bool = True,
    seed: int | None = None,
) -> tuple[Segmentation, Tracking]:
    """The segmentation of a run that follows ``previous``, with persistent ids.

    ``detect()`` is the run's own detection (warm-started or not by the caller); with
    ``freeze`` it is skipped for :func:`place_newcomers` (``options``: the segment options).
    Returns the relabelled segmentation and how its ids came about (``run.json``'s
    ``tracking`` section: previous run, warm start, ids inherited / new / revived).
    """
    if freeze:  # previous members stay put; only the others are placed
        keys = ("objective", "resolution", "min_size", "max_size", "ties")
        seg = place_newcomers(graph, previous.members, seed=seed, **{k: options[k] for k in keys})
    else:
        seg = detect()
    t = persistent_ids(
        previous.members, seg, lineage=previous.lineage, names=previous.names,
        dormant=previous.dormant, run=int(previous.tracking.get("run", 1)) + 1,
    )  # fmt: skip
    warm_start = "frozen" if freeze else "initial" if warm else "none"
    info = {**t.info, "previous_run": previous.run_id, "warm_start": warm_start}
    return relabel_segmentation(seg, t.mapping), Tracking(t.mapping, t.lineage, t.names, info)
