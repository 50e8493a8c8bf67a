"""Persistent segment ids: match a new segmentation to the previous run's, keep the history.

A new segment inherits a previous segment's id when the one-to-one assignment of
:func:`~nichegraph.tracking.matching.assign` pairs them (Jaccard >= ``inherit`` on the people
present in both runs). Every other segment gets a new id, never used before: the next one
after the largest id in the lineage. The lineage (``lineage.csv``) has one row per id ever
used: its status (``active``; ``dormant`` while unmatched for fewer than ``gone_after`` runs;
then ``gone``), the runs it was first and last seen in, the runs missed in a row, the
previous segments it is linked to (Jaccard > ``link``) and the name a person gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..segments.result import FRINGE, Segmentation
from .matching import INHERIT, LINK, assign, overlap_table

__all__ = [
    "GONE_AFTER",
    "LINEAGE_COLUMNS",
    "Tracking",
    "initial_membership",
    "lifecycle",
    "persistent_ids",
    "relabel_segmentation",
    "start_lineage",
]

#: A segment unmatched for this many runs in a row is gone (dormant before).
GONE_AFTER = 3
#: Columns of ``lineage.csv``.
LINEAGE_COLUMNS = ["segment", "status", "first_run", "last_run", "missed", "parents", "name"]


@dataclass(frozen=True, eq=False)
class Tracking:
    """How one run's segments got their persistent ids.

    ``mapping``: detected id -> persistent id. ``lineage``: :data:`LINEAGE_COLUMNS`.
    ``names``: persistent id -> the name a person gave it. ``info``: the ``tracking`` section of
    ``run.json`` (previous run id, run number, warm start, counts matched / new / revived).
    """

    mapping: dict[int, int]
    lineage: pd.DataFrame
    names: dict[int, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def start_lineage(segment_ids: Any, *, run: int = 1, names: dict[int, str] | None = None):
    """The lineage of an untracked run: every segment active, first seen in ``run``.

    >>> start_lineage([1, 2])[["segment", "status", "first_run"]].values.tolist()
    [[1, 'active', 1], [2, 'active', 1]]
    """
    ids = sorted(int(s) for s in segment_ids if int(s) != FRINGE)
    names = names or {}
    return pd.DataFrame(
        {
            "segment": ids,
            "status": "active",
            "first_run": run,
            "last_run": run,
            "missed": 0,
            "parents": "",
            "name": [names.get(s, "") for s in ids],
        },
        columns=LINEAGE_COLUMNS,
    )


def initial_membership(names: Any, previous: pd.Series) -> np.ndarray:
    """Labels ``0..k-1`` to start Leiden from: each person's previous segment, else alone.

    Newcomers and the previous run's fringe each start in a community of their own.

    >>> initial_membership(["a", "b", "c", "d"], pd.Series({"a": 4, "b": 4, "c": 0})).tolist()
    [0, 0, 1, 2]
    """
    names = pd.Index(list(names))
    prev = previous.reindex(names).fillna(FRINGE).to_numpy(dtype=np.int64)
    alone = prev == FRINGE
    key = np.where(alone, -1 - np.arange(len(names)), prev)  # a unique key for each loner
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))  # labels by first member
    return rank[inv.reshape(-1)]


def lifecycle(lineage: pd.DataFrame, gone_after: int = GONE_AFTER) -> pd.DataFrame:
    """Statuses from the runs missed in a row: active, dormant, gone after ``gone_after``.

    >>> book = start_lineage([1, 2]).assign(missed=[0, 2], status=["active", "dormant"])
    >>> lifecycle(book, 2)["status"].tolist()
    ['active', 'gone']
    """
    missed = lineage["missed"].to_numpy()
    status = np.where(missed == 0, "active", np.where(missed >= gone_after, "gone", "dormant"))
    return lineage.assign(status=status)


def relabel_segmentation(seg: Segmentation, mapping: dict[int, int]) -> Segmentation:
    """``seg`` with its segment ids replaced by ``mapping`` (fringe stays ``0``).

    >>> import igraph as ig
    >>> from nichegraph.segments.consensus import segmentation_from_membership
    >>> g = ig.Graph.Famous("Zachary"); g.es["weight"] = [1.0] * g.ecount()
    >>> s = segmentation_from_membership(g, np.array([0] * 20 + [1] * 14), min_size=2)
    >>> relabel_segmentation(s, {1: 7, 2: 3}).segments["segment"].tolist()
    [7, 3]
    """
    k = int(seg.membership.max()) + 1 if len(seg.membership) else 1
    lookup = np.zeros(max(k, 1), dtype=np.int64)
    for old, new in mapping.items():
        if 0 <= old < len(lookup):
            lookup[old] = new
    table = seg.segments.copy()
    table["segment"] = table["segment"].map(lambda s: mapping.get(int(s), int(s))).astype(np.int64)
    params = {**seg.params, "persistent_ids": True}
    return replace(seg, membership=lookup[seg.membership], segments=table, params=params)


def _previous_lineage(previous: pd.Series, lineage: pd.DataFrame | None, run: int, names):
    if lineage is not None and len(lineage):
        out = lineage.copy()
        out["parents"] = out["parents"].fillna("").astype(str)
        out["name"] = out["name"].fillna("").astype(str)
        for s, n in (names or {}).items():  # names from labels.csv win
            out.loc[out["segment"] == s, "name"] = n
        return out
    return start_lineage(previous[previous != FRINGE].unique(), run=run - 1, names=names)


def persistent_ids(
    previous: pd.Series,
    seg: Segmentation,
    *,
    lineage: pd.DataFrame | None = None,
    names: dict[int, str] | None = None,
    dormant: dict[int, pd.Index] | None = None,
    run: int = 2,
    inherit: float = INHERIT,
    link: float = LINK,
    gone_after: int = GONE_AFTER,
) -> Tracking:
    """Give ``seg``'s segments persistent ids by matching them to ``previous`` (person -> id).

    ``lineage`` is the previous run's (``None``: every previous segment starts one); ``names``
    the previous run's ``labels.csv``; ``dormant`` maps dormant ids to their last members,
    matched (same rules) by the segments no active one claimed. ``run`` is this run's number.

    >>> import igraph as ig
    >>> from nichegraph.segments.consensus import segmentation_from_membership
    >>> g = ig.Graph.Famous("Zachary"); g.es["weight"] = [1.0] * g.ecount()
    >>> g.vs["name"] = [f"p{i}" for i in range(34)]
    >>> s = segmentation_from_membership(g, np.array([0] * 20 + [1] * 14), min_size=2)
    >>> prev = pd.Series([5] * 20 + [0] * 14, index=[f"p{i}" for i in range(34)])
    >>> persistent_ids(prev, s).mapping
    {1: 5, 2: 6}
    """
    current = pd.Series(seg.membership, index=pd.Index(seg.names, dtype=object))
    book = _previous_lineage(previous, lineage, run, names)
    overlaps = overlap_table(previous, current)
    chosen = assign(overlaps, inherit=inherit)
    mapping = dict(zip(chosen["segment_b"].tolist(), chosen["segment_a"].tolist(), strict=True))
    revived: list[int] = []
    new_ids = [int(s) for s in seg.segments["segment"] if s != FRINGE and int(s) not in mapping]
    if dormant and new_ids:
        label = pd.Series(
            np.concatenate([np.full(len(m), s) for s, m in dormant.items()]),
            index=np.concatenate([np.asarray(m, dtype=object) for m in dormant.values()]),
        )
        label = label[~label.index.duplicated()]
        unclaimed = current.where(current.isin(new_ids), FRINGE)
        back = assign(overlap_table(label, unclaimed), inherit=inherit)
        for a, b in zip(back["segment_a"].tolist(), back["segment_b"].tolist(), strict=True):
            mapping[int(b)] = int(a)
            revived.append(int(a))
    next_id = int(max(book["segment"].max() if len(book) else 0, previous.max(), 0)) + 1
    born = []
    for s in new_ids:
        if s not in mapping:
            mapping[s] = next_id
            born.append(next_id)
            next_id += 1
    links = overlaps[overlaps["jaccard"] > link]
    parents = links.groupby("segment_b")["segment_a"].agg(lambda x: ";".join(map(str, x)))
    book = book.set_index("segment")
    seen = set(mapping.values())
    for pid in book.index:
        if pid in seen or book.at[pid, "status"] == "gone":
            continue
        missed = int(book.at[pid, "missed"]) + 1
        book.loc[pid, ["missed", "status"]] = [
            missed,
            "gone" if missed >= gone_after else "dormant",
        ]
    for det, pid in mapping.items():
        if pid in book.index:
            book.loc[pid, ["status", "last_run", "missed"]] = ["active", run, 0]
        else:
            book.loc[pid] = ["active", run, run, 0, parents.get(det, ""), ""]
    book = book.reset_index().sort_values("segment", kind="mergesort").reset_index(drop=True)
    book = book[LINEAGE_COLUMNS].astype({"first_run": np.int64, "last_run": np.int64})
    kept = {int(s): str(n) for s, n in zip(book["segment"], book["name"], strict=True) if n}
    info = {
        "run": run,
        "inherited": len(chosen),
        "revived": len(revived),
        "new_ids": len(born),
        "inherit_jaccard": inherit,
        "link_jaccard": link,
        "gone_after": gone_after,
    }
    return Tracking(mapping=dict(sorted(mapping.items())), lineage=book, names=kept, info=info)
