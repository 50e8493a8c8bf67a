"""Engagement flowing between segments: which segments listen to which.

One vectorised pass over the graph's edges: each edge ``a -> b`` (``a`` engaged with ``b``)
whose ends are in different segments adds its weight and interaction count to the flow from
``a``'s segment to ``b``'s. The fringe takes part as segment ``0`` (path ``fringe``), so every
edge that leaves or enters a segment is counted; edges with both ends in the fringe are, like
edges inside a segment, not a flow between segments. The flows therefore sum exactly to the
graph's between-segment weight: the weight of all edges whose ends have different segment
ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..graph.arrays import edge_arrays
from ..graph.build import InteractionGraph
from .result import Segmentation

__all__ = ["FLOW_COLUMNS", "between_segment_weight", "segment_flows"]

#: Columns of :func:`segment_flows`.
FLOW_COLUMNS = [
    "from_segment",
    "from_path",
    "to_segment",
    "to_path",
    "weight",
    "interactions",
    "share_of_from",
    "share_of_to",
]


def _edge_segments(graph: InteractionGraph, segmentation: Segmentation):
    """(source segment, target segment, weight, count) per edge; checks the two agree."""
    if tuple(graph.names) != tuple(segmentation.names):
        raise InputError(
            "the segmentation was not made from this graph (vertex names differ); "
            "segment the same graph with find_segments(graph)"
        )
    g = graph.graph
    if not g.ecount():
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=float), empty
    e, w = edge_arrays(g)
    member = np.asarray(segmentation.membership, dtype=np.int64)
    count = (
        np.asarray(g.es["count"], dtype=np.int64)
        if "count" in g.es.attributes()
        else np.ones(len(w), dtype=np.int64)
    )
    return member[e[:, 0]], member[e[:, 1]], w, count


def between_segment_weight(graph: InteractionGraph, segmentation: Segmentation) -> float:
    """Total weight of the edges whose two ends are in different segments (fringe = ``0``).

    >>> import nichegraph as ng
    >>> g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    >>> seg = ng.find_segments(g, seed=1)
    >>> flows = ng.segment_flows(g, seg)
    >>> bool(np.isclose(flows["weight"].sum(), between_segment_weight(g, seg)))
    True
    """
    a, b, w, _ = _edge_segments(graph, segmentation)
    return float(w[a != b].sum())


def segment_flows(graph: InteractionGraph, segmentation: Segmentation) -> pd.DataFrame:
    """One row per ordered pair of segments with engagement from the first to the second.

    ``weight`` is the summed edge weight (kind weights and time decay applied, as in the graph),
    ``interactions`` the number of interactions behind it; ``share_of_from`` is the flow as a
    share of *all* engagement the ``from`` segment's members give (inside their own segment
    included), ``share_of_to`` as a share of all engagement the ``to`` segment's members
    receive. The fringe is segment ``0``. Rows are sorted by weight, largest first (ties by
    segment ids), so the first row is the top flow.

    >>> import nichegraph as ng
    >>> g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    >>> flows = segment_flows(g, ng.find_segments(g, seed=1))
    >>> list(flows.columns[:5])
    ['from_segment', 'from_path', 'to_segment', 'to_path', 'weight']
    >>> bool((flows["from_segment"] != flows["to_segment"]).all())
    True
    """
    a, b, w, count = _edge_segments(graph, segmentation)
    seg_table = segmentation.segments
    ids = seg_table["segment"].to_numpy(dtype=np.int64)
    k = int(max(ids.max(initial=0), np.max(a, initial=0), np.max(b, initial=0))) + 1
    out_total = np.bincount(a, weights=w, minlength=k)
    in_total = np.bincount(b, weights=w, minlength=k)
    cross = a != b
    kt = np.int32 if k * k < 2**31 else np.int64  # int32 keys sort twice as fast
    key = a[cross].astype(kt) * kt(k) + b[cross].astype(kt)
    pairs, inv = np.unique(key, return_inverse=True)
    pairs = pairs.astype(np.int64)
    flow_w = np.bincount(inv, weights=w[cross], minlength=len(pairs))
    flow_n = np.bincount(inv, weights=count[cross], minlength=len(pairs)).astype(np.int64)
    src, dst = pairs // k, pairs % k
    path_of = np.full(k, "", dtype=object)
    path_of[ids] = seg_table["path"].to_numpy(dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame = pd.DataFrame(
            {
                "from_segment": src,
                "from_path": path_of[src],
                "to_segment": dst,
                "to_path": path_of[dst],
                "weight": flow_w,
                "interactions": flow_n,
                "share_of_from": np.where(out_total[src] > 0, flow_w / out_total[src], 0.0),
                "share_of_to": np.where(in_total[dst] > 0, flow_w / in_total[dst], 0.0),
            }
        )
    order = np.lexsort((dst, src, -flow_w))
    return frame.iloc[order].reset_index(drop=True)
