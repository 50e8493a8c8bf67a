"""Where segments and people sit on a picture: one deterministic layout for the report's map
and the positions written to GEXF/GraphML.

Segments are laid out with igraph's Kamada–Kawai layout over the flows between them, started
from a fixed circle (no random numbers: the same segments and flows give the same positions).
Only the ``limit`` largest segments take part, and only the largest connected group of them
is laid out by flows; segments without flows to it sit on a rim around it, and the segments
beyond ``limit`` on a spiral further out. A
person sits inside their segment's disc on a golden-angle spiral ordered by rank (the top
influencer at the centre), so a whole graph is placed in one vectorised pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["people_positions", "segment_layout"]

_GOLDEN = np.pi * (3.0 - np.sqrt(5.0))


def segment_layout(
    sizes: pd.Series, flows: pd.DataFrame | None = None, *, limit: int = 300
) -> pd.DataFrame:
    """``segment, x, y, r`` per segment (index of ``sizes`` = segment id; radius ∝ √size).

    ``flows`` has ``from_segment``, ``to_segment``, ``weight``; positions span about
    [-1, 1] for the laid-out segments.

    >>> lay = segment_layout(pd.Series([30, 20, 10], index=[1, 2, 3]))
    >>> lay["segment"].tolist(), bool((lay["r"].diff().dropna() < 0).all())
    ([1, 2, 3], True)
    >>> lay.equals(segment_layout(pd.Series([30, 20, 10], index=[1, 2, 3])))
    True
    """
    import igraph as ig

    sizes = sizes.sort_values(ascending=False, kind="mergesort")
    ids = sizes.index.to_numpy()
    n = len(ids)
    k = min(n, limit)
    area = sizes.to_numpy(dtype=float)
    # circles of the laid-out segments cover about a quarter of the unit disc; none above 0.35
    c = np.sqrt(0.25 / max(float(area[:k].sum()), 1.0)) if n else 0.0
    r = np.minimum(c * np.sqrt(area), 0.35) if n else np.zeros(0)
    xy = np.zeros((n, 2))
    if k > 1:
        pos = {s: i for i, s in enumerate(ids[:k])}
        g = ig.Graph(n=k)
        if flows is not None and len(flows):
            f = flows[flows["from_segment"].isin(pos) & flows["to_segment"].isin(pos)]
            f = f[f["from_segment"] != f["to_segment"]]
            a = f["from_segment"].map(pos).to_numpy()
            b = f["to_segment"].map(pos).to_numpy()
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            und = pd.DataFrame({"a": lo, "b": hi, "w": f["weight"].to_numpy(float)})
            und = und.groupby(["a", "b"], sort=True)["w"].sum().reset_index()
            g.add_edges(list(zip(und["a"].tolist(), und["b"].tolist(), strict=True)))
        comps = g.connected_components()
        main = np.asarray(max(comps, key=len), dtype=np.int64)
        if len(main) > 1:  # the connected core by Kamada-Kawai from a fixed circle
            sub = g.induced_subgraph(main.tolist())
            m = len(main)
            angle = 2 * np.pi * np.arange(m) / m
            start = np.column_stack([np.cos(angle), np.sin(angle)]) * np.sqrt(m)
            coords = np.asarray(sub.layout_kamada_kawai(seed=start.tolist(), maxiter=50 * m).coords)
            coords -= coords.mean(axis=0)
            dist = np.hypot(coords[:, 0], coords[:, 1])
            unit = dist / (dist.max() or 1.0)
            # weakly tied segments sit far out: spread the dense middle (radius ** 0.5)
            safe = np.where(dist > 0, dist, 1.0)
            coords *= np.where(dist > 0, np.sqrt(unit) / safe, 0.0)[:, None]
            xy[main] = coords
        rest = np.setdiff1d(np.arange(k), main if len(main) > 1 else [])
        if len(rest):  # segments with no flow to the core: on a rim around it, largest first
            i = np.arange(len(rest))
            rad = 1.15 + 0.25 * (i + 1) / len(rest)
            xy[rest] = np.column_stack([np.cos(i * _GOLDEN), np.sin(i * _GOLDEN)]) * rad[:, None]
    if n > k:  # the rest on a spiral outside the laid-out ones
        i = np.arange(n - k)
        rad = 1.5 + 0.5 * np.sqrt((i + 1) / (n - k))
        xy[k:] = np.column_stack([np.cos(i * _GOLDEN), np.sin(i * _GOLDEN)]) * rad[:, None]
    return pd.DataFrame({"segment": ids, "x": xy[:, 0], "y": xy[:, 1], "r": r})


def people_positions(
    segment: np.ndarray, rank: np.ndarray, layout: pd.DataFrame, *, scale: float = 1000.0
) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` per person: inside their segment's disc, by ``rank`` (1 = centre).

    People of a segment absent from ``layout`` (e.g. the fringe) share a disc below the map.

    >>> lay = segment_layout(pd.Series([3, 2], index=[1, 2]))
    >>> x, y = people_positions(np.array([1, 1, 2]), np.array([1, 2, 1]), lay)
    >>> bool(x[0] != x[1]), len(x)
    (True, 3)
    """
    segment = np.asarray(segment)
    rank = np.asarray(rank, dtype=float)
    lay = layout.set_index("segment")
    known = np.isin(segment, lay.index.to_numpy())
    cx = np.where(known, pd.Series(segment).map(lay["x"]).fillna(0.0).to_numpy(), 0.0)
    cy = np.where(known, pd.Series(segment).map(lay["y"]).fillna(0.0).to_numpy(), -1.6)
    cr = np.where(known, pd.Series(segment).map(lay["r"]).fillna(0.1).to_numpy(), 0.15)
    size = pd.Series(segment).map(pd.Series(segment).value_counts()).to_numpy(dtype=float)
    k = np.maximum(rank - 1, 0)
    rad = cr * np.sqrt((k + 0.5) / np.maximum(size, 1.0))
    x = cx + rad * np.cos(k * _GOLDEN)
    y = cy + rad * np.sin(k * _GOLDEN)
    return np.round(x * scale, 3), np.round(y * scale, 3)
