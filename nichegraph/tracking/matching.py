"""Match the segments of two partitions through one sparse overlap table.

Both partitions are compared on the people present in both (a newcomer or a leaver says
nothing about whether a segment continued). From the contingency table of those people
(scikit-learn's ``contingency_matrix(sparse=True)`` shape) come every pair's overlap, Jaccard
index and forward / backward shares, and the one-to-one maximum-weight assignment
(``scipy.optimize.linear_sum_assignment``) that decides which segment inherits which id.
The fringe (segment ``0``) is never matched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix

__all__ = ["INHERIT", "LINK", "OVERLAP_COLUMNS", "assign", "common_people", "overlap_table"]

#: Two segments are linked (related) when their Jaccard index exceeds this.
LINK = 0.1
#: A segment inherits a previous segment's id when their Jaccard index reaches this.
INHERIT = 0.3

#: Columns of :func:`overlap_table`.
OVERLAP_COLUMNS = [
    "segment_a",
    "segment_b",
    "overlap",
    "common_a",
    "common_b",
    "jaccard",
    "share_of_a",
    "share_of_b",
]


def common_people(a: pd.Series, b: pd.Series) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """The people in both ``a`` and ``b`` (in ``b``'s order) and their segments in each.

    >>> common_people(pd.Series({"x": 1, "y": 2}), pd.Series({"y": 5, "z": 6}))[0].tolist()
    ['y']
    """
    pos = a.index.get_indexer(b.index)
    both = pos >= 0
    sa = a.to_numpy(dtype=np.int64)[pos[both]]
    return b.index[both], sa, b.to_numpy(dtype=np.int64)[both]


def overlap_table(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """Every pair of segments sharing people, measured on the people present in both.

    ``a`` and ``b`` map person -> segment id (``0`` = fringe, ignored as a segment but the
    person still counts as present). ``common_a`` is segment ``a``'s size among the common
    people; ``share_of_a`` = overlap / common_a (and the same for ``b``).

    >>> a = pd.Series({"x": 1, "y": 1, "z": 2, "w": 2})
    >>> b = pd.Series({"x": 5, "y": 5, "z": 5, "v": 6})
    >>> t = overlap_table(a, b)
    >>> t[["segment_a", "segment_b", "overlap"]].values.tolist(), t["jaccard"].round(3).tolist()
    ([[1, 5, 2], [2, 5, 1]], [0.667, 0.333])
    """
    _, sa, sb = common_people(a, b)
    ids_a, ia = np.unique(sa, return_inverse=True)
    ids_b, ib = np.unique(sb, return_inverse=True)
    size_a = np.bincount(ia, minlength=len(ids_a))
    size_b = np.bincount(ib, minlength=len(ids_b))
    keep = (sa != 0) & (sb != 0)
    table = coo_matrix(
        (np.ones(int(keep.sum()), dtype=np.int64), (ia[keep], ib[keep])),
        shape=(len(ids_a), len(ids_b)),
    ).tocsr()
    table.sum_duplicates()
    t = table.tocoo()
    order = np.lexsort((t.col, t.row))
    r, c, n = t.row[order], t.col[order], t.data[order].astype(np.int64)
    ca, cb = size_a[r], size_b[c]
    return pd.DataFrame(
        {
            "segment_a": ids_a[r],
            "segment_b": ids_b[c],
            "overlap": n,
            "common_a": ca,
            "common_b": cb,
            "jaccard": n / (ca + cb - n),
            "share_of_a": n / ca,
            "share_of_b": n / cb,
        },
        columns=OVERLAP_COLUMNS,
    )


def assign(overlaps: pd.DataFrame, *, inherit: float = INHERIT) -> pd.DataFrame:
    """The one-to-one assignment of maximum total Jaccard among pairs with Jaccard >= ``inherit``.

    Pairs are split into connected groups first (a segment has at most ``1 / inherit`` such
    partners), so ``linear_sum_assignment`` only runs on the few groups with a choice.
    Returns the chosen rows of ``overlaps``, sorted by ``segment_a``.

    >>> o = pd.DataFrame({"segment_a": [1, 1, 2], "segment_b": [7, 8, 7],
    ...                   "jaccard": [0.5, 0.4, 0.45]})
    >>> assign(o)[["segment_a", "segment_b"]].values.tolist()
    [[1, 8], [2, 7]]
    """
    from scipy.optimize import linear_sum_assignment  # 0.3 s to import: only when tracking
    from scipy.sparse.csgraph import connected_components

    cand = overlaps[overlaps["jaccard"] >= inherit]
    if cand.empty:
        return cand.copy()
    ua, ra = np.unique(cand["segment_a"].to_numpy(), return_inverse=True)
    ub, rb = np.unique(cand["segment_b"].to_numpy(), return_inverse=True)
    na, nb = len(ua), len(ub)
    adj = coo_matrix((np.ones(len(cand)), (ra, na + rb)), shape=(na + nb, na + nb))
    _, comp = connected_components(adj, directed=False)
    pair_comp = comp[ra]
    counts = np.bincount(pair_comp)
    chosen = counts[pair_comp] == 1  # a group of one pair: nothing to choose
    jac = cand["jaccard"].to_numpy(dtype=float)
    for g in np.flatnonzero(counts > 1):
        rows = np.flatnonzero(pair_comp == g)
        la, ia = np.unique(ra[rows], return_inverse=True)
        lb, ib = np.unique(rb[rows], return_inverse=True)
        weight = np.zeros((len(la), len(lb)))
        weight[ia, ib] = jac[rows]
        ri, ci = linear_sum_assignment(weight, maximize=True)
        picked = {(int(x), int(y)) for x, y in zip(ri, ci, strict=True) if weight[x, y] > 0}
        for k, row in enumerate(rows):
            chosen[row] = (int(ia[k]), int(ib[k])) in picked
    return cand[chosen].sort_values("segment_a", kind="mergesort").reset_index(drop=True)
