"""Per-segment quality figures, computed in one vectorised pass over the edge list."""

from __future__ import annotations

from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from ..graph.arrays import edge_arrays

__all__ = ["segment_quality"]


def segment_quality(
    und: ig.Graph, membership: np.ndarray, rows: list[dict[str, Any]], *, max_size: int | None
) -> pd.DataFrame:
    """Add size, internal/external weight, density and conductance to the segment ``rows``.

    ``und`` is the symmetrised graph detection ran on (its ``weight``: interactions or the
    graph's weights, summed over both directions, as the option ``ties`` says). Internal weight
    is the engagement between members; external weight the engagement crossing the boundary
    (either direction); density = internal ties / possible ties; conductance =
    external / min(volume inside, volume outside), volume = sum of weighted degrees.
    """
    table = pd.DataFrame(rows, columns=["segment", "path", "parent", "depth", "split_gain"])
    k = int(membership.max()) + 1 if len(membership) else 1
    size = np.bincount(membership, minlength=k)
    if und.ecount():
        e, w = edge_arrays(und)
        a, b = membership[e[:, 0]], membership[e[:, 1]]
        same = a == b
        internal_w = np.bincount(a[same], weights=w[same], minlength=k)
        internal_ties = np.bincount(a[same], minlength=k)
        cross = ~same
        external_w = np.bincount(a[cross], weights=w[cross], minlength=k) + np.bincount(
            b[cross], weights=w[cross], minlength=k
        )
    else:
        internal_w = external_w = np.zeros(k)
        internal_ties = np.zeros(k, dtype=np.int64)
    volume = 2 * internal_w + external_w
    total = volume.sum()
    seg = table["segment"].to_numpy(dtype=np.int64)
    n = size[seg]
    possible = n * (n - 1) / 2
    denom = np.minimum(volume[seg], total - volume[seg])
    with np.errstate(divide="ignore", invalid="ignore"):
        table["size"] = n
        table["internal_weight"] = internal_w[seg]
        table["external_weight"] = external_w[seg]
        table["density"] = np.where(possible > 0, internal_ties[seg] / possible, 0.0)
        table["conductance"] = np.where(denom > 0, external_w[seg] / denom, 0.0)
    table["oversize"] = (n > max_size) if max_size is not None else False
    return table
